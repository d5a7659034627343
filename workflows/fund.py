"""One workflow per business's compensation fund (先行赔付): the system of record for its money.

Like the escrow, a thin shell around a pure machine (domain/fund/machine.py): signed steps arrive
as validated updates, deposits as the bank confirms them, overdue cases as signals from their case
workflows; a loop carries out the movements the machine instructs (each under its business key, so
a retried payout pays once) and projects the state. No deadline moves a fund, so it sleeps until
there is work. It lives as long as its business, so it continues as new every so many changes,
carrying its state (`_run_is_full`, domain/fund/carry.py). docs/ADVANCE_COMPENSATION.md is the design.
"""

from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import VersioningBehavior

with workflow.unsafe.imports_passed_through():
    import cryptography.exceptions  # noqa: F401  (see workflows/escrow.py)

    from activities.bank import BankActivities
    from activities.projections import ProjectionActivities
    from activities.types import FundProjectionInput, MovementInput, OpenAccountInput
    from domain.fund.machine import FundMachine
    from domain.fund.snapshot import FundSnapshot
    from domain.fund.state import FundMovement, FundMovementKind
    from domain.fund.terms import AdvanceClaim
    from domain.steps.rejections import StepRejected
    from workflows.activity_policies import MONEY
    from workflows.catch_up import attempt, sleep_until_work_or
    from workflows.escrow_types import DepositConfirmation, StepReceipt
    from workflows.fund_types import FundInput
    from workflows.movements import settle_movements
    from workflows.projection_cursor import ProjectionCursor
    from workflows.rejections import rejection_error
    from workflows.step_updates import StepUpdates


@workflow.defn(versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class FundWorkflow(StepUpdates):
    """AUTO_UPGRADE like an escrow: a fund lives as long as its business (docs/VERSIONING.md)."""

    _machine: FundMachine

    @workflow.init
    def __init__(self, input: FundInput) -> None:
        self._machine = FundMachine(
            input.terms,
            council_keys=input.council_keys,
            opened_at=workflow.now(),
            max_skew=timedelta(seconds=input.max_skew_seconds),
        )
        self._projection = ProjectionCursor(version=None)
        if input.carried is not None:
            self._machine.continue_from(input.carried)
            self._projection = ProjectionCursor.holding(self._machine)
        for claim in input.claims:  # a carried run's claims are in its carry: none come here
            self._machine.learn_claim(claim, workflow.now())
        self._run_from = self._machine.version  # this run's changes are counted from here

    @workflow.run
    async def run(self, input: FundInput) -> None:
        if input.carried is None:  # a later run's account was opened by the first
            await workflow.execute_activity_method(
                BankActivities.open_account, OpenAccountInput(escrow_id=self._machine.fund_id), **MONEY
            )
        while True:
            await self._settle_movements()
            await self._project()
            if self._run_is_full(input):
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._run_is_full(input):  # unless an update or signal that just ran left work
                    carried = self._machine.carry(workflow.now())
                    workflow.continue_as_new(replace(input, claims=[], carried=carried))
                continue
            await sleep_until_work_or(None, self._has_work, [self._projection.catch_up])

    def _run_is_full(self, input: FundInput) -> bool:
        """Whether to continue as new now: after `versions_per_run` changes in this run, or when
        Temporal suggests it, so a fund's history stays short however long its business lives.

        Only once nothing would be lost: no movement left to carry out (its business key and
        receipt are in the carried movements), and the read model caught up, so the audit table
        holds every trail entry the new run does not (as the escrow at its warranty)."""
        machine = self._machine
        full = (
            machine.version - self._run_from >= input.versions_per_run
            or workflow.info().is_continue_as_new_suggested()
        )
        return (
            full
            and not machine.pending_movements()
            and not self._projection.behind(machine)
            and not self._projection.catch_up.behind
        )

    def _has_work(self) -> bool:
        return bool(self._machine.pending_movements()) or self._projection.wants(self._machine)

    async def _settle_movements(self) -> None:
        await settle_movements(self._machine, self._movement_input)

    def _movement_input(self, movement: FundMovement) -> MovementInput:
        """An advance goes out as a payout to the consumer, a withdrawal as a refund to the business;
        the reference says which case an advance pays."""
        advance = movement.kind is FundMovementKind.ADVANCE
        return MovementInput(
            escrow_id=self._machine.fund_id,
            idempotency_key=movement.key,
            kind="payout" if advance else "refund",
            amount_fen=movement.amount_fen,
            beneficiary=movement.beneficiary,
            reference=f"advance_compensation:{movement.case_id}" if advance else "fund_withdrawal",
        )

    async def _project(self) -> None:
        machine, cursor = self._machine, self._projection
        if not cursor.behind(machine) or not cursor.catch_up.due(machine.version, workflow.now()):
            return
        sent = cursor.unprojected(machine)
        projection = FundProjectionInput(
            machine.fund_id, sent.version, sent.snapshot, sent.trail, sent.alerts
        )
        done, _ = await attempt(
            cursor.catch_up, machine.fund_id, sent.version, ProjectionActivities.project_fund, projection
        )
        if done:
            cursor.projected(sent)

    # ------------------------------------------------------------- updates
    @workflow.update
    def record_deposit(self, deposit: DepositConfirmation) -> StepReceipt:
        self._machine.record_deposit(deposit.tx_id, deposit.amount_fen)
        return StepReceipt("", self._machine.version, self._machine.phase.value)

    @record_deposit.validator
    def validate_deposit(self, deposit: DepositConfirmation) -> None:
        try:
            self._machine.check_deposit(deposit.tx_id, deposit.amount_fen)
        except StepRejected as exc:
            raise rejection_error(exc) from None

    @workflow.signal
    def case_overdue(self, claim: AdvanceClaim) -> None:
        """From a case against this business: its decision for the consumer was not complied with
        in time (the case machine's `advance_claim`). Learned once; the council is alerted."""
        self._machine.learn_claim(claim, workflow.now())

    # ------------------------------------------------------------- queries
    @workflow.query
    def snapshot(self) -> FundSnapshot:
        return self._machine.snapshot()

    @workflow.query
    def audit_trail(self) -> dict[str, Any]:
        """This run's trail to export (`FundMachine.audit_export`); the earlier runs' entries are
        read from the audit log. A query: the recorded histories replay as they were."""
        return self._machine.audit_export()
