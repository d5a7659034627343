"""Non-money duties that keep failing never hold a workflow up: they stand aside and catch up later.

A workflow owes some work that is not money: writing its read model and audit log and
the registry's open-case counts, reading the registry for a panel draw. Each is tried under
the BOUNDED policy; once that gives up, the workflow alerts the council (subject id and
error), goes on with its steps and bank movements, and tries again on a durable timer,
backing off from CATCH_UP_FIRST to CATCH_UP_LONGEST. A step that changes what the duty
would write tries it again at once (after that step's bank movements, never before).

Decided: a timer-driven catch-up is needed while behind, not only the next step. Every
write here is a full snapshot (the read model row with every trail entry and alert the
cursor has not seen go through, the whole panel), so any later success catches everything
up; but an escrow can sit two or five years in its warranty and a case weeks in a phase
with no step arriving, and a database outage a little longer than the quick tries would
otherwise leave the listings, the council's pages and the public record wrong for that
long. And a workflow that has finished waits for its catch-up before it ends, since
nothing else can write its read model once it is gone.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.alerts import AlertActivities
    from activities.types import CouncilAlertInput
    from domain.alert_codes import AlertCode
    from workflows.activity_policies import BOUNDED, CATCH_UP_FIRST, CATCH_UP_LONGEST

# the duties (`CatchUp.duty`); the council's alert is kind f"{duty}_failing", code DUTY_FAILING, and
# says what the duty does in the reader's words (web/messages/server_text.*.json `server.duty.*`)
DUTIES = ("projection", "panel_seats", "panel_draw")
ERROR_CHARS = 500  # an SQL error can carry the whole snapshot: the council gets its first line


@dataclass
class CatchUp:
    """One duty's failures: plain workflow state, so it issues no command by itself."""

    duty: str
    backoff: timedelta | None = None  # the wait after the last failure; None while not behind
    since: datetime | None = None  # when the first failure of this run failed
    retry_at: datetime | None = None  # None while the duty is not behind
    failed_on: Hashable = None  # what the last failed attempt would have written
    alerted: bool = False

    @property
    def behind(self) -> bool:
        return self.retry_at is not None

    def waits(self, work: Hashable) -> bool:
        """Whether `work` waits for the timer: it is what failed last, unchanged since."""
        return self.retry_at is not None and work == self.failed_on

    def due(self, work: Hashable, now: datetime) -> bool:
        return not self.waits(work) or (self.retry_at is not None and now >= self.retry_at)

    def failed(self, work: Hashable, now: datetime) -> None:
        self.backoff = CATCH_UP_FIRST if self.backoff is None else min(self.backoff * 2, CATCH_UP_LONGEST)
        self.since = self.since or now
        self.failed_on = work
        self.retry_at = now + self.backoff

    def caught_up(self) -> None:
        self.backoff, self.since, self.retry_at, self.failed_on, self.alerted = None, None, None, None, False


async def attempt(
    catch_up: CatchUp, subject_id: str, work: Hashable, activity: Callable[..., Any], arg: Any
) -> tuple[bool, Any]:
    """Run a non-money activity under BOUNDED: (True, its result), or (False, None) once it gave up."""
    try:
        result = await workflow.execute_activity_method(activity, arg, **BOUNDED)
    except ActivityError as exc:
        catch_up.failed(work, workflow.now())
        error = failure_text(exc)
        workflow.logger.warning(
            "%s: %s failed (%s); retrying at %s", subject_id, catch_up.duty, error, catch_up.retry_at
        )
        if not catch_up.alerted:
            catch_up.alerted = await _alert(catch_up, subject_id, error)
        return False, None
    catch_up.caught_up()
    return True, result


async def _alert(catch_up: CatchUp, subject_id: str, error: str) -> bool:
    """Tell the council, once per run of failures; whether it was told (else the next failure tries)."""
    alert = CouncilAlertInput(
        subject_id=subject_id,
        kind=f"{catch_up.duty}_failing",
        code=AlertCode.DUTY_FAILING,
        params={
            "subject_id": subject_id,
            "duty": catch_up.duty,
            "error": error,
            "retry_at": f"{catch_up.retry_at:%Y-%m-%d %H:%M:%S} UTC",
        },
        business_key=f"{subject_id}:{catch_up.duty}-failing:{catch_up.since:%Y%m%dT%H%M%S.%f}",
    )
    try:
        await workflow.execute_activity_method(AlertActivities.raise_council_alert, alert, **BOUNDED)
    except ActivityError as exc:
        workflow.logger.warning("%s: the council alert failed too (%s)", subject_id, failure_text(exc))
        return False
    return True


def failure_text(exc: ActivityError) -> str:
    """What went wrong in the activity, in one line: its error type and the first line of its message."""
    cause = exc.cause if isinstance(exc.cause, FailureError) else exc
    kind = cause.type if isinstance(cause, ApplicationError) and cause.type else type(cause).__name__
    first_line = next(iter(cause.message.splitlines()), "")
    return f"{kind}: {first_line}"[:ERROR_CHARS]


async def sleep_until_work_or(
    deadline: datetime | None, has_work: Callable[[], bool], catch_ups: list[CatchUp]
) -> bool:
    """Wait for work, the machine's next deadline or the next catch-up; whether the deadline came.

    With nothing behind, the wait (and so the history) is the one the workflows made before.
    """
    wake = min([t for t in (deadline, *(c.retry_at for c in catch_ups)) if t is not None], default=None)
    if wake is None:
        await workflow.wait_condition(has_work)
        return False
    remaining = wake - workflow.now()
    if remaining > timedelta(0):
        try:
            await workflow.wait_condition(has_work, timeout=remaining)
            return False
        except TimeoutError:
            pass
    # the deadline's own timer fired: its moment has come whatever the clock's rounding says
    return wake == deadline or (deadline is not None and deadline <= workflow.now())
