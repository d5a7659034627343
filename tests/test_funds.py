"""Advance compensation on the real stack (docs/ADVANCE_COMPENSATION.md): a dealer's fund opened,
pledged and paid into through the bank; a car decision it did not comply with in time paid to the
buyer from the fund by a council member, once, never above the decision nor the fund; the dealer
then owes the fund until a top-up repays it."""

from client.businesses import give_demo_licence
from client.escrow_session import eventually
from client.funds import fund_step, open_fund, pay_in, read_fund
from client.party import Party, StepRefused
from domain.case.terms import CAR
from domain.fund.snapshot import FundSnapshot
from tests.kits.businesses import verified_business
from tests.kits.case_workflow_kit import decide, start_case
from tests.kits.flow import COUNCIL_SECRET
from workflows.fund_types import fund_workflow_id

PLEDGE = 1_000_000
DISPUTED = 600_000


async def refused(attempt, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    try:
        await attempt
    except StepRefused as refusal:
        assert (refusal.status, refusal.code) == (status, code), refusal
        return
    raise AssertionError(f"accepted; expected {status} {code}")


async def inbox(party: Party) -> list[dict]:
    """The party's money_moved notifications."""
    answer = await party.http.get("/parties/me/notifications", headers=party.auth)
    return [n for n in answer.json()["notifications"] if n["kind"] == "money_moved"]


async def fund_until(council: Party, fund_id: str, done, what: str) -> FundSnapshot:  # type: ignore[no-untyped-def]
    return await eventually(lambda: read_fund(council, fund_id), done, what, 30)


async def test_an_overdue_car_refund_is_paid_in_advance_once_and_the_dealer_then_owes_the_fund(
    stack, registry, record_history
):
    dealer = await verified_business(stack.http, "dealer", "桂林advance汽车销售有限公司")
    council = await Party(stack.http, "council", "先行赔付 陈委员").register(enrolment_secret=COUNCIL_SECRET)
    stranger = await Party(stack.http, "buyer", "Someone else").register()

    fund_id = await open_fund(dealer)
    assert fund_id == f"FUND-{dealer.id}"
    assert await open_fund(dealer) == fund_id  # opening again answers the same fund
    await refused(fund_step(dealer, fund_id, "fund.pledge", {"amount_fen": 1}), 422, "pledge_below_minimum")
    await fund_step(dealer, fund_id, "fund.pledge", {"amount_fen": PLEDGE})
    await eventually(
        lambda: pay_in(stack.bank, fund_id, dealer.id, PLEDGE, f"{fund_id}:deposit-1"),
        bool,
        "the account",
        20,
    )
    await fund_until(council, fund_id, lambda f: f.ledger.held_fen == PLEDGE, "the deposit")
    await refused(read_fund(stranger, fund_id), 403, "not_fund_reader")

    case = await start_case(
        stack,
        registry,
        CAR,
        council=(council.id, council.key),
        respondent=(dealer.id, dealer.key),
        disputed_fen=DISPUTED,
    )
    case_id = case.handle.id.removeprefix("dispute-")
    decision_hash = await decide(case, [None, None, None], remedy="refund_or_replace")
    await case.until("enforcement")
    advance = {"case_id": case_id, "decision_hash": decision_hash, "amount_fen": DISPUTED}
    await refused(fund_step(council, fund_id, "fund.advance", advance), 409, "case_not_advanceable")
    await case.forward(15)  # the remedy window passes without the dealer's confirmation
    await case.until("closed")
    fund = await fund_until(council, fund_id, lambda f: f.claims, "the case's claim on the fund")
    [claim] = fund.claims
    assert (claim.case_id, claim.decided_fen, claim.claimant_id) == (
        case_id,
        DISPUTED,
        case.keys["claimant"][0],
    )

    above = {**advance, "amount_fen": DISPUTED + 1}
    await refused(fund_step(council, fund_id, "fund.advance", above), 422, "advance_above_decision")
    await refused(fund_step(dealer, fund_id, "fund.advance", advance), 403, "wrong_role")
    await refused(fund_step(stranger, fund_id, "fund.advance", advance), 403, "not_a_party")
    await refused(fund_step(dealer, fund_id, "fund.withdraw", {"amount_fen": 1}), 409, "advance_outstanding")
    await fund_step(council, fund_id, "fund.advance", advance)
    await refused(fund_step(council, fund_id, "fund.advance", advance), 409, "already_advanced")

    fund = await fund_until(council, fund_id, lambda f: f.ledger.advanced_fen == DISPUTED, "the payout")
    assert (fund.ledger.held_fen, fund.ledger.owed_fen) == (PLEDGE - DISPUTED, DISPUTED)
    [paid] = [m for m in fund.movements if m.case_id == case_id]
    assert (paid.beneficiary, paid.signed_by, paid.status.value) == (
        case.keys["claimant"][0],
        council.id,
        "done",
    )
    statement = await stack.bank.statement(fund_id)
    assert [(e.kind, e.amount_fen) for e in statement if e.idempotency_key == paid.key] == [
        ("payout", DISPUTED)
    ]
    assert len({e.idempotency_key for e in statement}) == len(statement)
    balance = await stack.bank.balance(fund_id)
    assert balance.balance_fen == fund.ledger.held_fen

    told = await eventually(lambda: inbox(dealer), lambda found: found, "the dealer told of the advance", 30)
    assert [(n["subject_id"], n["link"], n["params"]["amount_fen"]) for n in told] == [
        (fund_id, "/my/fund", DISPUTED)
    ]
    assert case_id in told[0]["title"] and "先行赔付金" in told[0]["body"]

    await refused(fund_step(dealer, fund_id, "fund.withdraw", {"amount_fen": 1}), 409, "fund_owes")
    await pay_in(stack.bank, fund_id, dealer.id, DISPUTED, f"{fund_id}:deposit-2")
    fund = await fund_until(council, fund_id, lambda f: f.ledger.owed_fen == 0, "the top-up to repay")
    assert fund.ledger.held_fen == PLEDGE
    await record_history(case.handle, "dispute_car_noncompliant_told_its_fund")
    fund_handle = stack.temporal.get_workflow_handle(fund_workflow_id(fund_id))
    await record_history(fund_handle, "fund_advance_paid_and_repaid")


async def test_only_a_verified_business_opens_a_fund(stack):
    buyer = await Party(stack.http, "buyer", "Not a business").register()
    await refused(open_fund(buyer), 403, "not_a_business")
    dealer = await give_demo_licence(Party(stack.http, "dealer", "Unverified dealer")).register()
    await refused(open_fund(dealer), 409, "party_not_verified")
