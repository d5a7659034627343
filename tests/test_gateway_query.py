"""A read the worker cannot answer is a 503 to try again, never a 500.

Found by the API fuzzer on a loaded machine: Temporal's deadlock detector failed an escrow's
snapshot query ("workflow didn't yield within 2 seconds") and GET /escrows/{id} answered 500.
Here a workflow whose query fails in the worker stands for it: the failure reaches the client
as the same WorkflowQueryFailedError.
"""

import uuid

import pytest
from temporalio import workflow
from temporalio.worker import Worker

from api.errors import ApiError
from api.gateway import Process, query


@workflow.defn(sandboxed=False)
class Unreadable:
    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query
    def snapshot(self) -> str:
        raise RuntimeError("the worker could not answer")


async def test_a_query_the_worker_fails_is_a_503_to_try_again(temporal_env) -> None:
    client = temporal_env.client
    queue = f"unreadable-{uuid.uuid4().hex[:8]}"
    process = Process("escrow", lambda subject: f"unreadable-{subject}", Unreadable.run, None)
    subject = uuid.uuid4().hex[:8]
    async with Worker(client, task_queue=queue, workflows=[Unreadable]):
        handle = await client.start_workflow(
            Unreadable.run, id=process.workflow_id(subject), task_queue=queue
        )
        with pytest.raises(ApiError) as refused:
            await query(client, process, subject, Unreadable.snapshot)
        await handle.terminate("the test is over")
    assert (refused.value.status, refused.value.code) == (503, "escrow_not_ready")
