"""Contractors, dealers and inspectors a test can name: registered with a licence and verified.

Every test or kit that needs a business calls `verified_business` (or, with a council of its
own at hand, client.businesses.enrol_verified), so a business is brought to where a contract
or case can name it in one way. A test without a council gets one clerk per HTTP client (the
"business desk"), registered the first time it is needed.
"""

from weakref import WeakKeyDictionary

import httpx

from client.businesses import enrol_verified, verify
from client.party import Party
from tests.kits.flow import COUNCIL_SECRET

_desks: WeakKeyDictionary[httpx.AsyncClient, Party] = WeakKeyDictionary()


async def business_desk(http: httpx.AsyncClient) -> Party:
    """The council clerk who verifies the businesses this client's tests register."""
    desk = _desks.get(http)
    if desk is None:
        desk = await Party(http, "council", "Business desk").register(enrolment_secret=COUNCIL_SECRET)
        _desks[http] = desk
    return desk


async def verified_business(
    http: httpx.AsyncClient, role: str, name: str, *, council: Party | None = None
) -> Party:
    """A new business of this role and name, registered with a demo licence and verified."""
    return await enrol_verified(Party(http, role, name), council or await business_desk(http))


async def verify_registered(base_url: str, party_id: str) -> None:
    """Verify a business a browser registered, as a council clerk on a client of its own."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        desk = await Party(http, "council", "Business desk").register(enrolment_secret=COUNCIL_SECRET)
        await verify(desk, party_id)
