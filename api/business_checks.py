"""Checks on businesses (contractors, dealers, inspectors) that other routes call.

`require_verified` is the one place that says a business may be named: escrow creation, case
filing and (on top of it) inspector accreditation call it, so the rule and its words live once.
"""

from api.errors import ApiError
from db.models import Party
from domain import credit_code
from domain.roles import VERIFIED_ROLES, Role


def require_verified(party: Party) -> None:
    """409 `party_not_verified` for a business the council has not (or no longer) verified."""
    if Role(party.role) in VERIFIED_ROLES and party.verified_at is None:
        raise ApiError(
            409,
            "party_not_verified",
            f"{party.display_name} ({party.id}) is a {party.role} the council has not verified;"
            " it can be named once the council has checked its business licence",
            params={"party": f"{party.display_name} ({party.id})"},
        )


def licence(role: Role, code: str | None, legal_name: str | None) -> tuple[str | None, str | None]:
    """The checked credit code and legal name a party registers with: required of a business,
    refused from a consumer or staff (a code there would print a person under a company's name)."""
    if role not in VERIFIED_ROLES:
        if code is not None or legal_name is not None:
            raise ApiError(
                422, "licence_not_expected", f"a {role.value} registers without a credit code or legal name"
            )
        return None, None
    if not code:
        raise ApiError(
            422,
            "credit_code_required",
            f"a {role.value} registers with the unified social credit code on its business licence",
        )
    if not legal_name or not legal_name.strip():
        raise ApiError(
            422,
            "legal_name_required",
            f"a {role.value} registers with the legal name on its business licence",
        )
    try:
        checked = credit_code.parse(code)
    except credit_code.CreditCodeError as exc:
        raise ApiError(422, exc.code, exc.message) from None
    return checked.value, legal_name.strip()
