"""Every page against every kind of reader, over real HTTP: the pages' authorization matrix.

The JSON API's matrix (tests/test_security.py) reads its endpoints from the OpenAPI schema;
pages are kept out of that schema, so this one walks the app's routes for the rest, and a
page added without a line in `PAGES` fails `test_every_page_is_in_the_matrix`.

A page reads the party from the HttpOnly session cookie (a session token, opened by signing
in: web/session.py). No cookie or an unknown one: 303 to sign-in. A signed-in party on a page
for another role, or an escrow that is not theirs: 403. Public pages answer everyone alike.
Pages only read: every probe is a GET, and nothing may move.
"""

from collections.abc import Callable

import pytest

from tests.kits.page_routes import hidden_routes
from tests.kits.security_world import (
    ANONYMOUS,
    BAD_TOKEN,
    CALLERS,
    ESCROW_READERS,
    PARTY_ROLES,
    World,
    build_world,
    versions,
)
from tests.kits.staff_kit import session_cookie
from web.i18n import LANGUAGE_COOKIE
from web.session import SESSION_COOKIE

Outcome = int | str  # the status, or SIGN_IN for a 303 to the sign-in page
SIGN_IN = "303 to /signin"


def everyone(status: int) -> Callable[[str], Outcome]:
    return lambda caller: status


def for_roles(allowed: set[str]) -> Callable[[str], Outcome]:
    def outcome(caller: str) -> Outcome:
        if caller in (ANONYMOUS, BAD_TOKEN):
            return SIGN_IN
        return 200 if caller in allowed else 403

    return outcome


EVERY_PARTY = set(PARTY_ROLES)
CASE_PARTIES = {"buyer", "dealer"}  # the world's case is a car case between them
EXPERTS = {"seated_expert", "unseated_expert"}
SEATED = {"seated_expert"}  # the world's car case has its panel drawn; one of them holds a seat

PAGES: dict[str, Callable[[str], Outcome]] = {
    "/": everyone(200),
    "/lang/{language}": everyone(303),  # back to where the reader was, with the language remembered
    "/signin": everyone(200),
    "/public": everyone(200),
    "/public/quarters/{quarter}": everyone(404),  # nothing published for that quarter
    "/public/scorecards": everyone(200),
    "/public/ratings/{party_id}": everyone(200),  # the world's contractor is verified: its rating page
    "/public/decisions": everyone(200),
    "/public/warnings": everyone(200),  # published consumer warnings only, never a draft
    "/my/escrows": for_roles(EVERY_PARTY),
    "/my/escrows/new": for_roles(EVERY_PARTY),
    "/my/escrows/{escrow_id}": for_roles(ESCROW_READERS),
    "/my/escrows/{escrow_id}/version": for_roles(ESCROW_READERS),
    "/my/escrows/{escrow_id}/deposit-qr.svg": for_roles({"owner"}),  # the deposit step's QR: the payer's
    "/my/escrows/{escrow_id}/statement": for_roles(ESCROW_READERS),
    "/my/escrows/{escrow_id}/statement.csv": for_roles(ESCROW_READERS),
    "/my/statement": for_roles({"owner", "contractor", "other_owner", "other_contractor"}),
    "/my/statement.csv": for_roles({"owner", "contractor", "other_owner", "other_contractor"}),
    "/my/cases": for_roles(EVERY_PARTY),
    "/my/cases/{case_id}": for_roles(CASE_PARTIES),
    "/my/cases/{case_id}/version": for_roles(CASE_PARTIES),
    "/my/cases/new": for_roles({"buyer", "other_buyer"}),  # a car buyer files a case against a dealer
    "/council": for_roles({"council"}),
    "/council/cases/{case_id}": for_roles({"council"}),
    "/council/cases/{case_id}/version": for_roles({"council"}),
    "/council/experts": for_roles({"council"}),
    "/council/experts/new": for_roles({"council"}),
    # the matrix asks for an expert the registry does not hold: the council is told so
    "/council/experts/{expert_id}": lambda caller: 404 if caller == "council" else for_roles(set())(caller),
    "/council/recoveries": for_roles({"council"}),
    # the matrix asks for a request nobody made: the council is told so, others are refused first
    "/council/recoveries/{request_id}": lambda caller: (
        404 if caller == "council" else for_roles(set())(caller)
    ),
    # the new device's pages: no sign-in (the person has no key left); a request's page answers
    # whoever holds its id
    "/recover": everyone(200),
    "/recover/{request_id}": everyone(404),
    "/council/inspectors": for_roles({"council"}),
    "/council/warnings": for_roles({"council"}),
    # the matrix asks for a warning nobody drafted: the council is told so, others are refused first
    "/council/warnings/{warning_id}": lambda caller: 404 if caller == "council" else for_roles(set())(caller),
    "/council/businesses": for_roles({"council"}),
    "/council/funds": for_roles({"council"}),
    # a business's own fund: the world's dealer keeps one, the others are offered to open theirs
    "/my/fund": for_roles({"contractor", "dealer", "other_contractor", "other_dealer"}),
    # where to pay into it, as a QR code: the other businesses have no fund to pay into
    "/my/fund/deposit-qr.svg": lambda caller: (
        404 if caller in ("contractor", "other_contractor", "other_dealer") else for_roles({"dealer"})(caller)
    ),
    "/council/delegations": for_roles({"council"}),
    "/association/businesses": for_roles({"housing_association"}),  # the world's holds a delegation
    "/expert": for_roles(EXPERTS),
    "/expert/cases/{case_id}": for_roles(SEATED),
    "/expert/cases/{case_id}/version": for_roles(SEATED),
    "/bank": for_roles({"bank"}),
    "/bank/ledger": for_roles({"bank"}),
    "/inbox": for_roles(EVERY_PARTY),
    "/my/contact": for_roles(EVERY_PARTY),
    "/my/devices": for_roles(EVERY_PARTY),
    "/pair": everyone(200),  # the new device is not signed in
    # what the local mail server and SMS sandbox received: dev mode only (404 otherwise,
    # tests/web/test_notify_pages.py), and then for whoever runs the stack on that machine
    "/dev/messages": everyone(200),
}
# The page session itself (POST and DELETE /session) is tested in test_page_auth.py.
SESSION_ROUTES = {"POST /session", "DELETE /session"}


def test_every_page_is_in_the_matrix(tmp_path):
    hidden = hidden_routes(tmp_path)
    pages = {path for path, methods in hidden if "GET" in methods}
    others = {f"{method} {path}" for path, methods in hidden for method in methods - {"GET", "HEAD"}}
    assert pages - PAGES.keys() == set(), "pages with no authorization decision in PAGES"
    assert PAGES.keys() - pages == set(), "PAGES lists pages the app no longer has"
    assert others == SESSION_ROUTES, "a page route that is not a GET must be tested like the API"


@pytest.fixture(scope="module")
async def world(stack) -> World:
    return await build_world(stack)


async def session_headers(world: World, caller: str) -> dict[str, str]:
    if caller == ANONYMOUS:
        return {}
    if caller == BAD_TOKEN:
        return {"Cookie": f"{SESSION_COOKIE}=not-a-registered-token"}
    return await session_cookie(world.parties[caller])


def observed(response) -> Outcome:
    if response.status_code == 303 and response.headers["location"].startswith("/signin?next="):
        return SIGN_IN
    return response.status_code


@pytest.mark.parametrize("page", sorted(PAGES))
async def test_page_authorization(world: World, page: str):
    before = await versions(world)
    path = page.format(
        escrow_id=world.flow.escrow_id,
        case_id=world.case_id,
        language="en",
        quarter="2019Q1",
        request_id="KR-NOSUCHREQ",
        expert_id="EXP-NOSUCHONE",
        party_id=world.flow.contractor.id,
        warning_id="WRN-1999-00001",
    )
    wrong = {}
    for caller in CALLERS:
        headers = await session_headers(world, caller)
        response = await world.http.get(path, headers=headers, follow_redirects=False)
        world.http.cookies.delete(LANGUAGE_COOKIE)  # /lang/{language} would leave it for the next tests
        if observed(response) != PAGES[page](caller):
            wrong[caller] = {"expected": PAGES[page](caller), "got": observed(response)}
    assert wrong == {}, f"{page}: {wrong}"
    assert await versions(world) == before, "reading a page changed an escrow or a case"
