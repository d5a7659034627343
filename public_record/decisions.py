"""Published decisions: each final expert decision, anonymised, as precedent.

Only decisions that concluded a case are published (a settlement is private to its
parties). What is removed before publication:
- the consumer's registered name (whole, and each word of two letters or more of it)
  and registered address, wherever they appear in the text;
- anything that reads as a phone number (mainland mobiles, landlines with an area
  code, +86 forms) or a street address (Chinese road/street/estate/building/room
  forms, and "Flat/Room/No. ..." forms);
- the panel's expert ids: members appear as "Member 1..n" in seat order;
- the evidence files: a decision says only how many of each kind the panel had before it
  ("2 photos, 1 document"), never their hashes, which would let anyone holding a file tell
  which case it was evidence in.
The business keeps its name: publicity is the council's power over businesses.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.case.outcomes import DecidedOutcome, Decision, StatutoryDecision
from domain.roles import BUSINESS_ROLES
from public_record.complaints import UNCLASSIFIED, case_outcome
from public_record.facts import CaseFacts, History

CONSUMER = "[consumer]"
FILE_KINDS = ("photo", "video", "document", "file")  # "file": one the evidence store does not know
PHONE = "[phone]"
ADDRESS = "[address]"

PHONE_PATTERNS = [
    re.compile(r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"),
]
ADDRESS_PATTERNS = [
    # 中山路12号(3栋501室): a road and a door number; "水路" or "电路" alone is plumbing or wiring
    re.compile(
        r"[\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|弄)\d+号(?:[\u4e00-\u9fff0-9\-]{0,12}(?:室|楼|单元|栋|幢))?"
    ),
    # 桂花小区3栋2单元501室
    re.compile(r"[\u4e00-\u9fff]{1,12}(?:小区|花园|公寓|大厦)\d+(?:栋|幢|号楼)[\u4e00-\u9fff0-9\-]{0,12}"),
    re.compile(r"\d+(?:栋|幢|号楼)\d+单元\d+室?"),
    re.compile(r"\b(?:Flat|Room|Apt\.?|Apartment|Unit)\s+[\w\-/]*\d[\w\-/]*", re.IGNORECASE),
    re.compile(r"\b\d+[\w\-]*\s+(?:[A-Z][a-z]+\s+)+(?:Road|Street|Lane|Avenue|Rd|St)\b\.?"),
]


def scrub(text: str, *, names: list[str], addresses: list[str]) -> str:
    """The text with the given names and addresses, and phone- or address-like strings, removed."""
    for address in sorted(filter(None, addresses), key=len, reverse=True):
        text = text.replace(address, ADDRESS)
    for pattern in PHONE_PATTERNS:
        text = pattern.sub(PHONE, text)
    for pattern in ADDRESS_PATTERNS:
        text = pattern.sub(ADDRESS, text)
    for name in _name_variants(names):
        # a Latin name only as a whole word ("Li" is not in "Guilin"); Chinese has no spaces
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", CONSUMER, text, flags=re.IGNORECASE)
    return text


def _name_variants(names: list[str]) -> list[str]:
    """A registered name, its part before any bracket, and its words; longest first."""
    variants: set[str] = set()
    for name in filter(None, names):
        bare = name.split("(")[0].split("（")[0].strip()
        variants |= {name.strip(), bare}
        variants |= {word for word in re.split(r"[\s,，·]+", bare) if len(word) >= 2}
    return sorted(filter(None, variants), key=len, reverse=True)


@dataclass(frozen=True)
class PublishedDecision:
    case_id: str
    domain: str
    specialty: str
    business_name: str
    decided_at: datetime | None
    outcome: str  # for_consumer | for_business | split
    kind: str  # split | refund | rework | remedy
    disputed_fen: int
    pay_fen: int
    refund_fen: int
    remedy: str
    rework_days: int
    appealed: bool
    summary: str
    findings: list[dict[str, str]]  # {"item", "finding"}
    reasons: list[dict[str, str]]  # {"member", "reasons"}
    # a car claim that stated its facts: what the regulation gave on them, and why the panel departed
    statutory: dict[str, str] | None = None  # {"remedy", "article"}
    departure_reason: str | None = None
    evidence: dict[str, int] = field(default_factory=dict)  # kind -> how many files, in FILE_KINDS order
    # concluded after the mediation period ended without agreement: the council's expert opinion
    # (SAMR Order No. 20 art. 21(5)), not an agreement reached in mediation
    expert_opinion: bool = False


def final_decision(case: CaseFacts) -> Decision | None:
    outcome, current = case.snapshot.outcome, case.snapshot.current_round
    if outcome is None or outcome.source != "decision" or current is None:
        return None
    return current.decision


def _expert_opinion(case: CaseFacts) -> bool:
    outcome = case.snapshot.outcome
    return isinstance(outcome, DecidedOutcome) and outcome.expert_opinion


def published_decision(history: History, case: CaseFacts) -> PublishedDecision | None:
    decision = final_decision(case)
    if decision is None:
        return None
    claimant, respondent = history.business(case.claimant_id), history.business(case.respondent_id)
    consumer, business = (respondent, claimant) if claimant.role in BUSINESS_ROLES else (claimant, respondent)

    def clean(text: str) -> str:
        return scrub(text, names=[consumer.name], addresses=[consumer.address or ""])

    members = {expert_id: f"Member {n}" for n, expert_id in enumerate(decision.reasons, start=1)}
    items = {item.item_id: item.description for item in case.snapshot.items}
    return PublishedDecision(
        case_id=case.case_id,
        domain=case.domain,
        specialty=case.main_specialty or UNCLASSIFIED,
        business_name=business.name,
        decided_at=case.concluded_at,
        outcome=case_outcome(case.snapshot),
        kind=decision.outcome,
        disputed_fen=case.snapshot.disputed_fen,
        pay_fen=decision.pay_fen or 0,
        refund_fen=decision.refund_fen or 0,
        remedy=decision.remedy,
        rework_days=decision.rework_days,
        appealed=len(case.snapshot.rounds) > 1,
        summary=clean(decision.summary),
        findings=[
            {"item": clean(items.get(item, item)), "finding": finding}
            for item, finding in sorted(decision.findings.items())
        ],
        reasons=[
            {"member": members[expert_id], "reasons": clean(text)}
            for expert_id, text in decision.reasons.items()
        ],
        statutory=_statutory(decision),
        departure_reason=_departure(decision, clean),
        evidence=evidence_counts(case, history.file_kinds),
        expert_opinion=_expert_opinion(case),
    )


def evidence_counts(case: CaseFacts, file_kinds: dict[str, str]) -> dict[str, int]:
    """How many distinct files of each kind the case put before its panel (a file named by two
    steps counts once)."""
    digests = {digest for entry in case.snapshot.evidence for digest in entry.hashes}
    kinds = [file_kinds.get(digest, "file") for digest in digests]
    return {kind: kinds.count(kind) for kind in FILE_KINDS if kind in kinds}


def _statutory(decision: Decision) -> dict[str, str] | None:
    if not isinstance(decision, StatutoryDecision):
        return None
    statutory = decision.statutory_remedy
    return {"remedy": statutory["remedy"], "article": statutory["article"]}


def _departure(decision: Decision, clean: Callable[[str], str]) -> str | None:
    reason = decision.departure_reason if isinstance(decision, StatutoryDecision) else None
    return clean(reason) if reason else None


def published_decisions(
    history: History, *, domain: str | None = None, specialty: str | None = None, text: str | None = None
) -> list[PublishedDecision]:
    """Final decisions, newest first, filtered by category and by words in the published text."""
    found = []
    for case in history.cases:
        if (domain and case.domain != domain) or (specialty and case.main_specialty != specialty):
            continue
        decision = published_decision(history, case)
        if decision is None:
            continue
        if text and text.lower() not in _searchable(decision):
            continue
        found.append(decision)
    return sorted(found, key=lambda d: (d.decided_at is not None, d.decided_at, d.case_id), reverse=True)


def _searchable(decision: PublishedDecision) -> str:
    parts = [decision.summary, decision.business_name, *(r["reasons"] for r in decision.reasons)]
    parts += [f["item"] for f in decision.findings]
    return " ".join(parts).lower()
