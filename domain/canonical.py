"""Canonical JSON: the one byte form that signatures and hashes are computed over.

Sorted keys, UTF-8, no whitespace. Floats are refused outright so that no amount
can ever be carried as a float on the money path.
"""

import hashlib
import json
from datetime import datetime
from typing import Any


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical JSON; use integer minor units")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("canonical JSON object keys must be strings")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def canonical_json(value: Any) -> bytes:
    _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(value: Any) -> str:
    """Hash of a JSON value as referenced from signed envelopes (e.g. terms, reports)."""
    return sha256_hex(canonical_json(value))


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def jsonable_object(value: dict[str, Any]) -> dict[str, Any]:
    """`jsonable` of a JSON object, typed as the object it stays."""
    return {k: jsonable(v) for k, v in value.items()}
