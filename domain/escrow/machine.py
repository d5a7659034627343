"""The renovation escrow state machine (DESIGN "Renovation escrow", steps 1 to 8).

Pure and deterministic: time comes in as an argument, money leaves only as
`Movement`s with business idempotency keys that the workflow hands to the bank.
Every step is planned in two halves: `plan()` runs every check and returns a
commit closure, so the update validator (which must not mutate) and the update
handler share one code path and a rejected step can never be half applied.

Money rule kept at every moment: `held = deposited - released - refunded`, and
the money not yet instructed to move (`held - pending`) never exceeds what the
contract still owes (`obligations`); once funded the two are equal.
"""

from collections.abc import Callable
from copy import deepcopy
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from domain.alert_codes import AlertCode
from domain.audit import export_trail
from domain.canonical import content_hash, jsonable_object
from domain.deposits import check_deposit
from domain.escrow import steps
from domain.escrow.carry import WarrantyCarry
from domain.escrow.snapshot import Disputable, DisputeSnapshot, EscrowSnapshot, LedgerSnapshot
from domain.escrow.state import (
    STAGE_DONE,
    CancellationRequest,
    ChangeProposal,
    Defect,
    Dispute,
    DisputeCause,
    Holdback,
    InspectionReport,
    InspectionRequest,
    ItemEvidence,
    Ledger,
    Movement,
    MovementKind,
    MovementReason,
    MovementStatus,
    Phase,
    Retention,
    Stage,
    StageStatus,
    WarrantyClaim,
)
from domain.escrow.steps import ESCROW_RULES
from domain.escrow.terms import ContractTerms, SilencePolicy, check_total
from domain.open_actions import AtDeadline, OpenAction
from domain.roles import Role
from domain.steps.machine import SignedStepMachine
from domain.steps.payloads import read_integer
from domain.steps.rejections import StepRejected, conflict, forbidden, invalid
from domain.steps.spec import Apply, Bound, bind

OWNER, CONTRACTOR, INSPECTOR, COUNCIL = Role.OWNER, Role.CONTRACTOR, Role.INSPECTOR, Role.COUNCIL
CANCELLATION_ANSWER = timedelta(days=7)  # for the other side to sign a cancellation too, or dispute it
CANCELLABLE = (Phase.DRAFT, Phase.FUNDING, Phase.ACTIVE)
DISPUTABLE = (Phase.ACTIVE, Phase.WARRANTY)
OTHER_SIDE: dict[str, str] = {OWNER: CONTRACTOR, CONTRACTOR: OWNER}


class EscrowMachine(SignedStepMachine):
    rules = ESCROW_RULES
    subject_kind = "escrow"

    def __init__(
        self,
        terms: ContractTerms,
        *,
        council_keys: dict[str, str],
        created_at: datetime,
        max_skew: timedelta,
    ) -> None:
        terms.check_amounts()
        super().__init__(terms.escrow_id, terms.terms_hash(), max_skew, council_keys)
        self.terms = terms
        self.escrow_id = terms.escrow_id
        self.terms_hash = self.genesis_hash
        self.created_at = created_at
        self.phase = Phase.DRAFT
        self.funding_due = created_at + timedelta(days=terms.durations.funding_days)
        self.signed_by: list[str] = []
        self.stages = [
            Stage(number=i + 1, name=s.name, amount_fen=s.amount_fen, open_fen=s.amount_fen)
            for i, s in enumerate(terms.stages)
        ]
        self.retention = Retention(amount_fen=terms.retention_fen, open_fen=terms.retention_fen)
        self.ledger = Ledger()
        self.movements: list[Movement] = []
        self.deposits: dict[str, int] = {}
        self.disputes: list[Dispute] = []
        self.claims: list[WarrantyClaim] = []
        self.change_proposal: ChangeProposal | None = None
        self.changes_applied = 0
        self.cancel_signed_by: list[str] = []
        self.cancellation: CancellationRequest | None = None

    # ---------------------------------------------------------- warranty run
    def warranty_carry(self, now: datetime) -> WarrantyCarry:
        """What the warranty run starts from (domain/escrow/carry.py says why each part)."""
        if self.phase is not Phase.WARRANTY:
            raise ValueError(
                f"an escrow continues into its warranty from the warranty phase, not {self.phase}"
            )
        return WarrantyCarry(
            **vars(self.carried_steps(now)),
            created_at=self.created_at,
            signed_by=list(self.signed_by),
            stages=deepcopy(self.stages),
            retention=deepcopy(self.retention),
            ledger=deepcopy(self.ledger),
            movements=deepcopy(self.movements),
            deposits=dict(self.deposits),
            disputes=deepcopy(self.disputes),
            claims=deepcopy(self.claims),
            changes_applied=self.changes_applied,
            change_proposal=deepcopy(self.change_proposal),
            cancel_signed_by=list(self.cancel_signed_by),
            cancellation=deepcopy(self.cancellation),
        )

    def continue_from(self, carried: WarrantyCarry) -> None:
        """Take up the life a previous run carried into the warranty; the terms are the same."""
        self.continue_steps(carried)
        self.phase = Phase.WARRANTY
        self.created_at = carried.created_at
        self.funding_due = carried.created_at + timedelta(days=self.terms.durations.funding_days)
        self.signed_by = list(carried.signed_by)
        self.stages = carried.stages
        self.retention = carried.retention
        self.ledger = carried.ledger
        self.movements = carried.movements
        self.deposits = dict(carried.deposits)
        self.disputes = carried.disputes
        self.claims = carried.claims
        self.changes_applied = carried.changes_applied
        self.change_proposal = carried.change_proposal
        self.cancel_signed_by = list(carried.cancel_signed_by)
        self.cancellation = carried.cancellation

    # ----------------------------------------------------------------- money
    @property
    def pending_fen(self) -> int:
        return sum(m.amount_fen for m in self.movements if m.status is not MovementStatus.DONE)

    @property
    def obligations_fen(self) -> int:
        """What the contract still owes someone and has not yet instructed the bank to move."""
        return sum(s.open_fen for s in self.stages) + self.retention.open_fen

    @property
    def shortfall_fen(self) -> int:
        return max(0, self.obligations_fen - (self.ledger.held_fen - self.pending_fen))

    @property
    def contract_total_fen(self) -> int:
        return sum(s.amount_fen for s in self.stages) + self.retention.amount_fen

    def conservation_errors(self) -> list[str]:
        errors = []
        ledger = self.ledger
        if ledger.held_fen < 0:
            errors.append(f"held is negative: {ledger.held_fen}")
        free = ledger.held_fen - self.pending_fen
        if free < 0:
            errors.append(f"pending movements {self.pending_fen} exceed held {ledger.held_fen}")
        if free > self.obligations_fen:
            errors.append(f"unexplained money held: {free} free > {self.obligations_fen} owed")
        started = self.phase in (Phase.ACTIVE, Phase.WARRANTY, Phase.CLOSED)
        if started and self.shortfall_fen and not self.changes_applied:
            errors.append(f"short by {self.shortfall_fen} without a change order to explain it")
        return errors

    def pending_movements(self) -> list[Movement]:
        return [m for m in self.movements if m.status is MovementStatus.PENDING]

    def _move(self, kind: MovementKind, amount: int, key_suffix: str, reason: MovementReason) -> None:
        if amount <= 0:
            return
        self.movements.append(
            Movement(key=f"{self.escrow_id}:{key_suffix}", kind=kind, amount_fen=amount, reason=reason)
        )

    def _refund_excess(self, key_suffix: str, reason: MovementReason) -> None:
        excess = self.ledger.held_fen - self.pending_fen - self.obligations_fen
        self._move(MovementKind.REFUND, excess, key_suffix, reason)

    def movement_done(self, key: str, tx_id: str) -> None:
        movement = self._movement(key)
        if movement.status is MovementStatus.DONE:
            return
        movement.status, movement.tx_id, movement.error = MovementStatus.DONE, tx_id, None
        if movement.kind is MovementKind.PAYOUT:
            self.ledger.released_fen += movement.amount_fen
        else:
            self.ledger.refunded_fen += movement.amount_fen
        self._after_change()

    def movement_failed(self, key: str, error: str, now: datetime) -> None:
        movement = self._movement(key)
        movement.status, movement.error = MovementStatus.FAILED, error
        suffix = key.removeprefix(f"{self.escrow_id}:")  # _alert adds the escrow id itself
        self._alert(AlertCode.PAYOUT_FAILED, f"{suffix}:failed", now, movement=key, error=error)
        self._after_change()

    def _movement(self, key: str) -> Movement:
        return next(m for m in self.movements if m.key == key)

    # -------------------------------------------------------------- deposits
    def check_deposit(self, tx_id: str, amount_fen: int) -> None:
        """What the bank confirmed, before it is counted: the webhook's and the bank desk's way in."""
        check_deposit("escrow", self.deposits, self.ledger.deposited_fen, tx_id, amount_fen)

    def record_deposit(self, tx_id: str, amount_fen: int, now: datetime) -> None:
        self.check_deposit(tx_id, amount_fen)
        self.deposits[tx_id] = amount_fen
        self.ledger.deposited_fen += amount_fen
        if self.phase in (Phase.CLOSED, Phase.CANCELLED):
            late = MovementReason.DEPOSIT_AFTER_CLOSE
            self._move(MovementKind.REFUND, amount_fen, f"deposit-{tx_id}:refund", late)
        else:
            self._refund_excess(f"deposit-{tx_id}:excess-refund", MovementReason.DEPOSIT_ABOVE_TOTAL)
        self._advance(now)
        self._after_change()

    # ----------------------------------------------------------------- steps
    def _handlers(self) -> list[Bound]:
        return [
            bind(steps.CONTRACT_SIGN, self._plan_contract_sign),
            bind(steps.INSPECTION_REQUEST, self._plan_inspection_request),
            bind(steps.INSPECTION_REPORT, self._plan_inspection_report),
            bind(steps.STAGE_ACCEPT, self._plan_stage_accept),
            bind(steps.STAGE_ACCEPT_PARTIAL, self._plan_stage_accept_partial),
            bind(steps.HOLDBACK_RELEASE, self._plan_holdback_release),
            bind(steps.CHANGE_ORDER_SIGN, self._plan_change_order_sign),
            bind(steps.CANCEL_SIGN, self._plan_cancel_sign),
            bind(steps.DISPUTE_RAISE, self._plan_dispute_raise),
            bind(steps.DISPUTE_DECIDE, self._plan_dispute_decide),
            bind(steps.DISPUTE_WITHDRAW, self._plan_dispute_withdraw),
            bind(steps.WARRANTY_CLAIM, self._plan_warranty_claim),
            bind(steps.WARRANTY_WITHDRAW, self._plan_warranty_withdraw),
        ]

    def _signer(self, party_id: str) -> tuple[str, str]:
        terms = self.terms
        for role, party in (
            (OWNER, terms.owner),
            (CONTRACTOR, terms.contractor),
            (INSPECTOR, terms.inspector),
        ):
            if party.party_id == party_id:
                return role, party.public_key
        if (key := self.council_key(party_id)) is not None:
            return COUNCIL, key
        raise forbidden("not_a_party", "the signer is not a party to this escrow")

    # -- contract
    def _plan_contract_sign(
        self, payload: steps.ContractSign, role: str, now: datetime
    ) -> Callable[[], None]:
        if self.phase is not Phase.DRAFT:
            raise conflict(
                "not_in_draft",
                "the contract is already signed by both parties",
                params={"escrow_id": self.escrow_id},
            )
        if payload.terms_hash != self.terms_hash:
            raise invalid("terms_mismatch", "the signed terms hash does not match this contract")
        if role in self.signed_by:
            raise conflict("already_signed", f"the {role} has already signed the contract")
        return lambda: self.signed_by.append(role)

    # -- inspection loop
    def _current_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.status not in STAGE_DONE), None)

    def _stage_for_step(self, number: int, *statuses: StageStatus) -> Stage:
        if self.phase is not Phase.ACTIVE:
            raise conflict("not_active", f"the escrow is {self.phase}, not active")
        if number > len(self.stages):
            raise invalid(
                "no_such_stage",
                f"the contract has {len(self.stages)} stages",
                params={"stages": len(self.stages)},
            )
        stage = self.stages[number - 1]
        if stage is not self._current_stage():
            raise conflict(
                "not_current_stage", f"stage {number} is not the stage in progress", params={"stage": number}
            )
        if stage.status not in statuses:
            raise conflict("wrong_stage_state", f"stage {number} is {stage.status}", params={"stage": number})
        return stage

    def _plan_inspection_request(
        self, payload: steps.InspectionRequestPayload, role: str, now: datetime
    ) -> Apply:
        stage = self._stage_for_step(payload.stage, StageStatus.AWAITING_REQUEST, StageStatus.RECTIFYING)
        items = [ItemEvidence(item.note, list(item.files)) for item in payload.items]

        def apply() -> None:
            stage.status = StageStatus.INSPECTION_REQUESTED
            stage.round += 1
            stage.last_request = InspectionRequest(
                stage.round, payload.note, list(payload.evidence), items, now
            )
            stage.report_due = now + timedelta(days=self.terms.durations.inspection_days)
            stage.report_overdue_alerted = False
            stage.rework_due = None

        return apply

    def _plan_inspection_report(
        self, payload: steps.InspectionReportPayload, role: str, now: datetime
    ) -> Apply:
        stage = self._stage_for_step(payload.stage, StageStatus.INSPECTION_REQUESTED)
        if read_integer(payload.round, "round", minimum=1) != stage.round:
            raise conflict(
                "wrong_round",
                f"stage {stage.number} is in inspection round {stage.round}",
                params={"stage": stage.number, "round": stage.round},
            )
        result = payload.result
        defects = [
            Defect(d.description, d.location, d.cost_estimate_fen, list(d.photos)) for d in payload.defects
        ]
        if result == "fail" and not defects:
            raise invalid("defects_required", "a failed inspection must list its defects")
        report = InspectionReport(stage.round, result, defects, payload.report_hash, now, list(payload.files))

        def apply() -> None:
            stage.last_report = report
            stage.report_due = None
            if result == "pass":
                stage.status = StageStatus.AWAITING_ACCEPTANCE
                stage.acceptance_due = now + timedelta(days=self.terms.durations.acceptance_days)
                return
            stage.status = StageStatus.RECTIFYING
            stage.failed_rounds += 1
            if stage.failed_rounds >= self.terms.durations.max_failed_rounds and stage.dispute is None:
                self._open_dispute(
                    "system", "", [stage], False, [], now, DisputeCause.INSPECTION_FAILED_REPEATEDLY
                )

        return apply

    # -- acceptance and release
    def _acceptable_stage(self, number: int, report_hash: str) -> Stage:
        stage = self._stage_for_step(number, StageStatus.AWAITING_ACCEPTANCE)
        self._require_unfrozen(stage)
        if stage.last_report is None or report_hash != stage.last_report.report_hash:
            raise invalid("report_mismatch", "the acceptance must reference the passing report")
        return stage

    def _require_unfrozen(self, stage: Stage) -> None:
        if stage.dispute is not None:
            raise conflict(
                "stage_frozen",
                f"stage {stage.number} is frozen by dispute {stage.dispute}",
                params={"stage": stage.number, "dispute": stage.dispute},
            )
        if self.shortfall_fen:
            raise conflict(
                "awaiting_topup",
                f"releases wait for a top-up of {self.shortfall_fen} fen",
                params={"shortfall_fen": self.shortfall_fen},
            )

    def _plan_stage_accept(self, payload: steps.StageAccept, role: str, now: datetime) -> Apply:
        stage = self._acceptable_stage(payload.stage, payload.report_hash)
        if payload.amount_fen != stage.amount_fen:
            raise invalid(
                "amount_mismatch",
                f"stage {stage.number} releases {stage.amount_fen} fen",
                params={"amount_fen": stage.amount_fen},
            )
        return lambda: self._release_stage(stage, stage.amount_fen, MovementReason.ACCEPTED)

    def _plan_stage_accept_partial(
        self, payload: steps.StageAcceptPartial, role: str, now: datetime
    ) -> Apply:
        stage = self._acceptable_stage(payload.stage, payload.report_hash)
        pay = payload.pay_fen
        holdbacks = [Holdback(h.item, h.description, h.amount_fen) for h in payload.holdbacks]
        if not holdbacks:
            raise invalid("holdbacks_required", "a partial acceptance lists at least one holdback")
        if len({h.item for h in holdbacks}) != len(holdbacks):
            raise invalid("duplicate_items", "holdback items must have distinct names")
        if pay + sum(h.amount_fen for h in holdbacks) != stage.amount_fen:
            raise invalid(
                "amounts_do_not_add_up",
                f"pay plus holdbacks must equal the stage amount of {stage.amount_fen} fen",
                params={"amount_fen": stage.amount_fen},
            )

        def apply() -> None:
            stage.holdbacks = holdbacks
            self._release_stage(stage, pay, MovementReason.ACCEPTED_WITH_HOLDBACK)

        return apply

    def _release_stage(self, stage: Stage, pay: int, reason: MovementReason) -> None:
        stage.status = StageStatus.ACCEPTED
        stage.acceptance_due = None
        stage.open_fen -= pay
        stage.paid_fen += pay
        self._move(MovementKind.PAYOUT, pay, f"stage-{stage.number}:release", reason)

    def _plan_holdback_release(self, payload: steps.HoldbackRelease, role: str, now: datetime) -> Apply:
        if self.phase not in (Phase.ACTIVE, Phase.WARRANTY):
            raise conflict("not_active", f"the escrow is {self.phase}")
        number = payload.stage
        if number > len(self.stages):
            raise invalid(
                "no_such_stage",
                f"the contract has {len(self.stages)} stages",
                params={"stages": len(self.stages)},
            )
        stage = self.stages[number - 1]
        self._require_unfrozen(stage)
        names = list(payload.items)
        held = {h.item: h for h in stage.holdbacks if h.status == "held"}
        if not names or any(name not in held for name in names) or len(set(names)) != len(names):
            raise conflict("no_such_holdback", f"stage {number} holds back {sorted(held)}")
        amount = sum(held[name].amount_fen for name in names)
        if payload.amount_fen != amount:
            raise invalid(
                "amount_mismatch", f"those holdbacks amount to {amount} fen", params={"amount_fen": amount}
            )

        def apply() -> None:
            for name in names:
                holdback = held[name]
                holdback.status = "released"
                stage.open_fen -= holdback.amount_fen
                stage.paid_fen += holdback.amount_fen
                self._move(
                    MovementKind.PAYOUT,
                    holdback.amount_fen,
                    f"stage-{number}:holdback-{name}:release",
                    MovementReason.HOLDBACK_SIGNED_OFF,
                )

        return apply

    # -- change orders
    def _change_refusal(self) -> StepRejected | None:
        """Why no change order may be signed now, whatever its plan; None when one may."""
        if self.phase not in (Phase.FUNDING, Phase.ACTIVE):
            return conflict("not_changeable", f"a change order needs a signed, open contract ({self.phase})")
        if self.retention.dispute is not None:
            return conflict("retention_frozen", "the retention is frozen by a dispute")
        if self.retention.open_fen != self.retention.amount_fen:
            # a new plan would owe the retention afresh and pay it a second time
            return conflict("retention_settled", "the retention was already settled; it cannot be re-planned")
        return None

    def _plan_change_order_sign(self, payload: steps.ChangeOrderSign, role: str, now: datetime) -> Apply:
        if (refusal := self._change_refusal()) is not None:
            raise refusal
        change_no = payload.change_no
        if change_no != self.changes_applied + 1:
            raise conflict(
                "wrong_change_no",
                f"the next change order is number {self.changes_applied + 1}",
                params={"number": self.changes_applied + 1},
            )
        from_stage = payload.from_stage
        first_open = self._first_changeable_stage()
        if from_stage != first_open:
            raise conflict(
                "stage_not_changeable",
                f"the plan can change from stage {first_open} on",
                params={"stage": first_open},
            )
        stages = [(s.name, s.amount_fen) for s in payload.stages]
        if not stages:
            raise invalid("stages_required", "a change order keeps at least one stage")
        retention = payload.retention_fen
        kept = sum(s.amount_fen for s in self.stages[: from_stage - 1])
        check_total(kept + sum(amount for _, amount in stages) + retention)
        plan_hash = change_plan_hash(change_no, from_stage, stages, retention)
        if payload.plan_hash != plan_hash:
            raise invalid("plan_hash_mismatch", "plan_hash does not match the plan")
        proposal = self.change_proposal
        if proposal is not None and proposal.plan_hash != plan_hash:
            proposal = None  # another plan: this signature proposes the new one afresh
        if proposal is not None and role in proposal.signed_by:
            raise conflict("already_signed", f"the {role} already signed this change order")

        def apply() -> None:
            if proposal is None:
                self.change_proposal = ChangeProposal(
                    change_no, from_stage, stages, retention, plan_hash, [role]
                )
                return
            self._apply_change(proposal)

        return apply

    def _first_changeable_stage(self) -> int:
        """The first stage after every stage that is under way, done or disputed."""
        first = 1
        for stage in self.stages:
            if stage.status is not StageStatus.AWAITING_REQUEST or stage.dispute is not None:
                first = stage.number + 1
        return first

    def _apply_change(self, proposal: ChangeProposal) -> None:
        kept = self.stages[: proposal.from_stage - 1]
        self.stages = kept + [
            Stage(number=len(kept) + i + 1, name=name, amount_fen=amount, open_fen=amount)
            for i, (name, amount) in enumerate(proposal.stages)
        ]
        self.retention = Retention(amount_fen=proposal.retention_fen, open_fen=proposal.retention_fen)
        self.changes_applied = proposal.change_no
        self.change_proposal = None
        self._refund_excess(f"change-{proposal.change_no}:refund", MovementReason.CHANGE_LOWERED_TOTAL)

    # -- cancellation
    def _plan_cancel_sign(self, payload: steps.CancelSign, role: str, now: datetime) -> Apply:
        reason = payload.reason
        if (refusal := self._cancel_refusal(role)) is not None:
            raise refusal

        def apply() -> None:
            self.cancel_signed_by.append(role)
            if set(self.cancel_signed_by) == {OWNER, CONTRACTOR}:
                self._cancel("cancel:refund", MovementReason.MUTUAL_CANCELLATION)
            else:
                self.cancellation = CancellationRequest(
                    role, reason, asked_at=now, answer_due=now + CANCELLATION_ANSWER
                )

        return apply

    def _cancel_refusal(self, role: str) -> StepRejected | None:
        """Why this side may not sign a cancellation now; None when it may."""
        if self.phase not in CANCELLABLE:
            return conflict("not_cancellable", f"an escrow in {self.phase} cannot be cancelled")
        if role in self.cancel_signed_by:
            return conflict("already_signed", f"the {role} already signed the cancellation")
        return None

    def _cancellation_unanswered(self, now: datetime) -> None:
        """One-sided cancellation is a dispute (DESIGN, step 7): over everything still held.

        Only once the escrow is active: before that nothing has been built or paid for,
        and an unfunded contract ends at its funding deadline anyway.
        """
        asked = self.cancellation
        if asked is None or asked.dispute is not None or self.phase is not Phase.ACTIVE:
            return
        if now < asked.answer_due:
            return
        stages = [s for s in self.stages if s.open_fen and s.dispute is None]
        include_retention = bool(self.retention.open_fen) and self.retention.dispute is None
        if stages or include_retention:
            cause = DisputeCause.CANCELLATION_UNANSWERED
            self._open_dispute(asked.asked_by, asked.reason, stages, include_retention, [], now, cause)
            asked.dispute = len(self.disputes)
        else:  # everything still held is already in dispute
            asked.dispute = 0
            self._alert(
                AlertCode.CANCELLATION_UNANSWERED,
                "cancellation:unanswered",
                now,
                side=asked.asked_by,
                reason=asked.reason,
            )

    def _cancel(self, key_suffix: str, reason: MovementReason) -> None:
        for stage in self.stages:
            if stage.status not in STAGE_DONE:
                stage.status = StageStatus.CANCELLED
            for holdback in stage.holdbacks:
                if holdback.status == "held":
                    holdback.status = "refunded"
            stage.open_fen = 0
            stage.dispute = None
            stage.acceptance_due = stage.report_due = stage.rework_due = None
        self.retention.open_fen = 0
        for dispute in self.disputes:
            if dispute.status == "open":
                dispute.status = "cancelled"
        self.phase = Phase.CANCELLED
        self._refund_excess(key_suffix, reason)

    # -- disputes
    def _plan_dispute_raise(self, payload: steps.DisputeRaise, role: str, now: datetime) -> Apply:
        if self.phase not in DISPUTABLE:
            raise conflict("not_disputable", f"an escrow in {self.phase} has nothing to dispute")
        numbers = [read_stage_number(n, len(self.stages)) for n in payload.stages]
        include_retention = payload.include_retention
        reason = payload.reason
        evidence = list(payload.evidence)
        stages = [self.stages[n - 1] for n in sorted(set(numbers))]
        if not stages and not include_retention:
            raise invalid("nothing_disputed", "name the disputed stages or the retention")
        for stage in stages:
            if (refusal := self._stage_dispute_refusal(stage)) is not None:
                raise refusal
        if include_retention and not self._retention_disputable():
            raise conflict("retention_not_disputable", "the retention is already disputed or paid")
        return lambda: self._open_dispute(role, reason, stages, include_retention, evidence, now)

    def _stage_dispute_refusal(self, stage: Stage) -> StepRejected | None:
        """Why a dispute may not name this stage now; None when it may."""
        if stage.dispute is not None:
            return conflict(
                "already_disputed",
                f"stage {stage.number} is already in dispute",
                params={"stage": stage.number},
            )
        if stage.open_fen == 0:
            return conflict(
                "nothing_held", f"nothing is held for stage {stage.number}", params={"stage": stage.number}
            )
        return None

    def _retention_disputable(self) -> bool:
        return self.retention.dispute is None and bool(self.retention.open_fen)

    def disputable(self) -> Disputable:
        """What a `dispute.raise` may name now, by the very checks `_plan_dispute_raise` makes."""
        if self.phase not in DISPUTABLE:
            return Disputable(stages=[], retention=False)
        stages = [s.number for s in self.stages if self._stage_dispute_refusal(s) is None]
        return Disputable(stages=stages, retention=self._retention_disputable())

    def _open_dispute(
        self,
        raised_by: str,
        reason: str,
        stages: list[Stage],
        include_retention: bool,
        evidence: list[str],
        now: datetime,
        cause: DisputeCause = DisputeCause.RAISED,
    ) -> None:
        number = len(self.disputes) + 1
        disputed = [s.number for s in stages]
        self.disputes.append(
            Dispute(number, raised_by, reason, disputed, include_retention, evidence, now, cause=cause)
        )
        for stage in stages:
            stage.dispute = number
            stage.acceptance_due = None
        if include_retention:
            self.retention.dispute = number
        self._alert(
            AlertCode.DISPUTE_OPENED,
            f"dispute-{number}:opened",
            now,
            number=number,
            raised_by=raised_by,
            cause=cause,
            reason=reason,
        )

    def plan_case(self, *, dispute: int, case_id: str, parties: set[str], disputed_fen: int) -> Apply:
        """Check that a case may decide this dispute; the commit links the two.

        Who is asking is checked first, so outsiders learn nothing of the escrow's disputes.
        """
        if parties != {self.terms.owner.party_id, self.terms.contractor.party_id}:
            raise forbidden("not_the_escrows_parties", "a case is between the owner and the contractor")
        if (refusal := self._case_refusal(dispute)) is not None:
            raise refusal
        linked = self.disputes[dispute - 1]
        held = self.disputed_fen(linked)
        if disputed_fen != held:
            raise invalid(
                "disputed_amount_mismatch", f"dispute {dispute} holds {held} fen", params={"held_fen": held}
            )

        def apply() -> None:
            linked.case_id = case_id
            self._after_change()

        return apply

    def _case_refusal(self, dispute: int) -> StepRejected | None:
        """Why no case may be filed for this dispute now; None when one may."""
        if not 1 <= dispute <= len(self.disputes) or self.disputes[dispute - 1].status != "open":
            return conflict(
                "no_open_dispute",
                f"escrow {self.escrow_id} has no open dispute {dispute}",
                params={"dispute": dispute},
            )
        linked = self.disputes[dispute - 1]
        if linked.case_id is not None:
            return conflict(
                "case_already_filed",
                f"dispute {dispute} is already before case {linked.case_id}",
                params={"case_id": linked.case_id},
            )
        return None

    def cancelled_cases(self) -> list[str]:
        """The cases of disputes a mutual cancellation ended: each must be told, as it runs on its own."""
        return [d.case_id for d in self.disputes if d.status == "cancelled" and d.case_id is not None]

    def disputed_fen(self, dispute: Dispute) -> int:
        amount = sum(self.stages[n - 1].open_fen for n in dispute.stages)
        return amount + (self.retention.open_fen if dispute.include_retention else 0)

    def _plan_dispute_decide(self, payload: steps.DisputeDecide, role: str, now: datetime) -> Apply:
        number = payload.dispute
        if number > len(self.disputes) or self.disputes[number - 1].status != "open":
            raise conflict("no_open_dispute", f"dispute {number} is not open", params={"dispute": number})
        dispute = self.disputes[number - 1]
        outcome = payload.outcome
        disputed = self.disputed_fen(dispute)
        pay = payload.pay_fen
        refund = payload.refund_fen
        rework_days = payload.rework_days
        if outcome == "split" and pay + refund != disputed:
            raise invalid(
                "amounts_do_not_add_up",
                f"pay plus refund must equal the {disputed} fen disputed",
                params={"amount_fen": disputed},
            )
        if outcome == "refund" and (pay or refund != disputed):
            raise invalid(
                "amounts_do_not_add_up",
                f"a refund returns all {disputed} fen disputed",
                params={"amount_fen": disputed},
            )
        if outcome == "rework":
            if rework_days < 1 or pay or refund:
                raise invalid("bad_rework", "a rework order sets rework_days and moves no money")
            reworkable = {
                StageStatus.INSPECTION_REQUESTED,
                StageStatus.RECTIFYING,
                StageStatus.AWAITING_ACCEPTANCE,
            }
            if dispute.include_retention or any(
                self.stages[n - 1].status not in reworkable for n in dispute.stages
            ):
                raise invalid("bad_rework", "only stages under way and not yet accepted can be reworked")
        elif self.shortfall_fen:  # a decision that moves money waits for the top-up like any release
            raise conflict(
                "awaiting_topup",
                f"releases wait for a top-up of {self.shortfall_fen} fen",
                params={"shortfall_fen": self.shortfall_fen},
            )
        return lambda: self._enforce(dispute, outcome, pay, refund, rework_days, now)

    def _plan_dispute_withdraw(self, payload: steps.DisputeWithdraw, role: str, now: datetime) -> Apply:
        """A case's claimant drops the case, and with it the dispute the case was deciding.

        The step reaches the escrow only from that case (no API route sends it here), which
        checks that its claimant signed it; the escrow checks it names the dispute's case.
        """
        number = payload.dispute
        if number > len(self.disputes) or self.disputes[number - 1].status != "open":
            raise conflict("no_open_dispute", f"dispute {number} is not open", params={"dispute": number})
        dispute = self.disputes[number - 1]
        if dispute.case_id is None or payload.case_id != dispute.case_id:
            raise conflict(
                "not_that_case",
                f"dispute {number} is not before case {payload.case_id}",
                params={"case_id": payload.case_id},
            )
        return lambda: self._withdraw(dispute, role, now)

    def _withdraw(self, dispute: Dispute, role: str, now: datetime) -> None:
        """Every frozen stage goes on where it stood; an owner's acceptance window starts afresh,
        since it was stopped when the dispute opened."""
        dispute.status = "withdrawn"
        for number in dispute.stages:
            stage = self.stages[number - 1]
            stage.dispute = None
            if stage.status is StageStatus.AWAITING_ACCEPTANCE:
                stage.acceptance_due = now + timedelta(days=self.terms.durations.acceptance_days)
        if dispute.include_retention:
            self.retention.dispute = None
            if self.retention.expired:
                self._release_unclaimed_retention()
        self._alert(
            AlertCode.DISPUTE_WITHDRAWN,
            f"dispute-{dispute.number}:withdrawn",
            now,
            number=dispute.number,
            role=role,
            case_id=dispute.case_id,
        )

    def _enforce(
        self, dispute: Dispute, outcome: str, pay: int, refund: int, rework_days: int, now: datetime
    ) -> None:
        dispute.status, dispute.outcome = "decided", outcome
        dispute.pay_fen, dispute.refund_fen = pay, refund
        stages = [self.stages[n - 1] for n in dispute.stages]
        for stage in stages:
            stage.dispute = None
        if outcome == "rework":
            for stage in stages:
                stage.status = StageStatus.RECTIFYING
                stage.failed_rounds = 0
                # the rework supersedes any pass or request made before: their deadlines are void
                stage.acceptance_due = stage.report_due = None
                stage.rework_due = now + timedelta(days=rework_days)
                stage.rework_overdue_alerted = False
            return
        for stage in stages:
            stage.open_fen = 0
            if stage.status is not StageStatus.ACCEPTED:
                stage.status = StageStatus.SETTLED
            for holdback in stage.holdbacks:
                if holdback.status == "held":
                    holdback.status = "settled"
        if dispute.include_retention:
            self.retention.open_fen = 0
            self.retention.dispute = None
            for claim in self.claims:
                if claim.status == "open":
                    claim.status = "settled"
        decided = MovementReason.DISPUTE_DECISION
        self._move(MovementKind.PAYOUT, pay, f"dispute-{dispute.number}:pay", decided)
        self._move(MovementKind.REFUND, refund, f"dispute-{dispute.number}:refund", decided)

    # -- warranty
    def _plan_warranty_claim(self, payload: steps.WarrantyClaimPayload, role: str, now: datetime) -> Apply:
        if self.phase is not Phase.WARRANTY or self.retention.expired:
            raise conflict("not_in_warranty", "warranty claims are filed during the warranty period")
        amount = payload.amount_fen
        claimed = sum(c.amount_fen for c in self.claims if c.status == "open")
        if claimed + amount > self.retention.open_fen:
            raise invalid(
                "claim_exceeds_retention",
                f"only {self.retention.open_fen - claimed} fen of retention is unclaimed",
                params={"unclaimed_fen": self.retention.open_fen - claimed},
            )
        claim = WarrantyClaim(len(self.claims) + 1, payload.description, amount, list(payload.evidence), now)
        return lambda: self.claims.append(claim)

    def _plan_warranty_withdraw(self, payload: steps.WarrantyWithdraw, role: str, now: datetime) -> Apply:
        number = payload.claim
        if number > len(self.claims) or self.claims[number - 1].status != "open":
            raise conflict("no_open_claim", f"warranty claim {number} is not open", params={"claim": number})
        if self.retention.dispute is not None:
            raise conflict("retention_frozen", "the retention is frozen by a dispute")
        claim = self.claims[number - 1]

        def apply() -> None:
            claim.status = "withdrawn"
            if self.retention.expired:
                self.retention.open_fen -= claim.amount_fen
                self._move(
                    MovementKind.PAYOUT,
                    claim.amount_fen,
                    f"warranty-claim-{number}:release",
                    MovementReason.WARRANTY_CLAIM_WITHDRAWN,
                )

        return apply

    # --------------------------------------------------------------- waiting
    def open_actions(self) -> list[OpenAction]:
        """What the escrow awaits now: from whom, since when, until when, and what it does then;
        then the steps a side may take at will (`AtDeadline.NOT_AWAITED`).

        A `due` is set exactly when `on_time` acts at that moment, and the workflow's timer
        (`next_deadline`) is read from this list, so the two cannot drift apart. Pages, lists and
        API replies read this list rather than deciding from the state who must or may act; the
        "waiting for you" marker counts only what is awaited (`EscrowSnapshot.awaited`).
        """
        return [
            *self._funding_actions(),
            *self._cancellation_actions(),
            *self._stage_actions(),
            *self._change_actions(),
            *self._dispute_actions(),
            *self._warranty_actions(),
            *self._optional_actions(),
        ]

    def _optional_actions(self) -> list[OpenAction]:
        """What the owner or the contractor may do now though nothing waits for it, each by the
        checks its step's handler makes: propose a cancellation (while nobody has asked), raise a
        dispute (while something is `disputable`), propose a change order (a side whose
        countersignature a proposal awaits has that instead), and take an open dispute no case
        decides yet to the council (`claim.file`, against the other side)."""
        may: list[tuple[str, Role, str | None]] = []
        for side in (Role.OWNER, Role.CONTRACTOR):
            if not self.cancel_signed_by and self._cancel_refusal(side) is None:
                may.append(("cancel.sign", side, None))
            disputable = self.disputable()
            if disputable.stages or disputable.retention:
                may.append(("dispute.raise", side, None))
            proposal = self.change_proposal
            if self._change_refusal() is None and (proposal is None or side in proposal.signed_by):
                may.append(("change_order.sign", side, f"change-{self.changes_applied + 1}"))
            may.extend(
                ("claim.file", side, f"dispute-{d.number}")
                for d in self.disputes
                if self._case_refusal(d.number) is None
            )
        return [
            self._awaits(action, side, at_deadline=AtDeadline.NOT_AWAITED, ref=ref)
            for action, side, ref in may
        ]

    def _awaits(
        self,
        action: str,
        role: Role,
        *,
        since: datetime | None = None,
        due: datetime | None = None,
        at_deadline: AtDeadline = AtDeadline.NOTHING,
        ref: str | None = None,
    ) -> OpenAction:
        """An open action of one party (the council's is anyone holding the role); no consequence, no
        due, unless it is one a side may take at will (NOT_AWAITED), which has neither."""
        parties = {
            Role.OWNER: self.terms.owner,
            Role.CONTRACTOR: self.terms.contractor,
            Role.INSPECTOR: self.terms.inspector,
        }
        party_id = parties[role].party_id if role in parties else None
        if at_deadline is not AtDeadline.NOT_AWAITED and (due is None or at_deadline is AtDeadline.NOTHING):
            due, at_deadline = None, AtDeadline.NOTHING
        return OpenAction(action, role, party_id, since, due, at_deadline, ref)

    def _funding_actions(self) -> list[OpenAction]:
        """Both signatures, then the full deposit, by `funding_due`: unfunded then, the contract ends."""
        if self.phase is Phase.DRAFT:
            return [
                self._awaits(
                    "contract.sign",
                    Role(side),
                    since=self.created_at,
                    due=self.funding_due,
                    at_deadline=AtDeadline.CANCELS,
                )
                for side in (OWNER, CONTRACTOR)
                if side not in self.signed_by
            ]
        if self.phase is Phase.FUNDING:
            return [self._awaits("deposit", Role.OWNER, due=self.funding_due, at_deadline=AtDeadline.CANCELS)]
        if self.phase in DISPUTABLE and self.shortfall_fen:  # a change order raised the total: releases wait
            return [self._awaits("deposit", Role.OWNER)]
        return []

    def _cancellation_actions(self) -> list[OpenAction]:
        """The other side's signature on a cancellation one side signed; unanswered once the escrow is
        active, by `answer_due`, it becomes a dispute (`_cancellation_unanswered`)."""
        if self.phase not in CANCELLABLE or len(self.cancel_signed_by) != 1:
            return []
        answering = Role(OTHER_SIDE[self.cancel_signed_by[0]])
        asked = self.cancellation
        if asked is None:  # escrows from before one-sided requests had a window
            return [self._awaits("cancel.sign", answering)]
        window_open = asked.dispute is None and self.phase is Phase.ACTIVE
        return [
            self._awaits(
                "cancel.sign",
                answering,
                since=asked.asked_at,
                due=asked.answer_due if window_open else None,
                at_deadline=AtDeadline.DISPUTES_CANCELLATION,
            )
        ]

    def _stage_actions(self) -> list[OpenAction]:
        """The current stage's next step (`_stage_deadlines` acts on its dues), and held-back items
        the owner may release."""
        actions = [
            self._awaits("holdback.release", Role.OWNER, ref=f"stage-{s.number}")
            for s in self.stages
            if self.phase in DISPUTABLE and any(h.status == "held" for h in s.holdbacks)
        ]
        stage = self._current_stage() if self.phase is Phase.ACTIVE else None
        if stage is None:
            return actions
        ref = f"stage-{stage.number}"
        if stage.status is StageStatus.INSPECTION_REQUESTED:
            report_due = None if stage.report_overdue_alerted else stage.report_due
            actions.append(
                self._awaits(
                    "inspection.report",
                    Role.INSPECTOR,
                    due=report_due,
                    at_deadline=AtDeadline.ALERTS_COUNCIL,
                    ref=ref,
                )
            )
        elif stage.status in (StageStatus.AWAITING_REQUEST, StageStatus.RECTIFYING):
            rework_due = None if stage.rework_overdue_alerted else stage.rework_due
            actions.append(
                self._awaits(
                    "inspection.request",
                    Role.CONTRACTOR,
                    due=rework_due,
                    at_deadline=AtDeadline.ALERTS_COUNCIL,
                    ref=ref,
                )
            )
        elif (
            stage.status is StageStatus.AWAITING_ACCEPTANCE
            and stage.dispute is None
            and not self.shortfall_fen
        ):
            silence = self.terms.silence_policy is SilencePolicy.AUTO_ACCEPT
            actions.append(
                self._awaits(
                    "stage.accept",
                    Role.OWNER,
                    since=stage.last_report.signed_at if stage.last_report else None,
                    due=stage.acceptance_due,
                    at_deadline=AtDeadline.AUTO_ACCEPTS if silence else AtDeadline.ESCALATES,
                    ref=ref,
                )
            )
        return actions

    def _change_actions(self) -> list[OpenAction]:
        """A proposed change order waits for the other side's signature; it has no deadline."""
        proposal = self.change_proposal
        if proposal is None or self.phase not in (Phase.FUNDING, Phase.ACTIVE):
            return []
        return [
            self._awaits("change_order.sign", Role(side), ref=f"change-{proposal.change_no}")
            for side in (OWNER, CONTRACTOR)
            if side not in proposal.signed_by
        ]

    def _dispute_actions(self) -> list[OpenAction]:
        """Each open dispute waits for the council's decision (directly, or a case's); no deadline."""
        return [
            self._awaits("dispute.decide", Role.COUNCIL, since=d.raised_at, ref=f"dispute-{d.number}")
            for d in self._open_disputes()
        ]

    def _warranty_actions(self) -> list[OpenAction]:
        """The owner may claim until `warranty_due`; then the unclaimed retention is paid
        (`_expire_warranty`), or, while the retention is disputed, the window just closes. An open
        claim holds its part of the retention until the owner withdraws it (which pays that part)
        or a dispute over the retention settles it."""
        retention = self.retention
        withdrawals = [
            self._awaits("warranty.withdraw", Role.OWNER, since=claim.filed_at, ref=f"claim-{claim.number}")
            for claim in self.claims
            if claim.status == "open" and retention.dispute is None
        ]
        if self.phase is not Phase.WARRANTY or retention.expired or retention.warranty_due is None:
            return withdrawals
        at_end = AtDeadline.PAYS_RETENTION if retention.dispute is None else AtDeadline.CLOSES_WINDOW
        claim = self._awaits("warranty.claim", Role.OWNER, due=retention.warranty_due, at_deadline=at_end)
        return [claim, *withdrawals]

    # ------------------------------------------------------------------ time
    def next_deadline(self) -> datetime | None:
        return min(self._deadlines(), default=None)

    def _deadlines(self) -> list[datetime]:
        """The deadlines are those of the open actions: one rule says what is awaited and until when."""
        return [action.due for action in self.open_actions() if action.due is not None]

    def on_time(self, now: datetime) -> None:
        """Apply every deadline that has passed (timers are the workflow's business)."""
        if self.phase in (Phase.DRAFT, Phase.FUNDING) and now >= self.funding_due:
            self._alert(AlertCode.FUNDING_EXPIRED, "funding:expired", now)
            self._cancel("funding-expired:refund", MovementReason.NOT_FUNDED_IN_TIME)
        self._cancellation_unanswered(now)
        stage = self._current_stage() if self.phase is Phase.ACTIVE else None
        if stage is not None:
            self._stage_deadlines(stage, now)
        if (
            self.phase is Phase.WARRANTY
            and not self.retention.expired
            and self.retention.warranty_due
            and now >= self.retention.warranty_due
        ):
            self._expire_warranty()
        self._advance(now)
        self._after_change()

    def _stage_deadlines(self, stage: Stage, now: datetime) -> None:
        key = f"stage-{stage.number}:round-{stage.round}"
        if stage.report_due and not stage.report_overdue_alerted and now >= stage.report_due:
            stage.report_overdue_alerted = True
            self._alert(AlertCode.INSPECTION_OVERDUE, f"{key}:inspection-overdue", now, stage=stage.number)
        if stage.rework_due and not stage.rework_overdue_alerted and now >= stage.rework_due:
            stage.rework_overdue_alerted = True
            order = max(
                (d.number for d in self.disputes if d.outcome == "rework" and stage.number in d.stages),
                default=0,
            )
            self._alert(
                AlertCode.REWORK_OVERDUE,
                f"stage-{stage.number}:dispute-{order}:rework-overdue",
                now,
                stage=stage.number,
            )
        if stage.acceptance_due and stage.dispute is None and now >= stage.acceptance_due:
            if self.shortfall_fen:
                return  # releases wait for the top-up; the deadline fires again after it
            if self.terms.silence_policy is SilencePolicy.AUTO_ACCEPT:
                self._release_stage(stage, stage.amount_fen, MovementReason.OWNER_SILENT)
            else:
                cause = DisputeCause.OWNER_SILENT
                self._open_dispute("system", "", [stage], False, [], now, cause)

    def _expire_warranty(self) -> None:
        self.retention.expired = True
        if self.retention.dispute is None:
            self._release_unclaimed_retention()

    def _release_unclaimed_retention(self) -> None:
        claimed = sum(c.amount_fen for c in self.claims if c.status == "open")
        unclaimed = self.retention.open_fen - claimed
        self.retention.open_fen = claimed
        self._move(MovementKind.PAYOUT, unclaimed, "retention:release", MovementReason.WARRANTY_UNCLAIMED)

    # ------------------------------------------------------------ lifecycle
    def _advance(self, now: datetime) -> None:
        """Move the phase forward when its condition holds."""
        if self.phase is Phase.DRAFT and set(self.signed_by) == {OWNER, CONTRACTOR}:
            self.phase = Phase.FUNDING
        if self.phase is Phase.FUNDING and self.shortfall_fen == 0:
            self.phase = Phase.ACTIVE
            if self.cancellation is not None:  # asked before there was work to dispute: the window starts now
                self.cancellation.answer_due = now + CANCELLATION_ANSWER
        if self.phase is Phase.ACTIVE and self._current_stage() is None:
            self.phase = Phase.WARRANTY
            self.retention.warranty_due = now + timedelta(days=self.terms.durations.warranty_days)
        if self.phase is Phase.WARRANTY and self.obligations_fen == 0 and not self._open_disputes():
            self.phase = Phase.CLOSED  # with no retention left, no warranty claim can be paid from it

    def _open_disputes(self) -> list[Dispute]:
        return [d for d in self.disputes if d.status == "open"]

    @property
    def finished(self) -> bool:
        return self.phase in (Phase.CLOSED, Phase.CANCELLED) and not self.pending_fen

    # -------------------------------------------------------------- reading
    def terms_document(self) -> dict[str, Any]:
        """The signed terms as JSON: hashing this gives `terms_hash`."""
        return jsonable_object(asdict(self.terms))

    def audit_export(self) -> dict[str, Any]:
        """The trail as `escrow audit` exports it and domain/audit.py verifies it offline: the terms,
        the council's keys and this run's entries, with where they start (the entries before it are
        kept in the audit log since the escrow continued as new: `whole_trail`)."""
        return export_trail(self, self.terms_document())

    def snapshot(self) -> EscrowSnapshot:
        """Where the escrow stands, as copies: a reader can never reach into the machine's state."""
        current = self._current_stage() if self.phase is Phase.ACTIVE else None
        return EscrowSnapshot(
            escrow_id=self.escrow_id,
            title=self.terms.title,
            version=self.version,
            phase=self.phase,
            terms_hash=self.terms_hash,
            owner_id=self.terms.owner.party_id,
            contractor_id=self.terms.contractor.party_id,
            inspector_id=self.terms.inspector.party_id,
            silence_policy=self.terms.silence_policy,
            signed_by=list(self.signed_by),
            funding_due=self.funding_due,
            contract_total_fen=self.contract_total_fen,
            current_stage=current.number if current else None,
            shortfall_fen=self.shortfall_fen,
            ledger=LedgerSnapshot(
                deposited_fen=self.ledger.deposited_fen,
                released_fen=self.ledger.released_fen,
                refunded_fen=self.ledger.refunded_fen,
                held_fen=self.ledger.held_fen,
                pending_fen=self.pending_fen,
                obligations_fen=self.obligations_fen,
            ),
            stages=deepcopy(self.stages),
            retention=deepcopy(self.retention),
            movements=deepcopy(self.movements),
            disputes=[DisputeSnapshot(**asdict(d), disputed_fen=self.disputed_fen(d)) for d in self.disputes],
            claims=deepcopy(self.claims),
            change_proposal=deepcopy(self.change_proposal),
            changes_applied=self.changes_applied,
            cancel_signed_by=list(self.cancel_signed_by),
            cancellation=deepcopy(self.cancellation),
            alerts=deepcopy(self.alerts),
            open_actions=self.open_actions(),
            disputable=self.disputable(),
            trail_head=self.trail_head,
            trail_length=self.trail_length,
        )


def change_plan_hash(change_no: int, from_stage: int, stages: list[tuple[str, int]], retention: int) -> str:
    return content_hash(
        {
            "change_no": change_no,
            "from_stage": from_stage,
            "stages": [{"name": name, "amount_fen": amount} for name, amount in stages],
            "retention_fen": retention,
        }
    )


def read_stage_number(number: int, count: int) -> int:
    if number > count:
        raise invalid("no_such_stage", f"stage numbers run from 1 to {count}", params={"stages": count})
    return number
