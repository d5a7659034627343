"""A small world for the security tests: escrow A, car case C, their parties and outsiders.

Case C has a panel drawn: `seated_expert` holds a seat on it (drawn from experts enrolled
for this world, the only ones eligible against C's dealer). Outsiders are parties of the
same roles from another escrow and another case (`other_*`), an expert party seated
nowhere (`unseated_expert`), nobody (no token) and a bad token.

To draw the panel, case C's clock is fast-forwarded past its negotiation window, so its
steps are signed at the case's time (`case_offset` ahead of the wall clock); escrow A
keeps the wall clock.
"""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session

from cli.dispute_demo import CAR_POOL, CAR_TIES, WINDOWS, CaseClocks
from client.case_session import CaseSession
from client.escrow_session import eventually
from client.funds import open_fund
from client.keys import PartyKey
from client.party import Party
from db.evidence import record_refs
from domain.case.steps import CASE_STEPS
from domain.escrow.steps import ESCROW_STEPS
from domain.fund.steps import FUND_STEPS
from tests.conftest import Stack
from tests.kits.businesses import verified_business
from tests.kits.evidence_files import photo
from tests.kits.flow import EscrowFlow
from tests.kits.recovery_kit import Recovery
from tests.kits.staff_kit import expert_pool
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id

ANONYMOUS, BAD_TOKEN = "anonymous", "bad_token"

# each caller who is a party of escrow A or case C -> its role there
ESCROW_ROLES = {"owner": "owner", "contractor": "contractor", "inspector": "inspector", "council": "council"}
CASE_ROLES = {"buyer": "claimant", "dealer": "respondent", "council": "council", "seated_expert": "expert"}

# the signed-step endpoints (path templates) -> their action, and the payload field the path's number names
FUND_ROLES = {"dealer": "dealer", "council": "council"}  # the dealer's fund: its business, and the council
STEP_ACTIONS = (
    {f"/escrows/{{subject_id}}{s.path}": s.action for s in ESCROW_STEPS if s.path}
    | {f"/cases/{{subject_id}}{s.path}": s.action for s in CASE_STEPS if s.path}
    | {f"/funds/{{subject_id}}{s.path}": s.action for s in FUND_STEPS if s.path}
)
NUMBER_FIELDS = {f"/escrows/{{subject_id}}{s.path}": s.path_field for s in ESCROW_STEPS if s.path_field} | {
    f"/cases/{{subject_id}}{s.path}": s.path_field for s in CASE_STEPS if s.path_field
}


@dataclass
class World:
    """Escrow A and car case C with their parties, and a party of each role from elsewhere."""

    http: httpx.AsyncClient
    flow: EscrowFlow
    case_id: str
    parties: dict[str, Party] = field(default_factory=dict)
    case_offset: timedelta = timedelta(0)  # case C's clock minus the wall clock
    fund_id: str = ""  # the dealer's compensation fund
    recovery: Recovery | None = None  # a key recovery the owner's new device asked for

    async def recovery_request(self) -> Recovery:
        """The owner's key recovery request, asked for the first time a probe needs it."""
        if self.recovery is None:
            self.recovery = await Recovery.requested(self.http, self.parties["owner"].id)
        return self.recovery

    def token_headers(self, caller: str) -> dict[str, str]:
        if caller == ANONYMOUS:
            return {}
        if caller == BAD_TOKEN:
            return {"Authorization": "Bearer not-a-registered-token"}
        return self.parties[caller].auth

    def subject_of(self, template: str) -> str:
        """The process a route's {subject_id} names: case C, the dealer's fund, or escrow A."""
        if template.startswith("/cases/"):
            return self.case_id
        return self.fund_id if template.startswith("/funds/") else self.flow.escrow_id

    def rightful(self, subject: str) -> str:
        """Whose id a forged signature claims: the owner's on escrow A, the dealer's on its fund,
        the buyer's on case C."""
        return {self.flow.escrow_id: "owner", self.fund_id: "dealer"}.get(subject, "buyer")

    def signed(self, caller: str, action: str, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC) + (self.case_offset if subject == self.case_id else timedelta(0))
        if caller == ANONYMOUS:
            step = PartyKey.generate().sign_step(
                action=action, subject=subject, signer="P-NOBODY", payload=payload, now=now
            )
        elif caller == BAD_TOKEN:  # the rightful party's id, someone else's signature
            rightful = self.parties[self.rightful(subject)]
            step = PartyKey.generate().sign_step(
                action=action, subject=subject, signer=rightful.id, payload=payload, now=now
            )
        else:
            step = self.parties[caller].sign(action, subject, payload, now)
        return asdict(step)


def car_claim() -> dict[str, Any]:
    return {
        "domain": "car",
        "main_specialty": "transmission",
        "items": [{"item_id": "gearbox", "description": "the gearbox fails within the warranty"}],
        "disputed_fen": 12_000_000,
        "remedy_sought": "replace the car",
    }


async def car_case(http: httpx.AsyncClient, buyer: Party, dealer: Party) -> str:
    claim = car_claim()
    response = await http.post(
        "/cases", json=asdict(buyer.sign("claim.file", dealer.id, claim)), headers=buyer.auth
    )
    assert response.status_code == 201, response.json()
    return response.json()["case_id"]


async def build_world(stack: Stack) -> World:
    http = stack.http
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=1_000_000)
    other = await EscrowFlow(stack).register()
    await other.create(total_fen=500_000)
    sides = {}
    for role in ("buyer", "other_buyer"):
        sides[role] = await Party(http, "buyer", f"{role} party").register()
    for role in ("dealer", "other_dealer"):
        sides[role] = await verified_business(http, "dealer", f"{role} party", council=flow.council)
    case_id = await car_case(http, sides["buyer"], sides["dealer"])
    await car_case(http, sides["other_buyer"], sides["other_dealer"])
    seated, case_offset = await draw_panel(stack, case_id, sides["buyer"], sides["dealer"], flow.council)
    parties = {
        "owner": flow.owner,
        "contractor": flow.contractor,
        "inspector": flow.inspector,
        "council": flow.council,
        "seated_expert": seated,
        "unseated_expert": await Party(http, "expert", "Unseated expert").register(),
        "bank": await Party(http, "bank", "Bank staff").register(
            enrolment_secret=stack.settings.bank_admin_token.get_secret_value()
        ),
        "housing_association": await delegated_association(http, flow.council),
        "other_owner": other.owner,
        "other_contractor": other.contractor,
        "other_inspector": other.inspector,
        **sides,
    }
    world = World(http, flow, case_id, parties, case_offset, fund_id=await open_fund(sides["dealer"]))
    await read_models_have(world)
    return world


async def delegated_association(http: httpx.AsyncClient, council: Party) -> Party:
    """A housing association the council delegated business verification to (api/routes/delegations.py)."""
    association = await Party(http, "housing_association", "Housing association").register()
    granted = await http.post(
        "/delegations",
        json={"party_id": association.id, "note": "delegation agreement signed"},
        headers=council.auth,
    )
    assert granted.status_code == 201, granted.json()
    return association


async def draw_panel(
    stack: Stack, case_id: str, buyer: Party, dealer: Party, council: Party
) -> tuple[Party, timedelta]:
    """Take case C to its drawn panel; return a seated expert and how far C's clock is ahead.

    The experts are enrolled for this world (tests/kits/staff_kit.py, retired by the caller
    with `retire_enrolled`) and are the only ones eligible against C's dealer, so every seat
    is held by a party whose key and token the world has.
    """
    pool = await expert_pool(stack, council, dealer, CAR_POOL, CAR_TIES)
    case = CaseSession(stack.http, claimant=buyer, respondent=dealer, council=council, experts=pool)
    case.case_id = case_id
    await case.accept()
    await case.answer("dealer-answer")
    clocks = CaseClocks(stack.temporal)
    await clocks.fast_forward(case_id, WINDOWS.negotiation_days)
    state = await case.until("panel")
    seat = next(iter(state.rounds[-1].seats.values()))
    seated = next(party for party in pool.values() if party.id == seat.party_id)
    return seated, await clocks.now(case_id) - datetime.now(UTC)


async def case_evidence(world: World) -> str:
    """A photo the buyer uploaded, named by case C's trail: uploaded again (answered as already
    stored) and its reference recorded as the projection records it (both idempotent)."""
    buyer = world.parties["buyer"]
    digest = await buyer.upload_evidence(photo(200, 150, gps=True))
    with Session(world.flow.stack.engine) as session:
        record_refs(
            session=session,
            subject_id=world.case_id,
            refs=[{"digest": digest, "seq": 0, "action": "claim.file", "signer_id": buyer.id}],
        )
    return digest


async def versions(world: World) -> tuple[int, int]:
    """The escrow's and the case's version: any accepted step would move one of them."""
    escrow = await world.flow.state()
    handle = world.flow.stack.temporal.get_workflow_handle(case_workflow_id(world.case_id))
    case = await handle.query(CaseWorkflow.snapshot)
    return escrow.version, case.version


async def read_models_have(world: World) -> None:
    """The lists come from the read model, which the workflows project asynchronously."""

    async def listed() -> tuple[list, list]:
        owner, buyer = world.token_headers("owner"), world.token_headers("buyer")
        escrows = (await world.http.get("/escrows", headers=owner)).json()
        cases = (await world.http.get("/cases", headers=buyer)).json()
        return [row["escrow_id"] for row in escrows], [row["case_id"] for row in cases]

    await eventually(
        listed,
        lambda seen: world.flow.escrow_id in seen[0] and world.case_id in seen[1],
        "escrow A and case C in the read model",
        20.0,
    )


# Who calls in the authorization matrices (tests/test_security.py, tests/web/test_page_matrix.py).
OTHERS = ("other_owner", "other_contractor", "other_inspector", "other_buyer", "other_dealer")
EXPERTS = ("seated_expert", "unseated_expert")
PARTY_ROLES = (
    "owner",
    "contractor",
    "inspector",
    "council",
    *EXPERTS,
    "bank",
    "buyer",
    "dealer",
    "housing_association",
    *OTHERS,
)
CALLERS = (*PARTY_ROLES, ANONYMOUS, BAD_TOKEN)
ESCROW_READERS = {"owner", "contractor", "inspector", "council"}
