"""A browser page told another server time than the API's clock: a fast-forwarded case's.

The pages stamp what they sign with the server's time as the API tells it (`X-Server-Time` on
every answer, the page's own #server-clock; api/server_clock.py). A test that fast-forwards a
case's virtual clock needs its browser to sign at the case's time instead, as if the server's
clock were the case's: so every answer the page gets (but static files and uploads, which the
pages do not learn from) has its told time moved by the case's lead on the wall clock. In
production both are the same time.
"""

import re
import weakref
from datetime import UTC, datetime, timedelta

from playwright.async_api import APIResponse, Page, Route
from playwright.async_api import Error as PlaywrightError

from api.server_clock import SERVER_TIME_HEADER

TOLD = SERVER_TIME_HEADER.lower()  # as Playwright names the answers' headers
# the page's own time, as base.html renders it (`tojson` sorts the keys: "now" comes first)
PAGE_CLOCK = re.compile(rb'(id="server-clock">\{"now": )(\d+)')
LEADS: weakref.WeakKeyDictionary[Page, int] = weakref.WeakKeyDictionary()  # page -> lead in ms


def unzipped_headers(answer: APIResponse) -> dict[str, str]:
    """The headers of a fetched answer to fulfil with its body as read: Playwright hands the body
    unzipped (the API gzips text), and a test may change its length, so neither the encoding nor
    the length the API sent may go with it."""
    return {k: v for k, v in answer.headers.items() if k not in ("content-encoding", "content-length")}


async def tell_time(page: Page, moment: datetime) -> None:
    """From now on `page` is told the server's time is `moment` (and on, as the wall clock goes)."""
    first = page not in LEADS
    LEADS[page] = round((moment - datetime.now(UTC)) / timedelta(milliseconds=1))
    if first:

        async def moved(route: Route) -> None:
            if route.request.method == "PUT":  # an upload: its file body would not be fetched again
                return await route.continue_()
            try:
                answer = await route.fetch(max_redirects=0)
                lead = LEADS[page]
                headers = unzipped_headers(answer)
                if TOLD in headers:
                    headers[TOLD] = str(int(headers[TOLD]) + lead)
                body = await answer.body()
                if headers.get("content-type", "").startswith("text/html"):
                    body = PAGE_CLOCK.sub(lambda m: m.group(1) + str(int(m.group(2)) + lead).encode(), body)
                await route.fulfill(response=answer, headers=headers, body=body)
            except PlaywrightError as error:
                # the test closed the page while an answer was on its way ("Request context
                # disposed", "Target closed"): nobody is left to read it
                if page.is_closed() or "disposed" in error.message or "closed" in error.message:
                    return
                raise

        await page.route(lambda url: "/static/" not in url, moved)
