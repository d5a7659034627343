"""Alerting the council from a workflow when a duty it owes keeps failing (see workflows/catch_up.py).

Its own small transaction, apart from the projection it reports on: the read-model write
that failed must not take the alert about it down too.
"""

from sqlalchemy import Engine
from temporalio import activity

from activities.types import CouncilAlertInput
from db import crud
from db.engine import single_transaction


class AlertActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def raise_council_alert(self, input: CouncilAlertInput) -> None:
        """Idempotent by business key: a retried alert is raised once."""
        with single_transaction(self._engine) as session:
            crud.raise_alert(
                session=session,
                subject_id=input.subject_id,
                kind=input.kind,
                code=input.code,
                params=input.params,
                business_key=input.business_key,
            )
