"""Every run of a workflow, first to last: an escrow continues as new into its warranty, so its
life is two histories, linked by the second run's `continued_execution_run_id`."""

from temporalio.client import Client, WorkflowHistory


async def run_histories(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    runs = [await client.get_workflow_handle(workflow_id).fetch_history()]
    while (
        previous := runs[0].events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    ):
        runs.insert(0, await client.get_workflow_handle(workflow_id, run_id=previous).fetch_history())
    return runs
