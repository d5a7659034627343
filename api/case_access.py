"""Who may read a case: its claimant and respondent, the experts seated on its current panel, and
the council.

One rule for the API's reads (`GET /cases/{id}`, its draws) and for the party, expert and
council pages alike, so the two can never let different people in. An expert reads a case while
seated on its current panel: once an objection seats a larger panel, the first panel's members
have decided and no longer read the case (nor do experts who declined or were struck).
The escrow a case decides on (`GET /cases/{id}/escrow`) widens this rule to every expert ever
seated on one of the case's panels: see api/case_escrow.py.
"""

from api.errors import ApiError
from db.models import Party
from domain.case.snapshot import CaseSnapshot
from domain.roles import Role


def case_reader_role(party: Party, case: CaseSnapshot) -> Role | None:
    """The role in which this party reads the case, or None when it may not."""
    if party.id == case.claimant_id:
        return Role.CLAIMANT
    if party.id == case.respondent_id:
        return Role.RESPONDENT
    current = case.current_round
    if current is not None and any(seat.party_id == party.id for seat in current.seats.values()):
        return Role.EXPERT
    if party.role == Role.COUNCIL:
        return Role.COUNCIL
    return None


def require_case_reader(party: Party, case: CaseSnapshot) -> Role:
    """`case_reader_role`, refused (403) for anyone else."""
    role = case_reader_role(party, case)
    if role is None:
        raise ApiError(
            403, "not_a_participant", "only the case's parties, its current panel and the council may read it"
        )
    return role
