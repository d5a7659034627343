"""Every role a person acts in, named once.

A party registers as one of `PARTY_ROLES`; inside a case the claimant and respondent
are sides a party takes for that case (an owner or buyer claims, a contractor or
dealer answers), so they are roles of the process, not of the registration. One enum
holds both because the machines' step rules, the open actions they declare and the
pages all speak of "who", and a second enum would let the two drift apart.
"""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    CONTRACTOR = "contractor"
    INSPECTOR = "inspector"
    COUNCIL = "council"
    EXPERT = "expert"
    BANK = "bank"
    BUYER = "buyer"
    DEALER = "dealer"
    HOUSING_ASSOCIATION = "housing_association"
    CLAIMANT = "claimant"
    RESPONDENT = "respondent"


PARTY_ROLES = frozenset(
    {
        Role.OWNER,
        Role.CONTRACTOR,
        Role.INSPECTOR,
        Role.COUNCIL,
        Role.EXPERT,
        Role.BANK,
        Role.BUYER,
        Role.DEALER,
        Role.HOUSING_ASSOCIATION,
    }
)
CONSUMER_ROLES = frozenset({Role.OWNER, Role.BUYER})
BUSINESS_ROLES = frozenset({Role.CONTRACTOR, Role.DEALER})
VERIFIED_ROLES = frozenset({Role.CONTRACTOR, Role.DEALER, Role.INSPECTOR})
"""Businesses: registered with a unified social credit code and verified by the council before
they can be named in a contract or case (api/business_checks.py)."""
HOUSING_ASSOCIATION = Role.HOUSING_ASSOCIATION
"""Verifies businesses for the council while the council's delegation to its account is in force
(issue 17 point 3: "the council (or the housing association acting for it)"); nothing else.
It registers without a secret: the role alone allows nothing (db/delegations.py)."""
