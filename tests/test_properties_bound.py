"""No amount beyond the bound (domain/money.py) ever enters an escrow's or a case's state.

`BoundPrograms` runs the random step programs of tests/test_properties_escrow.py on
contracts at and near the bound, and adds a rule per amount-bearing path that sends
amounts around it (bound - 1, bound, bound + 1, 2^63 - 1, 2^63, 10^30, -1, 0) as a
person or system could: deposits, acceptance, partial acceptance and holdbacks,
holdback releases, inspection defects, change orders, decisions and warranty claims.
After every rule, every amount the machine keeps is a whole number of fen from 0 to
the bound; an amount past it is refused with its code and changes nothing, which the
inherited `attempt` checks.
"""

from typing import Any

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from domain.escrow.snapshot import summary_document
from domain.escrow.terms import Durations, SilencePolicy
from domain.money import MAX_AMOUNT_FEN
from domain.steps.fields import Fen, StepPayload
from domain.steps.files import file_hash
from domain.steps.payload_errors import read_payload
from domain.steps.rejections import RejectionKind, StepRejected
from expert_panels.car_remedy import MAX_USAGE_COEFFICIENT_PPM, InvalidCarFacts, usage_fee_fen
from expert_panels.votes import InvalidOpinion, Opinion
from sandbox_bank.schemas import DepositIn
from tests.kits.dispute_kit import CAR, RENOVATION, CaseKit
from tests.kits.escrow_programs import PARTIES, EscrowPrograms, cut
from tests.kits.machine_kit import Kit, decision

BOUND = MAX_AMOUNT_FEN
AROUND = [BOUND - 1, BOUND, BOUND + 1, 2**63 - 1, 2**63, 10**30, -1, 0, 1]
NEAR = st.sampled_from(AROUND)
TOTALS = st.sampled_from([BOUND, BOUND - 1, BOUND // 2 + 1, 3 * BOUND // 4, 1_000_000])


def amounts_in(snapshot: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every amount in a snapshot, with where it was: each `*_fen` value, at any depth, and the
    (name, amount) pairs of a proposed change order's stages."""
    found: list[tuple[str, Any]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key.endswith("_fen"):
                    found.append((f"{path}.{key}", inner))
                else:
                    walk(inner, f"{path}.{key}")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{path}[{i}]")

    walk(snapshot, "")
    proposal = snapshot["change_proposal"]
    for i, (_, amount) in enumerate(proposal["stages"] if proposal else []):
        found.append((f".change_proposal.stages[{i}]", amount))
    return found


class BoundPrograms(EscrowPrograms):
    @initialize(
        total=TOTALS,
        cuts=st.lists(st.integers(0, 2**62), min_size=1, max_size=3),
        retention=st.sampled_from([0, 1, 5_000, BOUND // 20]),
        start=st.sampled_from(["signed", "funded", "funded", "overfunded", "warranty"]),
        extra=NEAR,
        ahead=st.sampled_from([0, 1, 2]),
    )
    def open_escrow(self, total, cuts, retention, start, extra, ahead):
        """A contract at or near the bound, funded to it or beyond (the excess refused past it),
        some with every stage passed and the retention in warranty."""
        retention = min(retention, total // 20)
        stages = cut(total - retention, cuts)
        durations = Durations(funding_days=30, warranty_days=30)
        self.kit = Kit(
            stages=tuple(stages), retention=retention, policy=SilencePolicy.ESCALATE, durations=durations
        )
        self.kit.sign_contract()
        if start in ("funded", "warranty"):
            self.pay_in(total)
            ahead = len(stages) if start == "warranty" else ahead
        elif start == "overfunded":
            self.pay_in(total + max(extra, 1))
            self.pay_in(max(0, self.m.shortfall_fen) or 1)
        if self.m.phase == "active":
            for stage in self.m.stages[:ahead]:
                self.kit.pass_stage(stage.number)

    # ------------------------------------------------------------- deposits
    def pay_in(self, amount: int) -> None:
        """A deposit the bound allows is recorded; one that would take deposited past it is refused."""
        if amount > 0 and self.m.ledger.deposited_fen + amount <= BOUND:
            super().pay_in(amount)
            return
        before = self.m.snapshot()
        with pytest.raises(StepRejected) as refused:
            self.m.record_deposit(f"dep-over-{len(self.deposit_ids)}-{amount}", amount, self.kit.now)
        expected = "bad_deposit" if amount <= 0 else "deposit_out_of_range"
        assert (refused.value.kind, refused.value.code) == (RejectionKind.INVALID, expected)
        assert self.m.snapshot() == before, "a refused deposit changed the state"
        note(f"  bank: deposit of {amount} refused ({expected})")

    @rule(amount=NEAR, to_the_bound=st.booleans())
    def deposit_near_the_bound(self, amount, to_the_bound):
        self.pay_in(BOUND - self.m.ledger.deposited_fen + (amount if not to_the_bound else 0) or amount)

    # ------------------------------------------------ amounts in signed steps
    @rule(amount=NEAR)
    def accept_with(self, amount):
        payload = self._accept_base(self.stage_number(0))
        self.attempt("owner", "stage.accept", payload | {"amount_fen": amount})

    @rule(pay=NEAR, held=NEAR, fit=st.booleans())
    def accept_partially_with(self, pay, held, fit):
        number = self.stage_number(0)
        payload = self._accept_base(number)
        if fit and number <= len(self.m.stages):  # the holdback makes up the rest, however large
            held = self.m.stages[number - 1].amount_fen - pay
        holdback = {"item": "tiles", "description": "hollow tiles", "amount_fen": held}
        self.attempt("owner", "stage.accept_partial", payload | {"pay_fen": pay, "holdbacks": [holdback]})

    @rule(amount=NEAR)
    def release_holdback_with(self, amount):
        held = [(s.number, h.item) for s in self.m.stages for h in s.holdbacks if h.status == "held"]
        number, item = held[0] if held else (1, "tiles")
        self.attempt("owner", "holdback.release", {"stage": number, "items": [item], "amount_fen": amount})

    @rule(cost=NEAR)
    def report_defect_costing(self, cost):
        number = self.stage_number(0)
        stage_round = self.m.stages[number - 1].round if number <= len(self.m.stages) else 1
        defect = {"description": "tile hollow", "location": "kitchen", "cost_estimate_fen": cost}
        payload = {
            "stage": number,
            "round": stage_round,
            "result": "fail",
            "report_hash": f"sha256:report-{number}-{stage_round}",
            "defects": [defect],
        }
        self.attempt("inspector", "inspection.report", payload)

    @rule(amounts=st.lists(NEAR, min_size=1, max_size=2), retention=NEAR, both=st.booleans())
    def change_order_with(self, amounts, retention, both):
        payload = self.kit.change_payload(amounts, retention)
        for role in ("owner", "contractor") if both else ("contractor",):
            self.attempt(role, "change_order.sign", payload)

    @rule(pay=NEAR, outcome=st.sampled_from(["split", "refund"]), rest=st.booleans())
    def decide_with(self, pay, outcome, rest):
        open_ = [d for d in self.m.disputes if d.status == "open"]
        number = open_[0].number if open_ else 1
        disputed = self.m.disputed_fen(open_[0]) if open_ else 0
        amounts = {"pay_fen": pay, "refund_fen": disputed - pay if rest else pay}
        if outcome == "refund":
            amounts = {"refund_fen": pay}
        self.attempt("council", "dispute.decide", decision(number, outcome, **amounts))

    @rule(amount=NEAR)
    def claim_warranty_for(self, amount):
        payload = {"description": "leak", "amount_fen": amount, "evidence": [file_hash(b"leak")]}
        self.attempt("owner", "warranty.claim", payload)

    @precondition(lambda self: self.m.phase in ("active", "warranty"))
    @rule(role=PARTIES)
    def dispute_everything(self, role):
        stages = [s.number for s in self.m.stages if s.open_fen and s.dispute is None]
        payload: dict[str, Any] = {"reason": "workmanship", "include_retention": True}
        if stages:
            payload["stages"] = stages
        self.attempt(role, "dispute.raise", payload)

    # ------------------------------------------------------------ invariant
    @invariant()
    def nothing_beyond_the_bound(self):
        if self.kit is None:
            return
        beyond = [
            (where, amount)
            for where, amount in amounts_in(summary_document(self.m.snapshot()))
            if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= BOUND
        ]
        assert beyond == [], f"amounts outside 0..{BOUND} in state: {beyond}"
        assert all(0 < amount <= BOUND for amount in self.m.deposits.values())
        assert self.m.ledger.deposited_fen <= BOUND and self.m.contract_total_fen <= BOUND


BoundPrograms.TestCase.settings = settings(
    EscrowPrograms.TestCase.settings, max_examples=200, stateful_step_count=30
)
TestBoundPrograms = BoundPrograms.TestCase


# ------------------------------------------------ the readers and the constructors
@pytest.mark.parametrize(
    ("value", "code"),
    [
        (True, "not_an_integer"),
        (False, "not_an_integer"),
        (100000.0, "not_an_integer"),
        (1e5, "not_an_integer"),
        ("100000", "not_an_integer"),
        (None, "not_an_integer"),
        (-1, "out_of_range"),
        (BOUND + 1, "out_of_range"),
        (2**63, "out_of_range"),
    ],
)
def test_a_signed_amount_is_a_json_integer_within_the_bound(value, code):
    with pytest.raises(StepRejected) as refused:
        read_payload(SignedAmount, {"amount_fen": value})
    assert (refused.value.kind, refused.value.code) == (RejectionKind.INVALID, code)
    assert read_payload(SignedAmount, {"amount_fen": BOUND}).amount_fen == BOUND


class SignedAmount(StepPayload):
    amount_fen: Fen


@pytest.mark.parametrize(
    ("stages", "retention", "code"),
    [
        ((BOUND, 1), 0, "total_out_of_range"),
        ((BOUND,), 1, "total_out_of_range"),
        ((2**63,), 0, "out_of_range"),
        ((1,), BOUND + 1, "out_of_range"),
        ((-5, 10), 0, "out_of_range"),
        ((True,), 0, "not_an_integer"),
        ((100.0,), 0, "not_an_integer"),
    ],
)
def test_no_escrow_machine_is_made_on_terms_beyond_the_bound(stages, retention, code):
    with pytest.raises(StepRejected) as refused:
        Kit(stages=stages, retention=retention)
    assert refused.value.code == code
    assert Kit(stages=(BOUND - 1,), retention=1).m.contract_total_fen == BOUND


def test_a_case_disputing_more_than_the_bound_is_never_made(monkeypatch):
    monkeypatch.setattr("tests.kits.dispute_kit.DISPUTED", BOUND + 1)
    with pytest.raises(StepRejected) as refused:
        CaseKit()
    assert refused.value.code == "out_of_range"


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(pay=NEAR, refund=NEAR, domain=st.sampled_from([RENOVATION, CAR]))
def test_a_settlement_beyond_the_bound_is_refused_and_changes_nothing(pay, refund, domain):
    assume(not all(0 <= amount <= BOUND for amount in (pay, refund)))
    kit = CaseKit(domain)
    kit.step("council", "case.accept", {})
    offer = kit.settlement(pay, refund, "repair" if domain == CAR else "-")
    assert kit.refused("respondent", "settlement.sign", offer).code == "out_of_range"
    assert kit.m.settlement is None


def test_a_panel_proposal_beyond_the_bound_is_not_an_opinion():
    Opinion({"leak": "upheld"}, pay_fen=BOUND)
    for pay in (BOUND + 1, 2**63, -1, True):
        with pytest.raises(InvalidOpinion):
            Opinion({"leak": "upheld"}, pay_fen=pay)


def test_a_usage_fee_is_bounded_like_every_amount():
    assert usage_fee_fen(BOUND, 1_000, MAX_USAGE_COEFFICIENT_PPM) == BOUND // 200
    for price, km in ((BOUND + 1, 1), (BOUND, 10**6)):  # the price, or the fee, beyond the bound
        with pytest.raises(InvalidCarFacts):
            usage_fee_fen(price, km, MAX_USAGE_COEFFICIENT_PPM)


def test_the_bound_is_the_banks_own_limit():
    DepositIn(amount_fen=BOUND, payer="owner", reference="ref")
    with pytest.raises(ValueError):
        DepositIn(amount_fen=BOUND + 1, payer="owner", reference="ref")
