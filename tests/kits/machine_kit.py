"""A pure harness for `EscrowMachine` (no Temporal, no bank, no HTTP); tests/test_machine_kit.py checks it.

`Kit` drives one machine the way the workflow does: every signed step is planned
and committed, deposits and bank receipts are fed in, and deadlines are applied
with `on_time`. After every single call it asserts the money rules: the
machine's own conservation check, what the account holds by the ledger against
what the stages and the retention hold by their own figures (`conservation_problems`),
and that no business idempotency key was ever instructed twice.
"""

from collections import Counter
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from client.escrow_session import conservation_problems
from client.keys import PartyKey
from domain.escrow.machine import EscrowMachine, change_plan_hash
from domain.escrow.state import Movement, MovementKind, MovementStatus
from domain.escrow.terms import ContractTerms, Durations, SilencePolicy, StagePlan
from domain.escrow.terms import PartyKey as TermsKey
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind, StepRejected
from domain.steps.signing import SignedStep

ESCROW_ID = "ESC-2026-00001"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MAX_SKEW = timedelta(minutes=15)
STAGES = (30_000, 30_000, 25_000, 10_000)
RETENTION = 5_000
TOTAL = sum(STAGES) + RETENTION  # 100,000 fen
DEFECT = {"description": "tile hollow", "location": "kitchen wall", "cost_estimate_fen": 800}
ROLES = ("owner", "contractor", "inspector", "council")


class Kit:
    def __init__(
        self,
        stages: tuple[int, ...] = STAGES,
        retention: int = RETENTION,
        policy: SilencePolicy = SilencePolicy.ESCALATE,
        durations: Durations | None = None,
        escrow_id: str = ESCROW_ID,
    ) -> None:
        self.keys = {role: PartyKey.generate() for role in (*ROLES, "stranger")}
        self.ids = {role: f"P-{role.upper()}" for role in (*ROLES, "stranger")}
        self.terms = ContractTerms(
            escrow_id=escrow_id,
            title="Flat 3-2-501 full renovation",
            owner=self._terms_key("owner"),
            contractor=self._terms_key("contractor"),
            inspector=self._terms_key("inspector"),
            stages=[StagePlan(f"stage {i + 1}", amount) for i, amount in enumerate(stages)],
            retention_fen=retention,
            silence_policy=policy,
            durations=durations or Durations(),
        )
        self.m = EscrowMachine(
            self.terms,
            council_keys={self.ids["council"]: self.keys["council"].public_key_b64},
            created_at=T0,
            max_skew=MAX_SKEW,
        )
        self.now = T0
        self.deposit_count = 0
        self.check()

    def _terms_key(self, role: str) -> TermsKey:
        return TermsKey(self.ids[role], self.keys[role].public_key_b64)

    # --------------------------------------------------------------- checks
    def check(self) -> None:
        m = self.m
        assert m.conservation_errors() == []
        assert conservation_problems(m.snapshot()) == []
        keys = Counter(mv.key for mv in m.movements)
        assert [k for k, n in keys.items() if n > 1] == [], "a business key was instructed twice"
        assert all(mv.amount_fen > 0 and isinstance(mv.amount_fen, int) for mv in m.movements)
        assert all(mv.key.startswith(f"{m.escrow_id}:") for mv in m.movements)

    # ---------------------------------------------------------------- steps
    def sign(
        self,
        role: str,
        action: str,
        payload: dict[str, Any],
        *,
        at: datetime | None = None,
        subject: str | None = None,
        signer: str | None = None,
    ) -> SignedStep:
        return self.keys[role].sign_step(
            action=action,
            subject=subject or self.m.escrow_id,
            signer=signer or self.ids[role],
            payload=payload,
            now=at or self.now,
        )

    def submit(self, step: SignedStep) -> str:
        before = self.m.snapshot()
        commit = self.m.plan(step, self.now)
        assert self.m.snapshot() == before, "planning a step changed the state"
        entry_hash = commit()
        self.check()
        return entry_hash

    def step(self, role: str, action: str, payload: dict[str, Any]) -> str:
        return self.submit(self.sign(role, action, payload))

    def refused(self, step: SignedStep, kind: RejectionKind, code: str) -> StepRejected:
        """The step is rejected with this kind and code and leaves no trace at all."""
        before = deepcopy(self.m.snapshot())
        nonces = set(self.m.nonces)
        with pytest.raises(StepRejected) as caught:
            self.m.plan(step, self.now)()
        assert (caught.value.kind, caught.value.code) == (kind, code), caught.value.message
        assert self.m.snapshot() == before
        assert self.m.nonces == nonces
        self.check()
        return caught.value

    def reject(
        self, role: str, action: str, payload: dict[str, Any], kind: RejectionKind, code: str
    ) -> StepRejected:
        return self.refused(self.sign(role, action, payload), kind, code)

    # ------------------------------------------------------- money and time
    def deposit(self, amount_fen: int) -> str:
        self.deposit_count += 1
        tx_id = f"dep-{self.deposit_count}"
        self.m.record_deposit(tx_id, amount_fen, self.now)
        self.check()
        return tx_id

    def settle(self) -> list[Movement]:
        """The bank executes every instructed movement and the receipts come back."""
        done = []
        for movement in self.m.pending_movements():
            self.m.movement_done(movement.key, f"bank-{movement.key}")
            self.check()
            done.append(movement)
        assert self.m.pending_fen == 0
        return done

    def tick(self, delta: timedelta) -> None:
        self.now += delta
        self.m.on_time(self.now)
        self.check()

    def run_to(self, moment: datetime) -> None:
        self.tick(moment - self.now)

    # ------------------------------------------------------------- reading
    def movements(self) -> dict[str, tuple[MovementKind, int]]:
        return {
            mv.key.removeprefix(f"{self.m.escrow_id}:"): (mv.kind, mv.amount_fen) for mv in self.m.movements
        }

    def pending(self) -> dict[str, tuple[MovementKind, int]]:
        prefix = f"{self.m.escrow_id}:"
        return {
            mv.key.removeprefix(prefix): (mv.kind, mv.amount_fen)
            for mv in self.m.movements
            if mv.status is MovementStatus.PENDING
        }

    def alerts(self, kind: str | None = None) -> list[str]:
        prefix = f"{self.m.escrow_id}:"
        return [a.business_key.removeprefix(prefix) for a in self.m.alerts if kind in (None, a.kind)]

    def stage(self, number: int):
        return self.m.stages[number - 1]

    @property
    def ledger(self) -> tuple[int, int, int, int]:
        ledger = self.m.ledger
        return ledger.deposited_fen, ledger.released_fen, ledger.refunded_fen, ledger.held_fen

    # ------------------------------------------------------- common scripts
    def sign_contract(self) -> None:
        for role in ("owner", "contractor"):
            self.step(role, "contract.sign", {"terms_hash": self.m.terms_hash})

    def fund(self) -> None:
        self.sign_contract()
        self.deposit(self.m.contract_total_fen)
        assert self.m.phase == "active"

    def request(self, stage: int) -> None:
        self.step(
            "contractor",
            "inspection.request",
            {"stage": stage, "evidence": [file_hash(f"photos-{stage}".encode())]},
        )

    def report(self, stage: int, result: str = "pass", defects: list[dict] | None = None) -> str:
        round_ = self.stage(stage).round
        report_hash = f"sha256:report-{stage}-{round_}"
        payload = {"stage": stage, "round": round_, "result": result, "report_hash": report_hash}
        if defects is not None:
            payload["defects"] = defects
        self.step("inspector", "inspection.report", payload)
        return report_hash

    def accept_payload(self, stage: int) -> dict[str, Any]:
        s = self.stage(stage)
        return {"stage": stage, "amount_fen": s.amount_fen, "report_hash": s.last_report.report_hash}

    def accept(self, stage: int) -> None:
        self.step("owner", "stage.accept", self.accept_payload(stage))

    def inspected(self, stage: int) -> str:
        self.request(stage)
        return self.report(stage)

    def pass_stage(self, stage: int) -> None:
        self.inspected(stage)
        self.accept(stage)
        self.settle()

    def fail_round(self, stage: int) -> None:
        self.request(stage)
        self.report(stage, "fail", [DEFECT])

    def dispute(self, role: str = "owner", stages: list[int] | None = None, **extra: Any) -> int:
        payload: dict[str, Any] = {"reason": "workmanship", **extra}
        if stages is not None:
            payload["stages"] = stages
        self.step(role, "dispute.raise", payload)
        return len(self.m.disputes)

    def decide(self, dispute: int, outcome: str, **amounts: int) -> None:
        self.step("council", "dispute.decide", decision(dispute, outcome, **amounts))

    def change_payload(
        self, stages: list[int], retention: int, change_no: int | None = None, from_stage: int | None = None
    ) -> dict:
        """A correctly hashed change order, by default from the first stage that may change."""
        change_no = change_no or self.m.changes_applied + 1
        from_stage = from_stage or self.m._first_changeable_stage()
        plan = [(f"new stage {i + 1}", amount) for i, amount in enumerate(stages)]
        return {
            "change_no": change_no,
            "from_stage": from_stage,
            "stages": [{"name": name, "amount_fen": amount} for name, amount in plan],
            "retention_fen": retention,
            "plan_hash": change_plan_hash(change_no, from_stage, plan, retention),
        }

    def complete_all_stages(self) -> None:
        for number in range(1, len(self.m.stages) + 1):
            self.pass_stage(number)
        assert self.m.phase == "warranty"


def decision(dispute: int, outcome: str, **amounts: int) -> dict[str, Any]:
    return {
        "dispute": dispute,
        "outcome": outcome,
        "reasons": "the panel inspected the site",
        "decision_hash": f"sha256:decision-{dispute}",
        **amounts,
    }


def funded(**options: Any) -> Kit:
    kit = Kit(**options)
    kit.fund()
    return kit


def export(machine: EscrowMachine) -> dict:
    """The trail as the workflow's `audit_trail` query exports it."""
    return machine.audit_export()


# ------------------------------------------------------ the harness's own checks
