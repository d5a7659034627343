"""Reading the expert registry for a draw: the draw itself is pure and happens in the workflow."""

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.types import CandidatesInput, PanelCandidates, PanelSeatsInput
from db.experts import expert_party_keys, load_candidates, set_case_seats
from expert_panels.registry import expert_document


class RegistryActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def load_panel_candidates(self, input: CandidatesInput) -> PanelCandidates:
        with Session(self._engine) as session:
            experts = load_candidates(session=session, domain=input.domain)
            keys = expert_party_keys(session=session, expert_ids=[e.expert_id for e in experts])
        return PanelCandidates(
            experts=[expert_document(e) for e in experts],
            keys={i: {"party_id": party, "public_key": key} for i, (party, key) in keys.items()},
        )

    @activity.defn
    def record_panel_seats(self, input: PanelSeatsInput) -> None:
        """Keep each expert's open-case count true, so the draw's workload cap means something."""
        with Session(self._engine) as session:
            set_case_seats(session=session, case_id=input.case_id, seated=input.seated)
