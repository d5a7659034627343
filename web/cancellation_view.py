"""What the escrow page says about cancelling the contract (DESIGN, escrow step 7).

Both sides signing `cancel.sign` cancels the escrow: accepted work stays paid, the rest is
refunded to the owner. One side signing is a request the other has 7 days to sign too; left
unanswered it becomes a dispute for the council (domain/escrow/machine.py `_plan_cancel_sign`,
`_cancellation_unanswered`). Who is awaited and until when is the machine's open action
(`cancel.sign`), and so is whether the reader may propose one (the machine's `cancel.sign` the
reader may take at will, `AtDeadline.NOT_AWAITED`); the money a form promises is decided here once
and tested without a browser.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.escrow.snapshot import EscrowSnapshot
from domain.open_actions import AtDeadline


@dataclass(frozen=True)
class Cancellation:
    """The reader's cancellation step: `propose` (nobody asked), `wait` (the reader's side
    asked) or `agree` (the other side asked), with what cancelling now would move.

    `refund_fen` is what the machine's `_cancel` refunds if the last signature lands now: every
    stage and the retention stop owing, so all money held and not already on its way
    (`held - pending`) goes back to the owner. `kept_fen` is the contractor's for accepted work:
    released, or a payout the bank is still making.
    """

    step: str
    refund_fen: int
    kept_fen: int
    asked_by: str | None = None
    reason: str = ""
    asked_at: datetime | None = None  # None for escrows from before requests were dated
    answer_due: datetime | None = None  # None until the escrow is active: the 7 days start then
    dispute: int | None = None  # the dispute it became; 0 when everything held was in dispute already


def cancellation(snapshot: EscrowSnapshot, role: str | None) -> Cancellation | None:
    """The reader's cancellation step, as the machine declares it: a side may propose one while
    nobody has asked; once one side asked, the other's answer is awaited and the asker waits."""
    ledger = snapshot.ledger
    paying = sum(m.amount_fen for m in snapshot.movements if m.kind == "payout" and m.status != "done")
    refund_fen, kept_fen = ledger.held_fen - ledger.pending_fen, ledger.released_fen + paying
    signing = [a for a in snapshot.open_actions if a.action == "cancel.sign"]
    answer = next((a for a in signing if a.at_deadline is not AtDeadline.NOT_AWAITED), None)
    if answer is None:  # nobody asked
        proposing = any(a.role == role for a in signing)
        return Cancellation("propose", refund_fen, kept_fen) if proposing else None
    asked_by = snapshot.cancel_signed_by[0]
    if role not in (answer.role, asked_by):
        return None
    step = "agree" if answer.role == role else "wait"
    asked = snapshot.cancellation
    if asked is None:  # escrows from before one-sided requests had a window
        return Cancellation(step, refund_fen, kept_fen, asked_by=asked_by)
    return Cancellation(
        step,
        refund_fen,
        kept_fen,
        asked_by=asked_by,
        reason=asked.reason,
        asked_at=asked.asked_at,
        answer_due=answer.due,  # the machine's: none before the escrow is active, none once disputed
        dispute=asked.dispute,
    )
