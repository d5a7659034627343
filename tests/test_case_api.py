"""Filing cases over HTTP: a renovation case becomes a child of its escrow; bad claims change nothing."""

from dataclasses import asdict
from datetime import date, datetime, timedelta

import pytest

from client.party import Party, StepRefused
from domain.calendar import SHANGHAI
from expert_panels.car_remedy import REGULATION
from tests.kits.businesses import verified_business
from tests.kits.car_case_kit import filed_car_case
from tests.kits.case_kit import claim, file
from tests.kits.flow import EscrowFlow
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id


async def test_a_renovation_case_is_filed_as_a_child_of_its_escrow(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")

    wrong_amount = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1, disputed_fen=1))
    assert (wrong_amount.status_code, wrong_amount.json()["detail"]["code"]) == (
        422,
        "disputed_amount_mismatch",
    )
    no_dispute = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 2))
    assert (no_dispute.status_code, no_dispute.json()["detail"]["code"]) == (409, "no_open_dispute")

    filed = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1))
    assert filed.status_code == 201, filed.json()
    case_id = filed.json()["case_id"]
    description = await stack.temporal.get_workflow_handle(case_workflow_id(case_id)).describe()
    assert description.parent_id == f"escrow-{flow.escrow_id}"
    assert (await flow.state()).disputes[0].case_id == case_id

    again = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1))
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "case_already_filed")

    case = (await stack.http.get(f"/cases/{case_id}", headers=flow.contractor.auth)).json()
    assert (case["phase"], case["escrow_id"], case["disputed_fen"]) == ("filed", flow.escrow_id, 600_000)
    outsider = await Party(stack.http, "owner", "Someone else").register()
    forbidden = await stack.http.get(f"/cases/{case_id}", headers=outsider.auth)
    assert (forbidden.status_code, forbidden.json()["detail"]["code"]) == (403, "not_a_participant")

    accepted = await stack.http.post(
        f"/cases/{case_id}/acceptance",
        json=asdict(flow.council.sign("case.accept", case_id, {}, await flow.now())),
    )
    assert accepted.status_code == 200 and accepted.json()["phase"] == "answer"
    handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))
    assert (await handle.query(CaseWorkflow.snapshot)).phase == "answer"


async def test_bad_claims_are_refused(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    contractor = await verified_business(stack.http, "contractor", "Wrong Side Co.")
    car = claim(domain="car", main_specialty="transmission")

    wrong_sides = await file(stack, buyer, contractor.id, car)
    assert (wrong_sides.status_code, wrong_sides.json()["detail"]["code"]) == (422, "wrong_parties")
    bad_specialty = await file(stack, buyer, dealer.id, claim(domain="car", main_specialty="plumbing"))
    assert (bad_specialty.status_code, bad_specialty.json()["detail"]["code"]) == (422, "bad_choice")
    forged = buyer.sign("claim.file", dealer.id, car)
    forged.envelope["payload"]["disputed_fen"] = 1
    response = await stack.http.post("/cases", json=asdict(forged), headers=buyer.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (403, "bad_signature")
    someone_elses = await stack.http.post(
        "/cases", json=asdict(buyer.sign("claim.file", dealer.id, car)), headers=dealer.auth
    )
    assert someone_elses.status_code == 403

    filed = await file(stack, buyer, dealer.id, car)
    assert filed.status_code == 201
    unknown = await stack.http.get("/cases/CASE-1999-00001", headers=buyer.auth)
    assert (unknown.status_code, unknown.json()["detail"]["code"]) == (404, "case_not_found")


async def test_a_car_claim_with_its_facts_shows_the_statutory_remedy_and_bad_facts_are_refused(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    facts = {"delivered_on": "2026-11-20", "fault_on": "2026-11-25", "km": 412, "fault_part": "brakes"}

    for bad, code, message in [
        ({**facts, "fault_on": "2026-11-19"}, "invalid_car_facts", "before"),
        ({**facts, "fault_part": "wheels"}, "invalid_car_facts", "unknown fault part"),
        ({**facts, "km": -1}, "invalid_car_facts", "km"),
        ({**facts, "colour": "red"}, "invalid_car_facts", "unknown car facts: colour"),
        ({k: v for k, v in facts.items() if k != "km"}, "invalid_car_facts", "missing: km"),
        ({k: v for k, v in facts.items() if k != "delivered_on"}, "car_start_date_missing", "invoiced_on"),
        ({**facts, "defences": ["acts_of_god"]}, "invalid_car_defences", "unknown defence"),
        ({**facts, "use": "taxi"}, "invalid_car_use", "household"),
        ({**facts, "three_guarantee_years": 1}, "car_period_below_minimum", "Art. 18"),
    ]:
        refused = await file(
            stack, buyer, dealer.id, claim(domain="car", main_specialty="body", car_facts=bad)
        )
        assert (refused.status_code, refused.json()["detail"]["code"]) == (422, code)
        assert message in refused.json()["detail"]["reason"]
    contractor = await verified_business(stack.http, "contractor", "Someone Building")
    owner = await Party(stack.http, "owner", "Someone Living").register()
    renovation = await file(stack, owner, contractor.id, claim(car_facts=facts))
    assert (renovation.status_code, renovation.json()["detail"]["code"]) == (422, "car_facts_for_cars_only")
    listed = await stack.http.get("/cases", headers=buyer.auth)
    assert listed.json() == []  # nothing refused was filed

    filed = await file(stack, buyer, dealer.id, claim(domain="car", main_specialty="body", car_facts=facts))
    assert filed.status_code == 201, filed.json()
    case = (await stack.http.get(f"/cases/{filed.json()['case_id']}", headers=dealer.auth)).json()
    assert case["car_facts"] == facts
    assert (case["statutory_remedy"]["remedy"], case["statutory_remedy"]["rule"]) == (
        "refund_or_replace",
        "art23_safety_failure_within_60_days_3000_km",
    )


async def test_the_dealer_raises_its_defences_in_the_answer_and_the_statutory_remedy_weighs_them(stack):
    car = await filed_car_case(stack)  # Art. 24(1)(iv): over 30 days under repair
    case = car.case
    await case.accept()
    claimed = (await case.state()).statutory_remedy
    for defences, status, code in (
        (["acts_of_god"], 422, "bad_choice"),
        (["modification", "modification"], 422, "duplicate_defences"),
    ):
        with pytest.raises(StepRefused) as refused:
            await case.answer("a", defences=defences)
        assert (refused.value.status, refused.value.code) == (status, code)
    unchanged = await case.state()
    assert (unchanged.phase, unchanged.answer, unchanged.statutory_remedy) == ("answer", None, claimed)

    await case.answer("车主自行加装了动力套件", defences=["modification"])
    answered = await case.state()
    assert answered.answer.defences == ["modification"]
    remedy = answered.statutory_remedy
    assert (remedy["remedy"], remedy["rule"]) == (claimed["remedy"], claimed["rule"])  # raised, not proved
    assert remedy["if_proved"] == [
        {"rule": "art32_modification", "article": f"{REGULATION}第三十二条第一款第（三）项", "remedy": "none"}
    ]


async def test_a_claim_states_when_its_harm_was_known_and_one_over_three_years_is_flagged(stack):
    """SAMR Order No. 20 art. 15(4): the flag is the council's to weigh; nothing is refused for it."""
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    today = datetime.now(SHANGHAI).date()
    for bad in ("2023-02-30", "20230101", "yesterday", (today + timedelta(days=1)).isoformat()):
        refused = await file(
            stack, buyer, dealer.id, claim(domain="car", main_specialty="body", known_since=bad)
        )
        assert (refused.status_code, refused.json()["detail"]["code"]) == (422, "invalid_known_since"), bad
    null = await file(stack, buyer, dealer.id, claim(domain="car", main_specialty="body", known_since=None))
    assert (null.status_code, null.json()["detail"]["code"]) == (422, "not_text")
    assert (await stack.http.get("/cases", headers=buyer.auth)).json() == []  # nothing refused was filed

    # the earliest date of knowledge still within three years of today (on 29 February: 1 March)
    earliest = (
        date(today.year - 3, 3, 1)
        if (today.month, today.day) == (2, 29)
        else today.replace(year=today.year - 3)
    )
    flagged = {}
    for known, barred in ((earliest, False), (earliest - timedelta(days=1), True)):
        filed = await file(
            stack, buyer, dealer.id, claim(domain="car", main_specialty="body", known_since=known.isoformat())
        )
        assert filed.status_code == 201, filed.json()
        case = (await stack.http.get(f"/cases/{filed.json()['case_id']}", headers=dealer.auth)).json()
        flagged[known.isoformat()] = case["time_barred"]
        assert (case["time_barred"] is not None) is barred and case["phase"] == "filed"
    late = (earliest - timedelta(days=1)).isoformat()
    flag = flagged[late]
    assert (flag["known_since"], flag["filed_on"]) == (late, today.isoformat())
    assert flag["last_day"] < flag["filed_on"]
