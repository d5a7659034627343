"""Public consumer warnings (消费预警) end to end over HTTP: a complaint spike becomes a council
draft with the spike's figures, one signature leaves it invisible, the second DIFFERENT member's
publishes it on the page, the JSON and the Atom feed, and two signatures withdraw it, after which
it is shown as withdrawn with its reason. A draft is never public; the same member cannot count
twice; only the council drafts and signs. A draft one member discards stays readable to the
council, apart, and never becomes public, whatever is signed after.

The complaints are made here, not by driving hundreds of workflows (tests/test_public_record_history.py
does that for the spike rule itself): the route's complaint source is replaced by a list of this
test's own, so the spike rule (public_record/alerts.py) runs on figures the test knows.
"""

from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from api.routes import warnings as warning_routes
from client.party import Party
from public_record.complaints import Complaint
from public_record.periods import Month
from public_record.warnings import ATOM_NS, WARNING_PUBLISH, WARNING_WITHDRAW
from tests.conftest import Stack
from tests.kits.businesses import verified_business
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import session_cookie

MONTH = Month(2027, 4)
SPIKE_COUNT = 7


def complaints_against(business_id: str) -> list[Complaint]:
    """One complaint a month for three months, then SPIKE_COUNT in MONTH: a spike by the rule."""
    filed: list[Complaint] = []
    months = [MONTH.previous().previous().previous(), MONTH.previous().previous(), MONTH.previous()]
    moments = [m.starts_at + timedelta(days=3) for m in months]
    moments += [MONTH.starts_at + timedelta(days=2, hours=n) for n in range(SPIKE_COUNT)]
    for n, at in enumerate(moments):
        filed.append(
            Complaint(
                f"CASE-TEST-{business_id}-{n}",
                business_id,
                "consumer-x",
                "consumer",
                "renovation",
                "waterproofing",
                at,
                None,
                "open",
                None,
            )
        )
    return filed


async def council_member(stack: Stack, name: str) -> Party:
    return await Party(stack.http, "council", name).register(enrolment_secret=COUNCIL_SECRET)


def publish(member: Party, warning: dict) -> dict:
    step = member.key.sign_step(
        action=WARNING_PUBLISH,
        subject=warning["id"],
        signer=member.id,
        payload={"warning": warning["id"], "content": warning["content_hash"]},
    )
    return {"envelope": step.envelope, "signature": step.signature}


def withdraw(member: Party, warning_id: str, reason: str) -> dict:
    step = member.key.sign_step(
        action=WARNING_WITHDRAW,
        subject=warning_id,
        signer=member.id,
        payload={"warning": warning_id, "reason": reason},
    )
    return {"envelope": step.envelope, "signature": step.signature}


async def public_ids(stack: Stack) -> tuple[set[str], set[str], str]:
    """What the public sees: ids in the JSON, ids in the feed, and the page's text."""
    answer = await stack.http.get("/public/warnings.json")
    assert answer.status_code == 200
    feed = await stack.http.get("/public/warnings.atom", params={"lang": "en"})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)  # well-formed XML, or this raises
    assert root.tag == f"{{{ATOM_NS}}}feed"
    in_feed = {e.findtext(f"{{{ATOM_NS}}}id").rpartition("#")[2] for e in root.iter(f"{{{ATOM_NS}}}entry")}
    page = await stack.http.get("/public/warnings", params={"lang": "en"})
    assert page.status_code == 200
    return {w["id"] for w in answer.json()}, in_feed, page.text


async def test_a_spike_becomes_a_warning_two_members_publish_and_two_withdraw(stack: Stack, monkeypatch):
    first, second = (
        await council_member(stack, "Council clerk Wang"),
        await council_member(stack, "Council clerk Li"),
    )
    business = await verified_business(stack.http, "contractor", "Leaky Roofs Ltd", council=first)
    monkeypatch.setattr(warning_routes, "all_disputes", lambda history: complaints_against(business.id))

    # the council's page lists the spike, and its link prefills the draft form with it
    cookie = await session_cookie(first)
    desk = await stack.http.get(
        "/council/warnings", params={"month": str(MONTH), "lang": "en"}, headers=cookie
    )
    assert desk.status_code == 200 and "Leaky Roofs Ltd: 7 complaints in 2027-04" in desk.text
    prefilled = await stack.http.get(
        "/council/warnings",
        params={"month": str(MONTH), "subject": "business", "key": business.id, "lang": "zh-CN"},
        headers=cookie,
    )
    assert f'data-spike-key="{business.id}"' in prefilled.text and "起草预警" in prefilled.text

    alerts = await stack.http.get(
        "/council/complaint-alerts", params={"month": str(MONTH)}, headers=first.auth
    )
    assert alerts.status_code == 200
    body = {
        "title_zh": "防水工程投诉激增",
        "title_en": "Complaints about waterproofing are rising",
        "text_zh": "签约前请查看商家的投诉记录。",
        "text_en": "Check a business's complaints before you sign.",
        "category": "renovation/waterproofing",
        "business_ids": [business.id],
        "valid_from": date.today().isoformat(),
        "valid_until": (date.today() + timedelta(days=90)).isoformat(),
        "spike": {"subject": "business", "key": business.id, "month": str(MONTH)},
    }
    key = {"Idempotency-Key": f"form-{business.id}"}
    drafted = await stack.http.post("/warnings", json=body, headers=first.auth | key)
    assert drafted.status_code == 201, drafted.text
    warning = drafted.json()
    again = await stack.http.post("/warnings", json=body, headers=first.auth | key)
    assert again.status_code == 201 and again.json()["id"] == warning["id"]  # one draft for the form
    assert warning["id"].startswith(f"WRN-{datetime.now(UTC).year}-") and warning["state"] == "draft"
    assert (warning["spike"]["count"], warning["spike"]["month"], warning["spike"]["key"]) == (
        SPIKE_COUNT,
        str(MONTH),
        business.id,
    )
    assert warning["spike"]["mean"] == 1.0 and warning["spike"]["quarter"] == "2027Q2"

    wid = warning["id"]
    path = f"/warnings/{wid}"
    ids, feed, page = await public_ids(stack)
    assert wid not in ids and wid not in feed and wid not in page  # a draft is never public

    draft_page = await stack.http.get(f"/council/warnings/{wid}", params={"lang": "en"}, headers=cookie)
    assert draft_page.status_code == 200 and 'id="sign-publication"' in draft_page.text

    one = await stack.http.post(
        f"{path}/publication-signatures", json=publish(first, warning), headers=first.auth
    )
    assert one.status_code == 200 and one.json()["state"] == "draft"
    twice = await stack.http.post(
        f"{path}/publication-signatures", json=publish(first, warning), headers=first.auth
    )
    assert (twice.status_code, twice.json()["detail"]["code"]) == (409, "already_signed")
    ids, feed, page = await public_ids(stack)
    assert wid not in ids and wid not in feed and wid not in page  # one signature publishes nothing
    signed_page = (
        await stack.http.get(f"/council/warnings/{wid}", params={"lang": "en"}, headers=cookie)
    ).text
    assert 'id="sign-publication"' not in signed_page and "another council member signs next" in signed_page

    forged = publish(first, warning)  # the first member's signature sent by the second
    refused = await stack.http.post(f"{path}/publication-signatures", json=forged, headers=second.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (403, "not_the_signer")
    other_words = publish(second, warning | {"content_hash": "0" * 64})
    refused = await stack.http.post(f"{path}/publication-signatures", json=other_words, headers=second.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, "terms_mismatch")

    two = await stack.http.post(
        f"{path}/publication-signatures", json=publish(second, warning), headers=second.auth
    )
    assert two.status_code == 200 and two.json()["state"] == "published"
    ids, feed, page = await public_ids(stack)
    assert wid in ids and wid in feed and "Complaints about waterproofing are rising" in page
    shown = next(w for w in (await stack.http.get("/public/warnings.json")).json() if w["id"] == wid)
    assert shown["in_force"] and shown["businesses"] == [{"party_id": business.id, "name": "Leaky Roofs Ltd"}]
    assert shown["spike"]["count"] == SPIKE_COUNT and shown["spike"]["counts_url"] == "/public/counts.json"
    zh_page = (await stack.http.get("/public/warnings", params={"lang": "zh-CN"})).text
    assert "防水工程投诉激增" in zh_page and "/public/counts.json" in zh_page

    reason = "The contractor repaired every roof; complaints are back to usual."
    first_out = await stack.http.post(
        f"{path}/withdrawal-signatures", json=withdraw(second, wid, reason), headers=second.auth
    )
    assert first_out.status_code == 200 and first_out.json()["state"] == "published"
    other_reason = await stack.http.post(
        f"{path}/withdrawal-signatures", json=withdraw(first, wid, "another reason"), headers=first.auth
    )
    assert (other_reason.status_code, other_reason.json()["detail"]["code"]) == (422, "terms_mismatch")
    out = await stack.http.post(
        f"{path}/withdrawal-signatures", json=withdraw(first, wid, reason), headers=first.auth
    )
    assert out.status_code == 200 and out.json()["state"] == "withdrawn"

    shown = next(w for w in (await stack.http.get("/public/warnings.json")).json() if w["id"] == wid)
    assert (shown["state"], shown["in_force"], shown["withdrawal_reason"]) == ("withdrawn", False, reason)
    ids, feed, page = await public_ids(stack)
    assert wid in feed and "Withdrawn warnings" in page and reason in page


BY_HAND = {
    "title_zh": "草稿",
    "title_en": "Draft only",
    "text_zh": "正文",
    "text_en": "Text",
    "category": "car",
    "valid_from": "2027-01-01",
    "valid_until": "2027-03-31",
}


async def draft_by_hand(stack: Stack, member: Party, **changes: str) -> dict:
    drafted = await stack.http.post("/warnings", json=BY_HAND | changes, headers=member.auth)
    assert drafted.status_code == 201, drafted.text
    return drafted.json()


async def test_a_draft_by_hand_stays_private_and_only_the_council_drafts(stack: Stack):
    member = await council_member(stack, "Council clerk Zhao")
    business = await verified_business(stack.http, "contractor", "Quiet Builders", council=member)
    assert (await stack.http.post("/warnings", json=BY_HAND, headers=business.auth)).status_code == 403
    drafted = await stack.http.post("/warnings", json=BY_HAND, headers=member.auth)
    assert drafted.status_code == 201 and drafted.json()["spike"] is None
    ids, feed, page = await public_ids(stack)
    assert drafted.json()["id"] not in ids | feed and "Draft only" not in page
    signed = publish(business, drafted.json())
    refused = await stack.http.post(
        f"/warnings/{drafted.json()['id']}/publication-signatures", json=signed, headers=business.auth
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"category": "renovation/<script>"}, "unknown_category"),
        ({"valid_until": "2026-12-31"}, "bad_validity"),
        ({"valid_until": "2029-01-01"}, "bad_validity"),
        ({"valid_from": "9999-12-31", "valid_until": "9999-12-31"}, None),  # the last day: no overflow
        ({"valid_from": "0001-01-01"}, "bad_validity"),
        ({"business_ids": ["no-such-party"]}, "business_not_verified"),
        ({"spike": {"subject": "category", "key": "car/engine", "month": "2001-01"}}, "no_such_spike"),
        ({"title_en": "x" * 121}, "invalid_input"),
        ({"surprise": 1}, "invalid_input"),
    ],
)
async def test_hostile_drafts_are_refused_and_make_nothing(stack: Stack, changes: dict, code: str | None):
    member = await council_member(stack, "Council clerk Sun")
    body = {
        "title_zh": "标题",
        "title_en": "Title",
        "text_zh": "正文",
        "text_en": "Text",
        "category": "renovation",
        "valid_from": "2027-01-01",
        "valid_until": "2027-03-31",
    } | changes
    before = len((await stack.http.get("/warnings", headers=member.auth)).json())
    answer = await stack.http.post("/warnings", json=body, headers=member.auth)
    if code is None:  # an odd but valid draft
        assert answer.status_code == 201
        return
    assert (answer.status_code, answer.json()["detail"]["code"]) == (422, code)
    assert len((await stack.http.get("/warnings", headers=member.auth)).json()) == before


HOSTILE_REASON = "Typo in the title <script>alert('x')</script> & \"quotes\"\n\u202eevil 错字"


async def test_a_discarded_draft_stays_readable_and_never_becomes_public(stack: Stack):
    first, second = (
        await council_member(stack, "Council clerk Qian"),
        await council_member(stack, "Council clerk Zhou"),
    )
    warning = await draft_by_hand(stack, first, title_en="Discard me")
    wid, path = warning["id"], f"/warnings/{warning['id']}"
    signed = await stack.http.post(
        f"{path}/publication-signatures", json=publish(first, warning), headers=first.auth
    )
    assert signed.status_code == 200 and signed.json()["state"] == "draft"

    # any one member discards it, the one who signed its publication or not
    discarded = await stack.http.post(f"{path}/discard", json={"reason": HOSTILE_REASON}, headers=second.auth)
    assert discarded.status_code == 200, discarded.text
    shown = discarded.json()
    assert (shown["state"], shown["discarded_by"], shown["discard_reason"]) == (
        "discarded",
        second.id,
        HOSTILE_REASON,
    )
    again = await stack.http.post(f"{path}/discard", json={"reason": "another reason"}, headers=first.auth)
    assert again.status_code == 200 and again.json() == shown  # who, when and why stay

    # the signature given is void, and a second one publishes nothing
    late = await stack.http.post(
        f"{path}/publication-signatures", json=publish(second, warning), headers=second.auth
    )
    assert (late.status_code, late.json()["detail"]["code"]) == (409, "warning_state")
    read = await stack.http.get(path, headers=first.auth)
    assert read.status_code == 200 and read.json() == shown
    ids, feed, page = await public_ids(stack)
    assert wid not in ids and wid not in feed and "Discard me" not in page

    # the council's list leaves it out unless asked for; its pages show it apart, escaped
    listed = (await stack.http.get("/warnings", headers=first.auth)).json()
    assert wid not in {w["id"] for w in listed}
    asked = await stack.http.get("/warnings", params={"state": "discarded"}, headers=first.auth)
    assert asked.status_code == 200 and wid in {w["id"] for w in asked.json()}
    assert {w["state"] for w in asked.json()} == {"discarded"}
    cookie = await session_cookie(first)
    desk = (await stack.http.get("/council/warnings", params={"lang": "en"}, headers=cookie)).text
    live, _, folded = desk.partition('id="discarded-warnings"')
    assert wid not in live and wid in folded and "Discarded drafts (" in folded
    one = await stack.http.get(f"/council/warnings/{wid}", params={"lang": "en"}, headers=cookie)
    assert one.status_code == 200 and "Discarded by Council clerk Zhou" in one.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in one.text
    assert "<script>alert" not in one.text
    for control in ('id="sign-publication"', 'id="discard-draft"', 'id="sign-withdrawal"'):
        assert control not in one.text
    zh = await stack.http.get(f"/council/warnings/{wid}", params={"lang": "zh-CN"}, headers=cookie)
    assert "由 Council clerk Zhou 于" in zh.text and "已作废的草稿" in zh.text


async def test_only_a_draft_is_discarded_and_only_by_the_council(stack: Stack):
    first, second = (
        await council_member(stack, "Council clerk Wu"),
        await council_member(stack, "Council clerk Zheng"),
    )
    business = await verified_business(stack.http, "contractor", "Tidy Tiles", council=first)
    draft = await draft_by_hand(stack, first)
    cookie = await session_cookie(first)
    page = await stack.http.get(f"/council/warnings/{draft['id']}", params={"lang": "en"}, headers=cookie)
    assert 'id="discard-draft"' in page.text and "Discard this draft" in page.text
    refused = await stack.http.post(
        f"/warnings/{draft['id']}/discard", json={"reason": "no"}, headers=business.auth
    )
    assert (refused.status_code, refused.json()["detail"]["code"]) == (403, "council_only")
    after = await stack.http.get(f"/warnings/{draft['id']}", headers=first.auth)
    assert after.json()["state"] == "draft" and after.json()["discarded_by"] is None

    warning = await draft_by_hand(stack, first, title_en="Kept")
    path = f"/warnings/{warning['id']}"
    for member in (first, second):
        signed = await stack.http.post(
            f"{path}/publication-signatures", json=publish(member, warning), headers=member.auth
        )
        assert signed.status_code == 200
    assert signed.json()["state"] == "published"
    refused = await stack.http.post(f"{path}/discard", json={"reason": "regret"}, headers=second.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (409, "warning_state")
    reason = "Resolved."
    for member in (first, second):
        out = await stack.http.post(
            f"{path}/withdrawal-signatures", json=withdraw(member, warning["id"], reason), headers=member.auth
        )
        assert out.status_code == 200
    refused = await stack.http.post(f"{path}/discard", json={"reason": "regret"}, headers=second.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (409, "warning_state")
    shown = (await stack.http.get(path, headers=first.auth)).json()
    assert (shown["state"], shown["discarded_by"], shown["discard_reason"]) == ("withdrawn", None, None)
    ids, _, _ = await public_ids(stack)
    assert warning["id"] in ids

    unknown = await stack.http.post(
        "/warnings/WRN-1999-00001/discard", json={"reason": "x"}, headers=first.auth
    )
    assert (unknown.status_code, unknown.json()["detail"]["code"]) == (404, "warning_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_input"),
        ({"reason": ""}, "invalid_input"),
        ({"reason": " \n\t "}, "invalid_input"),
        ({"reason": "a typo\u0007"}, "invalid_input"),  # a bell: no control character but \t \n \r
        ({"reason": "a typo\u0000"}, "nul_character"),  # PostgreSQL stores no NUL: the edge refuses it
        ({"reason": "x" * 1001}, "invalid_input"),
        ({"reason": 7}, "invalid_input"),
        ({"reason": ["a typo"]}, "invalid_input"),
        ({"reason": None}, "invalid_input"),
        ({"reason": "a typo", "by": "someone else"}, "invalid_input"),
    ],
)
async def test_a_discard_without_a_proper_reason_is_refused_and_changes_nothing(
    stack: Stack, body: dict, code: str
):
    member = await council_member(stack, "Council clerk Feng")
    draft = await draft_by_hand(stack, member)
    path = f"/warnings/{draft['id']}"
    answer = await stack.http.post(f"{path}/discard", json=body, headers=member.auth)
    assert (answer.status_code, answer.json()["detail"]["code"]) == (422, code)
    assert (await stack.http.get(path, headers=member.auth)).json() == draft
