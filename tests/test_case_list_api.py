"""GET /cases over HTTP: the read model the case workflow projects, seen by each kind of reader."""

from dataclasses import asdict

from sqlmodel import Session

from client.escrow_session import eventually
from client.party import Party
from db import crud
from tests.kits.businesses import verified_business
from tests.kits.case_kit import claim, file
from tests.kits.flow import COUNCIL_SECRET
from workflows.case_types import case_workflow_id


async def test_parties_see_their_cases_and_the_council_sees_all(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    other_buyer = await Party(stack.http, "buyer", "Wang Fang").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    outsider = await Party(stack.http, "owner", "Someone else").register()
    council = await Party(stack.http, "council", "Dispute council").register(enrolment_secret=COUNCIL_SECRET)
    car = claim(domain="car", main_specialty="transmission", disputed_fen=30_000_000)
    filed = await file(stack, buyer, dealer.id, car)
    assert filed.status_code == 201, filed.json()
    case_id = filed.json()["case_id"]
    other = await file(stack, other_buyer, dealer.id, car)
    assert other.status_code == 201, other.json()
    other_id = other.json()["case_id"]

    async def listed(party: Party, **params) -> list[dict]:
        response = await stack.http.get("/cases", params=params, headers=party.auth)
        assert response.status_code == 200, response.json()
        return response.json()

    def phases(cases: list[dict]) -> dict[str, str]:
        return {case["case_id"]: case["phase"] for case in cases}

    mine = await eventually(lambda: listed(buyer), lambda c: len(c) == 1, "the buyer's case", 20)
    assert mine[0] | {"version": 0, "filed_at": None, "updated_at": None} == {
        "case_id": case_id,
        "domain": "car",
        "phase": "filed",
        "claimant_id": buyer.id,
        "respondent_id": dealer.id,
        "escrow_id": None,
        "disputed_fen": 30_000_000,
        "outcome": None,
        "noncompliant": False,
        "version": 0,
        "filed_at": None,
        "updated_at": None,
        "waiting_for_you": False,  # the case waits for the council to accept it
    }
    dealers = await eventually(lambda: listed(dealer), lambda c: len(c) == 2, "the dealer's cases", 20)
    assert [c["case_id"] for c in dealers] == [other_id, case_id]  # newest first
    assert phases(await listed(other_buyer)) == {other_id: "filed"}
    assert await listed(outsider) == []
    assert phases(await listed(dealer, limit=1, offset=1)) == {case_id: "filed"}

    everything = phases(await listed(council, domain="car", phase="filed", limit=200))
    assert {case_id, other_id} <= everything.keys()
    assert not {case_id, other_id} & phases(await listed(council, domain="renovation", limit=200)).keys()
    assert len(await listed(council, limit=1)) == 1
    assert {c["case_id"]: c["waiting_for_you"] for c in await listed(council, phase="filed", limit=200)}[
        case_id
    ]

    handle = stack.temporal.get_workflow_handle(case_workflow_id(case_id))
    now = await stack.skipper.get_current_time(handle)
    accepted = await stack.http.post(
        f"/cases/{case_id}/acceptance", json=asdict(council.sign("case.accept", case_id, {}, now))
    )
    assert accepted.status_code == 200, accepted.json()
    await eventually(
        lambda: listed(buyer), lambda c: phases(c) == {case_id: "answer"}, "the accepted case", 20
    )
    assert {c["case_id"]: c["waiting_for_you"] for c in await listed(dealer)} == {
        case_id: True,
        other_id: False,
    }
    answering = phases(await listed(council, phase="answer", limit=200))
    assert case_id in answering and other_id not in answering
    with Session(stack.engine) as session:
        trail = crud.list_audit_entries(session=session, subject_id=case_id)
    assert [(entry.seq, entry.action, entry.signer_id) for entry in trail] == [(1, "case.accept", council.id)]

    bad = await stack.http.get("/cases", params={"phase": "pondering"}, headers=council.auth)
    assert (bad.status_code, bad.json()["detail"]["code"]) == (422, "invalid_input")
    anonymous = await stack.http.get("/cases")
    assert anonymous.status_code == 401
