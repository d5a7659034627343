"""One delivery of one event to one endpoint: a workflow per run, so the retries are durable.

Its id is `webhook-<delivery id>-<run>`: run 1 when the event is enqueued, one more per replay
by the endpoint's owner. The retries are Temporal's (the activity's RetryPolicy, for three
days): no timer or loop here. When the activity gives up, for a permanent refusal or after
three days, the delivery is marked failed so its owner can see it and replay it.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import VersioningBehavior
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.webhook_types import WebhookDeliveryInput, WebhookGiveUpInput
    from activities.webhooks import WebhookActivities
    from outbound_webhooks.retries import ATTEMPT_TIMEOUT, KEEP_TRYING, retry_policy
    from workflows.activity_policies import BOUNDED
    from workflows.catch_up import failure_text


def webhook_workflow_id(delivery_id: str, run: int) -> str:
    return f"webhook-{delivery_id}-{run}"


# Upgrading: a run lasts up to three days, and pinning it would keep the old build's workers
# up that long after a rollout; it has one activity call, so any build replays it.
@workflow.defn(versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class WebhookDeliveryWorkflow:
    @workflow.run
    async def run(self, input: WebhookDeliveryInput) -> bool:
        """True when the endpoint accepted the event, False when the delivery failed."""
        try:
            await workflow.execute_activity_method(
                WebhookActivities.deliver_webhook,
                input,
                start_to_close_timeout=ATTEMPT_TIMEOUT * 3,
                schedule_to_close_timeout=KEEP_TRYING,
                retry_policy=retry_policy(timedelta(seconds=input.first_retry_seconds)),
            )
        except ActivityError as exc:
            await workflow.execute_activity_method(
                WebhookActivities.give_up_webhook,
                WebhookGiveUpInput(delivery_id=input.delivery_id, reason=failure_text(exc)),
                **BOUNDED,
            )
            return False
        return True
