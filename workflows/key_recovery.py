"""One recovery's waiting period (`key-recovery-{request id}`): started when the second council
member signs, it tells the party's verified channels at once that a recovery was signed and how
to cancel it, waits the period on a durable timer, and then applies it (the old keys revoked, the
new one bound), pushes the party's keys to its open escrows and cases, and tells their other
parties. A surviving key cancels it meanwhile through the `cancel` update (its signature checked
by the API); the validator refuses a cancellation once the period is over, so a recovery is
either cancelled or applied, never both.

Messages go through the notifier's `notify` activity on the notify queue (inbox first, then each
channel, once per party, event and channel) and are sent in tasks of their own: a provider that
keeps failing delays neither the timer nor the recovery.
"""

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.key_recovery import KeyRecoveryActivities
    from activities.key_recovery_types import (
        RecoveryApply,
        RecoveryCancel,
        RecoveryClose,
        RecoveryInput,
        RecoveryStatus,
    )
    from activities.notify import NotifyActivities
    from activities.types import NotifyInput
    from notify.kinds import MessageKind
    from workflows.notifier import ATTEMPT, SENDING, notify_task_queue

WAITING, APPLYING, CANCELLED, DONE, FAILED = "waiting", "applying", "cancelled", "done", "failed"
# Recording the recovery is retried until it is done: giving up would leave a signed recovery
# neither applied nor refused.
RECORDING = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5)
)
RECORD_ATTEMPT = timedelta(seconds=30)


def key_recovery_workflow_id(request_id: str) -> str:
    return f"key-recovery-{request_id}"


# Upgrading: a run lasts its waiting period (two days by default), and everything it decides is
# a timer and one update; a new build takes it over at its next task.
@workflow.defn(versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class KeyRecoveryWorkflow:
    @workflow.init
    def __init__(self, input: RecoveryInput) -> None:
        self._status = RecoveryStatus(WAITING, input.effective_at)
        self._cancel: RecoveryCancel | None = None
        self._sending: list[asyncio.Task[None]] = []

    @workflow.query
    def status(self) -> RecoveryStatus:
        return self._status

    @workflow.update
    def cancel(self, cancel: RecoveryCancel) -> RecoveryStatus:
        self._cancel = cancel
        self._status = RecoveryStatus(CANCELLED, self._status.effective_at, cancel.key_id)
        return self._status

    @cancel.validator
    def _cancellable(self, cancel: RecoveryCancel) -> None:
        """Only while waiting: once the period is over the recovery is being applied (or was)."""
        if self._status.state != WAITING:
            raise ApplicationError(
                f"the recovery is {self._status.state}, no longer waiting", type="RecoveryNotWaiting"
            )

    @workflow.run
    async def run(self, input: RecoveryInput) -> RecoveryStatus:
        effective_at = datetime.fromisoformat(input.effective_at)
        self._tell(
            NotifyInput(
                party_id=input.party_id,
                kind=MessageKind.KEY_RECOVERY_SIGNED.value,
                event_key=f"{input.request_id}/signed",
                subject_id=None,
                params={"request": input.request_id, "due": input.effective_at},
                link=f"/recover/{input.request_id}",
            )
        )
        wait = max(effective_at - workflow.now(), timedelta(0))
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._cancel is not None, timeout=wait)
        if self._cancel is None:
            await self._apply(input)
        else:
            await workflow.execute_activity_method(
                KeyRecoveryActivities.close_recovery,
                RecoveryClose(input.request_id, CANCELLED, workflow.now().isoformat(), self._cancel.key_id),
                start_to_close_timeout=RECORD_ATTEMPT,
                retry_policy=RECORDING,
            )
        await asyncio.gather(*self._sending)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    async def _apply(self, input: RecoveryInput) -> None:
        self._status = RecoveryStatus(APPLYING, input.effective_at)
        applied = await workflow.execute_activity_method(
            KeyRecoveryActivities.apply_recovery,
            RecoveryApply(input.request_id, workflow.now().isoformat()),
            start_to_close_timeout=RECORD_ATTEMPT,
            retry_policy=RECORDING,
        )
        if not applied.applied:
            self._status = RecoveryStatus(FAILED, input.effective_at, failure=applied.failure)
            return
        self._status = RecoveryStatus(DONE, input.effective_at)
        await workflow.execute_activity_method(
            KeyRecoveryActivities.push_recovered_keys,
            input.party_id,
            start_to_close_timeout=RECORD_ATTEMPT,
            retry_policy=RECORDING,
        )
        for notice in applied.notices:
            self._tell(notice)

    def _tell(self, notice: NotifyInput) -> None:
        """Send one message in a task of its own, retried with the notifier's backoff."""
        self._sending.append(
            asyncio.ensure_future(
                workflow.execute_activity_method(
                    NotifyActivities.notify,
                    notice,
                    task_queue=notify_task_queue(workflow.info().task_queue),
                    start_to_close_timeout=ATTEMPT,
                    retry_policy=SENDING,
                )
            )
        )
