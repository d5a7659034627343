"""What a process is waiting for, declared by its machine: who must act, on what, since when, by when,
and what happens if nobody does.

The machines compute this list from their own state (the rules live there, once); pages, the
"waiting for you" marker in lists, API replies and notifications only read it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import PlainSerializer

from domain.roles import Role

# A moment in a read model: typed as a datetime, written as Python's isoformat
# ("2026-03-02T09:30:00+00:00"), the form the read model has always had.
Stamp = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class AtDeadline(StrEnum):
    """What the machine does when an open action's due time passes with nothing done."""

    NOTHING = "nothing"  # no deadline: the process simply waits
    NOT_AWAITED = "not_awaited"  # a step one may take that nothing waits for (settle, withdraw)
    ESCALATES = "escalates"  # the matter goes to the council as a dispute
    AUTO_ACCEPTS = "auto_accepts"  # the stage is accepted and released
    ALERTS_COUNCIL = "alerts_council"  # the council is told; the process keeps waiting
    CANCELS = "cancels"  # the contract ends (funding never completed)
    DISPUTES_CANCELLATION = "disputes_cancellation"  # an unanswered cancellation becomes a dispute
    PAYS_RETENTION = "pays_retention"  # the warranty ends and the unclaimed retention is paid
    PASSES_SEAT = "passes_seat"  # the seat goes to an alternate
    RETRIES_DRAW = "retries_draw"  # the panel draw is tried again
    CLOSES_WINDOW = "closes_window"  # the window closes and the case moves on without it
    RECORDED_NONCOMPLIANT = "recorded_noncompliant"  # the business goes on the public record
    # a period runs out and its end is recorded (mediation without agreement, SAMR Order No. 20
    # art. 21(5)); one may act before it (extend), but nothing waits for anyone
    ENDS_MEDIATION = "ends_mediation"


# What nobody is waiting for: steps one may take at will, and the end of a period nobody must act in.
UNAWAITED = frozenset({AtDeadline.NOT_AWAITED, AtDeadline.ENDS_MEDIATION})


@dataclass(frozen=True)
class OpenAction:
    action: str  # the signed step awaited ("stage.accept"), or an act outside them ("deposit")
    role: Role  # who must act
    party_id: str | None  # the one party meant; None when anyone holding the role may act (the council)
    since: Stamp | None  # when it became awaited
    due: Stamp | None  # by when; None when nothing happens at any time
    at_deadline: AtDeadline
    ref: str | None = None  # what within the process, for pages and links: "stage-2", "dispute-1", "round-1"
