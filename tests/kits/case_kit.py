"""A renovation case over HTTP: its claim, filing it signed, and one already accepted by the council."""

from dataclasses import asdict

from client.case_session import CaseSession
from client.party import Party
from tests.kits.flow import EscrowFlow


def claim(escrow_id: str | None = None, dispute: int | None = None, **changes) -> dict:
    payload = {
        "domain": "renovation",
        "main_specialty": "waterproofing",
        "items": [{"item_id": "leak", "description": "the shower tray leaks into the flat below"}],
        "disputed_fen": 600_000,
        "remedy_sought": "refund the stage",
        **changes,
    }
    if escrow_id:
        payload |= {"escrow_id": escrow_id, "escrow_dispute": dispute}
    return payload


async def file(stack, claimant: Party, respondent_id: str, payload: dict):
    signed = claimant.sign("claim.file", respondent_id, payload)
    return await stack.http.post("/cases", json=asdict(signed), headers=claimant.auth)


async def accepted_case(stack) -> tuple[EscrowFlow, CaseSession, str]:
    """The owner's case over stage 1 (inspected, passed, then disputed), accepted by the council;
    with the stage's report hash."""
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    filed = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1))
    assert filed.status_code == 201, filed.json()
    case = CaseSession(stack.http, claimant=flow.owner, respondent=flow.contractor, council=flow.council)
    case.case_id = filed.json()["case_id"]
    await case.accept()
    return flow, case, report_hash
