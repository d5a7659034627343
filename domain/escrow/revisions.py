"""Rule changes made to the escrow machine after escrows were already running.

As for cases (`domain/case/revisions.py`): the workflow sets each flag once, at its
start, from `workflow.patched(...)`, so an escrow keeps the rules it was created under
and an older history replays under the rules it was recorded with.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class EscrowRevisions:
    # a cancellation one side signed and the other has not within the window becomes a dispute
    one_sided_cancellation_disputed: bool = True
    # in warranty with no retention left (none agreed, or all of it decided), the escrow closes
    # at once rather than at the end of the warranty period
    closes_with_nothing_held: bool = True


BEFORE_REVISIONS = EscrowRevisions(one_sided_cancellation_disputed=False, closes_with_nothing_held=False)
