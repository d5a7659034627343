"""Whether a new contract may name its inspector: accredited today and independent of the contractor.

Called from escrow creation next to the other checks on the parties a contract names.
The rule is the pure one of expert_panels.inspectors (the panel draw's conflict rule);
this only reads the inspector's records and turns a refusal into the API's answer.
"""

from datetime import date

from sqlmodel import Session

from api.errors import ApiError
from db import inspectors
from db.models import Party
from expert_panels.inspectors import ineligibility


def check_inspector(session: Session, inspector: Party, contractor: Party, on: date) -> None:
    """Raise 409 `inspector_not_accredited` or `inspector_conflict`, with a sentence naming the
    inspector and why, unless the inspector may inspect for this contractor on `on`."""
    records = inspectors.accreditations_of(session=session, party_id=inspector.id)
    named = f"inspector {inspector.display_name} ({inspector.id})"
    refusal = ineligibility(named, records, contractor.id, on)
    if refusal is not None:
        code, sentence = refusal
        raise ApiError(409, code, sentence, params={"inspector": named.removeprefix("inspector ")})
