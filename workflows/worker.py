"""The escrow worker: runs escrow and case workflows and the activities they call."""

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import WorkerDeploymentVersion
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.bank import BankActivities
from activities.escrow_link import EscrowLinkActivities
from activities.notify import NotifyActivities
from activities.projections import ProjectionActivities
from activities.registry import RegistryActivities
from config.settings import Settings
from db.engine import make_engine
from notify.providers import providers
from sandbox_bank.client import BankClient
from workflows.case import CaseWorkflow
from workflows.connection import connect_temporal, metrics_runtime
from workflows.deployment import deployment_config, deployment_version
from workflows.escrow import EscrowWorkflow


def build_worker(
    client: Client,
    *,
    task_queue: str,
    deployment: WorkerDeploymentVersion,
    bank: BankClient,
    engine: Engine,
    executor: ThreadPoolExecutor,
    workflows: Sequence[type] = (EscrowWorkflow, CaseWorkflow),
    notify: NotifyActivities | None = None,
    **options: Any,
) -> Worker:
    """A worker polling as the `deployment` version (every worker is versioned: a workflow type
    that declares itself pinned or upgrading cannot run on an unversioned one).

    `workflows` lets a versioning test run an earlier definition under the same names; `notify`
    (activities/notify.py) is left out only by tests whose workflows tell nobody anything."""
    bank_activities = BankActivities(bank)
    projections = ProjectionActivities(engine)
    registry = RegistryActivities(engine)
    escrow_link = EscrowLinkActivities(client)
    alerts = AlertActivities(engine)
    return Worker(
        client,
        task_queue=task_queue,
        deployment_config=deployment_config(deployment),
        workflows=list(workflows),
        activities=[
            bank_activities.open_account,
            bank_activities.execute_movement,
            projections.project_escrow,
            projections.project_case,
            registry.load_panel_candidates,
            registry.record_panel_seats,
            escrow_link.apply_escrow_decision,
            alerts.raise_council_alert,
            *([notify.notify] if notify is not None else []),
        ],
        activity_executor=executor,
        **options,
    )


async def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    version = deployment_version(settings)
    client = await connect_temporal(settings, runtime=metrics_runtime(settings, settings.worker_metrics_port))
    engine = make_engine(settings.app_database_url())
    async with BankClient(settings.bank_url, settings.bank_timeout_seconds) as bank:
        with ThreadPoolExecutor(max_workers=8) as executor:
            worker = build_worker(
                client,
                task_queue=settings.temporal_task_queue,
                deployment=version,
                bank=bank,
                engine=engine,
                executor=executor,
                notify=NotifyActivities(engine, providers(settings)),
            )
            logging.getLogger("worker").info(
                "worker polling task queue %s as %s build %s (metrics port %s)",
                settings.temporal_task_queue,
                version.deployment_name,
                version.build_id,
                settings.worker_metrics_port or "off",
            )
            await worker.run()


def main(settings: Settings) -> None:
    asyncio.run(run_worker(settings))
