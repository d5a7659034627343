"""The retry schedule of a delivery (docs/WEBHOOKS.md, "Retries"): pure, used by the workflow
(its RetryPolicy) and by the activity (the `next_attempt_at` it shows in the log)."""

from datetime import timedelta

from temporalio.common import RetryPolicy

BACKOFF = 2.0
LONGEST_WAIT = timedelta(hours=6)
KEEP_TRYING = timedelta(days=3)  # schedule-to-close: the last attempt starts within three days
ATTEMPT_TIMEOUT = timedelta(seconds=10)  # connect + answer, per attempt
# A refusal that no retry can change: the receiver said this request is wrong or unwanted.
REFUSED = "WebhookRefused"
NOT_DELIVERED = "WebhookNotDelivered"


def retry_policy(first_retry: timedelta) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=first_retry,
        backoff_coefficient=BACKOFF,
        maximum_interval=LONGEST_WAIT,
        maximum_attempts=0,  # bounded by KEEP_TRYING, not by a count
        non_retryable_error_types=[REFUSED],
    )


def wait_after(attempt: int, first_retry: timedelta) -> timedelta:
    """How long Temporal waits after failed attempt number `attempt` (1-based)."""
    return min(first_retry * BACKOFF ** (attempt - 1), LONGEST_WAIT)


def is_permanent(http_status: int) -> bool:
    """A 4xx is the receiver refusing this request for good, except 408 (timeout) and 429 (slow down)."""
    return 400 <= http_status < 500 and http_status not in (408, 429)
