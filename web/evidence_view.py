"""The evidence files a page shows, each with what the store knows of it (templates/evidence_files.html).

A page names files by the hashes its escrow or case signed; the gallery shows each one's
thumbnail (photos), kind, size, who uploaded it and when: what `GET /evidence/{digest}/meta`
answers, read here for every file of the page in two queries, not one request per file.

Decision: a file shows its thumbnail and link only when the reader may open it, so the page
never shows a broken image. The page already established that the reader may read its escrow
or case (the `subjects`); a file is then readable when its uploader is the reader or one of
those subjects' trails names it (docs/EVIDENCE.md "Who may read a file": the same rule as
api/evidence_access.py, restricted to what this page shows). A file the store does not hold, or
one whose reference the projection has not recorded yet, shows its hash alone.

Decision: "who added it and when" is the party whose signed step first named the file in these
subjects' trails, not the store's first uploader: identical bytes uploaded earlier by someone of
another escrow would otherwise name that stranger here. Only a reader's own file that no trail
names yet shows its upload.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from db import crud
from db import evidence as files
from db.models import Party
from domain.case.snapshot import CaseSnapshot
from domain.escrow.state import Dispute, Stage, WarrantyClaim


@dataclass(frozen=True)
class FileShown:
    """One file as the gallery shows it; `kind` is None when the reader may not open it."""

    digest: str
    kind: str | None = None  # photo | video | document
    size_bytes: int = 0
    media_type: str = ""
    added_by: str = ""  # the display name of who attached it here
    added_at: datetime | None = None

    @property
    def readable(self) -> bool:
        return self.kind is not None


def stage_files(stage: Stage) -> list[str]:
    """What a stage's inspection request and last report name: the request's files and its
    items' photos, the report's defects' photos and its files."""
    request, report = stage.last_request, stage.last_report
    named = [*request.files, *(h for item in request.items for h in item.files)] if request else []
    if report:
        named += [*(h for defect in report.defects for h in defect.photos), *report.files]
    return named


def escrow_files(
    stages: Iterable[Stage], disputes: Iterable[Dispute], claims: Iterable[WarrantyClaim]
) -> list[str]:
    return [
        *(h for stage in stages for h in stage_files(stage)),
        *(h for dispute in disputes for h in dispute.evidence),
        *(h for claim in claims for h in claim.evidence),
    ]


def case_files(case: CaseSnapshot) -> list[str]:
    """Every file before the case's panel: the claim's, the answer's and each submission's."""
    return [h for entry in case.evidence for h in entry.hashes]


def files_shown(
    session: Session, reader: Party, subjects: Iterable[str], digests: Iterable[str]
) -> dict[str, FileShown]:
    """Each named file by its digest, as `reader` may see it on a page about `subjects`."""
    wanted = set(digests)
    records = files.get_files(session=session, digests=wanted)
    named = files.first_refs(session=session, digests=records, subject_ids=subjects)
    added: dict[str, tuple[str, datetime]] = {}  # who attached each readable file here, and when
    for digest, record in records.items():
        ref = named.get(digest)
        if ref is not None:
            added[digest] = (ref.signer_id, ref.recorded_at)
        elif record.uploaded_by == reader.id:
            added[digest] = (reader.id, record.uploaded_at)
    signers = sorted({who for who, _ in added.values()})
    names = {p.id: p.display_name for p in crud.list_parties(session=session, ids=signers)}
    shown = {digest: FileShown(digest) for digest in wanted}
    for digest, (who, when) in added.items():
        record = records[digest]
        shown[digest] = FileShown(
            digest=digest,
            kind=record.kind,
            size_bytes=record.size_bytes,
            media_type=record.media_type,
            added_by=names.get(who, who),
            added_at=when,
        )
    return shown
