"""Committed histories replay on today's code: a workflow change that breaks them fails here.

Histories are recorded with `pytest --record-histories` from the end-to-end
tests; commit them when a workflow changes on purpose (behind workflow.patched).
"""

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.conftest import HISTORIES
from workflows.case import CaseWorkflow
from workflows.escrow import EscrowWorkflow

HISTORY_FILES = sorted(HISTORIES.rglob("*.json"))


def test_histories_are_committed():
    assert HISTORY_FILES, "no recorded histories: run pytest --record-histories and commit tests/histories"


@pytest.mark.parametrize("path", HISTORY_FILES, ids=lambda p: p.stem)
async def test_history_replays(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await Replayer(workflows=[EscrowWorkflow, CaseWorkflow]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert result.replay_failure is None, result.replay_failure
