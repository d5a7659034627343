"""An escrow that has lived through every kind of money line, for the statement's page and browser
tests (tests/web/test_statement_pages.py, test_statement_browser.py)."""

from tests.kits.flow import EscrowFlow

TOTAL_FEN = 1_000_000
TITLE = '=HYPERLINK("http://evil.example","三里店 3-2-501")'  # an owner's title that tries to be a formula
HOLDBACKS = [
    {"item": "tiles", "description": "卫生间墙砖空鼓", "amount_fen": 30_000},
    {"item": "socket", "description": "插座未接地", "amount_fen": 10_000},
]


async def lived_through(stack) -> EscrowFlow:
    """Deposit, stage 1 accepted, stage 2 accepted with two holdbacks, one signed off, then cancelled."""
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN, title=TITLE)
    await flow.pass_stage(1)
    await flow.request_inspection(2)
    report = await flow.report(2, "pass")
    await flow.accept_partially(2, report, HOLDBACKS)
    await flow.release_holdback(2, ["tiles"], 30_000)
    await flow.settled()
    await flow.sign_cancellation(flow.owner)
    await flow.sign_cancellation(flow.contractor)
    await flow.settled()
    return flow
