"""Property tests for canonical JSON, signed envelopes and the default money split.

Hypothesis runs derandomized and without an example database, so CI sees the
same examples on every run.
"""

import base64
import json
from copy import deepcopy
from datetime import UTC
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.keys import PartyKey
from domain.canonical import canonical_json
from domain.escrow.terms import DEFAULT_RETENTION_PERCENT, DEFAULT_STAGE_PLAN, ContractTerms, split_by_percent
from domain.escrow.terms import PartyKey as TermsKey
from domain.steps.signing import SignedStep, sign, signature_is_valid, utc_timestamp

PROPERTIES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ----------------------------------------------------------------- strategies
TRICKY_TEXT = [
    "",
    " ",
    "a b",
    "装修合同",
    "验收合格，尾款５％",
    '"',
    "\\",
    "\\u0041",
    "\n\t\r\b\f",
    "\x00\x01\x1f\x7f",
    "\u2028\u2029",
    "\ufeff",
    "😀🏠",
    "e\u0301",  # combining accent: not normalised, kept as given
    "{}[],:",
    "true",
    "null",
]
TEXT = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8),
    st.sampled_from(TRICKY_TEXT),
)
HUGE = 10**60  # far beyond 64 bits, well inside Python's int-to-str digit limit
INTS = st.one_of(
    st.integers(),
    st.integers(min_value=-HUGE, max_value=HUGE),
    st.sampled_from([0, -1, 2**53 + 1, -(2**63), 2**64, 10**13]),
)
SCALARS = st.one_of(st.none(), st.booleans(), INTS, TEXT)
KEYS = TEXT
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(KEYS, children, max_size=5),
    ),
    max_leaves=30,
)
FLOATS = st.one_of(
    st.floats(),  # includes nan, +-inf, -0.0 and integral floats such as 1.0
    st.sampled_from([0.0, -0.0, 1.0, 100.0, 0.1, float("inf"), float("nan")]),
)


def strictly_equal(a: Any, b: Any) -> bool:
    """Equality that does not let True == 1 or 1 == 1.0 slip through."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def reordered(value: Any, rnd) -> Any:
    """The same value with every object's keys in a random insertion order."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {key: reordered(item, rnd) for key, item in items}
    if isinstance(value, list):
        return [reordered(item, rnd) for item in value]
    return value


def outside_strings(text: str) -> str:
    """The characters of a JSON text that are not inside string literals."""
    out, in_string, escaped = [], False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            out.append(char)
    assert not in_string
    return "".join(out)


def plant(value: Any, planted: Any, draw, *, as_key: bool = False) -> Any:
    """`value` with `planted` put somewhere inside it (as a value, or as an object key)."""
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        return value[:index] + [plant(value[index], planted, draw, as_key=as_key)] + value[index + 1 :]
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(list(value)))
        return {**value, key: plant(value[key], planted, draw, as_key=as_key)}
    leaf = {planted: draw(JSON)} if as_key else planted
    if isinstance(value, list):
        index = draw(st.integers(0, len(value)))
        return value[:index] + [leaf] + value[index:]
    if isinstance(value, dict):
        return {**value, draw(KEYS): leaf}
    return leaf


# ------------------------------------------------------------ canonical JSON
@PROPERTIES
@given(value=JSON, rnd=st.randoms(use_true_random=False))
def test_canonical_json_ignores_key_order(value, rnd):
    shuffled = reordered(value, rnd)
    assert canonical_json(shuffled) == canonical_json(value)
    assert canonical_json(value) == canonical_json(value)  # and is a pure function


@PROPERTIES
@given(value=JSON)
def test_canonical_json_round_trips_exactly(value):
    data = canonical_json(value)
    text = data.decode("utf-8")  # valid UTF-8, not \u-escaped ASCII
    back = json.loads(text)
    assert strictly_equal(back, value)
    assert canonical_json(back) == data  # a fixed point: canonicalising twice changes nothing


@PROPERTIES
@given(value=JSON)
def test_canonical_json_has_no_whitespace_outside_strings(value):
    text = canonical_json(value).decode("utf-8")
    assert not set(outside_strings(text)) & set(" \t\n\r\f\v\u00a0\u2028\u2029\u3000")


@PROPERTIES
@given(text=TEXT, number=INTS)
def test_canonical_json_keeps_text_as_utf8_and_integers_as_digits(text, number):
    """The exact bytes matter: a browser signing the same value must produce the same form."""
    if not any(char in '"\\' or ord(char) < 0x20 for char in text):
        assert canonical_json(text) == b'"' + text.encode("utf-8") + b'"'  # no \\u escapes
    assert canonical_json(number) == str(number).encode("ascii")
    pair = b"[" + canonical_json(number) + b"," + canonical_json(text) + b"]"
    assert canonical_json([number, text]) == pair


@PROPERTIES
@given(value=st.dictionaries(KEYS, JSON, max_size=6))
def test_canonical_json_sorts_object_keys(value):
    assert list(json.loads(canonical_json(value))) == sorted(value)


@PROPERTIES
@given(data=st.data(), value=JSON, number=FLOATS)
def test_a_float_anywhere_is_refused(data, value, number):
    poisoned = plant(value, number, data.draw)
    try:
        canonical_json(poisoned)
    except TypeError:
        return
    raise AssertionError(f"a float was accepted: {poisoned!r}")


@PROPERTIES
@given(data=st.data(), value=JSON, key=st.one_of(st.none(), st.booleans(), st.integers(), FLOATS))
def test_an_object_key_that_is_not_a_string_is_refused(data, value, key):
    poisoned = plant(value, key, data.draw, as_key=True)
    try:
        canonical_json(poisoned)
    except TypeError:
        return
    raise AssertionError(f"a non-string key was accepted: {poisoned!r}")


# ------------------------------------------------------------------ signatures
SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = PartyKey(SIGNER).public_key_b64
OTHER_PUBLIC = PartyKey(Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))).public_key_b64
NONCE = st.text("0123456789abcdef", min_size=16, max_size=128)
ENVELOPES = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["stage.accept", "dispute.decide", "contract.sign"]) | TEXT,
        "subject": st.sampled_from(["ESC-2026-00001", "CASE-2026-00001"]) | TEXT,
        "signer": st.sampled_from(["P-OWNER", "P-COUNCIL"]) | TEXT,
        "nonce": NONCE,
        "timestamp": st.datetimes(timezones=st.just(UTC)).map(utc_timestamp),
        "payload": st.dictionaries(KEYS, JSON, min_size=1, max_size=6),
    }
)


def tweaked(value: Any, draw) -> Any:
    """`value` with exactly one thing somewhere inside it changed."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(list(value)))
        return {**value, key: tweaked(value[key], draw)}
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        return value[:index] + [tweaked(value[index], draw)] + value[index + 1 :]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.sampled_from([1, -1, 100]))
    if isinstance(value, str):
        return value + draw(st.sampled_from(["x", " ", "。", "\u0000"]))
    if value is None:
        return draw(st.sampled_from([0, False, "", [], {}]))
    if isinstance(value, list):
        return [*value, None] if not value or draw(st.booleans()) else value[:-1]
    return {**value, "\u200b": None} if not value or draw(st.booleans()) else dict(list(value.items())[:-1])


def renamed_key(value: dict, draw) -> dict:
    """`value` (a non-empty object) with one key, somewhere inside it, renamed."""
    nested = [k for k, v in value.items() if isinstance(v, dict) and v]
    if nested and draw(st.booleans()):
        key = draw(st.sampled_from(nested))
        return {**value, key: renamed_key(value[key], draw)}
    old = draw(st.sampled_from(list(value)))
    new = old + draw(st.sampled_from(["_", "x", "键", " "]))
    if new in value:
        new = old + "\u2063" * (len(value) + 1)
    return {(new if k == old else k): v for k, v in value.items()}


MUTATIONS = [
    "payload_value",
    "payload_key",
    "envelope_key",
    "payload_field_added",
    "payload_field_removed",
    "nonce",
    "timestamp",
    "action",
    "subject",
    "signer",
]


@PROPERTIES
@given(data=st.data(), envelope=ENVELOPES, mutation=st.sampled_from(MUTATIONS))
def test_a_signature_covers_every_part_of_the_envelope(data, envelope, mutation):
    step = sign(SIGNER, envelope)
    assert signature_is_valid(PUBLIC, step)
    assert signature_is_valid(PUBLIC, SignedStep(deepcopy(envelope), step.signature))
    shuffled = reordered(envelope, data.draw(st.randoms(use_true_random=False)))
    assert signature_is_valid(PUBLIC, SignedStep(shuffled, step.signature))

    changed = deepcopy(envelope)
    payload = changed["payload"]
    if mutation == "payload_value":
        changed["payload"] = tweaked(payload, data.draw)
    elif mutation == "payload_key":
        changed["payload"] = renamed_key(payload, data.draw)
    elif mutation == "envelope_key":
        changed = renamed_key(changed, data.draw)
    elif mutation == "payload_field_added":
        key = data.draw(KEYS.filter(lambda k: k not in payload))
        payload[key] = data.draw(JSON)
    elif mutation == "payload_field_removed":
        del payload[data.draw(st.sampled_from(sorted(payload)))]
    elif mutation == "nonce":
        changed["nonce"] = data.draw(NONCE.filter(lambda n: n != envelope["nonce"]))
    else:
        changed[mutation] = tweaked(changed[mutation], data.draw)

    assert canonical_json(changed) != canonical_json(envelope)
    assert not signature_is_valid(PUBLIC, SignedStep(changed, step.signature))
    # the untouched envelope still verifies: the mutation worked on a copy
    assert signature_is_valid(PUBLIC, step)


@PROPERTIES
@given(envelope=ENVELOPES, byte=st.integers(0, 63), bit=st.integers(0, 7))
def test_a_tampered_signature_or_another_key_fails(envelope, byte, bit):
    step = sign(SIGNER, envelope)
    raw = bytearray(base64.b64decode(step.signature))
    raw[byte] ^= 1 << bit
    forged = base64.b64encode(bytes(raw)).decode()
    assert not signature_is_valid(PUBLIC, SignedStep(envelope, forged))
    assert not signature_is_valid(OTHER_PUBLIC, step)


# ----------------------------------------------------------------------- money
@PROPERTIES
@given(
    total=st.one_of(st.integers(1, 10**13), st.integers(1, 1_000), st.sampled_from([1, 19, 20, 10**13])),
    retention_share=st.one_of(st.none(), st.integers(0, 100)),
)
def test_the_default_split_accounts_for_every_fen(total, retention_share):
    asked = None if retention_share is None else total * retention_share // 100
    stages, retention = split_by_percent(total, asked)
    amounts = [stage.amount_fen for stage in stages]
    assert all(type(amount) is int for amount in [*amounts, retention])  # whole fen, never floats
    assert all(amount >= 0 for amount in [*amounts, retention])
    assert sum(amounts) + retention == total
    assert [stage.name for stage in stages] == [name for name, _ in DEFAULT_STAGE_PLAN]
    assert retention == (total * DEFAULT_RETENTION_PERCENT // 100 if asked is None else asked)
    weight = sum(percent for _, percent in DEFAULT_STAGE_PLAN)
    for stage, (_, percent) in zip(stages[:-1], DEFAULT_STAGE_PLAN[:-1], strict=True):
        assert stage.amount_fen == (total - retention) * percent // weight
    # the last stage takes the rounding remainder: under one fen per rounded share
    remainder = amounts[-1] - (total - retention) * DEFAULT_STAGE_PLAN[-1][1] // weight
    assert 0 <= remainder < len(DEFAULT_STAGE_PLAN)
    key = TermsKey("P", "k")
    terms = ContractTerms("ESC", "t", key, key, key, stages, retention)
    assert terms.total_fen == total
    assert canonical_json({"stages": amounts, "retention": retention})  # integers only: always encodable


def test_small_totals_leave_zero_fen_stages_and_a_retention_beyond_the_total_is_refused():
    """Edges of the default plan: under 10 fen some stages are 0 (the API refuses such totals)."""
    stages, retention = split_by_percent(3)
    assert [s.amount_fen for s in stages] == [0, 0, 0, 3] and retention == 0
    with pytest.raises(ValueError):
        split_by_percent(100, 101)
