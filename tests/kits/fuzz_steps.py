"""Payloads for the fuzz test's signed steps (tests/test_fuzz_api.py), drawn per action.

The OpenAPI document types each step's envelope and payload, but schemathesis cannot sign,
so alone it never gets past the signature check. Here each action's payload has the fields
its declaration names (required, and optional ones half the time), each drawn from values that can be
right: small numbers for stages and rounds, amounts around the escrow's own and around the
money bound, choices from the machines' own sets, and hashes, ids and amounts the escrow and
case actually hold (`Hints`, read from their snapshots as the fuzzing goes). One draw in ten
is mangled instead: a required field missing, an unknown one added, or a field given any
JSON value at all. So some steps are accepted, and the validators see near misses.
"""

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from domain.case.machine import CAR_REMEDIES, RENOVATION_OUTCOMES
from domain.case.steps import CASE_RULES, ClaimFile
from domain.escrow.steps import ESCROW_RULES
from domain.fund.steps import FUND_RULES
from domain.steps.files import file_hash
from domain.steps.spec import StepSpec
from expert_panels.registry import SPECIALTIES

RULES: dict[str, StepSpec[Any]] = ESCROW_RULES | CASE_RULES | FUND_RULES
# a claim is signed by whoever files it: the token's party (api/routes/cases.py)
CLAIM = StepSpec("claim.file", frozenset(), ClaimFile, "File a case")
BOUND_AMOUNTS = [0, 1, 10**13, 10**13 + 1, 10**14, 2**63 - 1, 2**63, -1]
NUMBERS = {"stage", "round", "dispute", "claim", "change_no", "from_stage", "escrow_dispute"}
HASHES = {"report_hash", "terms_hash", "plan_hash", "decision_hash", "settlement_hash"}
FLAGS = {"independent", "reply", "include_retention"}
FILES = {"evidence", "files", "photos"}  # lists of file hashes (domain/steps/files.py)
STRUCTURED = {*FILES, "items", "defects", "holdbacks", "stages", "opinion", "escrow_step"}
CHOICES = {
    "result": ["pass", "fail"],
    "outcome": sorted(RENOVATION_OUTCOMES | {"release", "business", "consumer"}),
    "remedy": sorted(CAR_REMEDIES | {"-"}),
    "domain": sorted(SPECIALTIES),
    "main_specialty": sorted({s for specialties in SPECIALTIES.values() for s in specialties}),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def mostly(n: int) -> st.SearchStrategy[bool]:
    """True n-1 draws in n. Hypothesis favours its simplest value (0) well beyond 1 in n, so
    that one maps to True: the usual branch stays the usual one."""
    return st.integers(0, n - 1).map(lambda k: k != n - 1)


def pick(values: list[Any]) -> st.SearchStrategy[Any]:
    """One of `values` (never empty), a list that changes as the fuzzing goes. Drawn as an index
    with fixed bounds: Hypothesis replays and extends earlier draws, and refuses a strategy
    whose draws change shape with outside state (FlakyStrategyDefinition)."""
    return st.integers(0, 2**16).map(lambda i: values[i % len(values)])


@dataclass
class Hints:
    """What escrow A and case C hold now, by the key each value sits under in their snapshots
    (`report_hash`, `amount_fen`, `round`, `expert_id`...), and every string and integer."""

    by_key: dict[str, list[Any]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=lambda: [file_hash(b"x")])
    numbers: list[int] = field(default_factory=lambda: [1])

    @classmethod
    def of(cls, *documents: Any) -> "Hints":
        by_key: dict[str, set[Any]] = {}

        def walk(value: Any, key: str) -> None:
            if isinstance(value, dict):
                for name, item in value.items():
                    walk(item, name)
            elif isinstance(value, list):
                for item in value:
                    walk(item, key)
            elif isinstance(value, str) and 0 < len(value) <= 200 or type(value) is int:
                by_key.setdefault(key, set()).add(value)

        for document in documents:
            walk(document, "")
        seen = {name: sorted(values, key=repr) for name, values in by_key.items()}
        texts = sorted({v for values in seen.values() for v in values if isinstance(v, str)})
        numbers = sorted({v for values in seen.values() for v in values if isinstance(v, int)})
        return cls(seen, texts or [file_hash(b"x")], numbers or [1])

    def known(self, name: str, fallback: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """Two draws in three a value held under `name` (when there is one), else `fallback`.

        All three are always drawn, so the draws keep their shape whether `name` holds a value
        now or not (see `pick`)."""
        values = self.by_key.get(name) or (self.by_key.get("number") if name == "stage" else None)
        return st.tuples(mostly(3), st.integers(0, 2**16), fallback).map(
            lambda t: values[t[1] % len(values)] if t[0] and values else t[2]
        )


def _value(action: str, name: str, hints: Hints) -> st.SearchStrategy[Any]:
    fresh = _fresh(action, name, hints)
    return fresh if name in STRUCTURED else hints.known(name, fresh)


def _fresh(action: str, name: str, hints: Hints) -> st.SearchStrategy[Any]:
    """A value for the field whatever the process holds: plausible, near a bound, or any text."""
    known_text = pick(hints.texts)
    text = known_text | st.text(max_size=40)
    known_amounts = sorted({n for n in hints.numbers if n >= 0} | set(BOUND_AMOUNTS))
    amount = pick(known_amounts) | st.integers()
    if name in NUMBERS:
        return st.integers(1, 2) | st.integers(0, 4) | pick(hints.numbers)
    if name.endswith("_fen"):
        return amount
    if name == "rework_days":
        return st.integers(-1, 400)
    if name in FLAGS:
        return st.booleans()
    if name in CHOICES:
        return st.sampled_from(CHOICES[name]) | text
    files = st.lists(st.binary(max_size=8).map(file_hash) | text, max_size=3)
    if name in FILES:
        return files
    if name == "items" and action == "inspection.request":
        return st.lists(st.fixed_dictionaries({"note": text}, optional={"files": files}), max_size=2)
    if name == "items":
        return st.lists(text, max_size=3)
    if name == "defects":
        return st.lists(
            st.fixed_dictionaries(
                {"description": text, "location": text, "cost_estimate_fen": amount},
                optional={"photos": files},
            ),
            max_size=2,
        )
    if name == "holdbacks":
        return st.lists(
            st.fixed_dictionaries({"item": text, "description": text, "amount_fen": amount}), max_size=2
        )
    if name == "stages" and action == "change_order.sign":
        return st.lists(st.fixed_dictionaries({"name": text, "amount_fen": amount}), min_size=1, max_size=3)
    if name == "stages":
        return st.lists(st.integers(0, 4), max_size=3)
    if name == "opinion":
        return st.fixed_dictionaries(
            {
                "findings": st.dictionaries(known_text, st.sampled_from(["upheld", "rejected"]), max_size=2),
                "pay_fen": st.none() | amount,
                "reasons": text,
            }
        )
    if name == "escrow_step":
        return st.fixed_dictionaries({"envelope": json_values, "signature": text})
    return known_text | st.text(max_size=70)


def payloads(action: str, hints: Hints) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads for one action: its rule's fields with plausible values, one draw in ten mangled."""
    rule = CLAIM if action == "claim.file" else RULES[action]
    values = {name: _value(action, name, hints) for name in rule.required | rule.optional}
    whole = st.fixed_dictionaries(
        {name: values[name] for name in sorted(rule.required)},
        optional={name: values[name] for name in sorted(rule.optional)},
    )
    if action == "claim.file":  # a claim's items are objects, unlike an escrow step's
        whole = whole.map(_claim_items)
    how = st.sampled_from(["drop", "add", "any"])
    mangled = st.tuples(whole, how, st.text(max_size=12), json_values).map(_mangle)
    return mostly(10).flatmap(lambda intact: whole if intact else mangled)


def _claim_items(payload: dict[str, Any]) -> dict[str, Any]:
    items = payload.get("items")
    if isinstance(items, list):
        payload["items"] = [{"item_id": f"item-{n}", "description": str(t)} for n, t in enumerate(items)]
    return payload


def _mangle(drawn: tuple[dict[str, Any], str, str, Any]) -> dict[str, Any]:
    payload, how, name, value = drawn
    payload = dict(payload)
    if how == "drop" and payload:
        payload.pop(sorted(payload)[len(name) % len(payload)])
    elif how == "add":
        payload[f"x_{name}"] = value
    elif payload:
        payload[sorted(payload)[len(name) % len(payload)]] = value
    return payload


def signers(action: str, roles: dict[str, str]) -> list[str]:
    """The world's callers whose role in the process may sign `action` (roles: caller -> role)."""
    return [caller for caller, role in roles.items() if role in RULES[action].roles]
