"""Handing a concluded case's council-signed decision to its escrow, which pays it out.

The escrow validates the step like any other; if it already applied it (a retry
after a lost answer), the replayed nonce proves it, and that counts as done. The step goes with
its signer's key events, as the API sends every step (a council member or claimant may have
signed it on a second device).
"""

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from activities.types import EscrowDecisionInput, EscrowDecisionResult
from db.keys import council_keys, events_of
from domain.steps.signing import SignedStep
from workflows.escrow_types import STEP_REJECTED, StepInput, escrow_workflow_id

ALREADY_APPLIED = "nonce_reused"


class EscrowLinkActivities:
    def __init__(self, client: Client, engine: Engine) -> None:
        self._client = client
        self._engine = engine

    def _keys(self, step: SignedStep) -> StepInput:
        """The step with its signer's key events and the council as it is now (a member who joined
        after the escrow started may have signed it)."""
        signer = step.envelope.get("signer")
        if not isinstance(signer, str):
            return StepInput(step)  # the escrow refuses the envelope itself
        with Session(self._engine) as session:
            events = events_of(session, signer)
            return StepInput(step, events, council_keys(session))

    @activity.defn
    async def apply_escrow_decision(self, input: EscrowDecisionInput) -> EscrowDecisionResult:
        handle = self._client.get_workflow_handle(escrow_workflow_id(input.escrow_id))
        step = SignedStep(envelope=input.envelope, signature=input.signature)
        signed = await asyncio.to_thread(self._keys, step)
        try:
            await handle.execute_update("submit_step", signed)
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError) and cause.type == STEP_REJECTED and cause.details:
                code = cause.details[0].get("code")
                if code == ALREADY_APPLIED:
                    return EscrowDecisionResult(applied=True, detail="already applied")
                return EscrowDecisionResult(applied=False, detail=f"{code}: {cause.message}", code=code)
            raise
        return EscrowDecisionResult(applied=True, detail="applied")
