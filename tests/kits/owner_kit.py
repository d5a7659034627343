"""An escrow whose owner acts in chromium with the key their own browser made, while the
contractor, the inspector and the council sign from Python: where the browser tests of what
an owner does with a funded escrow (dispute a stage, take it to the council) begin."""

from playwright.async_api import Page

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from tests.conftest import Stack
from tests.kits.driver import open_escrow, sign, token_of
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow


async def funded_for_browser_owner(stack: Stack, owner: Page, owner_id: str, total_fen: int) -> EscrowFlow:
    """The others registered (the council first, so the escrow and its cases hold its keys), the
    contract drafted for this owner and signed on the escrow page and by the contractor, the
    total paid in: the escrow is active."""
    flow = EscrowFlow(stack)
    await flow.council.register(enrolment_secret=COUNCIL_SECRET)
    for business in (flow.contractor, flow.inspector):
        await enrol_verified(business, flow.council)
    await accredit_inspector(flow.council, flow.inspector.id)
    flow.owner.id, flow.owner.token = owner_id, await token_of(owner, owner_id)
    await flow.create(total_fen=total_fen)
    await open_escrow(owner, flow.escrow_id)
    await sign(owner, 'form[data-step="contract.sign"]')
    await flow.step(flow.contractor, "/contract/signatures", "contract.sign", {"terms_hash": flow.terms_hash})
    await flow.deposit(total_fen)
    return flow


async def dispute_in_browser(owner: Page, escrow_id: str, stage: int, reason: str) -> None:
    """The owner disputes one stage from the escrow page (its money freezes)."""
    await open_escrow(owner, escrow_id)
    await owner.click(".more-steps summary")
    await owner.check(f'form[data-step="dispute.raise"] input[name=stages][value="{stage}"]')
    await owner.fill("#dispute-reason", reason)
    await sign(owner, 'form[data-step="dispute.raise"]', expect_in_dialog=[reason])
