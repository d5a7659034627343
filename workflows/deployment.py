"""Which Worker Deployment version a worker process is, and how a server we run ourselves learns it.

Every worker polls as one version of the deployment `ESCROW_DEPLOYMENT_NAME`. Its build id
names the code it runs: the package version and the commit, `0.1.0-93e8353a1b2c`, so two
workers share a build id exactly when they run the same code. The commit comes from git
when the worker runs from a checkout, else from `ESCROW_SOURCE_COMMIT` (the Docker image
sets it from its build argument); `ESCROW_BUILD_ID` overrides the whole id. A worker with no
way to know its commit refuses to start rather than share a build id with other code: a
case pinned to that build would then run on whichever of the two picked up its task.

Each workflow type declares what a new build means for it (docs/VERSIONING.md has the whole
argument). A case is PINNED: it lives weeks to months and every task runs on the build it was
filed under, so a change to the case workflow reaches new cases only and needs no patch; the
old build's workers stop once its cases have closed. An escrow AUTO_UPGRADEs: it lives two to
five years, and pinned it would keep every build of those years polling; it moves to the
current build at its next task instead, a change that alters what a running escrow does is
patched, and continuing as new at the warranty keeps those patches short-lived.
"""

import asyncio
import subprocess
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client
from temporalio.common import WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import WorkerDeploymentConfig

from config.settings import Settings

DISTRIBUTION = "renovate-first-escrow"
COMMIT_LENGTH = 12
SOURCE = Path(__file__).resolve().parent.parent


class UnknownBuild(RuntimeError):
    """Neither git, nor ESCROW_SOURCE_COMMIT, nor ESCROW_BUILD_ID says what code this is."""


@lru_cache
def checkout_commit() -> str:
    """The commit of the checkout this code runs from; empty outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(SOURCE), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:  # no git at all, as in the Docker image
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_id(settings: Settings) -> str:
    if settings.build_id:
        return settings.build_id
    commit = settings.source_commit or checkout_commit()
    if not commit:
        raise UnknownBuild(
            "the worker's build id needs the commit it was built from: run it from a git checkout, "
            "or set ESCROW_SOURCE_COMMIT (or the whole ESCROW_BUILD_ID)"
        )
    return f"{version(DISTRIBUTION)}-{commit[:COMMIT_LENGTH]}"


def deployment_version(settings: Settings) -> WorkerDeploymentVersion:
    return WorkerDeploymentVersion(deployment_name=settings.deployment_name, build_id=build_id(settings))


def deployment_config(version: WorkerDeploymentVersion) -> WorkerDeploymentConfig:
    """Versioned polling: every workflow type then must say whether it is pinned or upgrades
    (the SDK refuses a type that does not), and the server routes its tasks by that."""
    return WorkerDeploymentConfig(version=version, use_worker_versioning=True)


PROMOTION_ATTEMPTS = 5
PASSING_FAILURES = (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE)


async def make_current(client: Client, version: WorkerDeploymentVersion) -> None:
    """Make `version` its deployment's current version: new workflows, and those that upgrade,
    go to its workers from now on.

    For a server this project runs itself (`escrow dev`, the tests), where the version's workers
    are this process's own or start right after. So the server's two protections are waived:
    against a version no worker has polled as yet (the deployment need not even exist), and
    against one that misses task queues the current version polls. An operator promotes a
    build with the `temporal` CLI, protections on (docs/OPERATIONS.md, "Rolling out a build").
    """
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
        identity=client.identity,
        allow_no_pollers=True,
        ignore_missing_task_queues=True,
    )
    # The server changes the current version through a workflow of its own, which on a loaded
    # machine can answer "operation was canceled"; asking again is safe (the same version).
    for attempt in range(PROMOTION_ATTEMPTS):
        try:
            await client.workflow_service.set_worker_deployment_current_version(request, retry=True)
            return
        except RPCError as exc:
            if exc.status not in PASSING_FAILURES or attempt == PROMOTION_ATTEMPTS - 1:
                raise
            await asyncio.sleep(2**attempt)
