"""Who may read an evidence file: its uploader, and whoever may read an escrow or case whose
signed trail names it (the `evidence_ref` rows the projection writes).

An escrow is read by its owner, contractor and inspector, the council, and the experts who sat
on a panel of any case about it (they decide on its stages and reports); a case by its claimant
and respondent, the council, and every expert who sat on any of its panels. Who sat is one rule,
`api.case_access.sat_on_panel`, the one the escrow a case is about answers to
(api/case_escrow.py): an expert holding a seat in one of the case's rounds as the case records
them, from the draw on and after the case ends; not one who declined, was struck or let their
declaration time pass (their seat went to another). It is read from the case's own record (the
read model's snapshot), not from `panel_seat`, whose rows stay for every seat ever drawn. A file
no trail names yet is its uploader's alone. Everyone else: 403 `not_a_participant`.
"""

from sqlmodel import Session, col, or_, select

from api.case_access import sat_on_panel
from api.errors import ApiError
from db.evidence import subjects_naming
from db.models import CaseProjection, EscrowProjection, EvidenceFile, Party
from domain.case.snapshot import read_case_snapshot
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
    if any(session.exec(query.limit(1)).first() is not None for query in (escrow_party, case_party)):
        return True
    return party.role == Role.EXPERT.value and _sat_on_a_case_about(session, party, subjects)


def _sat_on_a_case_about(session: Session, party: Party, subjects: list[str]) -> bool:
    """Whether the party sat on a panel of a case that names the file or is about an escrow that
    does, as the read model last recorded the case (only an expert's party holds seats, so only
    theirs cost reading the cases)."""
    cases = select(CaseProjection.summary_json).where(
        or_(col(CaseProjection.case_id).in_(subjects), col(CaseProjection.escrow_id).in_(subjects))
    )
    return any(sat_on_panel(party.id, read_case_snapshot(text)) for text in session.exec(cases))


def require_file_reader(session: Session, party: Party, record: EvidenceFile) -> None:
    if not may_read_file(session, party, record):
        raise ApiError(
            403,
            "not_a_participant",
            "only the file's uploader and those who may read an escrow or case naming it may read it",
        )
