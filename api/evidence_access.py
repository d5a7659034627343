"""Who may read an evidence file: its uploader, and whoever may read an escrow or case whose
signed trail names it (the `evidence_ref` rows the projection writes).

An escrow is read by its owner, contractor and inspector, the council, and the experts of any
panel ever seated on a case about it (they decide on its stages and reports); a case by its
claimant and respondent, the council, and every expert seated on any of its panels, while
they sit and after (`panel_seat` keeps a row per seat, active or not). A file no trail names
yet is its uploader's alone. Everyone else: 403 `not_a_participant`.
"""

from sqlmodel import Session, col, or_, select

from api.errors import ApiError
from db.evidence import subjects_naming
from db.models import CaseProjection, EscrowProjection, EvidenceFile, ExpertRecord, PanelSeatRecord, Party
from domain.roles import Role


def may_read_file(session: Session, party: Party, record: EvidenceFile) -> bool:
    if record.uploaded_by == party.id:
        return True
    subjects = subjects_naming(session=session, digest=record.digest)
    if not subjects:
        return False
    if party.role == Role.COUNCIL.value:
        return True
    escrow_party = select(EscrowProjection.escrow_id).where(
        col(EscrowProjection.escrow_id).in_(subjects),
        or_(
            EscrowProjection.owner_id == party.id,
            EscrowProjection.contractor_id == party.id,
            EscrowProjection.inspector_id == party.id,
        ),
    )
    case_party = select(CaseProjection.case_id).where(
        col(CaseProjection.case_id).in_(subjects),
        or_(CaseProjection.claimant_id == party.id, CaseProjection.respondent_id == party.id),
    )
    cases_about = select(CaseProjection.case_id).where(col(CaseProjection.escrow_id).in_(subjects))
    seated = (
        select(PanelSeatRecord.case_id)
        .join(ExpertRecord, col(ExpertRecord.expert_id) == col(PanelSeatRecord.expert_id))
        .where(
            ExpertRecord.party_id == party.id,
            or_(col(PanelSeatRecord.case_id).in_(subjects), col(PanelSeatRecord.case_id).in_(cases_about)),
        )
    )
    return any(
        session.exec(query.limit(1)).first() is not None for query in (escrow_party, case_party, seated)
    )


def require_file_reader(session: Session, party: Party, record: EvidenceFile) -> None:
    if not may_read_file(session, party, record):
        raise ApiError(
            403,
            "not_a_participant",
            "only the file's uploader and those who may read an escrow or case naming it may read it",
        )
