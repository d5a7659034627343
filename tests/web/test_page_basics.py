"""The shared parts of every page: language choice, static files, money and time, charts."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from api.error_catalogue import catalogue
from api.main import create_app
from config.settings import Settings
from db.migrate import upgrade
from web.charts import Bar, Series, bar_chart, step_chart
from web.templating import local_time


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("pages")
    settings = Settings(data_dir=data_dir, database_url="", temporal_address="127.0.0.1:1")
    upgrade(settings.app_database_url())
    with TestClient(create_app(settings)) as client:
        yield client


def test_home_is_chinese_by_default_and_english_on_request(pages):
    chinese = pages.get("/")
    assert chinese.status_code == 200
    assert '<html lang="zh-CN">' in chinese.text
    assert "先装修后付款" in chinese.text
    english = pages.get("/", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Renovate first, pay later" in english.text


def test_language_switch_remembers_the_choice_and_only_returns_to_local_pages(pages):
    switched = pages.get("/lang/en", params={"next": "/"}, follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    assert "lang=en" in switched.headers["set-cookie"]
    assert '<html lang="en">' in pages.get("/").text  # the client kept the cookie, as a browser does
    elsewhere = pages.get("/lang/zh-CN", params={"next": "//evil.example/"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/"
    assert pages.get("/lang/fr", follow_redirects=False).status_code == 422


def test_static_files_are_served_from_the_app_itself(pages):
    script = pages.get("/static/app.js")
    assert script.status_code == 200
    assert "time[datetime]" in script.text
    assert pages.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_local_time_marks_utc_and_shows_shanghai():
    shown = local_time(datetime(2026, 11, 28, 16, 30, tzinfo=UTC))
    assert shown == '<time datetime="2026-11-28T16:30:00+00:00">2026-11-29 00:30</time>'
    assert local_time(None) == ""


def test_step_chart_draws_each_change_as_a_step_and_labels_itself():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    chart = step_chart(
        [Series("released", [(start, 0), (start + timedelta(days=10), 500)])],
        title="funds & more",
        empty_text="none",
        width=200,
        height=100,
    )
    assert chart.startswith('<svg class="chart"') and 'aria-label="funds &amp; more"' in chart
    # plot area: x 88..188, y 12..44 (ceiling 500): from (88, 44) across to x=188, then up to y=12
    assert 'd="M88.0,44.0 H188.0 V12.0 H188.0"' in chart
    assert step_chart([], title="t", empty_text="nothing yet") == '<p class="chart-empty">nothing yet</p>'


def test_step_chart_dates_are_beijing_dates():
    late_evening_utc = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)  # 04:00 on 2 January in Beijing
    chart = step_chart([Series("held", [(late_evening_utc, 100)])], title="t", empty_text="none")
    assert ">01-02</text>" in chart and "01-01" not in chart


def test_bar_chart_scales_bars_to_the_largest_value():
    chart = bar_chart([Bar("甲公司", 10), Bar("乙公司", 5)], title="complaints", empty_text="none", width=390)
    # labels 3 × 14 + 12 = 54 wide, values round(2 × 0.6 × 14) + 12 = 29: plot width 390 - 54 - 29 = 307;
    # the largest bar fills it, the other is half
    assert 'width="307.0"' in chart and 'width="153.5"' in chart
    assert "甲公司" in chart


def test_a_failure_on_a_page_is_a_page_and_on_the_api_the_error_shape(tmp_path):
    """Our own failure (a 500), as a page in the reader's language where a page was asked for."""
    settings = Settings(data_dir=tmp_path, database_url="", temporal_address="127.0.0.1:1")
    upgrade(settings.app_database_url())
    app = create_app(settings)

    def broken() -> HTMLResponse:
        raise RuntimeError("a bug")

    app.add_api_route("/my/broken-page", broken, response_class=HTMLResponse)
    app.add_api_route("/broken-api", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/my/broken-page")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "出了点问题" in page.text and 'data-code="internal_error"' in page.text
        assert "Something went wrong" in client.get("/my/broken-page", params={"lang": "en"}).text
        api = client.get("/broken-api", headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
        assert api.status_code == 500 and api.json()["detail"]["code"] == "internal_error"
        assert api.json()["detail"]["message"] == catalogue("zh-CN")["internal_error"]
