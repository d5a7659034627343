"""The council accredits inspectors over HTTP, and a contract names only an accredited, independent one.

Against the real API and database; the stack's database is shared by the session, so every
test registers parties of its own.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from tests.kits.businesses import verified_business
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow

TODAY = datetime.now(UTC).date()
DAY = timedelta(days=1)
ACCREDITATIONS = "/inspectors/accreditations"


def code(response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


@pytest.fixture
async def flow(stack) -> EscrowFlow:
    """Owner, contractor and council registered; the inspector registered but not accredited."""
    flow = EscrowFlow(stack)
    await flow.council.register(enrolment_secret=COUNCIL_SECRET)
    await flow.owner.register()
    for business in (flow.contractor, flow.inspector):
        await enrol_verified(business, flow.council)
    return flow


def contract(flow: EscrowFlow) -> dict:
    return {
        "title": "Flat 3-2-501",
        "owner_id": flow.owner.id,
        "contractor_id": flow.contractor.id,
        "inspector_id": flow.inspector.id,
        "total_fen": 1_000_000,
    }


async def drafted(flow: EscrowFlow):
    return await flow.stack.http.post("/escrows", json=contract(flow), headers=flow.owner.auth)


async def my_escrows(flow: EscrowFlow) -> list:
    return (await flow.stack.http.get("/escrows", headers=flow.owner.auth)).json()


async def refused(flow: EscrowFlow, expected_code: str) -> str:
    """The contract is refused with 409 and this code, naming the inspector, nothing is created;
    the sentence that says why (the `reason`: which date, whose tie)."""
    response = await drafted(flow)
    assert code(response) == (409, expected_code), response.text
    detail = response.json()["detail"]
    assert flow.inspector.id in detail["message"] and flow.inspector.name in detail["message"]
    assert await my_escrows(flow) == []
    return str(detail["reason"])


async def test_an_accredited_inspector_can_be_named(flow):
    await accredit_inspector(flow.council, flow.inspector.id)
    response = await drafted(flow)
    assert response.status_code == 201, response.text
    assert response.json()["terms"]["inspector"]["party_id"] == flow.inspector.id


async def test_a_never_accredited_inspector_is_refused(flow):
    message = await refused(flow, "inspector_not_accredited")
    assert "not on the council's list of accredited inspectors" in message


async def test_an_expired_accreditation_is_refused_until_renewed(flow):
    stored = await accredit_inspector(
        flow.council, flow.inspector.id, valid_from=TODAY - 400 * DAY, valid_until=TODAY - DAY
    )
    message = await refused(flow, "inspector_not_accredited")
    assert f"was accredited until {(TODAY - DAY).isoformat()}" in message

    renewed = await flow.stack.http.patch(
        f"{ACCREDITATIONS}/{stored['accreditation_id']}",
        json={"valid_until": (TODAY + 365 * DAY).isoformat()},
        headers=flow.council.auth,
    )
    assert renewed.status_code == 200, renewed.text
    assert (await drafted(flow)).status_code == 201


async def test_an_accreditation_not_yet_valid_is_refused(flow):
    await accredit_inspector(flow.council, flow.inspector.id, valid_from=TODAY + 10 * DAY)
    message = await refused(flow, "inspector_not_accredited")
    assert f"only from {(TODAY + 10 * DAY).isoformat()}" in message


async def test_a_deactivated_inspector_is_refused_with_the_councils_reason(flow):
    stored = await accredit_inspector(flow.council, flow.inspector.id)
    http, auth = flow.stack.http, flow.council.auth
    url = f"{ACCREDITATIONS}/{stored['accreditation_id']}"
    reason = "signed a report for a stage it never visited"
    deactivated = await http.post(f"{url}/deactivation", json={"reason": reason}, headers=auth)
    assert deactivated.status_code == 200, deactivated.text
    record = deactivated.json()
    assert (record["active"], record["deactivation_reason"]) == (False, reason)
    assert record["deactivated_at"] is not None
    again = await http.post(f"{url}/deactivation", json={"reason": "another"}, headers=auth)
    assert again.json() == record  # repeating it changes nothing, the first reason stands
    assert reason in await refused(flow, "inspector_not_accredited")

    patched = await http.patch(url, json={"valid_until": "2030-01-01"}, headers=auth)
    assert code(patched) == (409, "accreditation_deactivated")
    # the council may accredit the inspector again: a new record, which is what counts
    await accredit_inspector(flow.council, flow.inspector.id)
    assert (await drafted(flow)).status_code == 201


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2021, 1, 1), TODAY - 100 * DAY),  # employed by the contractor until recently
        (TODAY + 30 * DAY, None),  # a job agreed for later counts too
    ],
)
async def test_an_inspector_tied_to_the_contractor_is_refused(flow, start, end):
    tie = {"org_id": flow.contractor.id, "kind": "employed", "start": start.isoformat()}
    if end is not None:
        tie["end"] = end.isoformat()
    await accredit_inspector(flow.council, flow.inspector.id, affiliations=[tie])
    message = await refused(flow, "inspector_conflict")
    assert f"not independent of contractor {flow.contractor.id}" in message
    assert f"employed by {flow.contractor.id} from {start.isoformat()}" in message


async def test_a_tie_older_than_the_window_or_with_someone_else_is_no_conflict(flow):
    ties = [
        {"org_id": flow.contractor.id, "kind": "paid", "start": "2015-01-01", "end": "2020-12-31"},
        {"org_id": "P-SOMEONE-ELSE", "kind": "employed", "start": "2024-01-01"},
    ]
    await accredit_inspector(flow.council, flow.inspector.id, affiliations=ties)
    assert (await drafted(flow)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"specialties": ["engine"]}, "specialties"),
        ({"specialties": ["waterproofing", "tiling"]}, "specialties"),
        ({"specialties": []}, "specialties"),
        ({"valid_from": "2027-06-01", "valid_until": "2027-05-31"}, "valid_until"),
        (
            {"affiliations": [{"org_id": "P-X", "kind": "friend", "start": "2024-01-01"}]},
            "affiliations[0].kind",
        ),
        (
            {"affiliations": [{"org_id": "P-X", "kind": "paid", "start": "2024-02-01", "end": "2024-01-01"}]},
            "affiliations[0].end",
        ),
    ],
)
async def test_the_list_refuses_bad_data_naming_the_field_and_stores_nothing(flow, changes, expected):
    body = {
        "party_id": flow.inspector.id,
        "specialties": ["waterproofing"],
        "valid_from": "2026-01-01",
        "valid_until": "2030-12-31",
        **changes,
    }
    http, auth = flow.stack.http, flow.council.auth
    response = await http.post(ACCREDITATIONS, json=body, headers=auth)
    assert code(response) == (422, "invalid_accreditation")
    assert response.json()["detail"]["reason"].startswith(f"{expected}:")
    listed = await http.get(ACCREDITATIONS, params={"party_id": flow.inspector.id}, headers=auth)
    assert listed.json() == {"data": [], "count": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"valid_from": "2026-02-30"},
        {"valid_from": "yesterday"},
        {"specialties": "waterproofing"},
        {"colour": "red"},
    ],
)
async def test_malformed_bodies_are_refused_as_input(flow, body):
    full = {"party_id": flow.inspector.id, "specialties": ["painting"], "valid_from": "2026-01-01"}
    full |= {"valid_until": "2030-01-01", **body}
    response = await flow.stack.http.post(ACCREDITATIONS, json=full, headers=flow.council.auth)
    assert code(response) == (422, "invalid_input")


async def test_only_inspector_parties_and_one_standing_accreditation_each(flow):
    http, auth = flow.stack.http, flow.council.auth
    body = {"specialties": ["plumbing"], "valid_from": "2026-01-01", "valid_until": "2030-01-01"}
    not_inspector = await http.post(
        ACCREDITATIONS, json={**body, "party_id": flow.contractor.id}, headers=auth
    )
    assert code(not_inspector) == (422, "not_an_inspector_party")
    first = await http.post(ACCREDITATIONS, json={**body, "party_id": flow.inspector.id}, headers=auth)
    assert first.status_code == 201, first.text
    second = await http.post(ACCREDITATIONS, json={**body, "party_id": flow.inspector.id}, headers=auth)
    assert code(second) == (409, "already_accredited")
    missing = await http.get(f"{ACCREDITATIONS}/ACC-NOSUCHONE", headers=auth)
    assert code(missing) == (404, "accreditation_not_found")


async def test_any_party_reads_who_is_accredited_today_without_their_ties(flow):
    http = flow.stack.http
    tag = uuid.uuid4().hex[:8]  # the session's database holds every test's inspectors
    current = await verified_business(http, "inspector", f"Xiufeng Inspection {tag}")
    tie = {"org_id": "P-EMPLOYER", "kind": "employed", "start": "2020-01-01"}
    await accredit_inspector(flow.council, current.id, specialties=["structure"], affiliations=[tie])
    lapsed = await verified_business(http, "inspector", f"Lapsed Inspection {tag}")
    await accredit_inspector(flow.council, lapsed.id, valid_from=TODAY - 30 * DAY, valid_until=TODAY - DAY)

    listed = await http.get("/inspectors", params={"q": tag}, headers=flow.owner.auth)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {
        "count": 1,
        "data": [
            {
                "party_id": current.id,
                "name": current.name,
                "specialties": ["structure"],
                "valid_from": (TODAY - DAY).isoformat(),
                "valid_until": (TODAY + 365 * 5 * DAY).isoformat(),
            }
        ],
    }
    council_view = await http.get(ACCREDITATIONS, params={"q": tag}, headers=flow.council.auth)
    records = {r["party_id"]: r for r in council_view.json()["data"]}
    assert records[current.id]["affiliations"] == [{**tie, "end": None}]
    assert records[lapsed.id]["active"] is True  # lapsed by date, not deactivated


async def test_a_create_sent_again_with_its_form_key_answers_the_first_accreditation(flow):
    """The accreditation form's key (drawn when the council's page showed it): sent again, the same
    body is answered with the first accreditation, where it would otherwise be already_accredited."""
    http, auth = flow.stack.http, flow.council.auth
    body = {"party_id": flow.inspector.id, "specialties": ["plumbing"], "valid_from": "2026-01-01"}
    body |= {"valid_until": "2030-01-01"}
    keyed = auth | {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}

    first = await http.post(ACCREDITATIONS, json=body, headers=keyed)
    again = await http.post(ACCREDITATIONS, json=body, headers=keyed)
    other = await http.post(ACCREDITATIONS, json={**body, "specialties": ["tiling"]}, headers=keyed)

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert code(other) == (409, "idempotency_key_reused")
    listed = await http.get(ACCREDITATIONS, params={"party_id": flow.inspector.id}, headers=auth)
    assert [r["accreditation_id"] for r in listed.json()["data"]] == [first.json()["accreditation_id"]]
