"""How long each kind of activity may run and how it is retried: declared once, here.

Two kinds, on purpose. Money (a bank movement, the account it moves through, a case's
decision handed to its escrow) is retried until its outcome is known: the business
idempotency key makes every retry safe, and giving up would leave money neither moved
nor refused. Everything else a workflow owes (its read model and audit log, the expert
registry, alerts, notifications to come) gets a few quick tries and then stands aside:
the workflow alerts the council, goes on with its steps and its money, and tries again
on the catch-up schedule below (workflows/catch_up.py). Without that bound, one value
the database refused (a 2^63 amount overflowing SQLite) retried forever and the escrow
never moved again.
"""

from datetime import timedelta
from typing import TypedDict

from temporalio.common import RetryPolicy


class ActivityPolicy(TypedDict):
    """The options `workflow.execute_activity_method` takes from a policy (`**POLICY`)."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


MONEY: ActivityPolicy = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=1),
        non_retryable_error_types=["BankRejected"],  # the bank said no: an answer, not a failure
    ),
}

BOUNDED: ActivityPolicy = {
    "start_to_close_timeout": timedelta(seconds=30),
    # three tries within about three seconds: a blip passes, a refusal does not hold money up
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=3
    ),
}

# After BOUNDED gave up, the next try waits FIRST, then twice as long each time, never more
# than LONGEST. A day at most keeps a duty that fails for all of a five-year warranty under
# two thousand tries in the escrow's history (Temporal refuses histories past 50,000 events).
CATCH_UP_FIRST = timedelta(minutes=1)
CATCH_UP_LONGEST = timedelta(days=1)
