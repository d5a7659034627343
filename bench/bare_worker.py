"""The bare engine's worker process: started by `escrow bench` next to the escrow worker."""

import asyncio

from temporalio.worker import Worker

from bench.bare import BARE_TASK_QUEUE, BareWorkflow, bare_activity
from config.settings import get_settings
from workflows.connection import connect_temporal


async def main() -> None:
    client = await connect_temporal(get_settings())
    worker = Worker(client, task_queue=BARE_TASK_QUEUE, workflows=[BareWorkflow], activities=[bare_activity])
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
