"""What the case pages and the public lists say of a business's advance-compensation fund, read from
the fund read model (web/fund_view.py): an overdue case paid in advance, one the council may still
pay, one whose business keeps no fund; a pledge marked, a fund owing more than it holds said so; in
both languages."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from sqlmodel import Session

from db import funds
from domain.escrow.state import MovementStatus
from domain.fund.snapshot import FundLedgerSnapshot, FundSnapshot
from domain.fund.state import FundMovement, FundMovementKind, FundStatus
from domain.fund.terms import AdvanceClaim, fund_id_of
from tests.kits.dispute_kit import CaseKit
from web.fund_view import case_advance, fund_marks
from web.i18n import translate
from web.templating import templates

AT = datetime(2026, 11, 3, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def fund_of(
    business_id: str, *, pledged: int, held: int, owed: int, advances: dict[str, int]
) -> FundSnapshot:
    movements = [
        FundMovement(
            f"{fund_id_of(business_id)}:advance-{case}",
            FundMovementKind.ADVANCE,
            fen,
            "P-BUYER",
            "P-COUNCIL",
            AT,
            case_id=case,
            status=MovementStatus.DONE,
        )
        for case, fen in advances.items()
    ]
    ledger = FundLedgerSnapshot(held + owed, owed, 0, owed, held, 0, held)
    status = FundStatus.PLEDGED if pledged else FundStatus.NOT_PLEDGED
    return FundSnapshot(
        fund_id_of(business_id),
        business_id,
        1,
        status,
        AT,
        1_000_000,
        pledged,
        ledger,
        movements,
        [],
        [],
        "",
        0,
    )


def shown(language: str, advance: object, role: str = "buyer") -> str:
    party = {"role": role}
    page = templates.get_template("case_advance.html")
    return page.render(t=partial(translate, language), advance=advance, party=party)


async def test_a_case_page_says_what_the_fund_paid_in_advance_or_may_still_pay(stack):
    paying, idle, without = (f"P-FV{uuid.uuid4().hex[:8].upper()}" for _ in range(3))
    case = CaseKit().m.snapshot()
    with Session(stack.engine) as session:
        funds.upsert_fund_projection(
            session=session,
            version=1,
            snapshot=fund_of(
                paying, pledged=1_000_000, held=400_000, owed=600_000, advances={"CASE-PAID": 600_000}
            ),
        )
        funds.upsert_fund_projection(
            session=session, version=1, snapshot=fund_of(idle, pledged=0, held=0, owed=0, advances={})
        )

        def claim_on(business: str, case_id: str) -> AdvanceClaim:
            return AdvanceClaim(case_id, "sha256:d", "P-BUYER", business, 600_000, AT)

        paid = case_advance(session, replace(case, advance_claim=claim_on(paying, "CASE-PAID")))
        may = case_advance(session, replace(case, advance_claim=claim_on(idle, "CASE-MAY")))
        none = case_advance(session, replace(case, advance_claim=claim_on(without, "CASE-NONE")))
        assert case_advance(session, case) is None  # no claim: nothing to say
        marks = fund_marks(session, [paying, idle, without])

    assert paid is not None and paid.paid is not None and paid.paid.amount_fen == 600_000
    assert "已于" in shown("zh-CN", paid) and "¥6,000.00" in shown("zh-CN", paid)
    assert "2026-11-03 10:30" in shown("en", paid) and "paid the consumer ¥6,000.00" in shown("en", paid)
    assert may is not None and may.paid is None and may.has_fund
    assert "may pay the consumer up to ¥6,000.00" in shown("en", may)
    assert "/council/funds#advance-CASE-MAY" in shown("zh-CN", may, role="council")
    assert "/council/funds" not in shown("zh-CN", may)  # only the council pays
    assert none is not None and not none.has_fund and "没有设立先行赔付金" in shown("zh-CN", none)

    assert set(marks) == {paying}  # the idle fund pledges nothing and owes nothing: unmarked
    assert (marks[paying].pledged_fen, marks[paying].owes_more_than_it_holds) == (1_000_000, True)
    mark = templates.env.from_string(
        '{% from "public/_fund_mark.html" import fund_mark with context %}{{ fund_mark(mark) }}'
    )
    for language, words in (
        ("zh-CN", "先行赔付承诺 ¥10,000.00（账户现有 ¥4,000.00）"),
        ("en", "Advance compensation pledged: ¥10,000.00 (its fund holds ¥4,000.00)"),
    ):
        text = mark.render(t=partial(translate, language), mark=marks[paying])
        assert words in text and 'class="owes"' in text
    whole = replace(marks[paying], held_fen=1_000_000, owes_more_than_it_holds=False)
    text = mark.render(t=partial(translate, "en"), mark=whole)
    assert "Advance compensation pledged: ¥10,000.00" in text  # a pledge paid in full: no more said
    assert "holds" not in text and "owes" not in text
