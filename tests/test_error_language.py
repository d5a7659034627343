"""Refusals in the reader's language: the API's `message` from the catalogue by `Accept-Language`
(the `code` unchanged), and pages for browsers where the API would answer JSON."""

from dataclasses import asdict
from typing import Any

import httpx

from api.error_catalogue import catalogue, message
from client.party import Party
from domain.escrow import steps
from domain.money import yuan
from domain.steps.spec import StepSpec
from tests.kits.flow import EscrowFlow

PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def browser(stack) -> httpx.AsyncClient:
    """A client with no cookies: the shared one may hold a language another test chose."""
    return httpx.AsyncClient(base_url=stack.http.base_url, timeout=stack.http.timeout)


async def test_an_error_is_said_in_the_language_the_request_asks_for(stack):
    for header, language in (
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "zh-CN"),
        ({"Accept-Language": "en"}, "en"),
        ({}, "en"),
    ):
        response = await stack.http.post("/parties", json={"role": "owner"}, headers=header)
        detail = response.json()["detail"]
        assert (response.status_code, detail["code"]) == (422, "invalid_input")
        assert detail["message"] == catalogue(language)["invalid_input"]
        # the fields stay, for the form to point at; the validator's own words are the reason
        assert {"display_name", "public_key"} <= {error["loc"][-1] for error in detail["errors"]}
        assert detail["reason"].startswith("body.")


async def test_the_json_policy_refuses_in_the_readers_language(stack):
    response = await stack.http.post(
        "/parties",
        content=b'{"role": "owner", "role": "council"}',
        headers={"Content-Type": "application/json", "Accept-Language": "zh-CN"},
    )
    detail = response.json()["detail"]
    assert (response.status_code, detail["code"]) == (422, "json_duplicate_key")
    assert detail["message"] == catalogue("zh-CN")["json_duplicate_key"]


async def test_a_refused_step_names_its_field_in_words(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    await flow.sign_contract()
    await flow.deposit(1_000_000)
    signed = flow.contractor.sign(
        "inspection.request", flow.escrow_id, {"stage": 1, "evidence": "one photo"}, await flow.now()
    )
    response = await stack.http.post(
        f"/escrows/{flow.escrow_id}/stages/1/inspection-requests",
        json=asdict(signed),
        headers={"Accept-Language": "zh-CN"},
    )
    detail = response.json()["detail"]
    assert (response.status_code, detail["code"], detail["field"]) == (422, "not_a_list", "evidence")
    assert detail["message"] == catalogue("zh-CN")["not_a_list"]
    assert "evidence" in detail["reason"]


async def test_a_sentence_carries_the_value_its_raise_site_names(stack):
    owner = await Party(stack.http, "owner", "业主 王").register()
    response = await stack.http.get(
        "/parties/P-NOBODY-HERE/card",
        headers={"Accept-Language": "en", "Authorization": f"Bearer {owner.token}"},
    )
    detail = response.json()["detail"]
    assert (response.status_code, detail["code"]) == (404, "party_not_found")
    assert detail["message"] == catalogue("en")["party_not_found"].format(party_id="P-NOBODY-HERE")
    assert "P-NOBODY-HERE" in detail["message"]


async def test_a_chinese_reader_is_told_which_party_is_not_registered(stack):
    flow = await EscrowFlow(stack).register()
    body = {
        "title": "三室两厅 全屋装修",
        "owner_id": flow.owner.id,
        "contractor_id": "P-ZZZZZZZZZZ",
        "inspector_id": flow.inspector.id,
        "total_fen": 1_000_000,
    }
    response = await stack.http.post(
        "/escrows", json=body, headers=flow.owner.auth | {"Accept-Language": "zh-CN"}
    )
    detail = response.json()["detail"]
    assert (response.status_code, detail["code"], detail["field"]) == (422, "unknown_party", "contractor_id")
    assert detail["message"] == "P-ZZZZZZZZZZ 没有以这个身份注册。"
    assert detail["reason"] == "P-ZZZZZZZZZZ is not a registered contractor"


async def test_a_workflows_refusal_brings_its_values_to_a_chinese_reader(stack):
    """The machine's values cross the workflow's failure: a contract signed twice names its escrow,
    and an acceptance of the wrong amount says the stage's amount in yuan, in Chinese."""
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    await flow.sign_contract()

    async def refusal(spec: StepSpec[Any], payload: dict[str, Any]) -> dict[str, Any]:
        signed = flow.owner.sign(spec.action, flow.escrow_id, payload, await flow.now())
        response = await stack.http.post(
            f"/escrows/{flow.escrow_id}{spec.route(payload)}",
            json=asdict(signed),
            headers={"Accept-Language": "zh-CN"},
        )
        return {"status": response.status_code, **response.json()["detail"]}

    signed_twice = await refusal(steps.CONTRACT_SIGN, {"terms_hash": flow.terms_hash})
    assert (signed_twice["status"], signed_twice["code"]) == (409, "not_in_draft")
    assert signed_twice["message"] == f"托管 {flow.escrow_id} 的合同已经由双方签署。"

    await flow.deposit(1_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")
    amount = (await flow.state()).stages[0].amount_fen
    short = await refusal(
        steps.STAGE_ACCEPT, {"stage": 1, "amount_fen": amount - 1, "report_hash": report_hash}
    )
    assert (short["status"], short["code"]) == (422, "amount_mismatch")
    assert short["message"] == message("amount_mismatch", "zh-CN", {"amount_fen": amount})
    assert yuan(amount) in short["message"] and str(amount) not in short["message"]
    assert str(amount) in short["reason"]


async def test_a_mistyped_address_is_a_page_in_the_readers_language(stack):
    async with browser(stack) as http:
        await mistyped_addresses(http)


async def mistyped_addresses(http: httpx.AsyncClient) -> None:
    chinese = await http.get("/my/no-such-page", headers=PAGE)
    assert chinese.status_code == 404 and chinese.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in chinese.text and "找不到这个页面" in chinese.text
    assert 'data-code="not_found"' in chinese.text and catalogue("zh-CN")["not_found"] in chinese.text

    english = await http.get("/council/no-such-page?lang=en", headers=PAGE)
    assert english.status_code == 404 and "Page not found" in english.text
    http.cookies.set("lang", "en")
    by_cookie = await http.get("/public/no-such-page", headers=PAGE)
    http.cookies.clear()
    assert by_cookie.status_code == 404 and "Page not found" in by_cookie.text

    # a program asking for JSON, and any API route, keep the error shape
    program = await http.get("/my/no-such-page", headers={"Accept": "application/json"})
    assert program.json()["detail"]["code"] == "not_found"
    api = await http.get("/escrows/ESC-1999-99999", headers=PAGE)
    assert api.headers["content-type"].startswith("application/json") and api.status_code == 401


async def test_an_unpublished_quarter_is_a_page_and_its_json_stays_json(stack):
    async with browser(stack) as http:
        await unpublished_quarter(http)


async def unpublished_quarter(http: httpx.AsyncClient) -> None:
    page = await http.get("/public/quarters/2001Q1", headers=PAGE)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'data-code="not_published"' in page.text and catalogue("zh-CN")["not_published"] in page.text
    english = await http.get("/public/quarters/2001Q1?lang=en")
    assert english.status_code == 404 and catalogue("en")["not_published"] in english.text

    document = await http.get("/public/quarters/2001Q1.json", headers=PAGE)
    assert (document.status_code, document.json()["detail"]["code"]) == (404, "not_published")
