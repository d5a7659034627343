"""What a case's readers, and every expert who sat on its panel, see of the escrow the case is about.

The panel decides an escrow's dispute on the stages, inspection reports and defects the escrow
recorded, but the escrow itself is read only by its parties and the council
(api/escrow_access.py). `CaseEscrowView` is the part of it a case is about, read-only, built from
the escrow snapshot's own types (so what they carry, the evidence included, shows here as it
does on the escrow page): each stage as the escrow records it (name, amount, state, what was
paid for it, its inspection request's evidence, its last report with the defects, its holdbacks),
the change order under signature and how many were applied, and the dispute the case decides.
It leaves out what moves money or names where it goes: the ledger, the movements (with their
bank transactions), the deposit instructions and the parties' keys.

Decision, who reads it: whoever may read the case (api/case_access.py), and besides them every
expert who sits or sat on ANY of the case's panels (`sat_on_panel`, which says who sat). The case
rule admits the current panel only, so that a first panel whose decision was objected to does
not follow the larger panel's deliberation; what the escrow recorded, though, is the same facts
the first panel already decided on, and a member may be asked about their decision later.
Experts who declined, were struck or let their declaration time run out left their seat before
the panel formed and read nothing more. The evidence files follow the same rule
(api/evidence_access.py).
"""

from dataclasses import dataclass

from temporalio.client import Client

from api.case_access import case_reader_role, sat_on_panel
from api.errors import ApiError
from api.gateway import ESCROW, query
from db.models import Party
from domain.case.snapshot import CaseSnapshot
from domain.escrow.snapshot import DisputeSnapshot, EscrowSnapshot
from domain.escrow.state import ChangeProposal, Phase, Stage
from domain.roles import Role
from workflows.escrow import EscrowWorkflow


@dataclass
class CaseEscrowView:
    """The escrow a case decides on, as its panel reads it (`GET /cases/{id}/escrow`)."""

    escrow_id: str
    title: str
    phase: Phase
    case_id: str
    stages: list[Stage]  # every stage: the disputed ones are `dispute.stages`
    change_proposal: ChangeProposal | None  # a change order signed by one side, awaiting the other
    changes_applied: int  # change orders both sides signed, already in `stages`
    dispute: DisputeSnapshot | None  # the escrow's dispute the case decides


def case_escrow_reader_role(party: Party, case: CaseSnapshot) -> Role | None:
    """The case's reader rule, widened to every expert who sat on one of its panels."""
    role = case_reader_role(party, case)
    if role is None and sat_on_panel(party.id, case):
        return Role.EXPERT
    return role


def case_escrow_view(case: CaseSnapshot, escrow: EscrowSnapshot) -> CaseEscrowView:
    dispute = next((d for d in escrow.disputes if d.number == case.escrow_dispute), None)
    return CaseEscrowView(
        escrow_id=escrow.escrow_id,
        title=escrow.title,
        phase=escrow.phase,
        case_id=case.case_id,
        stages=escrow.stages,
        change_proposal=escrow.change_proposal,
        changes_applied=escrow.changes_applied,
        dispute=dispute,
    )


async def read_case_escrow(temporal: Client, party: Party, case: CaseSnapshot) -> CaseEscrowView:
    """The view for this reader: 403 `not_a_participant` for anyone else, 404 `no_escrow` for a
    case that decides no escrow's dispute (a car case, a renovation filed without one)."""
    if case_escrow_reader_role(party, case) is None:
        raise ApiError(
            403,
            "not_a_participant",
            "only the case's parties, the experts of its panels and the council may read its escrow",
        )
    if case.escrow_id is None:
        raise ApiError(404, "no_escrow", f"case {case.case_id} decides no escrow's dispute")
    escrow: EscrowSnapshot = await query(temporal, ESCROW, case.escrow_id, EscrowWorkflow.snapshot)
    return case_escrow_view(case, escrow)
