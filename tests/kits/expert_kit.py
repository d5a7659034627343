"""An expert in the browser: registered with a key made there, seated on a small claim, voting."""

import secrets

from cli.dispute_demo import CaseClocks
from client.case_session import CaseSession
from client.party import Party
from expert_panels.votes import commitment
from tests.kits.driver import at_case_time
from tests.kits.staff_kit import drawn_panel, enrol_for_this_test, only_ours_eligible

DISPUTED_FEN = 480_000  # ¥4,800.00: under the small-claim threshold, so one expert sits


async def register_expert(
    stack,
    council: Party,
    party_id: str,
    name: str,
    respondent: Party,
    domain: str = "renovation",
    specialty: str = "waterproofing",
) -> None:
    """Put a browser-made expert party into the registry, as the council does, as the only
    expert of the domain a case against this respondent can draw."""
    body = {"name": name, "domain": domain, "specialties": [specialty], "party_id": party_id}
    expert_id = await enrol_for_this_test(stack, council, body)
    await only_ours_eligible(stack, council, respondent, {expert_id}, domain)


async def file_small_claim(
    stack, clocks: CaseClocks, *, owner: Party, contractor: Party, council: Party
) -> CaseSession:
    """The owner's small waterproofing claim against the contractor, filed: one expert will sit."""
    case = CaseSession(stack.http, claimant=owner, respondent=contractor, council=council, clock=clocks.now)
    await case.file(
        {
            "domain": "renovation",
            "main_specialty": "waterproofing",
            "items": [
                {"item_id": "leak", "description": "卫生间地面渗水"},
                {"item_id": "grout", "description": "瓷砖勾缝开裂"},
            ],
            "disputed_fen": DISPUTED_FEN,
            "remedy_sought": "退还部分款项",
        }
    )
    return case


async def vote_by_script(page, clocks: CaseClocks, case: CaseSession, party_id: str, opinion: dict) -> None:
    """The browser's expert commits to the opinion and reveals it, signing with the key kept in
    this browser but without the vote form (the test below drives that form)."""
    salt = secrets.token_hex(32)
    for action, url, payload in (
        ("vote.commit", "vote-commitments", {"commitment": commitment(opinion, salt)}),
        ("vote.reveal", "vote-reveals", {"opinion": opinion, "salt": salt}),
    ):
        await at_case_time(page, clocks, case.case_id)
        step = {"action": action, "subject": case.case_id, "payload": payload}
        await page.evaluate(
            "([id, url, step]) => Signing.submit(id, url, step)",
            [party_id, f"/cases/{case.case_id}/{url}", step],
        )
    await case.until("summary")


async def seat_the_browser_expert(case: CaseSession, clocks, party_id: str, declare) -> str:
    """The browser's expert, drawn to the panel's one seat, declares; the strike window closes."""
    (mine,) = await drawn_panel(case)
    assert (await case.state()).rounds[-1].seats[mine].party_id == party_id
    await declare()
    await clocks.fast_forward(case.case_id, 2)  # the strike window closes
    await case.until("evidence")
    return mine
