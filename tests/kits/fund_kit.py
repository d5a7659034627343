"""A pure harness for `FundMachine` (no Temporal, no bank): steps signed by the fund's business, its
council member and one who joined later, deposits, claims and the bank's receipts fed in, the
ledger checked after every call."""

from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.converter import DataConverter

from client.keys import PartyKey
from domain.fund.machine import FundMachine
from domain.fund.terms import AdvanceClaim, FundTerms, fund_id_of
from domain.steps.parties import PartyKey as TermsKey
from domain.steps.rejections import RejectionKind, StepRejected
from domain.steps.signing import SignedStep
from workflows.fund_types import FundInput

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
MINIMUM = 1_000_000  # ¥10,000
INVALID, FORBIDDEN, CONFLICT, DUPLICATE = (
    RejectionKind.INVALID,
    RejectionKind.FORBIDDEN,
    RejectionKind.CONFLICT,
    RejectionKind.DUPLICATE,
)


class FundKit:
    def __init__(self) -> None:
        self.keys = {who: PartyKey.generate() for who in ("dealer", "council", "late_council", "buyer")}
        self.ids = {who: f"P-FUND-{who.upper()}" for who in self.keys}
        terms = FundTerms(
            fund_id_of(self.ids["dealer"]),
            TermsKey(self.ids["dealer"], self.keys["dealer"].public_key_b64),
            "dealer",
            MINIMUM,
        )
        council = {self.ids["council"]: self.keys["council"].public_key_b64}
        self.m = FundMachine(terms, council_keys=council, opened_at=T0)
        self.now = T0
        self.councils_now = {**council, self.ids["late_council"]: self.keys["late_council"].public_key_b64}
        self.deposits = 0

    def continue_as_new(self) -> FundMachine:
        """What the workflow does at the switch: the carry goes through Temporal's converter as the
        new run's input (whose council list is still the one the fund opened with), and the new
        run's machine takes it up. Returns the earlier run's machine."""
        earlier = self.m
        opened_with = {self.ids["council"]: self.keys["council"].public_key_b64}
        sent = FundInput(earlier.terms, council_keys=opened_with, carried=earlier.carry(self.now))
        converter = DataConverter.default.payload_converter
        [received] = converter.from_payloads(converter.to_payloads([sent]), [FundInput])
        assert received == sent
        assert received.carried is not None
        self.m = FundMachine(
            received.terms, council_keys=received.council_keys, opened_at=self.now, max_skew=earlier.max_skew
        )
        self.m.continue_from(received.carried)
        return earlier

    def step(self, who: str, action: str, payload: dict[str, Any]) -> None:
        commit = self.m.plan(self._signed(who, action, payload), self.now, councils=self.councils_now)
        commit()
        assert self.m.conservation_errors() == []

    def refused(
        self, who: str, action: str, payload: dict[str, Any], kind: RejectionKind, code: str
    ) -> StepRejected:
        before = deepcopy(self.m.snapshot())
        with pytest.raises(StepRejected) as caught:
            self.m.plan(self._signed(who, action, payload), self.now, councils=self.councils_now)()
        assert (caught.value.kind, caught.value.code) == (kind, code), caught.value.message
        assert self.m.snapshot() == before
        return caught.value

    def _signed(self, who: str, action: str, payload: dict[str, Any]) -> SignedStep:
        return self.keys[who].sign_step(
            action=action, subject=self.m.fund_id, signer=self.ids[who], payload=payload, now=self.now
        )

    def deposit(self, amount: int) -> None:
        self.deposits += 1
        self.m.record_deposit(f"dep-{self.deposits}", amount)
        assert self.m.conservation_errors() == []

    def claim(self, case_id: str = "CASE-2026-00101", decided: int = 300_000) -> AdvanceClaim:
        claim = AdvanceClaim(
            case_id, f"hash-{case_id}", self.ids["buyer"], self.ids["dealer"], decided, self.now
        )
        assert self.m.learn_claim(claim, self.now)
        return claim

    def settle(self) -> None:
        for movement in self.m.pending_movements():
            self.m.movement_done(movement.key, f"tx-{movement.key}")
        assert self.m.conservation_errors() == []

    def advance(self, claim: AdvanceClaim, amount: int) -> dict[str, Any]:
        return {"case_id": claim.case_id, "decision_hash": claim.decision_hash, "amount_fen": amount}
