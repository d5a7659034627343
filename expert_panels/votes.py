"""Commit-reveal voting and the panel's decision.

Each expert first commits to a hash of their opinion and a secret salt, and only
reveals once every member has committed, so nobody can anchor on a colleague's
view. The opinion space is tiny (upheld/rejected per item), which is why the salt
must be long and unguessable: without it anyone could hash every possible opinion
and read a commitment early.

Aggregation, with every choice explicit:
- each item is decided by strict majority of the members' findings;
- a tie (possible with an even number of voters after a seat went empty) is broken
  by the chair's finding, and the item is listed in `tie_broken_by_chair`;
- the money split is the median of the members' `pay_fen` proposals: the middle one
  for an odd count, the LOWER middle for an even count. Pay goes to the business and
  the rest is refunded to the consumer, so the lower middle never charges the
  consumer more than a member proposed, and no averaging ever produces half a fen;
- a money split needs a proposal from every member or from none (a decision that
  moves no money), so one expert can never set the amount alone while others abstain;
- dissent is recorded per item: who found against the outcome.
"""

import hmac
from dataclasses import dataclass, field
from typing import Any

from domain.canonical import canonical_json, sha256_hex
from domain.money import MAX_AMOUNT_FEN

UPHELD, REJECTED = "upheld", "rejected"
FINDINGS: tuple[str, ...] = (UPHELD, REJECTED)
MIN_SALT_CHARS = 16


class InvalidOpinion(ValueError):
    """An opinion, a commitment or a set of opinions that cannot be aggregated."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Opinion:
    findings: dict[str, str]  # item id -> "upheld" | "rejected"
    pay_fen: int | None = None  # proposed payment to the business, 0..disputed_fen
    reasons: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.findings, dict) or not self.findings:
            raise InvalidOpinion("an opinion needs a finding on at least one item")
        for item, finding in self.findings.items():
            if not isinstance(item, str) or not item.strip():
                raise InvalidOpinion("item ids must be non-empty strings")
            if finding not in FINDINGS:
                raise InvalidOpinion(f"item {item}: finding must be one of {', '.join(FINDINGS)}")
        pay = self.pay_fen
        if pay is not None and (not _is_int(pay) or not 0 <= pay <= MAX_AMOUNT_FEN):
            raise InvalidOpinion(f"pay_fen must be an integer in fen from 0 to {MAX_AMOUNT_FEN}")
        if not isinstance(self.reasons, str):
            raise InvalidOpinion("reasons must be text")


def opinion_document(opinion: Opinion) -> dict[str, Any]:
    """The opinion as the JSON an expert commits to and later reveals."""
    return {"findings": dict(opinion.findings), "pay_fen": opinion.pay_fen, "reasons": opinion.reasons}


def opinion_from_document(raw: Any) -> Opinion:
    if not isinstance(raw, dict) or set(raw) - {"findings", "pay_fen", "reasons"} or "findings" not in raw:
        raise InvalidOpinion("an opinion has findings, and optionally pay_fen and reasons")
    return Opinion(findings=raw["findings"], pay_fen=raw.get("pay_fen"), reasons=raw.get("reasons", ""))


# ------------------------------------------------------------ commit-reveal
def commitment(opinion: dict[str, Any], salt: str) -> str:
    """sha256 hex of the canonical JSON {"opinion": ..., "salt": ...}."""
    if not isinstance(salt, str) or len(salt) < MIN_SALT_CHARS:
        raise InvalidOpinion(f"the salt must be a secret of at least {MIN_SALT_CHARS} characters")
    return sha256_hex(canonical_json({"opinion": opinion, "salt": salt}))


def check_reveal(commitment_hex: str, opinion: dict[str, Any], salt: str) -> bool:
    """Whether this opinion and salt are exactly what was committed to (any doubt is False)."""
    if not isinstance(commitment_hex, str):
        return False
    try:
        expected = commitment(opinion, salt)
    except (InvalidOpinion, TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, commitment_hex.lower())


# ---------------------------------------------------------------- decision
@dataclass(frozen=True)
class ItemDecision:
    finding: str
    upheld: int
    rejected: int
    dissent: tuple[str, ...]  # members who found the other way, sorted
    tie_broken_by_chair: bool = False


@dataclass(frozen=True)
class Decision:
    items: dict[str, ItemDecision]
    chair_id: str
    members: tuple[str, ...]
    pay_fen: int | None  # None: the decision moves no money
    refund_fen: int | None
    proposals: tuple[int, ...]  # sorted, as the median was taken over them
    reasons: dict[str, str] = field(default_factory=dict)  # member -> written reasons

    @property
    def findings(self) -> dict[str, str]:
        return {item: d.finding for item, d in self.items.items()}

    @property
    def tie_broken_by_chair(self) -> tuple[str, ...]:
        return tuple(item for item, d in self.items.items() if d.tie_broken_by_chair)

    @property
    def dissent(self) -> dict[str, tuple[str, ...]]:
        return {item: d.dissent for item, d in self.items.items() if d.dissent}


def median_proposal(proposals: list[int]) -> int:
    """The middle proposal; of two middles, the lower (see the module docstring)."""
    if not proposals:
        raise InvalidOpinion("no proposals to take a median of")
    ordered = sorted(proposals)
    return ordered[(len(ordered) - 1) // 2]


def aggregate(opinions: dict[str, Opinion], disputed_fen: int, chair_id: str) -> Decision:
    if not isinstance(opinions, dict) or not opinions:
        raise InvalidOpinion("no opinions to aggregate")
    if not _is_int(disputed_fen) or disputed_fen < 0:
        raise InvalidOpinion("disputed_fen must be a non-negative integer in fen")
    if chair_id not in opinions:
        raise InvalidOpinion(f"the chair {chair_id} has given no opinion")
    members = tuple(sorted(opinions))
    items = sorted({item for opinion in opinions.values() for item in opinion.findings})
    for member in members:
        missing = [item for item in items if item not in opinions[member].findings]
        if missing:
            raise InvalidOpinion(f"{member} gave no finding on {', '.join(missing)}")

    decided: dict[str, ItemDecision] = {}
    for item in items:
        votes = {member: opinions[member].findings[item] for member in members}
        upheld = sum(1 for finding in votes.values() if finding == UPHELD)
        rejected = len(votes) - upheld
        tie = upheld == rejected
        finding = votes[chair_id] if tie else (UPHELD if upheld > rejected else REJECTED)
        decided[item] = ItemDecision(
            finding=finding,
            upheld=upheld,
            rejected=rejected,
            dissent=tuple(m for m in members if votes[m] != finding),
            tie_broken_by_chair=tie,
        )

    proposals = [pay for m in members if (pay := opinions[m].pay_fen) is not None]
    if proposals and len(proposals) != len(members):
        raise InvalidOpinion("a money split needs a pay_fen proposal from every member, or from none")
    for member in members:
        pay = opinions[member].pay_fen
        if pay is not None and pay > disputed_fen:
            raise InvalidOpinion(f"{member} proposes paying {pay} fen of {disputed_fen} disputed")
    pay_fen = median_proposal(proposals) if proposals else None
    return Decision(
        items=decided,
        chair_id=chair_id,
        members=members,
        pay_fen=pay_fen,
        refund_fen=None if pay_fen is None else disputed_fen - pay_fen,
        proposals=tuple(sorted(proposals)),
        reasons={m: opinions[m].reasons for m in members},
    )
