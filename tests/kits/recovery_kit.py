"""A key recovery as the council's desk runs it, over HTTP: the new device's request, the identity
check, the two members' signatures (tests/test_key_recovery.py, the security matrix)."""

from dataclasses import asdict, dataclass
from typing import Any

import httpx

from client.keys import PartyKey
from client.party import Party, raise_for_error
from domain.keys import KEY_RECOVER_CANCEL
from domain.steps.signing import SignedStep

ID_NUMBER = "11010519491231002X"  # a resident identity card's number, as printed
CHECKED = {
    "document_kind": "resident_identity_card",
    "document_number": ID_NUMBER,
    "photo_matched": True,
    "name_matched": True,
    "notes": "came in person with the card; answered questions about the contract",
}


@dataclass
class Recovery:
    """One request: the party it is for, the new device's key and signed pairing, its id."""

    http: httpx.AsyncClient
    party_id: str
    new_key: PartyKey
    pairing: SignedStep
    request_id: str = ""

    @classmethod
    async def requested(cls, http: httpx.AsyncClient, party_id: str, label: str = "new phone") -> "Recovery":
        new_key = PartyKey.generate()
        recovery = cls(http, party_id, new_key, new_key.sign_pairing(party_id, label))
        answer = raise_for_error(
            await http.post(
                "/key-recoveries", json={"party_id": party_id, "pairing": asdict(recovery.pairing)}
            )
        )
        recovery.request_id = answer["request_id"]
        return recovery

    @property
    def path(self) -> str:
        return f"/key-recoveries/{self.request_id}"

    async def state(self) -> dict[str, Any]:
        return raise_for_error(await self.http.get(self.path))

    async def check(self, member: Party, **changes: Any) -> httpx.Response:
        return await self.http.post(
            f"{self.path}/identity-check", json=CHECKED | changes, headers=member.auth
        )

    def approval(self, member: Party, waiting_hours: int) -> SignedStep:
        return member.key.sign_recovery_approval(
            member.id, self.party_id, self.new_key.public_key_b64, self.request_id, waiting_hours
        )

    async def approve(self, approval: SignedStep) -> httpx.Response:
        return await self.http.post(f"{self.path}/approval", json=asdict(approval))

    async def bind(self, member: Party, approval: SignedStep) -> httpx.Response:
        binding = member.key.sign_recovery(member.id, approval, self.pairing)
        return await self.http.post(f"{self.path}/binding", json=asdict(binding))

    async def cancel(self, key: PartyKey) -> httpx.Response:
        step = key.sign_step(
            action=KEY_RECOVER_CANCEL,
            subject=self.party_id,
            signer=self.party_id,
            payload={"request": self.request_id},
        )
        return await self.http.post(f"{self.path}/cancellation", json=asdict(step))

    async def signed_by_two(self, first: Party, second: Party, waiting_hours: int) -> dict[str, Any]:
        """Checked in person by `first`, approved by `first`, bound by `second`: waiting."""
        raise_for_error(await self.check(first))
        approval = self.approval(first, waiting_hours)
        raise_for_error(await self.approve(approval))
        return raise_for_error(await self.bind(second, approval))


def refusal(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"]["code"] if response.is_error else None
