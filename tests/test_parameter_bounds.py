"""Parameters read from the path or the query that the code parses itself refuse out-of-range values
with 422 and the error shape, never a 500 (issue 12: `?month=0000-01` answered 500).

Months and quarters: years 2000 to 2999 (public_record/periods.py). Ids and step numbers
are looked up, never parsed: any string or integer is answered 404 or a workflow's refusal.
"""

import pytest

from client.party import Party
from tests.kits.flow import COUNCIL_SECRET


@pytest.fixture(scope="module")
async def council(stack) -> Party:
    return await Party(stack.http, "council", "Bounds council").register(enrolment_secret=COUNCIL_SECRET)


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "2026-13", "2026-1", "2026-01\n"])
async def test_a_month_outside_the_records_years_is_422(stack, council, month):
    response = await stack.http.get(
        "/council/complaint-alerts", params={"month": month}, headers=council.auth
    )
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "invalid_input")


async def test_a_month_inside_them_is_answered(stack, council):
    for month in ("2000-01", "2999-12"):
        response = await stack.http.get(
            "/council/complaint-alerts", params={"month": month}, headers=council.auth
        )
        assert response.status_code == 200, response.json()


@pytest.mark.parametrize("quarter", ["0000Q1", "9999Q4", "1999Q4", "2026Q5", "2026q1"])
async def test_a_quarter_outside_them_is_422(stack, quarter):
    for path in (f"/public/quarters/{quarter}.json", f"/public/quarters/{quarter}.csv"):
        response = await stack.http.get(path)
        assert (response.status_code, response.json()["detail"]["code"]) == (422, "invalid_input"), path
    page = await stack.http.get(f"/public/quarters/{quarter}")  # the page parses its own, and says so
    assert page.status_code == 422 and 'data-code="bad_quarter"' in page.text


# (a NUL, %00, is refused before any lookup: tests/test_json_policy.py)
@pytest.mark.parametrize("ident", ["A" * 2000, "%E2%80%AE", "ESC-0000-00000", "%F0%9F%98%80" * 300])
async def test_any_id_is_looked_up_not_parsed(stack, council, ident):
    for path in (f"/escrows/{ident}", f"/escrows/{ident}/audit", f"/cases/{ident}", f"/experts/{ident}"):
        response = await stack.http.get(path, headers=council.auth)
        assert response.status_code == 404 and response.json()["detail"]["code"].endswith("not_found"), path


@pytest.mark.parametrize("number", ["0", "-1", str(2**64), "1" * 5000])
async def test_any_step_number_is_refused_without_a_500(stack, number):
    body = {"envelope": {"action": "stage.accept", "subject": "ESC-2019-99999"}, "signature": "x"}
    response = await stack.http.post(f"/escrows/ESC-2019-99999/stages/{number}/acceptance", json=body)
    assert 400 <= response.status_code < 500 and response.json()["detail"]["code"], response.text
