"""What the server itself says, stored as codes, in the reader's language.

Council alerts are stored as a code plus parameters (domain/alert_codes.py, db/models.py
CouncilAlert) and the reasons a draw record keeps as "code: detail" (expert_panels/draw.py exclusion
codes, domain/case/seat_changes.py): the words are here, from `web/messages/server_text.*.json`.
What a person typed (a party's reason, an expert's) is a parameter and stays as they typed it; a
few parameters are words themselves (a role, a duty, a deadline) and are rendered too.
"""

import json
from collections.abc import Callable

from db.models import CouncilAlert
from domain.alert_codes import AlertCode, AlertParams
from domain.case.seat_changes import SeatChange
from domain.escrow.machine import OTHER_SIDE
from domain.escrow.state import Dispute, DisputeCause
from expert_panels.draw import CONFLICT, EXCLUDED, INACTIVE, OVER_WORKLOAD_CAP, STRUCK, WRONG_DOMAIN
from notify import messages as notify_words
from web.i18n import translate

# The parameters that name a word rather than hold one: the key its words are under.
WORD_PARAMS = {
    "side": "role.{}",
    "raised_by": "role.{}",
    "role": "role.{}",
    "duty": "server.duty.{}",
    "requirement": "server.requirement.{}",
}
LIST_PARAMS = {"deadlines": "server.deadline.{}"}  # comma-separated names, each rendered
# What a draw record's reasons may start with: the draw's exclusion codes and the case's seat changes.
REASON_CODES = {INACTIVE, WRONG_DOMAIN, CONFLICT, OVER_WORKLOAD_CAP, STRUCK, EXCLUDED, *SeatChange}
NESTED = {EXCLUDED}  # a reason whose detail is itself a reason (why the expert was set aside)
SIDED = {STRUCK}  # a reason whose detail is "<side>: <the side's own words>"


def alert_text(language: str, code: str, params: AlertParams) -> str:
    """One alert's sentence in `language`; a code this build does not know shows as itself."""
    words: dict[str, object] = {}
    for name, value in params.items():
        if name in WORD_PARAMS:
            words[name] = translate(language, WORD_PARAMS[name].format(value))
        elif name in LIST_PARAMS:
            words[name] = ", ".join(
                translate(language, LIST_PARAMS[name].format(v)) for v in value.split(",")
            )
        else:
            words[name] = value
    if "cause" in params:  # a dispute's opening: its reason is the cause's sentence
        words["reason"] = cause_text(language, params["cause"], params["raised_by"], params["reason"])
    known = code in set(AlertCode)
    return translate(language, f"server.alert.{code}", **words) if known else code


def stored_alert_text(language: str, alert: CouncilAlert) -> str:
    params: AlertParams = json.loads(alert.params_json)
    return alert_text(language, alert.code, params)


def sentence(text: str) -> str:
    """A clause the messages catalogue keeps in lower case, begun as a sentence on a page."""
    return text[:1].upper() + text[1:]


def cause_text(language: str, cause: str, raised_by: str, reason: str) -> str:
    """Why a dispute opened, with the notifications' words (notify/messages.py `dispute_cause`)
    and the page's word for the side that did not agree to a cancellation."""
    side = translate(language, f"role.{OTHER_SIDE.get(raised_by, raised_by)}")
    return notify_words.dispute_cause(language, cause, reason, side)


def dispute_reason(language: str, dispute: Dispute) -> str:
    """A party's own reason as typed; a rule's clause begun as a sentence."""
    said = cause_text(language, dispute.cause, dispute.raised_by, dispute.reason)
    return said if dispute.cause == DisputeCause.RAISED else sentence(said)


def movement_reason(language: str, reason: str) -> str:
    """Why money moved, with the notifications' words; a payer's own reference as it stands."""
    return sentence(notify_words.movement_reason(language, reason))


def reason_text(language: str, reason: str) -> str:
    """A draw record's reason ("code: detail") in `language`, the detail as recorded; a reason
    recorded before the codes (or by hand) is shown as it stands."""
    code, _, detail = reason.partition(": ")
    if code not in REASON_CODES:
        return reason
    if code in NESTED:
        detail = reason_text(language, detail)
    elif code in SIDED:
        side, _, detail = detail.partition(": ")
        side = translate(language, f"side.{side}")
        return translate(language, f"server.reason.{code}", side=side, detail=detail)
    return translate(language, f"server.reason.{code}", detail=detail)


def reason_words(language: str) -> Callable[[str], str]:
    """`reason_text` fixed to the page's language, for the templates."""
    return lambda reason: reason_text(language, reason)
