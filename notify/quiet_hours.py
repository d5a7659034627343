"""Quiet hours: no SMS or chat message between 22:00 and 08:00 Asia/Shanghai.

Pure and deterministic (no clock, no I/O), so the notifier workflow can call it with
`workflow.now()` and sleep until the answer. Email and the inbox are read when the reader
chooses, so they are never held; the last reminder before a deadline goes out at once, since
holding it past the deadline would make it worthless. A party may turn quiet hours off
(`contact_preference.quiet_hours`): the notifier then passes `quiet=False`.
"""

from datetime import datetime, time, timedelta

from domain.calendar import SHANGHAI
from notify.channels import ChannelKind

QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(8, 0)
HELD_KINDS = frozenset({ChannelKind.SMS, ChannelKind.CHAT})


def is_quiet(at: datetime) -> bool:
    local = at.astimezone(SHANGHAI).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_send_time(
    at: datetime, channel_kind: ChannelKind, last_reminder: bool, quiet: bool = True
) -> datetime:
    """When a message due at `at` may go out on a channel of `channel_kind` (`at` itself, or the
    next 08:00 in Shanghai); `at` must be timezone-aware, and the answer is in its zone."""
    if not quiet or last_reminder or channel_kind not in HELD_KINDS or not is_quiet(at):
        return at
    local = at.astimezone(SHANGHAI)
    morning = datetime.combine(local.date(), QUIET_UNTIL, SHANGHAI)
    if local.time() >= QUIET_FROM:
        morning += timedelta(days=1)
    return morning.astimezone(at.tzinfo)
