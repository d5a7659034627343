"""One escrow in a party's list, read from the read model's stored snapshot: its title, the other
side by name, the money held, and who it waits for now.

Who must act is the machine's word (`EscrowSnapshot.awaited()`, its open actions): the list only
names it. An action meant for the reader is marked "waiting for you"; one meant for someone else
says whom it waits for ("waiting for the owner to deposit"), so a contractor is never told that a
deposit, which is the owner's, waits for them.
"""

from dataclasses import dataclass
from datetime import datetime

from db.models import EscrowProjection
from domain.escrow.snapshot import EscrowSnapshot, read_summary

# Whom each reader deals with: the owner and the contractor each other, the inspector both.
OTHER_SIDES: dict[str, tuple[str, ...]] = {
    "owner": ("contractor",),
    "contractor": ("owner",),
    "inspector": ("owner", "contractor"),
}


@dataclass(frozen=True)
class Awaited:
    """An action the escrow waits for: whose (`role`), which (`action`), and whether it is the reader's."""

    role: str
    action: str
    yours: bool


@dataclass(frozen=True)
class EscrowListRow:
    escrow_id: str
    title: str
    phase: str
    others: list[tuple[str, str]]  # (role, party id) of the escrow's other parties the reader deals with
    total_fen: int
    held_fen: int
    released_fen: int
    updated_at: datetime
    awaited: list[Awaited]

    @property
    def yours(self) -> bool:
        """The list's "waiting for you" marker."""
        return any(a.yours for a in self.awaited)


def reader_role(snapshot: EscrowSnapshot, party_id: str) -> str | None:
    for role in ("owner", "contractor", "inspector"):
        if getattr(snapshot, f"{role}_id") == party_id:
            return role
    return None


def awaited_by(snapshot: EscrowSnapshot, party_id: str) -> list[Awaited]:
    """What the escrow waits for, once per role and action, the reader's own first."""
    seen: dict[tuple[str, str], Awaited] = {}
    for action in snapshot.awaited():
        shown = Awaited(str(action.role), action.action, action.party_id == party_id)
        seen.setdefault((shown.role, shown.action), shown)
    return sorted(seen.values(), key=lambda a: not a.yours)


def escrow_list_row(row: EscrowProjection, party_id: str) -> EscrowListRow:
    snapshot = read_summary(row.summary_json)
    role = reader_role(snapshot, party_id)
    others = [(other, getattr(snapshot, f"{other}_id")) for other in OTHER_SIDES.get(role or "", ())]
    return EscrowListRow(
        escrow_id=row.escrow_id,
        title=snapshot.title,
        phase=row.status,
        others=others,
        total_fen=row.total_fen,
        held_fen=row.held_fen,
        released_fen=row.released_fen,
        updated_at=row.updated_at,
        awaited=awaited_by(snapshot, party_id),
    )
