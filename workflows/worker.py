"""The escrow worker: runs escrow and case workflows and the activities they call."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import WorkerDeploymentVersion
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.bank import BankActivities
from activities.escrow_link import EscrowLinkActivities
from activities.evidence import EvidenceActivities
from activities.notifier import NotifierActivities, NotifierLink
from activities.notify import NotifyActivities
from activities.projections import ProjectionActivities
from activities.registry import RegistryActivities
from activities.webhooks import WebhookActivities
from config.settings import Settings
from db.engine import make_engine
from evidence.store import EvidenceStore, make_store
from notify.providers import providers
from sandbox_bank.client import BankClient
from workflows.case import CaseWorkflow
from workflows.connection import connect_temporal, metrics_runtime
from workflows.deployment import deployment_config, deployment_version
from workflows.escrow import EscrowWorkflow
from workflows.evidence_sweep import EvidenceSweepWorkflow, ensure_sweep_schedule
from workflows.notifier import NotifierWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow


def build_worker(
    client: Client,
    *,
    task_queue: str,
    deployment: WorkerDeploymentVersion,
    bank: BankClient,
    engine: Engine,
    executor: ThreadPoolExecutor,
    workflows: Sequence[type] = (EscrowWorkflow, CaseWorkflow, WebhookDeliveryWorkflow),
    evidence_store: EvidenceStore | None = None,
    notify: NotifyActivities | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> Worker:
    """A worker polling as the `deployment` version (every worker is versioned: a workflow type
    that declares itself pinned or upgrading cannot run on an unversioned one).

    `workflows` lets a versioning test run an earlier definition under the same names. Given
    the `evidence_store`, the worker also runs the evidence sweep (`run_worker` gives it and
    creates the sweep's schedule; a test's worker runs no schedule and sweeps only when a test
    calls the activity itself). Given `notify` (activities/notify.py) and the `settings`, the
    worker runs the notifiers (workflows/notifier.py) and the projections tell them each snapshot;
    they are left out only by tests whose workflows tell nobody anything."""
    bank_activities = BankActivities(bank)
    notifier = None if notify is None or settings is None else NotifierActivities(engine, client, settings)
    link = NotifierLink(client, task_queue) if notifier is not None else None
    projections = ProjectionActivities(engine, link)
    registry = RegistryActivities(engine)
    escrow_link = EscrowLinkActivities(client)
    alerts = AlertActivities(engine)
    sweep = [] if evidence_store is None else [EvidenceActivities(engine, evidence_store).sweep_evidence]
    webhooks = WebhookActivities(engine)
    return Worker(
        client,
        task_queue=task_queue,
        deployment_config=deployment_config(deployment),
        workflows=[
            *workflows,
            *([EvidenceSweepWorkflow] if sweep else []),
            *([NotifierWorkflow] if notifier is not None else []),
        ],
        activities=[
            *sweep,
            bank_activities.open_account,
            bank_activities.execute_movement,
            projections.project_escrow,
            projections.project_case,
            registry.load_panel_candidates,
            registry.record_panel_seats,
            escrow_link.apply_escrow_decision,
            alerts.raise_council_alert,
            webhooks.deliver_webhook,
            webhooks.give_up_webhook,
            *([notify.notify] if notify is not None else []),
            *(notifier_activities(notifier) if notifier is not None else []),
        ],
        activity_executor=executor,
        **options,
    )


def notifier_activities(notifier: NotifierActivities) -> list[Callable[..., Any]]:
    return [notifier.council_members, notifier.send_webhook]


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
                evidence_store=make_store(settings),
                notify=NotifyActivities(engine, providers(settings)),
                settings=settings,
            )
            await ensure_sweep_schedule(
                client,
                task_queue=settings.temporal_task_queue,
                every=timedelta(minutes=settings.evidence_sweep_minutes),
                grace_hours=settings.evidence_grace_hours,
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
