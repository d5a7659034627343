"""Committed histories replay on today's code: a workflow change that breaks them fails here.

Histories are recorded with `pytest --record-histories` from the end-to-end tests into
tests/histories/<version>, and every release's folder is replayed (docs/VERSIONING.md says
when a change needs `workflow.patched` and when a release's folder may go).
"""

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.conftest import RELEASE_HISTORIES, recorded_histories
from workflows.case import CaseWorkflow
from workflows.escrow import EscrowWorkflow
from workflows.fund import FundWorkflow
from workflows.key_recovery import KeyRecoveryWorkflow
from workflows.notifier import NotifierWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow

HISTORY_FILES = recorded_histories()


def test_this_release_has_its_histories_committed():
    assert sorted(RELEASE_HISTORIES.glob("*.json")), (
        f"no histories for this release: run pytest --record-histories and commit {RELEASE_HISTORIES}"
    )


@pytest.mark.parametrize("path", HISTORY_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await Replayer(
        workflows=[
            EscrowWorkflow,
            CaseWorkflow,
            FundWorkflow,
            WebhookDeliveryWorkflow,
            NotifierWorkflow,
            KeyRecoveryWorkflow,
        ]
    ).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
