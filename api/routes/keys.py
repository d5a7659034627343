"""A party's devices (its keys): list them, pair a new one by a short code, revoke one.

Pairing, as the person holding two devices sees it:
1. A signed-in device opens a pairing (`POST /parties/me/pairings`) and shows its code (8
   characters, valid ESCROW_PAIRING_MINUTES) and a QR of `{ESCROW_PUBLIC_URL}/pair#CODE`.
2. The new device, not signed in, opens that page. It gives the code (`POST /pairings/lookup`)
   and learns whose key it is about to become; it makes its key (in a browser: WebCrypto,
   non-extractable) and answers with the key's own signed `key.pair` (`POST
   /pairings/{id}/key`), the proof that its holder can sign with it.
3. Both devices show the new key's fingerprint (domain.keys.fingerprint, each computed on the
   device from the key itself); the person checks they match, and the first device confirms by
   signing `key.add` over that `key.pair` (`POST /parties/me/pairings/{id}/confirmation`). It
   is recorded as a key event (db.keys.record_event), so the party's KeyRing decides: a key is
   added only with the signature of a key the party holds.
4. The new device sees the pairing done (`GET /pairings/{id}`) and signs in with its own key.

The code in the QR's address follows `#`, which a browser never sends: it reaches no log. A
wrong code counts against the client's address (ESCROW_RATE_LIMIT_PAIRING_FAILURES) and
against the pairing (5, then it is closed). The pairing's id is a random secret answered only
to whoever gave the code: the new device follows the pairing by it without signing in.

Revoking (`POST /parties/me/keys/{key_id}/revocation`) takes a `key.revoke` signed by any
active key of the party, never for its last key; the party's open escrows and cases are then
told at once (`push_key_events`), best effort: the party's next step carries its key events
anyway. A revoked key signs nothing more, sign-in included (api/key_proof.py).

Key events are stamped with the signer's clock, which becomes the key's added or revoked
time: one farther than `signature_max_skew_seconds` from now is refused (`stale_timestamp`),
so nobody can date a revocation back.
"""

import hmac
import logging
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from activities.key_events import push_key_events
from api.deps import CurrentParty, SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError, error_responses
from api.gateway import refused
from api.key_models import (
    DevicePublic,
    NewKeyPublic,
    PairingAnswer,
    PairingCodeIn,
    PairingInvite,
    PairingOpened,
    PairingProgress,
    PairingPublic,
)
from api.key_proof import require_fresh, signed_envelope
from api.models import SignedStepIn
from api.qr import qr_svg
from api.rate_limits import Guesses, PairingGuesses
from config.settings import Settings
from db import crud, keys, pairings
from db.models import KeyPairing, Party, PartyKeyRecord, utcnow
from domain.keys import KEY_ADD, KEY_PAIR, KEY_REVOKE, KeyPair, fingerprint
from domain.keys import key_id as id_of_key
from domain.roles import Role
from domain.steps.payload_errors import read_payload
from domain.steps.rejections import StepRejected
from domain.steps.signing import Envelope, SignedStep, signature_is_valid

log = logging.getLogger("api")

router = APIRouter(prefix="/parties/me", tags=["devices"], responses=error_responses(401))
pairing_router = APIRouter(prefix="/pairings", tags=["devices"])

# Why a pairing cannot take a request, by the status it is in instead of the one the request needs.
NOT_NOW = {
    "waiting": ("pairing_not_answered", "the new device has not entered the code yet"),
    "answered": ("pairing_taken", "a device already answered this pairing"),
    "done": ("pairing_used", "this pairing is finished: open a new one to add another device"),
    "expired": ("pairing_expired", "this pairing has expired: open a new one on your signed-in device"),
    "closed": ("pairing_closed", "too many wrong codes were tried on this pairing: open a new one"),
}
WRONG_CODE = "no open pairing has this code: check it on your signed-in device"


def device(record: PartyKeyRecord, this_device: str | None = None) -> DevicePublic:
    return DevicePublic(
        id=record.id,
        label=record.label,
        public_key=record.public_key,
        fingerprint=fingerprint(record.public_key),
        via=record.via,
        added_at=record.added_at,
        last_used_at=record.last_used_at,
        revoked_at=record.revoked_at,
        this_device=record.id == this_device,
    )


def require_status(pairing: KeyPairing, wanted: pairings.PairingStatus) -> None:
    status = pairings.status_of(pairing, utcnow())
    if status != wanted:
        raise ApiError(409, *NOT_NOW[status])


def key_event(body: SignedStepIn, action: str, settings: Settings) -> tuple[SignedStep, Envelope]:
    """A `key.add` or `key.revoke` as signed, checked for its action and its time; the ring
    (db.keys.record_event) checks everything else."""
    step, envelope = signed_envelope(body, action)
    require_fresh(envelope, settings)
    return step, envelope


def record(session: Session, party: Party, step: SignedStep) -> PartyKeyRecord:
    """Record a key event and mark the key that signed it used; the key the event was about."""
    signer = keys.signing_key(session, party, step)
    now = utcnow()
    try:
        change = keys.record_event(session, party, step, now)
    except StepRejected as exc:
        raise refused(exc) from None
    if change is None:
        raise ApiError(409, "already_recorded", "this signed key event was recorded already")
    if signer is not None:
        keys.touch(session, signer, now)
    changed = session.get(PartyKeyRecord, id_of_key(change.public_key))
    assert changed is not None, "record_event stores the key an event is about"
    return changed


# -- the party's own devices ------------------------------------------------------------------
@router.get("/keys", response_model=list[DevicePublic])
def list_devices(
    party: CurrentParty,
    session: SessionDep,
    this_device: Annotated[
        str | None,
        Query(max_length=40, description="the key id of the calling device, to mark it `this_device`"),
    ] = None,
) -> list[DevicePublic]:
    """The party's keys, oldest first, revoked ones included."""
    return [device(row, this_device) for row in keys.keys_of(session, party.id)]


@router.post(
    "/keys/{key_id}/revocation", response_model=DevicePublic, responses=error_responses(403, 409, 422)
)
async def revoke_device(
    key_id: str,
    body: SignedStepIn,
    request: Request,
    party: CurrentParty,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> DevicePublic:
    """Revoke one of the party's keys with a `key.revoke` (payload: {public_key}) signed by any of
    its active keys, this one included; its last key is refused (409 `last_key`)."""
    step, envelope = key_event(body, KEY_REVOKE, settings)
    named = envelope.payload.get("public_key")
    if not isinstance(named, str) or id_of_key(named) != key_id:
        raise ApiError(422, "key_mismatch", "the signed key.revoke names another key than this address")
    revoked = record(session, party, step)
    engine: Engine = request.app.state.engine
    try:
        await push_key_events(temporal, engine, party.id)
    except Exception:  # the party's next step carries the events anyway
        log.exception("telling %s's open escrows and cases of a revoked key failed", party.id)
    return device(revoked)


# -- pairing, as the signed-in device sees it ---------------------------------------------------
def own_pairing(session: Session, party: Party, pairing_id: str) -> KeyPairing:
    pairing = pairings.get(session=session, pairing_id=pairing_id)
    if pairing is None or pairing.party_id != party.id:
        raise ApiError(404, "pairing_not_found", "the caller has no pairing with this id")
    return pairing


@router.post("/pairings", status_code=201, response_model=PairingOpened)
def open_pairing(party: CurrentParty, session: SessionDep, settings: SettingsDep) -> PairingOpened:
    """Open a pairing: a code (and a QR of the page that takes it) to show the new device."""
    pairing, code = pairings.open_pairing(
        session=session, party_id=party.id, lifetime=timedelta(minutes=settings.pairing_minutes)
    )
    url = f"{settings.public_url.rstrip('/')}/pair#{pairings.shown(code)}"
    return PairingOpened(
        id=pairing.id, code=pairings.shown(code), url=url, qr_svg=qr_svg(url), expires_at=pairing.expires_at
    )


@router.get("/pairings/{pairing_id}", response_model=PairingPublic, responses=error_responses(404))
def follow_pairing(pairing_id: str, party: CurrentParty, session: SessionDep) -> PairingPublic:
    """Where the pairing stands; once the new device answered, its key and signed `key.pair`."""
    pairing = own_pairing(session, party, pairing_id)
    possession = pairings.possession_of(pairing)
    new_key = None
    if possession is not None and pairing.public_key is not None and pairing.label is not None:
        new_key = NewKeyPublic(
            public_key=pairing.public_key,
            label=pairing.label,
            fingerprint=fingerprint(pairing.public_key),
            possession=SignedStepIn(envelope=possession.envelope, signature=possession.signature),
        )
    return PairingPublic(
        id=pairing.id,
        status=pairings.status_of(pairing, utcnow()),
        expires_at=pairing.expires_at,
        new_key=new_key,
    )


@router.post(
    "/pairings/{pairing_id}/confirmation",
    response_model=DevicePublic,
    responses=error_responses(403, 404, 409, 422),
)
def confirm_pairing(
    pairing_id: str, body: SignedStepIn, party: CurrentParty, session: SessionDep, settings: SettingsDep
) -> DevicePublic:
    """Add the new device's key: a `key.add` over the `key.pair` it sent, signed by any active key
    of the party (the one on this device), once the person saw the same fingerprint on both."""
    pairing = own_pairing(session, party, pairing_id)
    require_status(pairing, "answered")
    step, envelope = key_event(body, KEY_ADD, settings)
    possession = pairings.possession_of(pairing)
    assert possession is not None, "an answered pairing holds the new key's key.pair"
    sent = {"envelope": possession.envelope, "signature": possession.signature}
    payload: dict[str, Any] = envelope.payload
    if payload.get("public_key") != pairing.public_key or payload.get("possession") != sent:
        raise ApiError(422, "pairing_mismatch", "the signed key.add is not for the key the new device sent")
    added = record(session, party, step)
    pairings.complete(session=session, pairing=pairing, now=utcnow())
    return device(added)


# -- pairing, as the new device sees it (not signed in: the code, then the pairing's id) -------
def wrong_code(guesses: Guesses, pairing: KeyPairing | None, session: Session) -> ApiError:
    """Count a wrong code against the address, and against the pairing when there is one."""
    guesses.count_wrong()
    if pairing is not None:
        pairings.count_wrong(session=session, pairing=pairing)
    return ApiError(422, "wrong_pairing_code", WRONG_CODE)


@pairing_router.post("/lookup", response_model=PairingInvite, responses=error_responses(404, 409, 422, 429))
def look_up_pairing(body: PairingCodeIn, session: SessionDep, guesses: PairingGuesses) -> PairingInvite:
    """The pairing a code opens and whose it is: the party the new key's `key.pair` is signed for."""
    guesses.refuse_if_waiting()
    code = pairings.normalised(body.code)
    pairing = pairings.by_code(session=session, code=code) if code else None
    if pairing is None:
        raise wrong_code(guesses, None, session)
    require_status(pairing, "waiting")
    party = crud.get_party(session=session, party_id=pairing.party_id)
    assert party is not None, "a pairing's party exists (foreign key)"
    return PairingInvite(
        pairing_id=pairing.id,
        party_id=party.id,
        display_name=party.display_name,
        role=Role(party.role),
        expires_at=pairing.expires_at,
    )


def check_possession(session: Session, pairing: KeyPairing, body: SignedStepIn) -> tuple[SignedStep, KeyPair]:
    """The new key's own `key.pair` for the pairing's party, signed by that key, and a key no
    party holds or held."""
    possession, envelope = signed_envelope(body, KEY_PAIR)
    if envelope.subject != pairing.party_id or envelope.signer != pairing.party_id:
        raise ApiError(403, "wrong_subject", "the key.pair names another party than the pairing's")
    try:
        new = read_payload(KeyPair, envelope.payload)
    except StepRejected as exc:
        raise refused(exc, 422) from None
    if crud.canonical_public_key(new.public_key) != new.public_key:
        raise ApiError(422, "bad_public_key", "the new key is written in standard base64, with its padding")
    if not signature_is_valid(new.public_key, possession):
        raise ApiError(403, "no_possession", "the key.pair must be signed by the new key itself")
    if keys.key_taken(session, new.public_key):
        raise ApiError(409, "public_key_taken", "another party already holds this key")
    return possession, new


@pairing_router.post(
    "/{pairing_id}/key", response_model=PairingProgress, responses=error_responses(403, 404, 409, 422, 429)
)
def answer_pairing(
    pairing_id: str, body: PairingAnswer, session: SessionDep, guesses: PairingGuesses
) -> PairingProgress:
    """The new device's key, with its signed `key.pair` and the code again (the pairing's id
    alone answers nothing)."""
    guesses.refuse_if_waiting()
    pairing = pairings.get(session=session, pairing_id=pairing_id)
    if pairing is None:
        raise ApiError(404, "pairing_not_found", "there is no pairing with this id")
    code = pairings.normalised(body.code)
    if code is None or not hmac.compare_digest(pairings.code_hash(code), pairing.code_hash):
        require_status(pairing, "waiting")  # a closed pairing says so, and counts nothing more
        raise wrong_code(guesses, pairing, session)
    require_status(pairing, "waiting")
    possession, new = check_possession(session, pairing, body.possession)
    if not pairings.answer(
        session=session, pairing=pairing, possession=possession, public_key=new.public_key, label=new.label
    ):
        raise ApiError(409, *NOT_NOW["answered"])
    return progress(pairing)


def progress(pairing: KeyPairing) -> PairingProgress:
    return PairingProgress(
        pairing_id=pairing.id,
        status=pairings.status_of(pairing, utcnow()),
        expires_at=pairing.expires_at,
        fingerprint=None if pairing.public_key is None else fingerprint(pairing.public_key),
    )


@pairing_router.get("/{pairing_id}", response_model=PairingProgress, responses=error_responses(404))
def pairing_progress(pairing_id: str, session: SessionDep) -> PairingProgress:
    """Where the pairing stands, for the new device waiting for the confirmation."""
    pairing = pairings.get(session=session, pairing_id=pairing_id)
    if pairing is None:
        raise ApiError(404, "pairing_not_found", "there is no pairing with this id")
    return progress(pairing)
