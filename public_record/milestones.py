"""Which moments a projection marks, so the record can date what no signed step dates.

A release is instructed by the acceptance step but happens when the bank answers; a
dispute closes by a decision or a cancellation; a case concludes by settlement, decision
or rejection. The projection activities store the first moment they see each of these.
"""

from domain.case.snapshot import CaseSnapshot
from domain.case.state import CasePhase
from domain.escrow.snapshot import EscrowSnapshot
from domain.escrow.state import MovementStatus


def escrow_milestones(snapshot: EscrowSnapshot) -> list[str]:
    keys = [
        m.key.removeprefix(f"{snapshot.escrow_id}:")
        for m in snapshot.movements
        if m.status is MovementStatus.DONE and m.key.endswith(":release")
    ]
    keys += [f"dispute-{d.number}:closed" for d in snapshot.disputes if d.status != "open"]
    return keys


def case_milestones(snapshot: CaseSnapshot) -> list[str]:
    return ["concluded"] if snapshot.outcome is not None or snapshot.phase == CasePhase.REJECTED else []


def stage_of_release(key: str) -> int | None:
    """`stage-3:release` -> 3; None for any other milestone."""
    head, _, tail = key.partition(":")
    if tail != "release" or not head.startswith("stage-"):
        return None
    return int(head.removeprefix("stage-"))
