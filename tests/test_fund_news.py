"""What the notifier is told of a fund (notify/events.py `fund_news`): an advance the bank paid, to
the consumer (linked to the case) and to the business (linked to its fund page), once it is done."""

from domain.roles import Role
from notify.events import fund_news, page_link
from notify.kinds import MessageKind
from notify.messages import render
from tests.kits.fund_kit import FundKit


def test_an_advance_is_told_to_the_consumer_and_the_business_once_the_bank_paid_it() -> None:
    kit = FundKit()
    kit.deposit(500_000)
    claim = kit.claim(decided=200_000)
    kit.step("council", "fund.advance", kit.advance(claim, 200_000))
    assert fund_news(kit.m.snapshot()).facts == []  # instructed, not yet paid: nothing to tell
    kit.settle()
    news = fund_news(kit.m.snapshot())
    [fact] = news.facts
    assert fact.kind is MessageKind.MONEY_MOVED
    assert [(r.role, r.party_id) for r in fact.recipients] == [
        (Role.CLAIMANT, kit.ids["buyer"]),
        (Role.RESPONDENT, kit.ids["dealer"]),
    ]
    assert (news.subject_kind, news.closed, fact.params["subject"]) == ("fund", False, claim.case_id)
    assert (
        page_link(news.subject_kind, news.subject_id, Role.CLAIMANT, fact.ref) == f"/my/cases/{claim.case_id}"
    )
    assert page_link(news.subject_kind, news.subject_id, Role.RESPONDENT, fact.ref) == "/my/fund"
    said = render(fact.kind, fact.params, "/my/fund", "en")
    assert "¥2,000.00 was paid in advance from the business's compensation fund" in said.body
    assert claim.case_id in said.title
