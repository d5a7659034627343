"""One rule says who may read a case, for the API and the pages alike (api/case_access.py)."""

import pytest

from api.case_access import case_reader_role, require_case_reader
from api.errors import ApiError
from db.models import Party
from domain.roles import Role
from tests.kits.dispute_kit import CaseKit


def party(party_id: str, role: Role) -> Party:
    return Party(id=party_id, role=role.value, display_name=party_id, public_key=f"key-{party_id}")


def test_the_parties_the_current_panel_and_the_council_read_a_case_and_nobody_else():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.draw()
    declined = seats[0]
    kit.step(declined, "declaration.sign", {"independent": False, "reason": "I consulted for the owner"})
    case = kit.m.snapshot()
    seated = next(iter(kit.m.round.seats))

    assert case_reader_role(party("P-CLAIMANT", Role.OWNER), case) is Role.CLAIMANT
    assert case_reader_role(party("P-RESPONDENT", Role.CONTRACTOR), case) is Role.RESPONDENT
    assert case_reader_role(party(kit.parties[seated].party_id, Role.EXPERT), case) is Role.EXPERT
    assert case_reader_role(party("P-COUNCIL", Role.COUNCIL), case) is Role.COUNCIL
    # an expert who left the panel, an unseated expert and another owner read nothing
    assert case_reader_role(party(kit.parties[declined].party_id, Role.EXPERT), case) is None
    unseated = next(e for e in kit.parties if e not in seats)
    assert case_reader_role(party(kit.parties[unseated].party_id, Role.EXPERT), case) is None
    with pytest.raises(ApiError) as refused:
        require_case_reader(party("P-STRANGER", Role.OWNER), case)
    assert (refused.value.status, refused.value.code) == (403, "not_a_participant")
