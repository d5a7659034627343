"""A refusal for time that says how far off the signer's clock is (`stale_timestamp`).

A step refused for its time says by how much the envelope's timestamp is off the server's clock,
in its message (in the reader's language: `behind` or `ahead`, as h:mm:ss) and as
`clock_offset_seconds` (the timestamp minus the server's time, in whole seconds: negative when
the signer's clock is behind). The API works this out itself, from the
envelope and its own clock, for the workflows' refusals too (api/routes/steps.py), so the
workflows' recorded refusals stay as they were.
"""

from datetime import UTC, datetime, timedelta

from api.errors import ApiError
from api.server_clock import SERVER_TIME_HEADER

STALE_TIMESTAMP = "stale_timestamp"


def _amount(seconds: int) -> str:
    """Minutes once there are two of them (a wrong clock is wrong by minutes), else seconds."""
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _clock(seconds: int) -> str:
    """A span as `h:mm:ss`, read alike in every language (the catalogue's `behind`, `ahead`)."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def stale_timestamp(timestamp: datetime, *, what: str = "envelope") -> ApiError:
    """The refusal of an envelope (or a claim) whose `timestamp` is too far from the server's clock."""
    now = datetime.now(UTC)
    offset = round((timestamp - now).total_seconds())
    side = "behind" if offset < 0 else "ahead of"
    message = (
        f"the {what}'s timestamp is {_amount(abs(offset))} {side} the server's clock "
        f"({now.strftime('%Y-%m-%dT%H:%M:%SZ')}): set the signing device's clock to automatic time, "
        f"or stamp envelopes with the server's time ({SERVER_TIME_HEADER} on every answer), and sign again"
    )
    return ApiError(
        409,
        STALE_TIMESTAMP,
        message,
        details={"clock_offset_seconds": offset},
        params={"behind" if offset < 0 else "ahead": _clock(abs(offset))},
    )


def require_fresh(timestamp: datetime, max_skew_seconds: int, *, what: str = "envelope") -> None:
    """Refuse a `timestamp` further than `max_skew_seconds` from the server's clock."""
    if abs(timestamp - datetime.now(UTC)) > timedelta(seconds=max_skew_seconds):
        raise stale_timestamp(timestamp, what=what)
