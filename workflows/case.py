"""One workflow per dispute case: the system of record for a panel's work.

Like the escrow, a thin shell around a pure machine: steps arrive as validated
updates, deadlines are durable timers, the registry is read by an activity only
when a panel must be drawn, and the draw's seed comes from the workflow's
deterministic randomness so a replay draws the same panel. A renovation case
ends by handing the council's signed decision to its escrow.
"""

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import VersioningBehavior
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    import cryptography.exceptions  # noqa: F401  (see workflows/escrow.py)

    from activities.escrow_link import EscrowLinkActivities
    from activities.projections import ProjectionActivities
    from activities.registry import RegistryActivities
    from activities.types import (
        CandidatesInput,
        CaseProjectionInput,
        EscrowDecisionInput,
        PanelSeatsInput,
    )
    from domain.calendar import InvalidCalendar, WorkCalendar
    from domain.case.draws import DrawEntry
    from domain.case.machine import CaseMachine, present
    from domain.case.snapshot import CaseSnapshot
    from domain.fund.terms import fund_id_of
    from domain.steps.parties import PartyKey
    from expert_panels.registry import expert_from_document
    from workflows.activity_policies import MONEY
    from workflows.case_types import CaseInput, CaseOutcome
    from workflows.catch_up import CatchUp, attempt, sleep_until_work_or
    from workflows.fund_types import fund_workflow_id
    from workflows.projection_cursor import ProjectionCursor
    from workflows.step_updates import StepUpdates


# Registered under its first name, so recorded histories and running cases keep replaying.
@workflow.defn(name="DisputeWorkflow", versioning_behavior=VersioningBehavior.PINNED)
class CaseWorkflow(StepUpdates):
    _machine: CaseMachine

    @workflow.init
    def __init__(self, input: CaseInput) -> None:
        self._machine = CaseMachine(
            input.terms,
            council_keys=input.council_keys,
            calendar=WorkCalendar.from_document(input.calendar),
            filed_at=workflow.now(),
            max_skew=timedelta(seconds=input.max_skew_seconds),
        )
        self._seen = -1
        self._seats_recorded: list[str] = []
        self._projection = ProjectionCursor(version=None)
        self._draw = CatchUp("panel_draw")
        self._seats = CatchUp("panel_seats")
        self._fund_told = False

    @workflow.run
    async def run(self, input: CaseInput) -> CaseOutcome:
        machine = self._machine
        while True:
            await self._draw_if_needed()
            await self._enforce_if_needed()
            await self._tell_fund_if_overdue()
            recorded = await self._record_seats_if_changed()
            projected = await self._project_if_changed()
            if machine.finished:
                if recorded or projected:
                    continue  # a step may have landed during those awaits: record it before ending
                if not self._behind():
                    break
                # a write that keeps failing is caught up first: once ended, nothing can
            self._seen = machine.version
            await self._sleep_until_work_or_deadline()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CaseOutcome(machine.subject_id, machine.phase.value, machine.outcome, machine.noncompliant)

    def _has_work(self) -> bool:
        machine = self._machine
        return (
            machine.version != self._seen
            # changed while projecting, once projected at all
            or (self._projection.version is not None and self._projection.wants(machine))
            or machine.needs_escrow_enforcement()
            or (machine.draw_request(workflow.now()) is not None and not self._draw.waits(None))
        )

    def _catch_ups(self) -> list[CatchUp]:
        return [self._draw, self._seats, self._projection.catch_up]

    def _behind(self) -> bool:
        return any(catch_up.behind for catch_up in self._catch_ups())

    async def _sleep_until_work_or_deadline(self) -> None:
        deadline = self._machine.next_deadline()
        if await sleep_until_work_or(deadline, self._has_work, self._catch_ups()):
            self._machine.on_time(workflow.now())

    async def _draw_if_needed(self) -> None:
        """Draw a panel when the machine asks for one; a registry that cannot be read waits for the timer."""
        request = self._machine.draw_request(workflow.now())
        if request is None:
            self._draw.caught_up()  # nothing left to draw: nothing to catch up either
            return
        if not self._draw.due(None, workflow.now()):
            return
        drawn, found = await attempt(
            self._draw,
            self._machine.subject_id,
            None,
            RegistryActivities.load_panel_candidates,
            CandidatesInput(domain=request.domain),
        )
        if not drawn:
            return
        experts = [expert_from_document(raw) for raw in found.experts]
        keys = {i: PartyKey(k["party_id"], k["public_key"]) for i, k in found.keys.items()}
        seed = str(workflow.uuid4())
        self._machine.record_draw(request, experts, keys, seed, workflow.now())

    async def _record_seats_if_changed(self) -> bool:
        """Tell the registry who sits on this case (nobody once it is over); whether it did."""
        machine, current = self._machine, self._machine.round
        seated = sorted(current.seats) if current is not None and not machine.finished else []
        if seated == self._seats_recorded:
            self._seats.caught_up()  # back to what the registry holds: nothing to catch up
            return False
        if not self._seats.due(tuple(seated), workflow.now()):
            return False
        done, _ = await attempt(
            self._seats,
            machine.subject_id,
            tuple(seated),
            RegistryActivities.record_panel_seats,
            PanelSeatsInput(case_id=machine.subject_id, seated=seated),
        )
        if done:
            self._seats_recorded = seated
        return done

    async def _project_if_changed(self) -> bool:
        """Copy the case into the read model with its new trail entries and alerts; whether it did.

        With the claim's category and the workflow's clock, by which the public record dates it.
        """
        machine, cursor = self._machine, self._projection
        if not cursor.behind(machine) or not cursor.catch_up.due(machine.version, workflow.now()):
            return False
        sent = cursor.unprojected(machine)
        projection = CaseProjectionInput(
            machine.subject_id,
            sent.version,
            sent.snapshot,
            sent.trail,
            sent.alerts,
            main_specialty=machine.terms.main_specialty,
            projected_at=workflow.now().isoformat(),
        )
        done, _ = await attempt(
            cursor.catch_up, machine.subject_id, sent.version, ProjectionActivities.project_case, projection
        )
        if done:
            cursor.projected(sent)
        return done

    async def _enforce_if_needed(self) -> None:
        machine = self._machine
        if not machine.needs_escrow_enforcement():
            return
        step = present(machine.escrow_step, "the escrow step")
        escrow_id = present(machine.terms.escrow_id, "the case's escrow")
        result = await workflow.execute_activity_method(
            EscrowLinkActivities.apply_escrow_decision,
            EscrowDecisionInput(escrow_id, step.envelope, step.signature),
            **MONEY,  # the decision moves money: handed over until the escrow answers
        )
        if result.applied:
            machine.escrow_enforced()
        else:
            machine.escrow_refused(result.detail, workflow.now(), result.code)

    async def _tell_fund_if_overdue(self) -> None:
        """A decision for the consumer the business did not comply with in time: its compensation
        fund, if it pledged one, may pay the consumer first (docs/ADVANCE_COMPENSATION.md). Told
        once; a business without a fund has no workflow to tell, and that is all."""
        claim = self._machine.advance_claim()
        if claim is None or self._fund_told:
            return
        fund = workflow.get_external_workflow_handle(fund_workflow_id(fund_id_of(claim.respondent_id)))
        with contextlib.suppress(FailureError):
            await fund.signal("case_overdue", claim)
        self._fund_told = True

    @workflow.signal
    def escrow_cancelled(self) -> None:
        """From the parent escrow: both sides cancelled it, ending the dispute this case decides."""
        self._machine.escrow_cancelled(workflow.now())

    @workflow.signal
    def update_calendar(self, calendar: Any) -> None:
        """A newer working-day calendar (`escrow calendar --push`): pending deadlines are counted on it.

        Typed `Any` so that a document of the wrong shape reaches this handler (the converter would
        drop it unseen): it is refused with a council alert and the case keeps its calendar. Raising
        here would fail the workflow task, which Temporal retries forever."""
        try:
            read = WorkCalendar.from_document(calendar)
        except InvalidCalendar as exc:
            self._machine.refuse_calendar(str(exc), workflow.now())
            return
        self._machine.update_calendar(read, workflow.now())

    @workflow.query
    def snapshot(self) -> CaseSnapshot:
        return self._machine.snapshot()

    @workflow.query
    def draw_records(self) -> list[DrawEntry]:
        """Every draw of this case with the candidates it drew from, for `escrow verify-draw`."""
        return self._machine.draw_entries()
