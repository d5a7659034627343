"""`escrow publish` keeps a printable A4 notice per district for community boards (issue 20 point 4),
with exactly the figures of the web list: a quarter whose list names businesses registered in two
districts (and one the council has not verified) gets two PDFs, each read back as text and held
against the quarter's JSON; the quarter's page links them; an unknown district is 404 in the
reader's language."""

import re
import secrets
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from cli.publish import run_publish
from db.models import utcnow
from domain import credit_code
from domain.calendar import SHANGHAI
from public_record.notices import by_district, district_of, district_words, unplaced
from public_record.periods import Quarter
from public_record.quarterly import ListedBusiness, list_document, percent
from public_record.store import get_notice
from tests.conftest import Stack
from tests.kits.published_lists import freeze_list

QUARTER = Quarter(2012, 2)  # a quarter no other test publishes
GUILIN, HANGZHOU = "450300", "330100"


def code_in(division: str) -> str:
    """A company's valid code registered in `division`, with a random organisation code."""
    return credit_code.complete("91" + division + "".join(secrets.choice("0123456789") for _ in range(8)))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def row_pattern(business: dict[str, object]) -> re.Pattern[str]:
    """The business's row as the notice prints it: rank, name, code, complaints, rate with its n,
    in that order and nothing else between them."""
    rate = f"{percent(business['mediation_rate'])} ({business['mediation_successes']}/{business['mediated']})"  # type: ignore[arg-type]
    cells = [str(business["rank"]), str(business["name"]), str(business["credit_code"])]
    cells += [str(business["complaints"]), rate]
    return re.compile(r"\s*".join(re.escape(cell) for cell in cells))


def quarter_rows() -> list[ListedBusiness]:
    return [
        ListedBusiness(
            1, "P-GUILIN-A", "桂林甲装饰有限公司", "桂林市七星区", 7, 3, 2, 2 / 3, {}, code_in(GUILIN)
        ),
        ListedBusiness(2, "P-HANGZHOU", "杭州乙装饰有限公司", None, 5, 0, 0, None, {}, code_in(HANGZHOU)),
        ListedBusiness(3, "P-NOT-VERIFIED", "P-NOT-VERIFIED", None, 4, 1, 0, 0.0, {}, None),
        ListedBusiness(
            4, "P-GUILIN-B", "Lijiang Renovation Co., Ltd.", None, 2, 2, 1, 0.5, {}, code_in(GUILIN)
        ),
    ]


@pytest.fixture(scope="module")
def published(stack: Stack) -> dict[str, object]:
    """The quarter frozen as `escrow publish` freezes it, then `escrow publish` run on it: the run
    finds the list published and makes its notices (as for any list published before notices)."""
    document = freeze_list(stack.engine, QUARTER, quarter_rows(), complaints=18)
    assert run_publish(stack.settings, str(QUARTER)) == 0
    return document


async def test_each_district_gets_its_businesses_and_only_them_with_the_web_lists_figures(
    stack: Stack, published: dict[str, object]
) -> None:
    document = (await stack.http.get(f"/public/quarters/{QUARTER}.json")).json()
    businesses = document["businesses"]
    expected = {GUILIN: [businesses[0], businesses[3]], HANGZHOU: [businesses[1]]}
    for district, mine in expected.items():
        response = await stack.http.get(f"/public/quarters/{QUARTER}/notices/{district}.pdf")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert f'filename="notice-{QUARTER}-{district}.pdf"' in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF-")
        text = text_of(response.content)
        for business in mine:
            assert row_pattern(business).search(text), (business["name"], text)
        others = [b for b in businesses if b not in mine]
        for business in others:
            assert business["name"] not in text
            assert business["party_id"] not in text
            if business["credit_code"]:
                assert business["credit_code"] not in text
        assert district_words(district).zh in text  # named, e.g. 广西壮族自治区桂林市（450300）
        published_on = utcnow().astimezone(SHANGHAI).date()  # the fixture published it just now
        assert published_on.isoformat() in text
        assert (published_on + timedelta(days=365)).isoformat() in text  # no later than: the list's year
        assert "12315" in text and f"{stack.settings.public_url}/public/quarters/{QUARTER}" in text
        assert "名单上另有 1 家商家未经本会核验" in text  # the unverified one is named on none
        assert text.index(f"{QUARTER} 消费投诉公示") < text.index(f"{QUARTER} consumer complaints notice")


async def test_the_quarter_page_links_each_notice_in_the_readers_language(
    stack: Stack, published: dict[str, object]
) -> None:
    chinese = unescape((await stack.http.get(f"/public/quarters/{QUARTER}")).text)
    english = unescape((await stack.http.get(f"/public/quarters/{QUARTER}", params={"lang": "en"})).text)
    assert "浙江省杭州市（330100）" in chinese and "Zhejiang, 杭州市 (330100)" in english
    links = re.findall(r'href="(/public/quarters/[^"]+\.pdf)"', chinese)
    assert links == [f"/public/quarters/{QUARTER}/notices/{d}.pdf" for d in (HANGZHOU, GUILIN)]
    for link in links:
        assert (await stack.http.get(link)).status_code == 200


async def test_a_district_without_a_notice_is_404_in_the_readers_language(
    stack: Stack, published: dict[str, object]
) -> None:
    path = f"/public/quarters/{QUARTER}/notices/110101.pdf"
    chinese = await stack.http.get(path, headers={"Accept-Language": "zh-CN"})
    english = await stack.http.get(path, headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 404
    assert chinese.json()["detail"]["code"] == english.json()["detail"]["code"] == "notice_not_found"
    assert "这份名单没有这个地区的公示单" in chinese.json()["detail"]["message"]
    assert "no notice for that district" in english.json()["detail"]["message"]
    unpublished = await stack.http.get("/public/quarters/2012Q3/notices/450300.pdf")
    assert (unpublished.status_code, unpublished.json()["detail"]["code"]) == (404, "not_published")
    for bad in ("45030", "4503001", "abcdef", "..%2F..%2Fx"):
        refused = await stack.http.get(f"/public/quarters/{QUARTER}/notices/{bad}.pdf")
        assert refused.status_code in (404, 422), (bad, refused.status_code)


async def test_publishing_again_keeps_the_notices_as_they_were(
    stack: Stack, published: dict[str, object]
) -> None:
    """A notice on a board never changes under it: a second run makes none anew."""
    with Session(stack.engine) as session:
        before = {d: get_notice(session=session, quarter=QUARTER, district=d) for d in (GUILIN, HANGZHOU)}
        kept = {d: (row.pdf, row.made_at) for d, row in before.items() if row is not None}
    assert run_publish(stack.settings, str(QUARTER)) == 0
    with Session(stack.engine) as session:
        after = {d: get_notice(session=session, quarter=QUARTER, district=d) for d in (GUILIN, HANGZHOU)}
        assert {d: (row.pdf, row.made_at) for d, row in after.items() if row is not None} == kept
    assert kept.keys() == {GUILIN, HANGZHOU}


@pytest.mark.parametrize(
    ("district", "zh", "en"),
    [
        ("450300", "广西壮族自治区桂林市（450300）", "Guangxi, 桂林市 (450300)"),
        ("450321", "广西壮族自治区阳朔县（450321）", "Guangxi, 阳朔县 (450321)"),  # "[1981-]" dropped
        ("110103", "北京市崇文区（110103）", "Beijing, 崇文区 (110103)"),  # abolished in 2010: still named
        ("450000", "广西壮族自治区（450000）", "Guangxi (450000)"),  # the province's own office
        ("459999", "广西壮族自治区（459999）", "Guangxi (459999)"),  # a code the table does not know
    ],
)
def test_a_district_is_named_by_its_province_its_city_or_county_and_its_code(district, zh, en) -> None:
    words = district_words(district)
    assert (words.zh, words.en) == (zh, en)


def test_a_business_without_a_verified_code_is_on_no_district_notice() -> None:
    national = credit_code.complete("91" + credit_code.NATIONAL_DIVISION + "10001234")
    rows = [*quarter_rows(), ListedBusiness(5, "P-NATIONAL", "中国某集团", None, 1, 0, 0, None, {}, national)]
    document = list_document(
        QUARTER,
        rows,
        published_at=utcnow(),
        expires_at=utcnow() + timedelta(days=1),
        complaints_in_quarter=19,
    )
    groups = by_district(document)
    assert list(groups) == [credit_code.NATIONAL_DIVISION, HANGZHOU, GUILIN]
    assert [row["rank"] for row in groups[GUILIN]] == [1, 4]
    assert unplaced(document) == 1
    assert district_of(None) is None
    assert district_of("91450300MA5K00000X") is None  # fails its check: no district is guessed
