"""Every panel draw of a case as `GET /cases/{id}/draws` and `escrow verify-draw` read them.

Each entry is a round's draw record and the candidates it drew from, as the documents a draw is
re-run from (the machine keeps them typed and writes them as the snapshot does). A draw given up
because a seat found no alternate says so (`abandoned`); a round's latest attempt that could seat
nobody says how often it was tried (`failed`). Field order is the JSON's key order, as when the
entries were dictionaries.
"""

from dataclasses import dataclass
from typing import Any

from domain.open_actions import Stamp


@dataclass
class PanelDraw:
    """A draw that seated the round's panel, as it stands."""

    round: int
    draw: dict[str, Any]  # draw_record_document, or failed_draw_document for a failed attempt
    candidates: list[dict[str, Any]]  # expert_document of each candidate


@dataclass
class Abandonment:
    vacated: str  # the expert whose seat no alternate could take
    reason: str  # why they left
    problem: str  # why no alternate could take the seat


@dataclass
class AbandonedPanelDraw(PanelDraw):
    abandoned: Abandonment


@dataclass
class Attempts:
    attempts: int
    attempted_at: Stamp


@dataclass
class FailedPanelDraw(PanelDraw):
    failed: Attempts


# Subtypes first: a reader of JSON takes the entry whose extra key is there.
DrawEntry = AbandonedPanelDraw | FailedPanelDraw | PanelDraw
