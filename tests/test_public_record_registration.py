"""The public record prints a verified business with its code's registration read out (issue 17
point 3: "the verified legal name and the code's registration"), so two businesses of one name
registered in two places are told apart: the scorecards page and the quarterly list's page, in
both languages. The decoding itself: tests/test_credit_code.py."""

import secrets
from html import unescape

from client.escrow_session import eventually
from domain import credit_code
from public_record.periods import Quarter
from public_record.quarterly import ListedBusiness
from tests.conftest import Stack
from tests.kits.flow import EscrowFlow
from tests.kits.published_lists import freeze_list
from tests.kits.staff_kit import part
from web.i18n import translate
from web.templating import registration_words

WAIT_SECONDS = 20.0


def hangzhou_code() -> str:
    """A company's code registered in Hangzhou (330100), unlike the demo licences' Guilin."""
    return credit_code.complete("91330100" + "".join(secrets.choice("0123456789") for _ in range(8)))


async def test_the_scorecards_print_where_the_code_says_the_business_was_registered(stack: Stack):
    flow = EscrowFlow(stack)
    flow.contractor.credit_code = code = hangzhou_code()
    flow.contractor.legal_name = "杭州同名装饰有限公司"
    await flow.register()
    await flow.create(total_fen=800_000)

    async def cards() -> list[str]:
        return [c["party_id"] for c in (await stack.http.get("/public/scorecards.json")).json()]

    await eventually(cards, lambda ids: flow.contractor.id in ids, "the contractor's scorecard", WAIT_SECONDS)
    chinese = unescape((await stack.http.get("/public/scorecards")).text)
    row = part(chinese, code, "</tr>")
    assert "登记：工商 · 企业 · 浙江省（330100）" in row
    english = unescape((await stack.http.get("/public/scorecards", params={"lang": "en"})).text)
    assert "Registered: market regulation · enterprise · Zhejiang (330100)" in part(english, code, "</tr>")


async def test_a_published_quarterly_list_prints_the_registration_beside_the_legal_name(stack: Stack):
    """A list published before the registration was printed is read out too: the words come from
    the code at reading time, the frozen document is not changed."""
    code, quarter = hangzhou_code(), Quarter(2011, 1)  # a quarter no other test publishes
    row = ListedBusiness(1, "P-LISTED", "杭州同名装饰有限公司", "杭州市", 3, 0, 0, None, {}, code)
    freeze_list(stack.engine, quarter, [row], complaints=3)
    chinese = unescape((await stack.http.get(f"/public/quarters/{quarter}")).text)
    assert "登记：工商 · 企业 · 浙江省（330100）" in part(chinese, code, "</tr>")
    english = unescape((await stack.http.get(f"/public/quarters/{quarter}", params={"lang": "en"})).text)
    assert "Zhejiang (330100)" in part(english, code, "</tr>")


def test_the_words_are_the_readers_and_nothing_is_guessed_for_a_bad_code() -> None:
    code = credit_code.complete("92450300" + "10001234")  # a sole trader in Guilin
    assert registration_words("zh-CN", code) == "登记：工商 · 个体工商户 · 广西壮族自治区（450300）"
    assert (
        registration_words("en", code)
        == "Registered: market regulation · individual business · Guangxi (450300)"
    )
    assert registration_words("en", None) == registration_words("en", "91350100M000100Y44") == ""
    assert translate("en", "credit_code.registration") != "credit_code.registration"
