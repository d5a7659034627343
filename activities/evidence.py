"""The evidence sweep: uploads no signed step ever named are deleted after a grace period.

A file is uploaded before the step naming it is signed; one whose step was never sent (a
closed browser tab, a refused step) would otherwise stay forever. A file goes when no trail
names it (`evidence_ref`) and it was uploaded, and last named by a step at the API, more than
`ESCROW_EVIDENCE_GRACE_HOURS` ago; its thumbnail and location-free copy go with it. Its row
is deleted first, under the same conditions, so a step naming it from then on is refused
(`file_not_uploaded`) rather than signed over bytes about to vanish.

How it runs (workflows/evidence_sweep.py): a Temporal Schedule starts a one-activity workflow
every `ESCROW_EVIDENCE_SWEEP_MINUTES`.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.types import EvidenceSweepInput, EvidenceSweepResult
from db.evidence import forget_if_unreferenced, unreferenced_before
from evidence.store import EvidenceStore, original_key, public_key, thumbnail_key


class EvidenceActivities:
    def __init__(self, engine: Engine, store: EvidenceStore) -> None:
        self._engine = engine
        self._store = store

    @activity.defn
    def sweep_evidence(self, input: EvidenceSweepInput) -> EvidenceSweepResult:
        """One sweep; idempotent (a retry finds fewer files, and deleting a gone object is no error)."""
        cutoff = datetime.now(UTC) - timedelta(hours=input.grace_hours)
        deleted = 0
        with Session(self._engine) as session:
            for digest in unreferenced_before(session=session, cutoff=cutoff):
                if forget_if_unreferenced(session=session, digest=digest, cutoff=cutoff):
                    self._store.delete_now(original_key(digest), thumbnail_key(digest), public_key(digest))
                    deleted += 1
        abandoned = self._store.incoming_before(cutoff)
        self._store.delete_now(*abandoned)
        return EvidenceSweepResult(files_deleted=deleted, uploads_abandoned=len(abandoned))
