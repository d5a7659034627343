"""Answering a create once per business key, so asking again never makes a second one.

A create whose answer is lost (a cut connection, a 503) is asked again. The first
request records its answer and its workflow's exact input under (scope, party, key)
and commits that before it starts the workflow; a repeat gets the recorded answer
and starts the recorded input again, tolerating "already started". A repeat thus
either finds the workflow running or starts the very one the first request meant
to, and the answer always names a workflow that exists. The key is the caller's
own: two parties using the same key never see each other's answers.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header
from sqlmodel import Session
from temporalio.api.common.v1 import Payload
from temporalio.converter import JSONPlainPayloadConverter

from api.errors import ApiError
from db.request_records import get_request_record, record_request
from domain.canonical import content_hash

T = TypeVar("T")


def idempotency_header(description: str) -> Any:
    """The optional `Idempotency-Key` header of a create, its rules the same for every create."""
    return Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description=description,
    )


IdempotencyKey = Annotated[
    str | None,
    idempotency_header(
        "a key the caller draws once per record it creates (e.g. a UUID, or a form's key drawn "
        "when the page was rendered): the same party, key and body asked again get the first "
        "answer (201, the same record); the same key with another body is refused with 409 "
        "idempotency_key_reused"
    ),
]

# Temporal's own JSON converter, so a recorded input decodes to exactly what it would have sent.
_CONVERTER = JSONPlainPayloadConverter()


def encoded_input(workflow_input: Any) -> str:
    """The workflow input as Temporal's JSON converter writes it, to re-start the same input later."""
    payload = _CONVERTER.to_payload(workflow_input)
    if payload is None:  # the converter declines only what is not JSON: a programming error
        raise TypeError(f"{type(workflow_input).__name__} is not JSON-encodable")
    return payload.data.decode()


@dataclass(frozen=True)
class BusinessKey:
    """Which create, whose key, and a hash of what was asked, to tell a repeat from a reuse."""

    scope: str
    party_id: str
    key: str
    request_hash: str
    reused: ApiError  # the answer when the key comes back with a different request


def header_key(scope: str, party_id: str, key: str | None, asked: Any, record: str) -> BusinessKey | None:
    """The business key of a create's `Idempotency-Key` header (None without one): `asked` is
    what the key stands for, so the same key with something else asked is told apart."""
    if key is None:
        return None
    return BusinessKey(
        scope=scope,
        party_id=party_id,
        key=key,
        request_hash=content_hash(asked),
        reused=ApiError(
            409,
            "idempotency_key_reused",
            f"this Idempotency-Key was already used for a different {record}; draw a new key",
        ),
    )


@dataclass(frozen=True)
class FirstAnswer(Generic[T]):
    answer: dict[str, Any]
    workflow_input: T
    repeated: bool  # another request made it: its workflow may already be running


def answer_once(
    session: Session,
    *,
    key: BusinessKey | None,
    input_type: type[T],
    create: Callable[[], tuple[dict[str, Any], T]],
) -> FirstAnswer[T]:
    """The recorded first answer for `key`, or `create()`'s, recorded before anything starts.

    `create` validates and allocates ids; it runs only when the key is new, so a repeat
    allocates nothing. Two concurrent first requests may both run it: the first
    recorded wins, and the other's allocated id is left unused (a gap in the numbers).
    """
    if key is None:
        answer, workflow_input = create()
        return FirstAnswer(answer, workflow_input, repeated=False)
    stored = get_request_record(session=session, scope=key.scope, party_id=key.party_id, key=key.key)
    made_here = False
    if stored is None:
        answer, workflow_input = create()
        stored, made_here = record_request(
            session=session,
            scope=key.scope,
            party_id=key.party_id,
            key=key.key,
            request_hash=key.request_hash,
            answer_json=json.dumps(answer),
            workflow_input_json=encoded_input(workflow_input),
        )
    if stored.request_hash != key.request_hash:
        raise key.reused
    recorded_input = decoded_input(stored.workflow_input_json, input_type)
    return FirstAnswer(json.loads(stored.answer_json), recorded_input, repeated=not made_here)


def decoded_input(workflow_input_json: str, input_type: type[T]) -> T:
    """A recorded workflow input (`encoded_input`) read back as what Temporal would hand the workflow."""
    decoded: T = _CONVERTER.from_payload(Payload(data=workflow_input_json.encode()), input_type)
    return decoded
