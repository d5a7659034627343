"""Contract terms: what both parties sign before any money moves.

Amounts are fixed at contract time in fen. The default plan follows the Guilin
practice quoted in DESIGN.md (30/30/25/10 and 5% retention); any contract may set
its own stages, durations and silence policy.
"""

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from domain.canonical import content_hash
from domain.money import MAX_AMOUNT_FEN, yuan
from domain.steps.parties import PartyKey
from domain.steps.payloads import read_amount
from domain.steps.rejections import invalid

DEFAULT_STAGE_PLAN: tuple[tuple[str, int], ...] = (
    ("hidden works (plumbing/electrical)", 30),
    ("masonry & carpentry", 30),
    ("painting & installation", 25),
    ("completion", 10),
)
DEFAULT_RETENTION_PERCENT = 5
WATERPROOFING_WARRANTY_DAYS = 5 * 365


class SilencePolicy(StrEnum):
    ESCALATE = "escalate"
    AUTO_ACCEPT = "auto_accept"


@dataclass
class StagePlan:
    name: str
    amount_fen: int


@dataclass
class Durations:
    funding_days: int = 14
    inspection_days: int = 3
    acceptance_days: int = 7
    warranty_days: int = 2 * 365
    max_failed_rounds: int = 3


@dataclass
class ContractTerms:
    escrow_id: str
    title: str
    owner: PartyKey
    contractor: PartyKey
    inspector: PartyKey
    stages: list[StagePlan]
    retention_fen: int
    silence_policy: SilencePolicy = SilencePolicy.ESCALATE
    durations: Durations = field(default_factory=Durations)

    @property
    def total_fen(self) -> int:
        return sum(stage.amount_fen for stage in self.stages) + self.retention_fen

    def terms_hash(self) -> str:
        """What `contract.sign` envelopes reference: any change to the terms changes it."""
        return content_hash(asdict(self))

    def check_amounts(self) -> None:
        """Every amount a whole number of fen from 0 to the bound, and so is the total.

        The escrow machine checks this as it is made, and the API before it starts one.
        """
        named = [(f"stages[{i}].amount_fen", s.amount_fen) for i, s in enumerate(self.stages)]
        for name, value in [*named, ("retention_fen", self.retention_fen)]:
            read_amount(value, name)
        check_total(self.total_fen)


def check_total(total_fen: int) -> None:
    """A plan's stages and retention together, at contract time or after a change order."""
    if total_fen > MAX_AMOUNT_FEN:
        raise invalid(
            "total_out_of_range",
            f"the stages and retention come to {yuan(total_fen)}; a contract may hold at most "
            f"{yuan(MAX_AMOUNT_FEN)}",
        )


def split_by_percent(total_fen: int, retention_fen: int | None = None) -> tuple[list[StagePlan], int]:
    """The default plan for a total: whole-fen stage amounts, remainder to the last stage.

    The retention is 5% unless given; the stages share what is left in the plan's
    proportions (30:30:25:10), so stages plus retention always equal the total. A total
    too small to give every stage a fen yields 0-fen stages: callers refuse those.
    """
    retention = total_fen * DEFAULT_RETENTION_PERCENT // 100 if retention_fen is None else retention_fen
    if not 0 <= retention <= total_fen:
        raise ValueError("the retention must be between 0 and the total")
    to_stages = total_fen - retention
    weight = sum(percent for _, percent in DEFAULT_STAGE_PLAN)
    stages = [
        StagePlan(name=name, amount_fen=to_stages * percent // weight) for name, percent in DEFAULT_STAGE_PLAN
    ]
    stages[-1].amount_fen += to_stages - sum(s.amount_fen for s in stages)
    return stages, retention
