"""A notification's words: stored as kind + params + link, rendered in the reader's language.

The catalogue is data (`notify/texts/{language}.json`), one title and one body per kind, so
wording is edited without code. What each kind is given is declared here (`PARAMS`), and the
catalogue completeness test holds every language to it. A param is filled as given, except:
`amount_fen` is shown as ¥ (domain/money.py) under `{amount}`, `due` (an ISO 8601 moment, or ""
for none) in Asia/Shanghai, and `movement` (released | refunded | held_back), `action` (the step
awaited), `consequence` (an AtDeadline value), `claimant` (a role) and `deadline` (a case's
working-day deadline, by its snapshot field) in the reader's words. Days (`ended`, `was`,
`moved_to`: YYYY-MM-DD, already Shanghai's) are shown as given.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from domain.calendar import SHANGHAI
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
    MessageKind.MONEY_MOVED: frozenset({"subject", "amount_fen", "movement", "detail"}),
    MessageKind.DISPUTE_RAISED: frozenset({"subject", "claimant", "reason"}),
    MessageKind.PANEL_SEAT_OFFERED: frozenset({"subject", "due"}),
    MessageKind.DECISION_SIGNED: frozenset({"subject", "outcome"}),
    MessageKind.KEY_RECOVERY_SIGNED: frozenset({"request", "due"}),
    MessageKind.KEY_RECOVERED: frozenset({"subject", "party"}),
    MessageKind.MEDIATION_ENDED: frozenset({"subject", "ended"}),
    MessageKind.DEADLINE_MOVED: frozenset({"subject", "deadline", "was", "moved_to"}),
}
MOVEMENTS = ("released", "refunded", "held_back")
# Params shown in the reader's words: the catalogue's section for each.
WORDED = {
    "movement": "movement",
    "action": "actions",
    "consequence": "at_deadline",
    "claimant": "roles",
    "deadline": "deadlines",
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
        if param in params:
            shown[param] = words[section][str(params[param])]
    return shown


def render(kind: MessageKind, params: dict[str, Any], link: str, reader: str) -> Rendered:
    """Title and body of one message in the `reader`'s language (Chinese when it has no catalogue)."""
    written_in = language(reader)
    words = catalogue(written_in)["kinds"][kind.value]
    values = {**shown_params(params, written_in), "link": link}
    return Rendered(title=words["title"].format(**values), body=words["body"].format(**values))
