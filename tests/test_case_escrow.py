"""`GET /cases/{id}/escrow`: the panel reads the escrow its case is about, over real HTTP.

The rule (api/case_escrow.py) is the case's readers and every expert ever seated on one of its
panels; the API test drives two escrow cases to their panels, so a member of the other case's
panel is a real seated expert, and the pure test below covers the first panel after an appeal.
"""

import pytest

from api.case_access import case_reader_role
from api.case_escrow import case_escrow_reader_role
from client.party import Party
from db.models import Party as PartyRow
from domain.roles import Role
from tests.kits.businesses import verified_business
from tests.kits.dispute_kit import BranchKit
from tests.kits.security_world import car_case
from tests.kits.staff_kit import STAGE_PHOTO_DIGEST, DisputedEscrow, filed_case, retire_enrolled

DEFECT = {
    "description": "floor drain falls the wrong way",
    "location": "bathroom",
    "cost_estimate_fen": 120_000,
}


@pytest.fixture
async def experts_leave(stack):
    yield
    await retire_enrolled(stack)  # this test's experts leave the registry's draws with it


async def at_panel(stack) -> tuple[DisputedEscrow, Party]:
    """An escrow case whose stage 1 failed its inspection with `DEFECT`, its panel formed; and a
    member of that panel."""
    disputed = await filed_case(stack, defects=[DEFECT])
    case = disputed.case
    await case.accept()
    await case.answer("the drain was laid to the plan; the floor was tested dry")
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    return disputed, case.expert(case.seats(state)[0])


async def test_the_seated_panel_reads_the_escrow_of_its_case_and_no_other_panel_or_outsider_does(
    stack, experts_leave
):
    disputed, member = await at_panel(stack)
    path = f"/cases/{disputed.case.case_id}/escrow"

    read = await stack.http.get(path, headers=member.auth)
    assert read.status_code == 200, read.text
    view = read.json()
    assert (view["escrow_id"], view["case_id"]) == (disputed.flow.escrow_id, disputed.case.case_id)
    stage = view["stages"][0]
    assert stage["status"] == "rectifying" and stage["last_request"]["files"] == [STAGE_PHOTO_DIGEST]
    assert stage["last_report"]["result"] == "fail" and stage["last_report"]["defects"] == [
        DEFECT | {"photos": []}
    ]
    dispute = view["dispute"]
    assert (dispute["reason"], dispute["stages"], dispute["case_id"]) == (
        "the bathroom floor leaks",
        [1],
        disputed.case.case_id,
    )
    assert view["changes_applied"] == 0 and view["change_proposal"] is None
    assert {"ledger", "movements", "owner_id", "terms_hash"}.isdisjoint(view)  # nothing that moves money
    # the escrow itself stays its parties' and the council's
    escrow = await stack.http.get(f"/escrows/{disputed.flow.escrow_id}", headers=member.auth)
    assert (escrow.status_code, escrow.json()["detail"]["code"]) == (403, "not_a_participant")
    for reader in (disputed.flow.owner, disputed.flow.contractor, disputed.flow.council):
        assert (await stack.http.get(path, headers=reader.auth)).json() == view

    other, other_member = await at_panel(stack)
    assert (await stack.http.get(f"/cases/{other.case.case_id}/escrow", headers=other_member.auth)).is_success
    outsider = await Party(stack.http, "owner", "Someone else").register()
    for refused in (other_member, other.flow.owner, disputed.flow.inspector, outsider):
        answer = await stack.http.get(path, headers=refused.auth)
        assert (answer.status_code, answer.json()["detail"]["code"]) == (403, "not_a_participant"), refused.id


async def test_a_case_about_no_escrow_answers_no_escrow_to_its_readers(stack):
    buyer = await Party(stack.http, "buyer", "Buyer").register()
    dealer = await verified_business(stack.http, "dealer", "Dealer")
    case_id = await car_case(stack.http, buyer, dealer)
    for reader in (buyer, dealer):
        answer = await stack.http.get(f"/cases/{case_id}/escrow", headers=reader.auth)
        assert (answer.status_code, answer.json()["detail"]["code"]) == (404, "no_escrow")
    stranger = await Party(stack.http, "buyer", "Stranger").register()
    answer = await stack.http.get(f"/cases/{case_id}/escrow", headers=stranger.auth)
    assert (answer.status_code, answer.json()["detail"]["code"]) == (403, "not_a_participant")


def party(party_id: str, role: Role) -> PartyRow:
    return PartyRow(id=party_id, role=role.value, display_name=party_id, public_key=f"key-{party_id}")


def test_the_first_panel_keeps_reading_the_escrow_after_an_appeal_seats_another():
    kit = BranchKit()
    kit.to_draw()
    seats = kit.draw()
    leaver = seats[1]
    kit.step(leaver, "declaration.sign", {"independent": False, "reason": "I know the foreman"})
    kit.decide([600_000, 400_000, 500_000], outcome="split")
    first_panel = list(kit.seats)
    kit.step("claimant", "decision.object", {"reason": "the moisture readings were ignored"})
    appeal = kit.draw(seed="appeal")
    case = kit.m.snapshot()

    def who(expert_id: str) -> PartyRow:
        return party(f"P-{expert_id}", Role.EXPERT)

    for former in first_panel:
        assert case_reader_role(who(former), case) is None  # the case: the sitting panel only
        assert case_escrow_reader_role(who(former), case) is Role.EXPERT
    assert case_escrow_reader_role(who(appeal[0]), case) is Role.EXPERT
    assert case_escrow_reader_role(who(leaver), case) is None  # declined before reading anything
    unseated = next(e.expert_id for e in kit.experts if e.expert_id not in {*seats, *first_panel, *appeal})
    assert case_escrow_reader_role(who(unseated), case) is None
    assert case_escrow_reader_role(party("P-CLAIMANT", Role.OWNER), case) is Role.CLAIMANT
    assert case_escrow_reader_role(party("P-COUNCIL", Role.COUNCIL), case) is Role.COUNCIL
    assert case_escrow_reader_role(party("P-STRANGER", Role.OWNER), case) is None
