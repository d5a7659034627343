"""Who may read a case: its claimant and respondent, the experts seated on its current panel, and
the council.

One rule for the API's reads (`GET /cases/{id}`, its draws) and for the party, expert and
council pages alike, so the two can never let different people in. An expert reads a case while
seated on its current panel: once an objection seats a larger panel, the first panel's members
have decided and no longer read the case (nor do experts who declined or were struck).
The escrow a case decides on (`GET /cases/{id}/escrow`) and the evidence files of the case and of
that escrow (api/evidence_access.py) widen this rule to every expert who sat on one of the case's
panels (`sat_on_panel`): see api/case_escrow.py.
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


def sat_on_panel(party_id: str, case: CaseSnapshot) -> bool:
    """Whether this party sits or sat on one of the case's panels: holds a seat in one of its
    rounds as the case records them.

    An expert sits from the draw that seats them (they read the case to sign their declaration)
    and sat for good once their panel formed. Those who leave before it forms, declining (a
    conflict of interest), struck by a party, silent past their declaration time, or on a draw
    abandoned for want of an alternate, lose the seat from the record (their round keeps only
    their replacement) and read nothing of the case more. A round that formed keeps its seats
    when the case ends or an objection seats a larger panel: its members still read the files
    and the escrow they decided on, though no longer the case itself (`case_reader_role`).
    """
    return any(seat.party_id == party_id for panel in case.rounds for seat in panel.seats.values())


def require_case_reader(party: Party, case: CaseSnapshot) -> Role:
    """`case_reader_role`, refused (403) for anyone else."""
    role = case_reader_role(party, case)
    if role is None:
        raise ApiError(
            403, "not_a_participant", "only the case's parties, its current panel and the council may read it"
        )
    return role
