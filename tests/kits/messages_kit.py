"""A stack whose messages land in a real aiosmtpd server and the sandbox SMS gateway, and the
parties' contact channels verified over them, as a person verifies them: the notifier tests
and bench/notify_latency.py read what arrived as /dev/messages does (sandbox_messages/store.py).
"""

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from cli.dev import free_port
from client.escrow_session import eventually
from client.party import Party
from notify.plan import NotifierState
from sandbox_messages import sms
from sandbox_messages.smtp import mail_server
from sandbox_messages.store import Received, received
from tests.conftest import Stack, running_stack, stack_settings
from tests.kits.servers import serve
from workflows.notifier import NotifierWorkflow, notifier_workflow_id

WAIT_SECONDS = 30.0


@dataclass
class Messages:
    stack: Stack
    data_dir: Path  # where the dev servers keep what they received

    def arrived(self, channel: str, to: str) -> list[Received]:
        """What reached `to` over `channel` (email | sms), oldest first."""
        found = [m for m in received(self.data_dir, limit=100_000) if m.channel == channel and m.to == to]
        return found[::-1]

    async def wait(self, channel: str, to: str, what: str, match: Callable[[Received], bool]) -> Received:
        async def read() -> list[Received]:
            return [m for m in self.arrived(channel, to) if match(m)]

        return (await eventually(read, bool, what, WAIT_SECONDS))[0]

    def notifier(self, subject_id: str) -> WorkflowHandle[NotifierWorkflow, None]:
        return self.stack.temporal.get_workflow_handle_for(
            NotifierWorkflow.run, notifier_workflow_id(subject_id)
        )

    async def state(self, subject_id: str) -> NotifierState:
        return await self.notifier(subject_id).query(NotifierWorkflow.state)

    async def caught_up(self, subject_id: str, version: int) -> NotifierState:
        """The notifier's state once it has taken the news of snapshot `version`."""

        async def read() -> NotifierState | None:
            try:
                return await self.state(subject_id)
            except RPCError:  # not started yet
                return None

        found = await eventually(
            read, lambda s: s is not None and s.version >= version, "the news", WAIT_SECONDS
        )
        assert found is not None
        return found

    async def verify(self, party: Party, kind: str, address: str, language: str = "en") -> None:
        """Add a channel, enter the code it received, and set the party's language."""
        http = self.stack.http
        preferences = {"language": language, "muted": [], "quiet_hours": True}
        assert (await http.put("/parties/me/preferences", json=preferences, headers=party.auth)).is_success
        added = await http.post(
            "/parties/me/channels", json={"kind": kind, "address": address}, headers=party.auth
        )
        assert added.status_code == 201, added.json()
        stored = added.json()["address"]
        code = await self.wait(
            kind, stored, f"the code for {stored}", lambda m: bool(re.search(r"\d{6}", m.title))
        )
        digits = re.search(r"\d{6}", code.title)
        assert digits is not None
        done = await http.post(
            f"/parties/me/channels/{added.json()['id']}/verify",
            json={"code": digits.group(0)},
            headers=party.auth,
        )
        assert done.status_code == 200, done.json()


@contextlib.asynccontextmanager
async def messages_stack(
    client: Client, temporal_env: Any, data_dir: Path, executor: ThreadPoolExecutor
) -> AsyncIterator[Messages]:
    """A stack of its own (own ids, own task queue) sending mail to aiosmtpd and texts to the
    sandbox gateway, both keeping what they receive under `data_dir`/dev."""
    kept = data_dir / "dev"
    port = free_port()
    smtp = mail_server(kept, port)
    smtp.start()
    try:
        async with serve(sms.create_app(kept)) as sms_url:
            settings = stack_settings(
                temporal_env,
                data_dir,
                dev_smtp_port=port,
                sms_url_template=f"json://{sms_url.removeprefix('http://')}/sms?:to={{address}}",
                public_url="https://escrow.example.cn",
            )
            async with running_stack(client, settings, executor, own_ids=True) as stack:
                yield Messages(stack, kept)
    finally:
        smtp.stop()
