"""Telling a party's open escrows and cases about its key events (issue 17, the CORE part).

PLACEHOLDER in the recovery branch: CORE's module of the same name replaces this one at merge
(its `push_key_events` sends `learn_keys` with the party's events to every open escrow and case
the party is in). Until the processes take key events there is nothing to send them; every step
the party signs carries its events anyway, so a push is only ever early news.
"""

from sqlalchemy import Engine
from temporalio.client import Client


async def push_key_events(client: Client, engine: Engine, party_id: str) -> None:
    """Send `party_id`'s key events to its open processes (nothing to send them to before CORE)."""
