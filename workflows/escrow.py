"""One workflow per renovation contract: the system of record for its money.

The workflow is a thin shell around the pure `EscrowMachine`: updates carry the
parties' signed steps (validated before they touch history), a single loop runs
the bank movements the machine asks for, projects the state for the read model,
and sleeps on a durable timer until the next deadline or the next step.
"""

import contextlib
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, VersioningBehavior
from temporalio.exceptions import FailureError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    # cryptography's Rust core raises InvalidSignature by importing this module at
    # raise time; it must already be the host's copy, or the sandbox re-imports the
    # extension and the process aborts.
    import cryptography.exceptions  # noqa: F401

    from activities.bank import BankActivities
    from activities.projections import ProjectionActivities
    from activities.types import MovementInput, OpenAccountInput, ProjectionInput
    from domain.escrow.machine import EscrowMachine
    from domain.escrow.snapshot import EscrowSnapshot
    from domain.escrow.state import Movement, MovementKind, Phase
    from domain.steps.rejections import StepRejected
    from domain.steps.spec import Apply
    from workflows.activity_policies import MONEY
    from workflows.case import CaseWorkflow
    from workflows.case_types import CaseInput, case_workflow_id
    from workflows.catch_up import attempt, sleep_until_work_or
    from workflows.escrow_types import (
        DepositConfirmation,
        EscrowInput,
        EscrowOutcome,
        StepReceipt,
    )
    from workflows.movements import settle_movements
    from workflows.projection_cursor import ProjectionCursor
    from workflows.rejections import rejection_error
    from workflows.step_updates import StepUpdates

ESCROW_STATUS = SearchAttributeKey.for_keyword("EscrowStatus")


@workflow.defn(versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class EscrowWorkflow(StepUpdates):
    _machine: EscrowMachine

    @workflow.init
    def __init__(self, input: EscrowInput) -> None:
        self._machine = EscrowMachine(
            input.terms,
            council_keys=input.council_keys,
            created_at=workflow.now(),
            max_skew=timedelta(seconds=input.max_skew_seconds),
        )
        self._projection = ProjectionCursor(version=None)
        self._status = ""
        if input.carried is not None:
            self._machine.continue_from(input.carried)
            self._projection = ProjectionCursor.holding(self._machine)
            self._status = self._machine.phase.value  # the search attributes come along with the run
        # cases a mutual cancellation ended; an escrow that reaches its warranty was never cancelled
        self._cases_told: list[str] = []

    @workflow.run
    async def run(self, input: EscrowInput) -> EscrowOutcome:
        if input.carried is None:  # a warranty run's account was opened by the first run
            await workflow.execute_activity_method(
                BankActivities.open_account,
                OpenAccountInput(escrow_id=self._machine.escrow_id),
                **MONEY,
            )
        while True:
            if self._project_before_bank():
                await self._project()
            await self._settle_movements()
            await self._project()
            await self._close_cancelled_cases()
            if self._machine.finished and not self._projection.catch_up.behind:
                break  # a read model still behind is caught up first: once ended, nothing can
            if self._enters_warranty(input):
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._enters_warranty(input):  # unless a step that just finished left work
                    workflow.continue_as_new(
                        replace(input, carried=self._machine.warranty_carry(workflow.now()))
                    )
                continue
            await self._sleep_until_work_or_deadline()
        await workflow.wait_condition(workflow.all_handlers_finished)
        ledger = self._machine.ledger
        return EscrowOutcome(
            escrow_id=self._machine.escrow_id,
            phase=self._machine.phase.value,
            deposited_fen=ledger.deposited_fen,
            released_fen=ledger.released_fen,
            refunded_fen=ledger.refunded_fen,
        )

    async def _close_cancelled_cases(self) -> None:
        """Tell each case whose dispute a mutual cancellation ended that it has nothing left to decide."""
        untold = [c for c in self._machine.cancelled_cases() if c not in self._cases_told]
        for case_id in untold:
            case = workflow.get_external_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))
            with contextlib.suppress(FailureError):  # the case had ended already: nothing is left to tell it
                await case.signal(CaseWorkflow.escrow_cancelled)
            self._cases_told.append(case_id)

    def _enters_warranty(self, input: EscrowInput) -> bool:
        """The escrow's life changes character here: from weeks of steps and payouts to years of
        waiting for a claim. It continues as new, carrying only what the rest of its life needs
        (domain/escrow/carry.py): the years of tail then replay a history of their own, a few
        events long, so a build's workers replay little, and a patch guarding a change to the
        life before the warranty can be removed once no escrow is in its first run under it.

        Only once nothing would be lost: no movement left to instruct (its business key and
        receipt are in the carried movements), and the read model caught up, so the audit table
        holds every trail entry the new run does not. The first run only: the warranty run has
        no boundary left. The one other long wait, for the deposit, is weeks at most (the
        funding deadline) and its history is a handful of events: no boundary there.
        """
        machine = self._machine
        return (
            input.carried is None
            and machine.phase is Phase.WARRANTY
            and not machine.pending_movements()
            and not self._projection.behind(machine)
            and not self._projection.catch_up.behind
        )

    def _project_before_bank(self) -> bool:
        """Project an accepted step before its bank movements, not after them.

        A payout retries for as long as the bank is down; the read model and the audit
        log do not wait with it, so an owner's acceptance shows in listings at once, the
        money as still held. Not while a projection is failing: the money would wait for
        its quick tries first (workflows/catch_up.py).
        """
        return bool(self._machine.pending_movements()) and not self._projection.catch_up.behind

    def _has_work(self) -> bool:
        """Movements to send or state not yet projected, whenever the step that caused them arrived."""
        return bool(self._machine.pending_movements()) or self._projection.wants(self._machine)

    async def _sleep_until_work_or_deadline(self) -> None:
        deadline = self._machine.next_deadline()
        if await sleep_until_work_or(deadline, self._has_work, [self._projection.catch_up]):
            self._machine.on_time(workflow.now())

    async def _settle_movements(self) -> None:
        await settle_movements(self._machine, self._movement_input)

    def _movement_input(self, movement: Movement) -> MovementInput:
        terms = self._machine.terms
        to_contractor = movement.kind is MovementKind.PAYOUT
        return MovementInput(
            escrow_id=self._machine.escrow_id,
            idempotency_key=movement.key,
            kind=movement.kind.value,
            amount_fen=movement.amount_fen,
            beneficiary=(terms.contractor if to_contractor else terms.owner).party_id,
            reference=movement.reason,
        )

    async def _project(self) -> None:
        """Copy the state into the read model: an activity on the server's task queue.

        Not a local activity, although that would cost the server less: tried, and the
        small `escrow chaos` run found an escrow whose history no longer replayed ("Missing
        associated machine for LocalActivity") once an update arrived in the same workflow
        task as a projection's result; with the projection in history as its own activity
        events, the order is the history's. One that keeps failing stands aside (see
        workflows/catch_up.py): the escrow goes on and the council is alerted.
        """
        machine, cursor = self._machine, self._projection
        if not cursor.behind(machine):
            return
        if machine.phase.value != self._status:  # a command, not I/O: kept current even while failing
            self._status = machine.phase.value
            workflow.upsert_search_attributes([ESCROW_STATUS.value_set(self._status)])
        if not cursor.catch_up.due(machine.version, workflow.now()):
            return
        sent = cursor.unprojected(machine)
        projected_at = workflow.now().isoformat()  # the public record dates releases by this clock
        projection = ProjectionInput(
            machine.escrow_id, sent.version, sent.snapshot, sent.trail, sent.alerts, projected_at
        )
        done, _ = await attempt(
            cursor.catch_up, machine.escrow_id, sent.version, ProjectionActivities.project_escrow, projection
        )
        if done:
            cursor.projected(sent)

    # ------------------------------------------------------------- updates
    @workflow.update
    async def open_case(self, case: CaseInput) -> str:
        """Start the expert-panel case for one of this escrow's disputes, as a child workflow.

        The case outlives nothing of the escrow's: it hands its decision back as a
        council-signed `dispute.decide`, which the escrow checks like any step.
        """
        self._case_plan(case)()
        await workflow.start_child_workflow(
            CaseWorkflow.run,
            case,
            id=case_workflow_id(case.terms.case_id),
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        return case.terms.case_id

    @open_case.validator
    def validate_case(self, case: CaseInput) -> None:
        self._case_plan(case)

    def _case_plan(self, case: CaseInput) -> Apply:
        terms = case.terms
        try:
            return self._machine.plan_case(
                dispute=terms.escrow_dispute or 0,
                case_id=terms.case_id,
                parties={terms.claimant.party_id, terms.respondent.party_id},
                disputed_fen=terms.disputed_fen,
            )
        except StepRejected as exc:
            raise rejection_error(exc) from None

    @workflow.update
    def record_deposit(self, deposit: DepositConfirmation) -> StepReceipt:
        self._machine.record_deposit(deposit.tx_id, deposit.amount_fen, workflow.now())
        return StepReceipt("", self._machine.version, self._machine.phase.value)

    @record_deposit.validator
    def validate_deposit(self, deposit: DepositConfirmation) -> None:
        try:
            self._machine.check_deposit(deposit.tx_id, deposit.amount_fen)
        except StepRejected as exc:
            raise rejection_error(exc) from None

    # ------------------------------------------------------------- queries
    @workflow.query
    def snapshot(self) -> EscrowSnapshot:
        return self._machine.snapshot()

    @workflow.query
    def audit_trail(self) -> dict[str, Any]:
        return self._machine.audit_export()
