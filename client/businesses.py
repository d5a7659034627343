"""Businesses as demos and tests need them: a licence of their own and the council's verification.

A real business registers with the code printed on its licence; a demo or test business has
none, so it gets a made-up code that passes every check (random organisation code, both check
characters computed), registered under Guilin's division. `enrol_verified` is the one helper
every demo, kit and test uses to bring a contractor, dealer or inspector to where it can be
named in a contract or case: registered with a licence, then verified by a council member.
"""

import secrets
from collections.abc import Callable, Sequence

from client.party import Party, raise_for_error
from domain import credit_code
from domain.roles import VERIFIED_ROLES, Role

GUILIN = "450300"
DEMO_CHECK = "demo: business licence seen (legal name and credit code match the registration)"


def demo_credit_code(choice: Callable[[Sequence[str]], str] = secrets.choice) -> str:
    """A valid code of a company (91) registered in Guilin, with a random organisation code
    (`choice` draws its characters: a seeded generator's, for a world built the same each run)."""
    body = "".join(choice(credit_code.ALPHABET) for _ in range(8))
    return credit_code.complete("91" + GUILIN + body)


def give_demo_licence(business: Party) -> Party:
    """A made-up code and the display name as legal name, unless the party has a licence already."""
    if Role(business.role) in VERIFIED_ROLES and business.credit_code is None:
        business.credit_code = demo_credit_code()
        business.legal_name = business.legal_name or business.name
    return business


async def verify(council: Party, business_id: str, checked: str = DEMO_CHECK) -> dict[str, object]:
    """The council member marks the business verified (POST /businesses/{id}/verification)."""
    response = await council.http.post(
        f"/businesses/{business_id}/verification", json={"checked": checked}, headers=council.auth
    )
    return raise_for_error(response)


async def enrol_verified(business: Party, council: Party) -> Party:
    """Register the business with its licence (a demo one if it has none) and have `council` verify it."""
    if not business.id:
        await give_demo_licence(business).register()
    await verify(council, business.id)
    return business
