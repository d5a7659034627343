"""The fund's signed steps, each declared once (domain/steps/spec.py says what derives from it)."""

from typing import Any

from domain.roles import Role
from domain.steps.fields import Fen, PositiveFen, StepPayload, Text
from domain.steps.spec import StepSpec, rule_table

BUSINESS = frozenset({Role.CONTRACTOR, Role.DEALER})
COUNCIL = frozenset({Role.COUNCIL})


class FundPledge(StepPayload):
    """The amount the business promises to keep in the fund; 0 ends the promise."""

    amount_fen: Fen


class FundAdvance(StepPayload):
    case_id: Text
    decision_hash: Text  # the decision paid: the one the case's council countersigned
    amount_fen: PositiveFen


class FundWithdraw(StepPayload):
    amount_fen: PositiveFen


FUND_PLEDGE = StepSpec(
    "fund.pledge", BUSINESS, FundPledge, "The business pledges to keep this much in its fund", "/pledge"
)
FUND_ADVANCE = StepSpec(
    "fund.advance",
    COUNCIL,
    FundAdvance,
    "A council member pays a consumer in advance from the business's fund",
    "/advances",
)
FUND_WITHDRAW = StepSpec(
    "fund.withdraw", BUSINESS, FundWithdraw, "The business takes back money above its pledge", "/withdrawals"
)

FUND_STEPS: list[StepSpec[Any]] = [FUND_PLEDGE, FUND_ADVANCE, FUND_WITHDRAW]
FUND_RULES = rule_table(FUND_STEPS)
