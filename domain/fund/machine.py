"""The fund's rules, pure: who may pledge, withdraw and pay in advance, and how much.

A `FundMachine` is to `FundWorkflow` what the escrow machine is to its workflow: signed steps
are planned completely before they commit (domain/steps/machine.py), money leaves only as
movements with business idempotency keys, and the workflow only carries them out. The facts an
advance is checked against come from the cases themselves: each case whose countersigned decision
for the consumer was not complied with in time hands the fund an `AdvanceClaim`
(`CaseMachine.advance_claim`, sent by the case workflow), so the rule "overdue, decided for the
consumer, at most the decision" is the case machine's, and the fund adds its own: at most what it
holds, once per case.

The council list: a fund lives as long as its business, and the council changes meanwhile: a step
is checked against the council as the API knows it now as well (`SignedStepMachine.council_key`).
"""

from copy import deepcopy
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from domain.alert_codes import AlertCode
from domain.audit import export_trail
from domain.canonical import content_hash, jsonable_object
from domain.deposits import check_deposit
from domain.escrow.state import MovementStatus
from domain.fund import steps
from domain.fund.carry import FundCarry
from domain.fund.snapshot import ClaimSnapshot, FundLedgerSnapshot, FundSnapshot
from domain.fund.state import FundLedger, FundMovement, FundMovementKind, FundStatus
from domain.fund.terms import CLAIM_HOLD_DAYS, AdvanceClaim, FundTerms
from domain.money import yuan
from domain.roles import Role
from domain.steps.machine import SignedStepMachine
from domain.steps.rejections import conflict, duplicate, forbidden, invalid
from domain.steps.spec import Apply, Bound, bind


class FundMachine(SignedStepMachine):
    rules = steps.FUND_RULES
    subject_kind = "fund"

    def __init__(
        self,
        terms: FundTerms,
        *,
        council_keys: dict[str, str],
        opened_at: datetime,
        max_skew: timedelta = timedelta(minutes=15),
    ) -> None:
        super().__init__(terms.fund_id, content_hash(asdict(terms)), max_skew, council_keys)
        self.terms = terms
        self.opened_at = opened_at
        self.pledged_fen = 0
        self.ledger = FundLedger()
        self.movements: list[FundMovement] = []
        self.deposits: dict[str, int] = {}
        self.claims: dict[str, AdvanceClaim] = {}

    # ------------------------------------------------------------ next run
    def carry(self, now: datetime) -> FundCarry:
        """What the fund's next run starts from (domain/fund/carry.py says why each part)."""
        return FundCarry(
            **vars(self.carried_steps(now)),
            opened_at=self.opened_at,
            pledged_fen=self.pledged_fen,
            ledger=deepcopy(self.ledger),
            movements=deepcopy(self.movements),
            deposits=dict(self.deposits),
            claims=deepcopy(self.claims),
        )

    def continue_from(self, carried: FundCarry) -> None:
        """Take up the life an earlier run carried; the terms are the same."""
        self.continue_steps(carried)
        self.opened_at = carried.opened_at
        self.pledged_fen = carried.pledged_fen
        self.ledger = deepcopy(carried.ledger)
        self.movements = deepcopy(carried.movements)
        self.deposits = dict(carried.deposits)
        self.claims = deepcopy(carried.claims)

    @property
    def fund_id(self) -> str:
        return self.terms.fund_id

    @property
    def phase(self) -> FundStatus:
        return FundStatus.PLEDGED if self.pledged_fen else FundStatus.NOT_PLEDGED

    # ----------------------------------------------------------------- money
    @property
    def pending_fen(self) -> int:
        return sum(m.amount_fen for m in self.movements if m.status is MovementStatus.PENDING)

    @property
    def available_fen(self) -> int:
        """What an advance or a withdrawal may still take: held, less what is on its way out."""
        return self.ledger.held_fen - self.pending_fen

    def conservation_errors(self) -> list[str]:
        """What the chaos run checks: the ledger adds up and nothing is promised twice."""
        errors = []
        ledger = self.ledger
        if ledger.held_fen < 0:
            errors.append(f"held is negative: {ledger.held_fen}")
        if self.available_fen < 0:
            errors.append(f"pending movements {self.pending_fen} exceed held {ledger.held_fen}")
        done = [m for m in self.movements if m.status is MovementStatus.DONE]
        advanced = sum(m.amount_fen for m in done if m.kind is FundMovementKind.ADVANCE)
        withdrawn = sum(m.amount_fen for m in done if m.kind is FundMovementKind.WITHDRAWAL)
        if (advanced, withdrawn) != (ledger.advanced_fen, ledger.withdrawn_fen):
            errors.append(f"movements done {advanced}/{withdrawn} differ from the ledger")
        if ledger.owed_fen > ledger.advanced_fen:
            errors.append(f"owes {ledger.owed_fen}, more than was ever advanced ({ledger.advanced_fen})")
        paid = [
            str(m.case_id) for m in self.movements if m.kind is FundMovementKind.ADVANCE and not _failed(m)
        ]
        if len(paid) != len(set(paid)):
            errors.append(f"a case was advanced twice: {sorted(paid)}")
        return errors

    def pending_movements(self) -> list[FundMovement]:
        return [m for m in self.movements if m.status is MovementStatus.PENDING]

    def movement_done(self, key: str, tx_id: str) -> None:
        movement = self._movement(key)
        if movement.status is MovementStatus.DONE:
            return
        movement.status, movement.tx_id, movement.error = MovementStatus.DONE, tx_id, None
        if movement.kind is FundMovementKind.ADVANCE:
            self.ledger.advanced_fen += movement.amount_fen
            self.ledger.owed_fen += movement.amount_fen  # the business owes the fund what it paid
        else:
            self.ledger.withdrawn_fen += movement.amount_fen
        self._after_change()

    def movement_failed(self, key: str, error: str, now: datetime) -> None:
        """The bank refused: the money stays in the fund, the council is told, and an advance may
        be signed again for the case (under a new key: the bank answers the old one as refused)."""
        movement = self._movement(key)
        movement.status, movement.error = MovementStatus.FAILED, error
        suffix = key.removeprefix(f"{self.fund_id}:")  # _alert adds the fund id itself
        self._alert(AlertCode.PAYOUT_FAILED, f"{suffix}:failed", now, movement=key, error=error)
        self._after_change()

    def _movement(self, key: str) -> FundMovement:
        return next(m for m in self.movements if m.key == key)

    # -------------------------------------------------------------- deposits
    def check_deposit(self, tx_id: str, amount_fen: int) -> None:
        """What the bank confirmed, before it is counted (domain/deposits.py)."""
        check_deposit("fund", self.deposits, self.ledger.deposited_fen, tx_id, amount_fen)

    def record_deposit(self, tx_id: str, amount_fen: int) -> None:
        """A top-up repays what the business owes the fund first: that much of it is the fund's again."""
        self.check_deposit(tx_id, amount_fen)
        self.deposits[tx_id] = amount_fen
        self.ledger.deposited_fen += amount_fen
        self.ledger.owed_fen -= min(self.ledger.owed_fen, amount_fen)
        self._after_change()

    # ----------------------------------------------------------------- cases
    def learn_claim(self, claim: AdvanceClaim, now: datetime) -> bool:
        """A case against this business that the fund may now pay in advance; whether it was new.
        The council is alerted: someone is waiting for money the fund can pay."""
        if claim.respondent_id != self.terms.business.party_id or claim.case_id in self.claims:
            return False
        self.claims[claim.case_id] = claim
        self._alert(
            AlertCode.ADVANCE_DUE,
            f"{claim.case_id}:advance-due",
            now,
            case_id=claim.case_id,
            decided_fen=claim.decided_fen,
        )
        self._after_change()
        return True

    def _advanced(self, case_id: str) -> FundMovement | None:
        """The advance paid or on its way for `case_id` (a refused one does not count)."""
        return next(
            (m for m in self.movements if m.case_id == case_id and not _failed(m)),
            None,
        )

    def _claims_outstanding(self, now: datetime) -> list[str]:
        """Overdue cases not yet paid in advance that may still call on the fund."""
        hold = timedelta(days=CLAIM_HOLD_DAYS)
        return sorted(
            case_id
            for case_id, claim in self.claims.items()
            if self._advanced(case_id) is None and now < claim.overdue_at + hold
        )

    def _require_nothing_owed(self, now: datetime) -> None:
        """Before the business takes money out or lowers its promise: nothing owed, nobody waiting."""
        if self.ledger.owed_fen:
            raise conflict(
                "fund_owes",
                f"the fund is owed {yuan(self.ledger.owed_fen)} of advances first",
                params={"owed_fen": self.ledger.owed_fen},
            )
        if waiting := self._claims_outstanding(now):
            raise conflict(
                "advance_outstanding",
                f"case {waiting[0]} may still be paid in advance from this fund",
                params={"case_id": waiting[0]},
            )

    # ----------------------------------------------------------------- steps
    def _handlers(self) -> list[Bound]:
        return [
            bind(steps.FUND_PLEDGE, self._plan_pledge),
            bind(steps.FUND_ADVANCE, self._plan_advance),
            bind(steps.FUND_WITHDRAW, self._plan_withdraw),
        ]

    def _signer(self, party_id: str) -> tuple[str, str]:
        business = self.terms.business
        if party_id == business.party_id:
            return self.terms.business_role, business.public_key
        if (key := self.council_key(party_id)) is not None:
            return Role.COUNCIL, key
        raise forbidden("not_a_party", "the signer is neither this fund's business nor a council member")

    def _acting_as(self, role: str, party_id: str) -> str:
        return party_id  # an advance records which council member signed it

    def _advance(self, now: datetime) -> None:
        """No deadline moves a fund: it waits for steps, deposits and cases."""

    def _plan_pledge(self, payload: steps.FundPledge, actor: str, now: datetime) -> Apply:
        amount = payload.amount_fen
        minimum = self.terms.minimum_pledge_fen
        if 0 < amount < minimum:
            raise invalid(
                "pledge_below_minimum",
                f"a pledge is at least {yuan(minimum)}, or 0 to end it",
                params={"minimum_fen": minimum},
            )
        if amount == self.pledged_fen:
            raise duplicate("pledge_unchanged", f"the fund pledges {yuan(amount)} already")
        if amount < self.pledged_fen:
            self._require_nothing_owed(now)

        def apply() -> None:
            self.pledged_fen = amount

        return apply

    def _plan_advance(self, payload: steps.FundAdvance, actor: str, now: datetime) -> Apply:
        case_id = payload.case_id
        claim = self.claims.get(case_id)
        if claim is None:
            raise conflict(
                "case_not_advanceable",
                f"case {case_id} has no overdue decision for the consumer against this business",
                params={"case_id": case_id},
            )
        if payload.decision_hash != claim.decision_hash:
            raise invalid("decision_hash_mismatch", "pay the decision the council countersigned")
        if self._advanced(case_id) is not None:
            raise duplicate(
                "already_advanced", f"case {case_id} was paid in advance already", params={"case_id": case_id}
            )
        amount = payload.amount_fen
        if amount > claim.decided_fen:
            raise invalid(
                "advance_above_decision",
                f"the decision gives the consumer {yuan(claim.decided_fen)}",
                params={"decided_fen": claim.decided_fen},
            )
        if amount > self.available_fen:
            raise conflict(
                "advance_above_fund",
                f"the fund holds {yuan(max(0, self.available_fen))} to pay from",
                params={"available_fen": max(0, self.available_fen)},
            )
        tries = sum(1 for m in self.movements if m.case_id == case_id)
        key = f"{self.fund_id}:advance-{case_id}" + (f":retry-{tries}" if tries else "")

        def apply() -> None:
            self.movements.append(
                FundMovement(
                    key, FundMovementKind.ADVANCE, amount, claim.claimant_id, actor, now, case_id=case_id
                )
            )

        return apply

    def _plan_withdraw(self, payload: steps.FundWithdraw, actor: str, now: datetime) -> Apply:
        self._require_nothing_owed(now)
        free = max(0, self.available_fen - self.pledged_fen)
        amount = payload.amount_fen
        if amount > free:
            raise conflict(
                "withdraw_above_free",
                f"only {yuan(free)} is above the pledge of {yuan(self.pledged_fen)}",
                params={"free_fen": free, "pledged_fen": self.pledged_fen},
            )
        number = 1 + sum(1 for m in self.movements if m.kind is FundMovementKind.WITHDRAWAL)
        key = f"{self.fund_id}:withdrawal-{number}"

        def apply() -> None:
            self.movements.append(
                FundMovement(
                    key, FundMovementKind.WITHDRAWAL, amount, self.terms.business.party_id, actor, now
                )
            )

        return apply

    # -------------------------------------------------------------- reading
    def audit_export(self) -> dict[str, Any]:
        """The trail as `escrow audit FUND-...` and `GET /funds/{id}/audit` export it and
        domain/audit.py verifies it offline: the terms, the council's keys as learned (members who
        joined later and signed included) and this run's entries; the earlier runs' are in the
        audit log (`whole_trail`)."""
        return export_trail(self, jsonable_object(asdict(self.terms)))

    def snapshot(self) -> FundSnapshot:
        ledger = self.ledger
        return FundSnapshot(
            fund_id=self.fund_id,
            business_id=self.terms.business.party_id,
            version=self.version,
            status=self.phase,
            opened_at=self.opened_at,
            minimum_pledge_fen=self.terms.minimum_pledge_fen,
            pledged_fen=self.pledged_fen,
            ledger=FundLedgerSnapshot(
                deposited_fen=ledger.deposited_fen,
                advanced_fen=ledger.advanced_fen,
                withdrawn_fen=ledger.withdrawn_fen,
                owed_fen=ledger.owed_fen,
                held_fen=ledger.held_fen,
                pending_fen=self.pending_fen,
                available_fen=self.available_fen,
            ),
            movements=[FundMovement(**vars(m)) for m in self.movements],
            claims=[
                ClaimSnapshot(**vars(claim), advanced=self._advanced(claim.case_id) is not None)
                for claim in self.claims.values()
            ],
            alerts=list(self.alerts),
            trail_head=self.trail_head,
            trail_length=self.trail_length,
        )


def _failed(movement: FundMovement) -> bool:
    return movement.status is MovementStatus.FAILED
