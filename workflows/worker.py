"""The worker process: the escrow worker (escrow and case workflows and the activities they call,
the bank's money movements among them, and the key recoveries' waiting periods) and, on a task
queue of its own, the notify worker (the notifiers and the activities that send messages)."""

import asyncio
import logging
from collections.abc import Sequence
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
from activities.key_events import KeyEventActivities
from activities.key_recovery import KeyRecoveryActivities
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
from workflows.fund import FundWorkflow
from workflows.key_recovery import KeyRecoveryWorkflow
from workflows.notifier import NotifierWorkflow, notify_task_queue
from workflows.webhook_delivery import WebhookDeliveryWorkflow

# The notify worker's slots: a burst of messages takes at most these, the rest wait on its queue,
# and the escrow worker's slots and threads stay the money's.
NOTIFY_ACTIVITY_SLOTS = 4
NOTIFY_WORKFLOW_TASK_SLOTS = 8


def build_worker(
    client: Client,
    *,
    task_queue: str,
    deployment: WorkerDeploymentVersion,
    bank: BankClient,
    engine: Engine,
    executor: ThreadPoolExecutor,
    workflows: Sequence[type] = (
        EscrowWorkflow,
        CaseWorkflow,
        FundWorkflow,
        WebhookDeliveryWorkflow,
        KeyRecoveryWorkflow,
    ),
    evidence_store: EvidenceStore | None = None,
    tell_notifiers: bool = False,
    **options: Any,
) -> Worker:
    """The escrow worker, polling `task_queue` as the `deployment` version (every worker is
    versioned: a workflow type that declares itself pinned or upgrading cannot run on an
    unversioned one).

    `workflows` lets a versioning test run an earlier definition under the same names. Given
    the `evidence_store`, the worker also runs the evidence sweep (`run_worker` gives it and
    creates the sweep's schedule; a test's worker runs no schedule and sweeps only when a test
    calls the activity itself). With `tell_notifiers` the projections tell each snapshot to the
    subject's notifier, on the queue of `build_notify_worker`'s worker; it is left off only by
    tests whose workflows tell nobody anything."""
    bank_activities = BankActivities(bank)
    link = NotifierLink(client, notify_task_queue(task_queue)) if tell_notifiers else None
    projections = ProjectionActivities(engine, link)
    registry = RegistryActivities(engine)
    escrow_link = EscrowLinkActivities(client, engine)
    key_events = KeyEventActivities(client, engine)
    alerts = AlertActivities(engine)
    sweep = [] if evidence_store is None else [EvidenceActivities(engine, evidence_store).sweep_evidence]
    webhooks = WebhookActivities(engine)
    recovery = KeyRecoveryActivities(engine, client)
    return Worker(
        client,
        task_queue=task_queue,
        deployment_config=deployment_config(deployment),
        workflows=[*workflows, *([EvidenceSweepWorkflow] if sweep else [])],
        activities=[
            *sweep,
            bank_activities.open_account,
            bank_activities.execute_movement,
            projections.project_escrow,
            projections.project_case,
            projections.project_fund,
            registry.load_panel_candidates,
            registry.record_panel_seats,
            escrow_link.apply_escrow_decision,
            key_events.push_key_events,
            alerts.raise_council_alert,
            webhooks.deliver_webhook,
            webhooks.give_up_webhook,
            recovery.apply_recovery,
            recovery.close_recovery,
            recovery.push_recovered_keys,
        ],
        activity_executor=executor,
        **options,
    )


def build_notify_worker(
    client: Client,
    *,
    task_queue: str,
    deployment: WorkerDeploymentVersion,
    engine: Engine,
    executor: ThreadPoolExecutor,
    notify: NotifyActivities,
    settings: Settings,
    **options: Any,
) -> Worker:
    """The notifiers' worker (workflows/notifier.py, and `notify`, `council_members`,
    `send_webhook`), polling the notify queue beside the escrow worker's `task_queue` as the same
    `deployment` version: one build, one version, two queues, and the notifier upgrades with it.

    Its own queue, slots and `executor` (threads for the blocking `notify`), so messages never
    take a slot, a thread or a place in the queue from the escrows, cases and money movements.
    `options` may raise the slot limits."""
    notifier = NotifierActivities(engine, client, settings)
    limits = {
        "max_concurrent_activities": NOTIFY_ACTIVITY_SLOTS,
        "max_concurrent_workflow_tasks": NOTIFY_WORKFLOW_TASK_SLOTS,
    }
    return Worker(
        client,
        task_queue=notify_task_queue(task_queue),
        deployment_config=deployment_config(deployment),
        workflows=[NotifierWorkflow],
        activities=[notify.notify, notifier.council_members, notifier.send_webhook],
        activity_executor=executor,
        **(limits | options),
    )


def build_process_workers(
    client: Client,
    *,
    settings: Settings,
    deployment: WorkerDeploymentVersion,
    bank: BankClient,
    engine: Engine,
    executor: ThreadPoolExecutor,
    notify_executor: ThreadPoolExecutor,
    **options: Any,
) -> tuple[Worker, Worker]:
    """What one worker process runs (`run_worker`, and the tests' stack with its `options`): the
    escrow worker, with the evidence sweep and the projections telling the notifiers, and the
    notify worker beside it on its own queue."""
    worker = build_worker(
        client,
        task_queue=settings.temporal_task_queue,
        deployment=deployment,
        bank=bank,
        engine=engine,
        executor=executor,
        evidence_store=make_store(settings),
        tell_notifiers=True,
        **options,
    )
    notify_worker = build_notify_worker(
        client,
        task_queue=settings.temporal_task_queue,
        deployment=deployment,
        engine=engine,
        executor=notify_executor,
        notify=NotifyActivities(engine, providers(settings)),
        settings=settings,
        **options,
    )
    return worker, notify_worker


async def run_worker(settings: Settings) -> None:
    """The escrow worker and the notify worker, in one process, until either stops."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    version = deployment_version(settings)
    client = await connect_temporal(settings, runtime=metrics_runtime(settings, settings.worker_metrics_port))
    engine = make_engine(settings.app_database_url())
    queue = settings.temporal_task_queue
    async with BankClient(settings.bank_url, settings.bank_timeout_seconds) as bank:
        with (
            ThreadPoolExecutor(max_workers=8) as executor,
            ThreadPoolExecutor(
                max_workers=NOTIFY_ACTIVITY_SLOTS, thread_name_prefix="notify"
            ) as notify_executor,
        ):
            worker, notify_worker = build_process_workers(
                client,
                settings=settings,
                deployment=version,
                bank=bank,
                engine=engine,
                executor=executor,
                notify_executor=notify_executor,
            )
            await ensure_sweep_schedule(
                client,
                task_queue=queue,
                every=timedelta(minutes=settings.evidence_sweep_minutes),
                grace_hours=settings.evidence_grace_hours,
            )
            logging.getLogger("worker").info(
                "worker polling task queues %s and %s as %s build %s (metrics port %s)",
                queue,
                notify_task_queue(queue),
                version.deployment_name,
                version.build_id,
                settings.worker_metrics_port or "off",
            )
            async with asyncio.TaskGroup() as running:  # one failing stops the other, and the process
                running.create_task(worker.run())
                running.create_task(notify_worker.run())


def main(settings: Settings) -> None:
    asyncio.run(run_worker(settings))
