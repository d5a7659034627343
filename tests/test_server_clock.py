"""The server tells its time on every answer, and a step refused for its time says how far off the
signer's clock is; a program on a machine whose clock is 20 minutes wrong learns the server's time
from the answers and signs in time."""

import json
import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.error_catalogue import message
from api.main import create_app
from api.server_clock import SERVER_TIME_HEADER
from api.stale_timestamp import stale_timestamp
from client.party import Party, StepRefused
from client.server_clock import ServerClock
from config.settings import Settings
from tests.kits.businesses import verified_business
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.security_world import car_case, car_claim
from tests.kits.servers import serve

TWENTY_MINUTES = timedelta(minutes=20)


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def skewed(by: timedelta) -> ServerClock:
    """The clock of a machine whose own clock is `by` off (negative: behind), not yet told the time."""
    return ServerClock(device_now=lambda: datetime.now(UTC) + by)


def refusal(response: httpx.Response) -> tuple[int, str, int]:
    detail = response.json()["detail"]
    return response.status_code, detail["code"], detail.get("clock_offset_seconds")


@pytest.fixture
async def api(stack):
    """A client of its own on the session's API: the clocks these tests set learn from it alone."""
    async with httpx.AsyncClient(base_url=stack.http.base_url, timeout=30) as http:
        yield http


async def test_every_answer_tells_the_server_time(api):
    owner = await Party(api, "owner", "Time Owner").register()
    answers = []
    for request in [
        api.build_request("GET", "/parties/me", headers=owner.auth),  # JSON
        api.build_request("GET", "/"),  # a page
        api.build_request("GET", "/signin"),
        api.build_request("GET", "/static/signing.js"),
        api.build_request("GET", "/parties/me"),  # 401
        api.build_request("GET", "/no/such/page"),  # 404
        api.build_request("POST", "/parties", json={"role": "owner"}),  # 422 invalid_input
        api.build_request(
            "POST", "/parties", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
    ]:
        before = now_ms()
        answer = await api.send(request)
        answers.append(answer)
        assert before <= int(answer.headers[SERVER_TIME_HEADER]) <= now_ms(), request.url
    statuses = [answer.status_code for answer in answers]
    assert statuses[:6] == [200, 200, 200, 200, 401, 404] and set(statuses[6:]) == {422}
    assert answers[1].headers["content-type"].startswith("text/html")


def page_clock(page: httpx.Response) -> dict:
    found = re.search(r'<script type="application/json" id="server-clock">(.*?)</script>', page.text, re.S)
    assert found, page.text[:500]
    return json.loads(found.group(1))


async def test_even_an_unexpected_failure_tells_the_time(tmp_path):
    """Starlette writes a 500 outside every middleware: its handler sets the time itself."""
    settings = Settings(data_dir=tmp_path, database_url="", temporal_address="127.0.0.1:1")
    app = create_app(settings)

    @app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    async with serve(app, settings=settings) as url, httpx.AsyncClient(base_url=url) as http:
        before = now_ms()
        answer = await http.get("/fails")
    assert (answer.status_code, answer.json()["detail"]["code"]) == (500, "internal_error")
    assert before <= int(answer.headers[SERVER_TIME_HEADER]) <= now_ms()


async def test_a_page_carries_its_own_time_and_the_words_for_a_wrong_clock(api):
    before = now_ms()
    page = await api.get("/signin?lang=en")
    clock = page_clock(page)
    assert before <= clock["now"] <= int(page.headers[SERVER_TIME_HEADER])
    assert "{minutes} minutes behind the server's" in clock["words"]["behind"]
    chinese = page_clock(await api.get("/signin?lang=zh-CN"))
    assert "比服务器慢 {minutes} 分钟" in chinese["words"]["behind"]


@pytest.mark.parametrize(("off", "said"), [(-TWENTY_MINUTES, "behind"), (TWENTY_MINUTES, "ahead of")])
async def test_a_token_asked_with_a_wrong_clock_is_told_how_far_off_it_is(api, off, said):
    party = await Party(api, "owner", "Wrong Clock", clock=skewed(off)).register()
    response = await api.post("/parties/me/tokens", json=asdict(party.sign("token.issue", party.id, {})))
    status, code, offset = refusal(response)
    assert (status, code) == (409, "stale_timestamp")
    assert abs(offset - off.total_seconds()) <= 5
    message = response.json()["detail"]["reason"]
    assert f"the envelope's timestamp is 20 minutes {said} the server's clock" in message
    assert SERVER_TIME_HEADER in message and "automatic time" in message


async def test_a_program_on_a_machine_twenty_minutes_behind_learns_the_time_and_signs(api):
    clock = skewed(-TWENTY_MINUTES)
    party = await Party(api, "owner", "Slow Machine", clock=clock).register()
    with pytest.raises(StepRefused) as refused:
        await party.renew_token()
    assert refused.value.code == "stale_timestamp" and "20 minutes behind" in refused.value.message

    clock.watch(api)
    assert (await api.get("/parties/me", headers=party.auth)).status_code == 200
    assert abs(clock.offset - TWENTY_MINUTES) < timedelta(seconds=2)
    old_token = party.token
    await party.renew_token()
    assert party.token != old_token
    assert (await api.get("/parties/me", headers=party.auth)).status_code == 200


async def test_every_party_on_a_client_shares_the_clock_that_learns_from_it(api):
    first = await Party(api, "owner", "First").register()
    second = Party(api, "contractor", "Second")
    assert first.clock is second.clock
    assert abs(first.clock.now() - datetime.now(UTC)) < timedelta(seconds=2)


def test_an_answer_without_the_time_teaches_nothing():
    clock = ServerClock()
    sent = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for told in (None, "", "soon", "1e400", str(10**30)):
        clock.learn(told, sent, sent)
        assert clock.offset == timedelta(0), told
    clock.learn(str(int((sent + TWENTY_MINUTES).timestamp() * 1000)), sent, sent + timedelta(seconds=2))
    assert clock.offset == TWENTY_MINUTES - timedelta(seconds=1)  # the middle of the request


async def test_claims_and_workflow_steps_refused_for_time_say_how_far_off(stack):
    http = stack.http
    council = await Party(http, "council", "Clock council").register(enrolment_secret=COUNCIL_SECRET)
    buyer = await Party(http, "buyer", "Clock buyer").register()
    dealer = await verified_business(http, "dealer", "Clock dealer", council=council)
    behind = datetime.now(UTC) - TWENTY_MINUTES

    stale_claim = buyer.sign("claim.file", dealer.id, car_claim(), behind)
    response = await http.post("/cases", json=asdict(stale_claim), headers=buyer.auth)
    status, code, offset = refusal(response)
    assert (status, code) == (409, "stale_timestamp") and abs(offset + 1200) <= 5
    assert "the claim's timestamp is 20 minutes behind" in response.json()["detail"]["reason"]

    case_id = await car_case(http, buyer, dealer)
    accept = council.sign("case.accept", case_id, {}, behind)
    response = await http.post(f"/cases/{case_id}/acceptance", json=asdict(accept))
    status, code, offset = refusal(response)  # refused by the workflow, told by the API
    assert (status, code) == (409, "stale_timestamp") and abs(offset + 1200) <= 5
    assert "the envelope's timestamp is 20 minutes behind" in response.json()["detail"]["reason"]
    assert (
        await http.post(f"/cases/{case_id}/acceptance", json=asdict(council.sign("case.accept", case_id, {})))
    ).status_code == 200


@pytest.mark.parametrize(
    ("off", "side", "chinese"), [(-200, "behind", "慢了 0:03:20"), (3725, "ahead", "快了 1:02:05")]
)
def test_a_wrong_clock_is_told_how_far_off_in_the_readers_language(off, side, chinese):
    refused = stale_timestamp(datetime.now(UTC) + timedelta(seconds=off))
    assert refused.params == {side: chinese.split()[-1]}
    assert chinese in (message("stale_timestamp", "zh-CN", refused.params) or "")
    assert f"it is {chinese.split()[-1]} {side}" in (message("stale_timestamp", "en", refused.params) or "")
