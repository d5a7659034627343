"""The star rating where consumers and the business read it (docs/RATINGS.md): a column of the
scorecards, linked to the business's own page, which lists what counts, in both languages; a
business without a rating is a 404 page in the reader's language. The rule's boundaries are
tests/public_record/test_ratings.py."""

from html import unescape

from sqlmodel import Session

from client.escrow_session import eventually
from public_record.periods import Quarter
from public_record.store import publish
from tests.conftest import Stack
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import part

WAIT_SECONDS = 20.0


async def test_a_new_contractor_is_not_yet_rated_and_its_page_says_what_will_count(stack: Stack):
    flow = EscrowFlow(stack)
    await flow.register()
    await flow.create(total_fen=800_000)
    contractor = flow.contractor.id

    async def rated() -> dict[str, dict]:
        answer = await stack.http.get("/public/ratings.json")
        return {r["party_id"]: r for r in answer.json()}

    ratings = await eventually(
        rated,
        lambda found: found.get(contractor, {}).get("engagements") == 1,
        "the escrow counted",
        WAIT_SECONDS,
    )
    mine = ratings[contractor]
    assert (mine["stars"], mine["score"], mine["engagements"]) == (None, None, 1)
    assert [c["name"] for c in mine["components"]] == ["decisions"]
    assert (await stack.http.get(f"/public/ratings/{contractor}.json")).json() == mine  # the form's

    cards = unescape((await stack.http.get("/public/scorecards", params={"lang": "zh-CN"})).text)
    row = part(cards, f'href="/public/ratings/{contractor}"', "</tr>")
    assert "暂未评级（已有 1 次业务，满 5 次起评）" in row

    chinese = unescape((await stack.http.get(f"/public/ratings/{contractor}", params={"lang": "zh-CN"})).text)
    assert "星级评价" in chinese and 'data-part="decisions"' in chinese
    assert "裁决不利于商家的投诉" in chinese and "得分不低于 0.90" in chinese
    english = unescape((await stack.http.get(f"/public/ratings/{contractor}", params={"lang": "en"})).text)
    assert "Not yet rated: stars come at 5 engagements, it has 1" in english
    assert "Complaints decided against it" in english


async def test_a_party_without_a_rating_is_a_page_saying_so(stack: Stack):
    flow = EscrowFlow(stack)
    await flow.register()
    owner = flow.owner.id
    page = await stack.http.get(f"/public/ratings/{owner}", params={"lang": "zh-CN"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert f"{owner} 没有星级评价：它不是经过核验的商家。" in unescape(page.text)
    answer = await stack.http.get("/public/ratings/P-NOBODY.json")
    assert (answer.status_code, answer.json()["detail"]["code"]) == (404, "not_rated")
    english = await stack.http.get("/public/ratings/P-NOBODY", params={"lang": "en"})
    assert english.status_code == 404 and 'data-code="not_rated"' in english.text
    assert "P-NOBODY has no rating: it is not a verified business." in unescape(english.text)


async def test_the_rating_page_says_what_moved_since_the_last_published_list(stack: Stack):
    """A quarter's publication freezes every verified business's rating; the business's page then
    sets each part's score at that list beside today's."""
    flow = EscrowFlow(stack)
    await flow.register()
    contractor = flow.contractor.id
    with Session(stack.engine) as session:
        document, _ = publish(session=session, quarter=Quarter(2013, 1))  # a quarter no other test publishes
    assert document["ratings"][contractor] == {"stars": None, "score": None, "parts": {"decisions": 0.9}}
    listed = (await stack.http.get("/public/quarters/2013Q1.json")).json()
    assert listed["ratings"][contractor]["parts"] == {"decisions": 0.9}
    page = unescape((await stack.http.get(f"/public/ratings/{contractor}", params={"lang": "en"})).text)
    since = part(page, 'id="since"', "</section>")
    assert "Since the " in since and 'data-part="decisions"' in since
