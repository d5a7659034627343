"""Who may read an escrow: its owner, contractor and inspector, and the council.

One check for the API's reads (`GET /escrows/{id}`, its deposit instructions and its trail) and
the escrow pages alike, so the two can never let different people in.
"""

from temporalio.client import Client

from api.errors import ApiError
from api.gateway import ESCROW, query
from db.models import Party
from domain.escrow.snapshot import EscrowSnapshot
from domain.roles import Role
from workflows.escrow import EscrowWorkflow


def escrow_reader_role(party: Party, *, owner_id: str, contractor_id: str, inspector_id: str) -> Role:
    """The role in which this party reads the escrow; refused (403) when it is none of them."""
    named = {owner_id: Role.OWNER, contractor_id: Role.CONTRACTOR, inspector_id: Role.INSPECTOR}
    if party.id in named:
        return named[party.id]
    if party.role == Role.COUNCIL:
        return Role.COUNCIL
    raise ApiError(403, "not_a_participant", "only the escrow's parties and the council may read it")


async def read_escrow(temporal: Client, escrow_id: str, party: Party) -> tuple[EscrowSnapshot, Role]:
    """The escrow's snapshot from its workflow, with the role the party reads it in (403 for outsiders)."""
    snapshot = await query(temporal, ESCROW, escrow_id, EscrowWorkflow.snapshot)
    role = escrow_reader_role(
        party,
        owner_id=snapshot.owner_id,
        contractor_id=snapshot.contractor_id,
        inspector_id=snapshot.inspector_id,
    )
    return snapshot, role
