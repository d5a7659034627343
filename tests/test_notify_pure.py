"""notify/'s pure parts: the catalogue is complete in both languages, quiet hours, channel addresses."""

import string
from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import SHANGHAI
from domain.escrow.state import DisputeCause, MovementReason
from notify.channels import ChannelKind, ChannelRefused, masked, normalise, target_url
from notify.kinds import MessageKind
from notify.messages import LANGUAGES, MOVEMENTS, PARAMS, SAID_AS, catalogue, render
from notify.quiet_hours import next_send_time

SAMPLE = {
    "code": "123456",
    "minutes": 15,
    "subject": "ESC-2026-00001",
    "action": "stage.accept",
    "due": "2026-12-07T01:00:00+00:00",
    "hours": 24,
    "consequence": "auto_accepts",
    "amount_fen": 1234567,
    "movement": "released",
    "why": "accepted",
    "cause": "raised",
    "claimant": "owner",
    "reason": "leaking",
    "outcome": "split",
}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_is_worded_with_exactly_its_params(language: str) -> None:
    kinds = catalogue(language)["kinds"]
    assert set(kinds) == {kind.value for kind in MessageKind}
    assert set(PARAMS) == set(MessageKind)
    for kind, params in PARAMS.items():
        shown = {"amount" if name == "amount_fen" else SAID_AS.get(name, name) for name in params} | {"link"}
        used = fields(kinds[kind.value]["title"]) | fields(kinds[kind.value]["body"])
        assert used <= shown, (language, kind, used - shown)
        assert shown - {"link"} <= used, (language, kind, "params never shown", shown - used)
    assert set(catalogue(language)["movement"]) == set(MOVEMENTS)
    assert set(catalogue(language)["movement_reasons"]) == set(MovementReason)
    assert set(catalogue(language)["dispute_causes"]) == set(DisputeCause)


def test_a_dispute_the_contract_opened_and_why_money_moved_are_told_in_words() -> None:
    silent = {"subject": "ESC-1", "claimant": "system", "cause": "owner_silent", "reason": ""}
    body = render(MessageKind.DISPUTE_RAISED, silent, "/my/escrows/ESC-1", "zh-CN").body
    assert "业主在验收期限内既未确认也未提出异议" in body and "owner_silent" not in body
    asked = {"subject": "ESC-1", "claimant": "owner", "cause": "cancellation_unanswered", "reason": "停工"}
    body = render(MessageKind.DISPUTE_RAISED, asked, "/l", "en").body
    assert "not agreed by the contractor: 停工" in body
    decided = {"subject": "CASE-1", "outcome": "refund_or_replace"}
    assert "由买方选择换车或退车" in render(MessageKind.DECISION_SIGNED, decided, "/l", "zh-CN").body
    moved = {"subject": "ESC-1", "amount_fen": 100, "movement": "released", "why": "owner_silent"}
    assert "验收期限届满" in render(MessageKind.MONEY_MOVED, moved, "/l", "zh-CN").body


def test_a_message_reads_in_the_readers_language_with_yuan_and_shanghai_time() -> None:
    params = {k: SAMPLE[k] for k in PARAMS[MessageKind.MONEY_MOVED]}
    english = render(MessageKind.MONEY_MOVED, params, "http://x/my/escrows/E", "en")
    chinese = render(MessageKind.MONEY_MOVED, params, "http://x/my/escrows/E", "zh-CN")
    assert english.title == "ESC-2026-00001: ¥12,345.67 released"
    assert chinese.title == "ESC-2026-00001：¥12,345.67 已放款"
    assert "http://x/my/escrows/E" in english.body and "http://x/my/escrows/E" in chinese.body
    reminder = render(MessageKind.DEADLINE_REMINDER, SAMPLE, "", "en")
    assert "2026-12-07 09:00 (UTC+8)" in reminder.body  # 01:00 UTC is 09:00 in Shanghai
    assert render(MessageKind.DECISION_SIGNED, SAMPLE, "", "fr").title == "ESC-2026-00001：裁决已签署"


def shanghai(hour: int, minute: int) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize("kind", [ChannelKind.SMS, ChannelKind.CHAT])
def test_quiet_hours_hold_sms_and_chat_until_eight(kind: ChannelKind) -> None:
    assert next_send_time(shanghai(21, 59), kind, last_reminder=False) == shanghai(21, 59)
    assert next_send_time(shanghai(22, 0), kind, last_reminder=False) == shanghai(8, 0) + timedelta(days=1)
    assert next_send_time(shanghai(7, 59), kind, last_reminder=False) == shanghai(8, 0)
    assert next_send_time(shanghai(8, 0), kind, last_reminder=False) == shanghai(8, 0)
    # the last reminder before a deadline, and a party that turned quiet hours off, go at once
    assert next_send_time(shanghai(23, 30), kind, last_reminder=True) == shanghai(23, 30)
    assert next_send_time(shanghai(23, 30), kind, last_reminder=False, quiet=False) == shanghai(23, 30)
    assert next_send_time(shanghai(23, 30), kind, last_reminder=False).tzinfo == UTC


def test_email_is_never_held() -> None:
    for hour, minute in ((21, 59), (22, 0), (3, 0), (7, 59)):
        assert next_send_time(shanghai(hour, minute), ChannelKind.EMAIL, last_reminder=False) == shanghai(
            hour, minute
        )


def test_addresses_are_normalised_or_refused_with_their_own_code() -> None:
    assert normalise(ChannelKind.EMAIL, " Li.Wei@Example.COM ") == "Li.Wei@example.com"
    assert normalise(ChannelKind.SMS, "138 0013 8000") == "+8613800138000"
    assert normalise(ChannelKind.SMS, "+86 138-0013-8000") == "+8613800138000"
    assert normalise(ChannelKind.CHAT, "wecombot://abcdef0123") == "wecombot://abcdef0123"
    refused = {
        (ChannelKind.EMAIL, "li.example.com"): "bad_email",
        (ChannelKind.EMAIL, "li@localhost"): "bad_email",
        (ChannelKind.SMS, "+1 415 555 0100"): "bad_mobile",
        (ChannelKind.SMS, "12800138000"): "bad_mobile",  # 12x is no mainland mobile prefix
        (ChannelKind.SMS, "+85291234567"): "bad_mobile",  # Hong Kong is not mainland
        (ChannelKind.CHAT, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"): "bad_channel_url",
        (ChannelKind.CHAT, "slack://T1/B1/C1"): "bad_channel_url",  # apprise knows it; we do not offer it
        (ChannelKind.CHAT, "wecombot://"): "bad_channel_url",
        (ChannelKind.CHAT, "mailto://a@b.cn"): "bad_channel_url",
    }
    for (kind, address), code in refused.items():
        with pytest.raises(ChannelRefused) as caught:
            normalise(kind, address)
        assert caught.value.code == code, address


def test_a_chat_url_is_masked_and_templates_take_the_address_encoded() -> None:
    assert masked(ChannelKind.CHAT, "dingtalk://secrettoken") == "dingtalk://secr…"
    assert masked(ChannelKind.EMAIL, "li@example.com") == "li@example.com"
    url = target_url(
        ChannelKind.SMS,
        "+8613800138000",
        email_template="mailto://h/{address}",
        sms_template="json://h/sms?:to={address}",
    )
    assert url == "json://h/sms?:to=%2B8613800138000"
    assert target_url(ChannelKind.CHAT, "feishu://t", email_template="", sms_template="") == "feishu://t"


# What a party's own records hold that nobody else may read: contact addresses, a chat bot's URL
# (its token), an identity document's number, its API token and webhook secret.
PRIVATE = {
    "email": "li.wei@example.com",
    "mobile": "+8613800138000",
    "address": "wecombot://693a-bot-secret-key",
    "document_number": "110101199003071234",
    "token": "tok_live_0123456789abcdef",
    "secret": "whsec_0123456789abcdef",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_shows_a_contact_address_document_or_secret(language: str) -> None:
    """No kind declares such a param, and a message shows nothing but what its kind declares: even
    handed private data beside its params, no title or body shows any of it."""
    private_names = {"email", "mobile", "address", "phone", "document", "id_number", "token", "secret"}
    for kind in MessageKind:
        assert not {name for name in PARAMS[kind] if any(p in name for p in private_names)}, kind
        params = {name: SAMPLE.get(name, "R-1") for name in PARAMS[kind]}
        words = render(kind, {**params, **PRIVATE}, "https://escrow.example.cn/my", language)
        for value in PRIVATE.values():
            assert value not in words.title + words.body, (kind, value)


def test_a_message_an_older_build_stored_reads_with_an_ellipsis_for_what_it_lacks() -> None:
    """A money message kept before its reason became `why` (it had `detail`): shown, not an error."""
    old = {"subject": "ESC-1", "amount_fen": 100, "movement": "refunded", "detail": "第 1 期"}
    body = render(MessageKind.MONEY_MOVED, old, "/l", "zh-CN").body
    assert body.startswith("ESC-1 的 ¥1.00 已退款（…）")
