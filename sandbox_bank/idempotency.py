"""Idempotency keys: the first completed answer for a key is the only answer.

A retry is recognised by its key; the fingerprint tells a genuine retry (same
request) from a client bug that reuses a key for a different instruction, which
must be refused rather than answered with someone else's receipt.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sandbox_bank.errors import BankError
from sandbox_bank.models import IdempotencyRecord


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str
    replayed: bool


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(method: str, path: str, body: Any) -> str:
    material = f"{method.upper()}\n{path}\n{canonical_json(body)}"
    return hashlib.sha256(material.encode()).hexdigest()


def replay(record: IdempotencyRecord, request_fingerprint: str) -> StoredResponse:
    if record.fingerprint != request_fingerprint:
        raise BankError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request.",
        )
    return StoredResponse(record.status_code, record.response_body, replayed=True)
