"""A party acting over HTTP: registers its public key, then signs and posts steps."""

import hashlib
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from client.keys import PartyKey
from client.server_clock import ServerClock, server_clock
from domain.escrow.snapshot import EscrowSnapshot, read_summary
from domain.keys import key_id
from domain.steps.signing import SignedStep

# A file to attach to a step: its bytes, or the path to read them from (whose name is kept).
Upload = bytes | Path


class StepRefused(Exception):
    """`message` is what the API said for a program: its `reason` when it gave one (the refusing
    code's own sentence, which names the stage or the amount), else its `message`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def checked(response: httpx.Response) -> httpx.Response:
    """The response when it succeeded; otherwise the API's refusal raised as `StepRefused`."""
    if response.is_success:
        return response
    try:
        detail = response.json()["detail"]
        code, message = detail["code"], detail.get("reason") or detail["message"]
    except (ValueError, KeyError, TypeError):
        code, message = "http_error", response.text
    raise StepRefused(response.status_code, code, message)


def raise_for_error(response: httpx.Response) -> dict[str, Any]:
    """A successful answer's JSON object; otherwise the API's refusal raised as `StepRefused`."""
    body: dict[str, Any] = checked(response).json()
    return body


class Party:
    """Signs with the server's time as learned from `http`'s answers (`clock`, by default the one
    every party on `http` shares), so a machine with a wrong clock still signs in time."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        role: str,
        name: str,
        key: PartyKey | None = None,
        *,
        clock: ServerClock | None = None,
        credit_code: str | None = None,
        legal_name: str | None = None,
    ) -> None:
        self.http = http
        self.role = role
        self.name = name
        self.key = key or PartyKey.generate()
        self.clock = clock or server_clock(http)
        # A business's licence (contractor, dealer, inspector): client/businesses.py gives demos one.
        self.credit_code = credit_code
        self.legal_name = legal_name
        self.id = ""
        self.token = ""

    async def register(self, *, enrolment_secret: str | None = None) -> "Party":
        headers = {"X-Enrolment-Secret": enrolment_secret} if enrolment_secret else {}
        body: dict[str, str | None] = {
            "role": self.role,
            "display_name": self.name,
            "public_key": self.key.public_key_b64,
        }
        if self.credit_code is not None:
            body |= {"credit_code": self.credit_code, "legal_name": self.legal_name}
        registered = raise_for_error(await self.http.post("/parties", json=body, headers=headers))
        self.id = registered["party"]["id"]
        self.token = registered["token"]
        return self

    def _own(self, action: str) -> dict[str, Any]:
        """A `session.open` or `token.issue` envelope: the party asks for itself, with its key."""
        return asdict(self.sign(action, self.id, {}))

    async def open_session(self) -> str:
        """Sign in as a browser does; the session token, which pages read from the cookie.

        Asked on a client of its own, so the cookie does not ride along with every later
        request of `http` (httpx keeps the cookies its responses set). Sign-in sets exactly one
        cookie, so a client needs no server module to know its name."""
        async with httpx.AsyncClient(base_url=self.http.base_url, timeout=self.http.timeout) as own:
            response = await own.post("/session", json=self._own("session.open"))
            raise_for_error(response)
            (session_token,) = response.cookies.values()
            return session_token

    async def renew_token(self) -> "Party":
        """Replace `token` with a new API token, asked for by signature (an old token may have expired)."""
        self.token = raise_for_error(
            await self.http.post("/parties/me/tokens", json=self._own("token.issue"))
        )["token"]
        return self

    # -- devices (api/routes/keys.py): each Party object is one device, holding one key
    async def pair_device(self, label: str, key: PartyKey | None = None) -> "Party":
        """Add a device as a person does with two browsers: open a pairing here, answer its code
        with the new key's own signed `key.pair`, confirm with this key. The `Party` acting with
        the new key (same id; an API token asked for by the new key's signature)."""
        opened = raise_for_error(await self.http.post("/parties/me/pairings", headers=self.auth))
        new = Party(self.http, self.role, self.name, key)
        new.id = self.id
        code = {"code": opened["code"]}
        invite = raise_for_error(await self.http.post("/pairings/lookup", json=code))
        pairing = new.key.sign_pairing(invite["party_id"], label)
        answer = code | {"possession": asdict(pairing)}
        raise_for_error(await self.http.post(f"/pairings/{invite['pairing_id']}/key", json=answer))
        confirmation = asdict(self.key.sign_key_add(self.id, pairing))
        path = f"/parties/me/pairings/{opened['id']}/confirmation"
        raise_for_error(await self.http.post(path, json=confirmation, headers=self.auth))
        return await new.renew_token()

    async def revoke_key(self, public_key: str) -> dict[str, Any]:
        """Revoke one of the party's keys (another device's, or this one's), signed with this key."""
        signed = asdict(self.key.sign_key_revoke(self.id, public_key))
        path = f"/parties/me/keys/{key_id(public_key)}/revocation"
        return raise_for_error(await self.http.post(path, json=signed, headers=self.auth))

    async def devices(self) -> list[dict[str, Any]]:
        """The party's keys, this one marked `this_device`."""
        params = {"this_device": key_id(self.key.public_key_b64)}
        response = checked(await self.http.get("/parties/me/keys", params=params, headers=self.auth))
        devices: list[dict[str, Any]] = response.json()
        return devices

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def upload_evidence(self, data: bytes, *, name: str | None = None) -> str:
        """Upload a file to the evidence store before signing a step that names it; its digest.

        The digest is computed here, from the bytes, and the store's answer must name the same
        one: a step is then signed over a file the store is known to hold."""
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        params = {"name": name} if name else {}
        response = await self.http.put(
            f"/evidence/{digest}",
            content=data,
            params=params,
            headers=self.auth | {"Content-Type": "application/octet-stream"},
        )
        stored = raise_for_error(response)
        if stored.get("digest") != digest:
            raise StepRefused(
                response.status_code, "digest_differs", f"the store answered {stored.get('digest')}"
            )
        return digest

    async def upload_files(self, files: Iterable[Upload]) -> list[str]:
        """Upload each file in turn; their digests, in order, for the payload about to be signed."""
        digests = []
        for file in files:
            if isinstance(file, Path):
                digests.append(await self.upload_evidence(file.read_bytes(), name=file.name))
            else:
                digests.append(await self.upload_evidence(file))
        return digests

    async def create_contract(
        self, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        headers = self.auth | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})
        return raise_for_error(await self.http.post("/escrows", json=body, headers=headers))

    async def escrow(self, escrow_id: str) -> EscrowSnapshot:
        """`GET /escrows/{id}` read back into the snapshot the API answered with."""
        return read_summary(checked(await self.http.get(f"/escrows/{escrow_id}", headers=self.auth)).content)

    async def deposit_instructions(self, escrow_id: str) -> dict[str, Any]:
        path = f"/escrows/{escrow_id}/deposit-instructions"
        return raise_for_error(await self.http.get(path, headers=self.auth))

    async def audit_trail(self, escrow_id: str) -> dict[str, Any]:
        return raise_for_error(await self.http.get(f"/escrows/{escrow_id}/audit", headers=self.auth))

    def sign(
        self, action: str, subject: str, payload: dict[str, Any], now: datetime | None = None
    ) -> SignedStep:
        return self.key.sign_step(
            action=action, subject=subject, signer=self.id, payload=payload, now=now or self.clock.now()
        )

    async def step(
        self, path: str, action: str, escrow_id: str, payload: dict[str, Any], *, now: datetime | None = None
    ) -> dict[str, Any]:
        """Sign `payload` as `action` and post it to `/escrows/{escrow_id}{path}`."""
        signed = self.sign(action, escrow_id, payload, now)
        response = await self.http.post(f"/escrows/{escrow_id}{path}", json=asdict(signed))
        return raise_for_error(response)
