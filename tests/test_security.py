"""Authorization matrix: every endpoint of the API against every kind of caller, over real HTTP.

The operations are read from the app's own OpenAPI schema, so an endpoint added
without a line in `MATRIX` fails `test_every_endpoint_is_in_the_matrix` (a route
kept out of the schema would escape it: those are the HTML pages, whose own matrix is
tests/web/test_page_matrix.py).

Who the callers are: the owner, contractor and inspector of escrow A; the council;
the buyer and dealer of car case C; an expert drawn onto C's panel (`seated_expert`) and an
expert party seated nowhere (`unseated_expert`); bank staff; a housing association the council
delegated business verification to; a party of the same role from ANOTHER escrow or case
(`other_*`); nobody (no token) and a bad token.

What the seated expert may read follows DESIGN ("readable by ... the panel drawn for that
case"): case C and its draws, like C's sides and the council; nothing of escrows or other
cases. `GET /cases` lists the cases a party is a SIDE of (docs/CASES.md), so a panel member finds
its seats on its expert pages (/expert/cases), not in that list.

Two kinds of authority, decided once:
- Reading and filing use the bearer token. No token or an unknown one: 401. A party
  that is not in the escrow or case it asks about: 403 `not_a_participant` (ids are
  sequential, so existence is not a secret; content is). An unknown id: 404.
- Signed steps ignore the token: the signature is the authority. A signer who is
  not a party of that escrow or case, including a key nobody registered: 403
  `not_a_party`; a party whose role may not sign the step: 403 `wrong_role`; the
  right signer with another key's signature: 403 `bad_signature`. For steps, the
  `anonymous` row is an unregistered key and the `bad_token` row is the owner's
  (or buyer's) id signed by a different key.

Every probe is built to be refused just AFTER authorization (an extra payload
field, an unknown party, a stage that does not exist), so an allowed caller is
seen to pass the check (422 with a business code) while nothing changes, and
the test can assert that no escrow or case moved.

Signing checks beyond the matrix, all over HTTP: for case steps and claims,
`test_case_steps_and_claims_refuse_tampering_replay_staleness_and_turn` below; for
escrow steps (tampered payload, foreign key, wrong role, out of turn, replayed
nonce, stale timestamp) tests/test_api_errors.py, and forged claims in
tests/test_case_api.py; every rule against the machines themselves in
tests/test_machine_signing.py and tests/test_case_machine_signatures.py. The
bank webhook's HMAC: tests/test_api_errors.py and tests/bank/test_webhooks.py.
Secrets: tests/test_secrets.py. Fuzzing: tests/test_fuzz_api.py.
"""

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.main import create_app
from client.keys import PartyKey
from client.party import Party
from config.settings import Settings
from domain.keys import KEY_RECOVER, KEY_RECOVER_APPROVE, KEY_RECOVER_CANCEL
from tests.kits.businesses import verified_business
from tests.kits.evidence_files import pdf
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.security_world import (
    ANONYMOUS,
    BAD_TOKEN,
    CALLERS,
    CASE_ROLES,
    ESCROW_READERS,
    ESCROW_ROLES,
    FUND_ROLES,
    NUMBER_FIELDS,
    PARTY_ROLES,
    STEP_ACTIONS,
    World,
    build_world,
    car_case,
    car_claim,
    case_evidence,
    versions,
)
from tests.kits.staff_kit import retire_enrolled

ESCROW_PARTIES = ("owner", "contractor", "inspector", "council")
NO_SUCH_NUMBER = 99  # a stage, dispute or claim number no escrow has: an allowed signer still gets a 4xx
PROBE = {"probe": "authorization matrix"}  # an unknown payload field: refused after the signer checks

Outcome = tuple[int, str | None]  # status and error code (None: a success without one)
UNAUTHENTICATED = {ANONYMOUS: (401, "not_authenticated"), BAD_TOKEN: (401, "bad_token")}


def reader(allowed: set[str], ok: Outcome = (200, None), denied: str = "not_a_participant"):
    """Token-authorised: `allowed` get `ok`, other parties 403 `denied`, no or a bad token 401."""

    def outcome(caller: str) -> Outcome:
        if caller in UNAUTHENTICATED:
            return UNAUTHENTICATED[caller]
        return ok if caller in allowed else (403, denied)

    return outcome


def anyone(ok: Outcome):
    return lambda caller: ok


def signers(parties: dict[str, str], allowed: set[str]):
    """Signature-authorised: `parties` maps each caller who is a party of the process to its role there."""

    def outcome(caller: str) -> Outcome:
        if caller == BAD_TOKEN:
            return (403, "bad_signature")
        if caller not in parties:
            return (403, "not_a_party")
        return (422, "unknown_fields") if parties[caller] in allowed else (403, "wrong_role")

    return outcome


PANEL = {"expert"}  # the role of a seated expert: an unseated one is no party of the case


def escrow_step(*roles: str):
    return signers(ESCROW_ROLES, set(roles))


def case_step(*roles: str):
    return signers(CASE_ROLES, set(roles))


def fund_step(*roles: str):
    return signers(FUND_ROLES, set(roles))


EVERY_PARTY = set(PARTY_ROLES)
SIGNATORIES = {"owner", "contractor"}
CASE_SIDES = {"buyer", "dealer"}
CASE_READERS = {*CASE_SIDES, "council", "seated_expert"}
COUNCIL = {"council"}
FUND_BUSINESSES = {"contractor", "dealer", "other_contractor", "other_dealer"}  # each verified
VERIFIERS = {"council", "housing_association"}  # the world's association holds a delegation in force
CLAIMANT, RESPONDENT, SIDES = {"claimant"}, {"respondent"}, {"claimant", "respondent"}

MATRIX: dict[str, Callable[[str], Outcome]] = {
    "GET /health": anyone((200, None)),
    "POST /parties": anyone((201, None)),
    "GET /parties/me": reader(EVERY_PARTY),
    "GET /parties/me/tokens": reader(EVERY_PARTY),
    # a new API token is asked for by the party's signature, never by a token
    "POST /parties/me/tokens": lambda caller: (
        (422, "unknown_fields") if caller in PARTY_ROLES else (403, "bad_signature")
    ),
    "POST /parties/me/tokens/{token_id}/revocation": reader(EVERY_PARTY, ok=(404, "token_not_found")),
    # who an id names (the contract form shows it before naming a party): anyone signed in
    "GET /parties/{party_id}/card": reader(EVERY_PARTY),
    # the council verifies businesses, and a housing association it delegated to (only revoking
    # stays the council's); the probe's empty body is refused after the role check
    "GET /businesses/awaiting": reader(VERIFIERS, denied="council_only"),
    "POST /businesses/{party_id}/verification": reader(
        VERIFIERS, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /businesses/{party_id}/revocation": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /delegations": reader(COUNCIL, ok=(422, "invalid_input"), denied="council_only"),
    "GET /delegations": reader(COUNCIL, denied="council_only"),
    "POST /delegations/{delegation_id}/revocation": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /parties/me/webhooks": reader(EVERY_PARTY, ok=(422, "invalid_input")),
    "GET /parties/me/webhooks": reader(EVERY_PARTY),
    "DELETE /parties/me/webhooks/{webhook_id}": reader(EVERY_PARTY, ok=(404, "webhook_not_found")),
    "GET /parties/me/webhooks/{webhook_id}/deliveries": reader(EVERY_PARTY, ok=(404, "webhook_not_found")),
    "POST /parties/me/webhooks/deliveries/{delivery_id}/replay": reader(
        EVERY_PARTY, ok=(404, "delivery_not_found")
    ),
    # a party's own channels, preferences and inbox: any party, only its own (another's id: 404)
    "POST /parties/me/channels": reader(EVERY_PARTY, ok=(422, "invalid_input")),
    "GET /parties/me/channels": reader(EVERY_PARTY),
    "POST /parties/me/channels/{channel_id}/code": reader(EVERY_PARTY, ok=(404, "channel_not_found")),
    "POST /parties/me/channels/{channel_id}/verify": reader(EVERY_PARTY, ok=(404, "channel_not_found")),
    "DELETE /parties/me/channels/{channel_id}": reader(EVERY_PARTY, ok=(404, "channel_not_found")),
    "GET /parties/me/preferences": reader(EVERY_PARTY),
    "PUT /parties/me/preferences": reader(EVERY_PARTY, ok=(422, "invalid_input")),
    "GET /parties/me/notifications": reader(EVERY_PARTY),
    "POST /parties/me/notifications/read-all": reader(EVERY_PARTY),
    "POST /parties/me/notifications/{notification_id}/read": reader(
        EVERY_PARTY, ok=(404, "notification_not_found")
    ),
    # a party's own devices and pairings; key events are signed as well (tests/test_device_keys_api.py)
    "GET /parties/me/keys": reader(EVERY_PARTY),
    "POST /parties/me/keys/{key_id}/revocation": reader(EVERY_PARTY, ok=(422, "invalid_input")),
    "POST /parties/me/pairings": reader(EVERY_PARTY, ok=(201, None)),
    "GET /parties/me/pairings/{pairing_id}": reader(EVERY_PARTY, ok=(404, "pairing_not_found")),
    "POST /parties/me/pairings/{pairing_id}/confirmation": reader(EVERY_PARTY, ok=(422, "invalid_input")),
    # the new device is signed in as nobody: the code is its authority, then the pairing's secret id
    "POST /pairings/lookup": anyone((422, "wrong_pairing_code")),
    "POST /pairings/{pairing_id}/key": anyone((404, "pairing_not_found")),
    "GET /pairings/{pairing_id}": anyone((404, "pairing_not_found")),
    "POST /escrows": reader(SIGNATORIES, ok=(422, "unknown_party"), denied="not_a_signatory"),
    "GET /escrows": reader(EVERY_PARTY),
    "GET /escrows/standard-plan": reader(EVERY_PARTY, ok=(422, "invalid_input")),  # asked with no total
    "GET /escrows/{escrow_id}": reader(ESCROW_READERS),
    "GET /escrows/{escrow_id}/audit": reader(ESCROW_READERS),
    "GET /escrows/{escrow_id}/deposit-instructions": reader(ESCROW_READERS),
    "POST /escrows/{subject_id}/contract/signatures": escrow_step("owner", "contractor"),
    "POST /escrows/{subject_id}/stages/{number}/inspection-requests": escrow_step("contractor"),
    "POST /escrows/{subject_id}/stages/{number}/inspection-reports": escrow_step("inspector"),
    "POST /escrows/{subject_id}/stages/{number}/acceptance": escrow_step("owner"),
    "POST /escrows/{subject_id}/stages/{number}/partial-acceptance": escrow_step("owner"),
    "POST /escrows/{subject_id}/stages/{number}/holdback-releases": escrow_step("owner"),
    "POST /escrows/{subject_id}/change-orders": escrow_step("owner", "contractor"),
    "POST /escrows/{subject_id}/cancellation": escrow_step("owner", "contractor"),
    "POST /escrows/{subject_id}/disputes": escrow_step("owner", "contractor"),
    "POST /escrows/{subject_id}/disputes/{number}/decision": escrow_step("council"),
    "POST /escrows/{subject_id}/warranty-claims": escrow_step("owner"),
    "POST /escrows/{subject_id}/warranty-claims/{number}/withdrawal": escrow_step("owner"),
    "POST /cases": reader(EVERY_PARTY, ok=(422, "unknown_fields")),
    "GET /cases": reader(EVERY_PARTY),
    "GET /cases/{case_id}": reader(CASE_READERS),
    "GET /cases/{case_id}/draws": reader(CASE_READERS),
    # C is a car case: its readers (the seated expert among them) learn it has no escrow, others
    # are refused first; reading a real one is tests/test_case_escrow.py
    "GET /cases/{case_id}/escrow": reader(CASE_READERS, ok=(404, "no_escrow")),
    "POST /cases/{subject_id}/acceptance": case_step(*COUNCIL),
    "POST /cases/{subject_id}/rejection": case_step(*COUNCIL),
    "POST /cases/{subject_id}/answer": case_step(*RESPONDENT),
    "POST /cases/{subject_id}/settlement-signatures": case_step(*SIDES),
    "POST /cases/{subject_id}/strikes": case_step(*SIDES),
    "POST /cases/{subject_id}/declarations": case_step(*PANEL),
    "POST /cases/{subject_id}/evidence": case_step(*SIDES),
    "POST /cases/{subject_id}/site-inspection-signatures": case_step(*SIDES, *PANEL),
    "POST /cases/{subject_id}/clock-pauses": case_step(*COUNCIL),
    "POST /cases/{subject_id}/clock-resumptions": case_step(*COUNCIL),
    "POST /cases/{subject_id}/vote-commitments": case_step(*PANEL),
    "POST /cases/{subject_id}/vote-reveals": case_step(*PANEL),
    "POST /cases/{subject_id}/decision-summary": case_step(*PANEL),
    "POST /cases/{subject_id}/decision-signatures": case_step(*PANEL),
    "POST /cases/{subject_id}/decision-countersignature": case_step(*COUNCIL),
    "POST /cases/{subject_id}/objections": case_step(*SIDES),
    "POST /cases/{subject_id}/enforcement": case_step(*COUNCIL),
    "POST /cases/{subject_id}/remedy-confirmation": case_step(*RESPONDENT),
    "POST /cases/{subject_id}/withdrawal": case_step(*CLAIMANT),
    "POST /cases/{subject_id}/mediation-extensions": case_step(*SIDES),
    "POST /webhooks/bank": anyone((401, "bad_webhook_signature")),  # the HMAC is the only authority
    "POST /experts": reader(COUNCIL, ok=(422, "invalid_input"), denied="council_only"),
    "GET /experts": reader(COUNCIL, denied="council_only"),
    "POST /experts/import": reader(COUNCIL, ok=(422, "invalid_csv"), denied="council_only"),
    "GET /experts/{expert_id}": reader(COUNCIL, ok=(404, "expert_not_found"), denied="council_only"),
    "PATCH /experts/{expert_id}": reader(COUNCIL, ok=(404, "expert_not_found"), denied="council_only"),
    "POST /experts/{expert_id}/deactivation": reader(
        COUNCIL, ok=(404, "expert_not_found"), denied="council_only"
    ),
    "POST /experts/{expert_id}/reactivation": reader(
        COUNCIL, ok=(404, "expert_not_found"), denied="council_only"
    ),
    "GET /inspectors": reader(EVERY_PARTY),
    "POST /inspectors/accreditations": reader(COUNCIL, ok=(422, "invalid_input"), denied="council_only"),
    "GET /inspectors/accreditations": reader(COUNCIL, denied="council_only"),
    "GET /inspectors/accreditations/{accreditation_id}": reader(
        COUNCIL, ok=(404, "accreditation_not_found"), denied="council_only"
    ),
    "PATCH /inspectors/accreditations/{accreditation_id}": reader(
        COUNCIL, ok=(404, "accreditation_not_found"), denied="council_only"
    ),
    "POST /inspectors/accreditations/{accreditation_id}/deactivation": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "GET /council/complaint-alerts": reader(COUNCIL, denied="council_only"),
    # consumer warnings (docs/PUBLIC_RECORD.md): the council drafts and signs (token and its own
    # key); anyone reads what two members published
    "POST /warnings": reader(COUNCIL, ok=(422, "invalid_input"), denied="council_only"),
    "GET /warnings": reader(COUNCIL, denied="council_only"),
    "GET /warnings/{warning_id}": reader(COUNCIL, ok=(404, "warning_not_found"), denied="council_only"),
    "POST /warnings/{warning_id}/publication-signatures": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /warnings/{warning_id}/withdrawal-signatures": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /warnings/{warning_id}/discard": reader(COUNCIL, ok=(422, "invalid_input"), denied="council_only"),
    "GET /public/warnings.json": anyone((200, None)),
    "GET /public/warnings.atom": anyone((200, None)),
    # key recovery (docs/RECOVERY.md): a new device asks with no token, so anyone may ask (the
    # probe's pairing carries an unknown field); anyone holding a request's id reads where it
    # stands; the council checks the person (token) and signs (the signature is the authority);
    # only a key the party still holds cancels
    "POST /key-recoveries": anyone((422, "unknown_fields")),
    "GET /key-recoveries": reader(COUNCIL, denied="council_only"),
    "GET /key-recoveries/{request_id}": anyone((200, None)),
    "POST /key-recoveries/{request_id}/identity-check": reader(
        COUNCIL, ok=(422, "invalid_input"), denied="council_only"
    ),
    "POST /key-recoveries/{request_id}/approval": lambda caller: (
        (422, "unknown_fields") if caller in COUNCIL else (403, "not_council")
    ),
    "POST /key-recoveries/{request_id}/binding": lambda caller: (
        (422, "unknown_fields") if caller in COUNCIL else (403, "not_council")
    ),
    "POST /key-recoveries/{request_id}/cancellation": lambda caller: (
        (422, "unknown_fields")
        if caller == "owner"
        else (403, "bad_signature")
        if caller == BAD_TOKEN
        else (403, "not_the_party")
    ),
    "POST /bank/deposits": reader({"bank"}, ok=(404, "escrow_not_found"), denied="bank_staff_only"),
    # the public record needs no sign-in: the same answer for everyone, token or not
    "GET /public/counts.json": anyone((200, None)),
    "GET /public/scorecards.json": anyone((200, None)),
    # a verified contractor or dealer opens its own fund (opening again answers it as it stands)
    "POST /funds": reader(FUND_BUSINESSES, ok=(201, None), denied="not_a_business"),
    "GET /funds": reader(COUNCIL, denied="council_only"),
    "GET /funds/{fund_id}": reader({"dealer", "council"}, denied="not_fund_reader"),  # the dealer's fund
    "GET /funds/{fund_id}/audit": reader({"dealer", "council"}, denied="not_fund_reader"),
    "POST /funds/{subject_id}/pledge": fund_step("dealer"),
    "POST /funds/{subject_id}/advances": fund_step("council"),
    "POST /funds/{subject_id}/withdrawals": fund_step("dealer"),
    "GET /public/ratings.json": anyone((200, None)),
    "GET /public/ratings/{party_id}.json": anyone((200, None)),  # the world's contractor is verified
    "GET /public/decisions.json": anyone((200, None)),
    "GET /public/quarters/{quarter}.json": anyone((404, "not_published")),
    "GET /public/quarters/{quarter}.csv": anyone((404, "not_published")),
    "GET /public/quarters/{quarter}/notices/{district}.pdf": anyone((404, "not_published")),
    # any party may upload; the probe's bytes do not hash to its digest, so nothing is stored
    "PUT /evidence/{digest}": reader(EVERY_PARTY, ok=(422, "hash_mismatch")),
    # a photo the buyer uploaded, named by case C's trail: C's readers, its panel included
    "GET /evidence/{digest}": reader(CASE_READERS),
    "GET /evidence/{digest}/thumbnail": reader(CASE_READERS),
    "GET /evidence/{digest}/meta": reader(CASE_READERS),
}


def schema_operations(settings: Settings) -> set[str]:
    schema = create_app(settings).openapi()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_matrix(tmp_path):
    operations = schema_operations(Settings(data_dir=tmp_path))
    assert operations - MATRIX.keys() == set(), "endpoints with no authorization decision in MATRIX"
    assert MATRIX.keys() - operations == set(), "MATRIX lists endpoints the API no longer has"


@pytest.fixture(scope="module")
async def world(stack):
    yield await build_world(stack)
    await retire_enrolled(stack)  # C's experts leave the registry's draws with this module


async def probe(world: World, operation: str, caller: str) -> httpx.Response:
    """One request per (endpoint, caller), built to stop right after the authorization decision."""
    method, template = operation.split(" ")
    if template.startswith("/evidence/"):
        headers = world.token_headers(caller)
        if method == "PUT":
            headers |= {"Content-Type": "application/pdf"}
            return await world.http.put(f"/evidence/sha256:{'0' * 64}", content=pdf(), headers=headers)
        return await world.http.get(template.format(digest=await case_evidence(world)), headers=headers)
    if template.startswith("/key-recoveries"):
        return await recovery_probe(world, method, template, caller)
    escrow_id, case_id = world.flow.escrow_id, world.case_id
    path = template.format(
        escrow_id=escrow_id,
        case_id=case_id,
        subject_id=world.subject_of(template),
        fund_id=world.fund_id,
        number=NO_SUCH_NUMBER,
        expert_id="EXP-NO-SUCH-EXPERT",
        accreditation_id="ACC-NO-SUCH-ONE",
        delegation_id="DLG-NO-SUCH-ONE",
        warning_id="WRN-1999-00001",
        quarter="2019Q1",
        district="450300",
        token_id="TOK-NOSUCHTOKEN",
        webhook_id="WH-NOSUCHENDPOINT",
        delivery_id="WHD-NOSUCHDELIVERY",
        channel_id="CH-NOSUCHCHANNEL",
        notification_id=NO_SUCH_NUMBER,
        key_id="key-0000000000000000",
        pairing_id="NO-SUCH-PAIRING",
        party_id=world.flow.contractor.id,
    )
    headers = world.token_headers(caller)
    if template in STEP_ACTIONS:
        subject = world.subject_of(template)
        payload = dict(PROBE)
        if template in NUMBER_FIELDS:
            payload[NUMBER_FIELDS[template]] = NO_SUCH_NUMBER
        body = world.signed(caller, STEP_ACTIONS[template], subject, payload)
        return await world.http.post(path, json=body, headers=headers)
    if operation == "POST /parties/me/tokens":
        signer = world.parties[caller].id if caller in world.parties else world.parties["owner"].id
        return await world.http.post(path, json=world.signed(caller, "token.issue", signer, dict(PROBE)))
    if operation == "POST /parties":
        fresh = {
            "role": "owner",
            "display_name": "Newcomer",
            "public_key": PartyKey.generate().public_key_b64,
        }
        return await world.http.post(path, json=fresh, headers=headers)
    if operation == "POST /escrows":
        flow = world.flow
        body = {
            "title": "probe",
            "owner_id": flow.owner.id,
            "contractor_id": flow.contractor.id,
            "inspector_id": "P-NO-SUCH-INSPECTOR",
            "total_fen": 100_000,
        }
        return await world.http.post(path, json=body, headers=headers)
    if operation == "POST /cases":
        claimant = caller if caller in world.parties else "buyer"
        body = world.signed(claimant, "claim.file", world.parties["dealer"].id, dict(PROBE))
        return await world.http.post(path, json=body, headers=headers)
    if operation == "POST /bank/deposits":
        unknown = "ESC-2019-99999"
        body = {"escrow_id": unknown, "amount_fen": 1, "idempotency_key": f"{unknown}:deposit-{'0' * 16}"}
        return await world.http.post(path, json=body, headers=headers)
    if operation == "POST /webhooks/bank":
        event = {"type": "deposit.confirmed", "account_id": escrow_id, "tx_id": "forged", "amount_fen": 1}
        return await world.http.post(path, json=event, headers=headers)
    if operation == "POST /experts/import":
        return await world.http.post(
            path, content=b"name,domain,specialties\n", headers={**headers, "Content-Type": "text/csv"}
        )
    if operation == "POST /pairings/lookup":
        return await world.http.post(path, json={"code": "AAAA-AAAA"}, headers=headers)
    if operation == "POST /pairings/{pairing_id}/key":
        possession = world.signed(caller, "key.pair", world.flow.owner.id, dict(PROBE))
        return await world.http.post(
            path, json={"code": "AAAA-AAAA", "possession": possession}, headers=headers
        )
    if operation == "POST /parties/me/channels/{channel_id}/verify":
        return await world.http.post(path, json={"code": "000000"}, headers=headers)
    if method == "DELETE":
        return await world.http.delete(path, headers=headers)
    if method in ("POST", "PATCH", "PUT"):
        return await world.http.request(method, path, json={}, headers=headers)
    return await world.http.request(method, path, headers=headers)


RECOVERY_STEPS = {
    "/key-recoveries/{request_id}/approval": KEY_RECOVER_APPROVE,
    "/key-recoveries/{request_id}/binding": KEY_RECOVER,
    "/key-recoveries/{request_id}/cancellation": KEY_RECOVER_CANCEL,
}


async def recovery_probe(world: World, method: str, template: str, caller: str) -> httpx.Response:
    """The owner's recovery request: the council's signatures and the party's cancellation signed
    by the caller (an unregistered key for `anonymous`; for `bad_token`, the council's or the
    owner's id with another key), each with an unknown payload field."""
    recovery = await world.recovery_request()
    path = template.format(request_id=recovery.request_id)
    headers = world.token_headers(caller)
    if method == "GET":
        return await world.http.get(path, headers=headers)
    if template == "/key-recoveries":
        pairing = asdict(PartyKey.generate().sign_pairing(recovery.party_id, "probe"))
        pairing["envelope"]["payload"] |= PROBE
        return await world.http.post(path, json={"party_id": recovery.party_id, "pairing": pairing})
    if template in RECOVERY_STEPS:
        action = RECOVERY_STEPS[template]
        cancelling = action == KEY_RECOVER_CANCEL
        if caller in world.parties:
            signer, key = world.parties[caller].id, world.parties[caller].key
        else:
            rightful = world.parties["owner" if cancelling else "council"].id
            signer, key = (rightful if caller == BAD_TOKEN else "P-NOBODY"), PartyKey.generate()
        step = key.sign_step(action=action, subject=recovery.party_id, signer=signer, payload=dict(PROBE))
        return await world.http.post(path, json=asdict(step), headers=headers)
    return await world.http.post(path, json={}, headers=headers)


@pytest.mark.parametrize("operation", sorted(MATRIX))
async def test_authorization(world: World, operation: str):
    before = await versions(world)
    wrong = {}
    for caller in CALLERS:
        response = await probe(world, operation, caller)
        code = response.json()["detail"]["code"] if response.is_error else None  # a file is not JSON
        expected = MATRIX[operation](caller)
        if (response.status_code, code) != expected:
            wrong[caller] = {"expected": expected, "got": (response.status_code, code)}
    assert wrong == {}, f"{operation}: {wrong}"
    assert await versions(world) == before, "a probe changed an escrow or a case"


async def test_lists_show_only_the_callers_own(world: World):
    """GET /escrows and GET /cases: every caller gets 200, but foreign rows never appear."""
    for caller in PARTY_ROLES:
        headers = world.token_headers(caller)
        escrows = {row["escrow_id"] for row in (await world.http.get("/escrows", headers=headers)).json()}
        cases = {row["case_id"] for row in (await world.http.get("/cases", headers=headers)).json()}
        assert (world.flow.escrow_id in escrows) == (caller in {"owner", "contractor", "inspector"}), caller
        assert (world.case_id in cases) == (caller in CASE_SIDES | COUNCIL), caller


async def test_case_steps_and_claims_refuse_tampering_replay_staleness_and_turn(stack):
    http = stack.http
    council = await Party(http, "council", "Signing council").register(enrolment_secret=COUNCIL_SECRET)
    buyer = await Party(http, "buyer", "Signing buyer").register()
    dealer = await verified_business(http, "dealer", "Signing dealer")
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)

    stale_claim = buyer.sign("claim.file", dealer.id, car_claim(), two_hours_ago)
    response = await http.post("/cases", json=asdict(stale_claim), headers=buyer.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (409, "stale_timestamp")

    case_id = await car_case(http, buyer, dealer)
    tampered = council.sign("case.accept", case_id, {"note": "accepted"})
    tampered.envelope["payload"]["note"] = "rejected"
    accept = council.sign("case.accept", case_id, {})
    refusals = [
        ("/answer", dealer.sign("answer.submit", case_id, {"text": "a"}), 409, "wrong_phase"),
        ("/acceptance", tampered, 403, "bad_signature"),
        ("/acceptance", council.sign("case.accept", case_id, {}, two_hours_ago), 409, "stale_timestamp"),
        ("/acceptance", accept, 200, None),
        ("/acceptance", accept, 409, "nonce_reused"),
    ]
    for path, signed, status, code in refusals:
        response = await http.post(f"/cases/{case_id}{path}", json=asdict(signed))
        got = (response.status_code, response.json()["detail"]["code"] if response.is_error else None)
        assert got == (status, code), (path, response.json())
    case = (await http.get(f"/cases/{case_id}", headers=council.auth)).json()
    assert (case["phase"], case["version"]) == ("answer", 1), "only the one valid step changed the case"


async def test_outsiders_filing_a_case_on_an_escrow_learn_nothing_of_its_disputes(world: World):
    """The escrow checks who files before whether the dispute exists: 403 either way, never 409."""
    before = await versions(world)
    owner, contractor = world.parties["other_owner"], world.parties["other_contractor"]
    claim = {
        "domain": "renovation",
        "main_specialty": "waterproofing",
        "items": [{"item_id": "leak", "description": "the shower leaks"}],
        "disputed_fen": 300_000,
        "remedy_sought": "refund the stage",
        "escrow_id": world.flow.escrow_id,
        "escrow_dispute": 1,  # escrow A has no dispute at all
    }
    signed = owner.sign("claim.file", contractor.id, claim)
    response = await world.http.post("/cases", json=asdict(signed), headers=owner.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (403, "not_the_escrows_parties")
    assert await versions(world) == before
