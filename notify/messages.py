"""A notification's words: stored as kind + params + link, rendered in the reader's language.

The catalogue is data (`notify/texts/{language}.json`), one title and one body per kind, so
wording is edited without code. What each kind is given is declared here (`PARAMS`), and the
catalogue completeness test holds every language to it. A param is filled as given, except:
`amount_fen` is shown as ¥ (domain/money.py) under `{amount}`, `due` (an ISO 8601 moment, or ""
for none) in Asia/Shanghai, and `movement` (released | refunded | held_back | advanced), `action` (the step
awaited), `consequence` (an AtDeadline value), `claimant` (a role), `outcome` (a decision's
outcome, or a car's remedy), `why` (a MovementReason) and `deadline` (a case's working-day
deadline, by its snapshot field) in the reader's words; a dispute's `reason` is told through its
`cause` (`dispute_cause`). Days (`ended`, `was`, `moved_to`: YYYY-MM-DD, already Shanghai's) are
shown as given.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from domain.calendar import SHANGHAI
from domain.escrow.machine import OTHER_SIDE
from domain.money import yuan
from notify.kinds import MessageKind

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE: Language = "zh-CN"


def language(value: str | None) -> Language:
    """A stored or asked-for language as one of ours (Chinese for anything else)."""
    return "en" if value == "en" else DEFAULT_LANGUAGE


TEXTS_DIR = Path(__file__).parent / "texts"

# The params each kind is given, as the notifier passes them (before `amount_fen` becomes `amount`).
PARAMS: dict[MessageKind, frozenset[str]] = {
    MessageKind.CHANNEL_VERIFICATION: frozenset({"code", "minutes"}),
    MessageKind.ACTION_AWAITING: frozenset({"subject", "action", "due"}),
    MessageKind.DEADLINE_REMINDER: frozenset({"subject", "action", "due", "hours", "consequence"}),
    MessageKind.MONEY_MOVED: frozenset({"subject", "amount_fen", "movement", "why"}),
    MessageKind.DISPUTE_RAISED: frozenset({"subject", "claimant", "cause", "reason"}),
    MessageKind.PANEL_SEAT_OFFERED: frozenset({"subject", "due"}),
    MessageKind.DECISION_SIGNED: frozenset({"subject", "outcome"}),
    MessageKind.KEY_RECOVERY_SIGNED: frozenset({"request", "due"}),
    MessageKind.KEY_RECOVERED: frozenset({"subject", "party"}),
    MessageKind.MEDIATION_ENDED: frozenset({"subject", "ended"}),
    MessageKind.DEADLINE_MOVED: frozenset({"subject", "deadline", "was", "moved_to"}),
}
MOVEMENTS = ("released", "refunded", "held_back", "advanced")
# Params said inside another one's words: a dispute's cause is told as its reason (`dispute_cause`).
SAID_AS = {"cause": "reason"}
# Params shown in the reader's words: the catalogue's section for each.
WORDED = {
    "movement": "movement",
    "why": "movement_reasons",
    "action": "actions",
    "consequence": "at_deadline",
    "claimant": "roles",
    "deadline": "deadlines",
    "outcome": "outcomes",
}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


@cache
def catalogue(language: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((TEXTS_DIR / f"{language}.json").read_text(encoding="utf-8"))
    return loaded


def shown_params(params: dict[str, Any], written_in: Language) -> dict[str, str]:
    """The params as the reader sees them: ¥ from fen, moments in Shanghai, words in their language."""
    shown = {name: str(value) for name, value in params.items()}
    if "amount_fen" in params:
        shown["amount"] = yuan(int(params["amount_fen"]))
    words = catalogue(written_in)
    if params.get("due"):
        moment = datetime.fromisoformat(str(params["due"]))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        shown["due"] = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"
    elif "due" in params:
        shown["due"] = words["no_due"]
    for param, section in WORDED.items():
        if param in params:  # a word this build has none for (a 0.1.0 escrow's English reason) as it is
            shown[param] = words[section].get(str(params[param]), str(params[param]))
    if "cause" in params:
        other = OTHER_SIDE.get(params["claimant"], "")
        side = words["roles"].get(other, other)
        shown["reason"] = dispute_cause(written_in, params["cause"], params["reason"], side)
    return shown


def dispute_cause(language: str, cause: str, reason: str, side: str) -> str:
    """Why a dispute opened (domain/escrow/state.py DisputeCause), in `language`: the raising
    party's own words, or the contract's rule that opened it; an unanswered cancellation names the
    `side` that did not agree (the other side of the one that asked, in the reader's words for it).
    The escrow's pages say it with these same words (web/server_text.py)."""
    causes = catalogue(language)["dispute_causes"]
    return str(causes[cause]).format(side=side, reason=reason) if cause in causes else reason


def movement_reason(language: str, reason: str) -> str:
    """Why money moved (domain/escrow/state.py MovementReason), in `language`; anything else (a
    payer's own reference on a deposit) as it stands."""
    return str(catalogue(language)["movement_reasons"].get(reason, reason))


class _Shown(dict[str, str]):
    """A message's values; one a stored message lacks (kept by an older build, whose params were
    named otherwise) reads as an ellipsis, never an error that would hide the whole inbox."""

    def __missing__(self, name: str) -> str:
        return "…"


def render(kind: MessageKind, params: dict[str, Any], link: str, reader: str) -> Rendered:
    """Title and body of one message in the `reader`'s language (Chinese when it has no catalogue)."""
    written_in = language(reader)
    words = catalogue(written_in)["kinds"][kind.value]
    values = _Shown({**shown_params(params, written_in), "link": link})
    return Rendered(title=words["title"].format_map(values), body=words["body"].format_map(values))
