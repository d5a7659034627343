"""Rule changes made to the case machine after cases were already running.

A workflow replaying its history must make the decisions it made when it ran, so each
change is a flag the workflow sets from `workflow.patched(...)` once, when the case
starts: a case keeps the rules it was filed under. The defaults are today's rules.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Revisions:
    # a window that follows another starts when that one ended, not when the timer was handled
    windows_from_due: bool = True
    # a draw abandoned because a seat could not be refilled keeps its record, to be re-run
    abandoned_draws_kept: bool = True
    # time while the clock is paused does not count against the decision target
    target_skips_pauses: bool = True
    # an attempt to draw that could seat nobody keeps its record (the round's latest), to be shown and re-run
    failed_draws_kept: bool = True


BEFORE_REVISIONS = Revisions(
    windows_from_due=False, abandoned_draws_kept=False, target_skips_pauses=False, failed_draws_kept=False
)
