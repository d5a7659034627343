"""Every error code the API can answer, found by reading the source (its syntax tree, not a regex).

A code reaches a client in one of a few ways, and each is a shape in the tree:

- a call that refuses: `ApiError(409, "code", ...)`, `error_reply(422, "code", ...)`, the machines'
  `invalid("code", ...)`, `forbidden`, `conflict`, `duplicate`, `StepRejected(kind, "code", ...)`,
  and any `...Error("code", ...)` or `...Refused("code", ...)` (JSON policy, evidence, channels,
  webhook URLs, credit codes, the bank client), or any other exception class the scanned code
  declares with a `code` parameter (`InvalidCarFacts("...", "car_period_below_minimum")`, the
  argument in that place or `code=`); otherwise the first snake_case string among the first three
  arguments (`api_reply(scope, 500, "code", ...)`);
- `f"{process.noun}_not_found"`: one code per kind of workflow (`escrow_...`, `case_...`, `fund_...`);
- a table of refusals: a tuple `("code", sentence...)` (`NOT_NOW`, the payload error `CODES`, an
  inspector's ineligibility `return NOT_ACCREDITED, f"..."`), a dict of `"code": sentence` or
  `"code": (status, sentence)` (`REFUSED_TOKEN`, the contact codes), the status map
  `{404: "not_found", ...}.get(status, "http_error")`;
- a parameter `code: str = "code"` (a refusal class's default code).

What a sentence may name is read the same way (`passed_params`): the keys of a `params={...}`
written at a call that refuses with a code, e.g. `conflict("wrong_round", ..., params={"stage": n,
"round": r})`; a key or a dict chosen by a condition (`{"behind" if late else "ahead": ...}`,
`{"party_id": p} if p else {}`) counts both sides.

The settings (read at start, never answered) and the sandbox bank (a stand-in for the bank's own
service, which speaks for itself) are not scanned.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDERS = (
    "activities",
    "api",
    "config",
    "db",
    "domain",
    "evidence",
    "expert_panels",
    "notify",
    "outbound_webhooks",
    "public_record",
    "web",
    "workflows",
)
NOT_ANSWERED = {ROOT / "config" / "settings.py"}
REFUSERS = {"api_reply", "error_reply", "invalid", "forbidden", "conflict", "duplicate", "StepRejected"}
NOUNS = ("escrow", "case", "fund")  # api/gateway.py's processes
CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


def is_code(node: ast.AST | None, constants: dict[str, str] | None = None) -> str | None:
    """The code `node` spells: a snake_case literal, or a module constant holding one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
        return node.value
    if isinstance(node, ast.Name) and constants and node.id in constants:
        return constants[node.id]
    return None


def is_sentence(node: ast.AST) -> bool:
    """Words for a person: a string of a few words, an f-string, a lambda or a spread of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and len(node.value.split()) > 2
    return isinstance(node, ast.JoinedStr | ast.Lambda | ast.Starred)


def callee(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else ""


def exception_classes(tree: ast.Module) -> dict[str, int]:
    """The exception classes a module declares whose `__init__` takes a `code`, with the code's
    position among the call's arguments (`InvalidCarFacts(message, code="invalid_car_facts")`: 1)."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(ast.unparse(base).endswith(("Error", "Exception", "Refused")) for base in node.bases):
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                names = [argument.arg for argument in [*item.args.posonlyargs, *item.args.args][1:]]
                if "code" in names:
                    found[node.name] = names.index("code")
    return found


def refused_codes(
    node: ast.Call, exceptions: dict[str, int] | None = None, constants: dict[str, str] | None = None
) -> Iterator[str]:
    name = callee(node)
    if exceptions and name in exceptions:  # a refusal class with a `code` parameter: that argument
        position = exceptions[name]
        candidates = [k.value for k in node.keywords if k.arg == "code"] + node.args[position : position + 1]
    elif name in REFUSERS or name.endswith(("Error", "Refused")):
        candidates = node.args[:3]
    else:
        return
    for argument in candidates:
        if code := is_code(argument, constants):
            yield code
            return
        if isinstance(argument, ast.JoinedStr):  # f"{process.noun}_closed"
            parts = argument.values
            per_process = len(parts) == 2 and ast.unparse(parts[0]) == "{process.noun}"
            if per_process and is_code(ast.Constant("x" + str(ast.literal_eval(parts[1])))):
                yield from (noun + str(ast.literal_eval(parts[1])) for noun in NOUNS)
                return


def refusal_pair(node: ast.AST | None, constants: dict[str, str]) -> str | None:
    """`("code", sentence, ...)`, as a table's value or a function's answer."""
    if isinstance(node, ast.Tuple) and len(node.elts) >= 2 and is_sentence(node.elts[1]):
        return is_code(node.elts[0], constants)
    return None


def table_codes(node: ast.AST, constants: dict[str, str]) -> Iterator[str]:
    if isinstance(node, ast.Return) and (code := refusal_pair(node.value, constants)):
        yield code
    elif isinstance(node, ast.Dict) and node.keys:
        yield from (code for value in node.values if (code := refusal_pair(value, constants)))
        keys = [is_code(key) for key in node.keys]
        if all(keys) and all(is_sentence(v) or _status_and_sentence(v) for v in node.values):
            yield from (key for key in keys if key)
        elif all(isinstance(k, ast.Constant) and isinstance(k.value, int) for k in node.keys):
            values = [is_code(value) for value in node.values]
            if all(values):
                yield from (value for value in values if value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        if isinstance(node.func.value, ast.Dict) and len(node.args) == 2 and (code := is_code(node.args[1])):
            yield code
    elif isinstance(node, ast.arguments):
        named = [*node.posonlyargs, *node.args][-len(node.defaults) :] if node.defaults else []
        pairs = [
            *zip(named, node.defaults, strict=True),
            *zip(node.kwonlyargs, node.kw_defaults, strict=True),
        ]
        for argument, default in pairs:
            if argument.arg == "code" and (code := is_code(default)):
                yield code


def _status_and_sentence(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Tuple)
        and len(node.elts) == 2
        and isinstance(node.elts[0], ast.Constant)
        and isinstance(node.elts[0].value, int)
        and is_sentence(node.elts[1])
    )


def module_constants(tree: ast.Module) -> dict[str, str]:
    """`NOT_ACCREDITED = "inspector_not_accredited"`: upper-case names bound to a code."""
    return {
        target.id: code
        for statement in tree.body
        if isinstance(statement, ast.Assign) and (code := is_code(statement.value))
        for target in statement.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    }


def codes_in(source: str, exceptions: dict[str, int] | None = None) -> set[str]:
    """The codes `source` can answer with; `exceptions`, the refusal classes known beyond it."""
    tree = ast.parse(source)
    constants = module_constants(tree)
    known = {**(exceptions or {}), **exception_classes(tree)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found.update(refused_codes(node, known))
        found.update(table_codes(node, constants))
    return found


def _keys(node: ast.expr | None) -> Iterator[str]:
    """The names a key expression can take: a literal, or either side of a condition."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _keys(node.body)
        yield from _keys(node.orelse)


def _params(node: ast.expr) -> Iterator[str]:
    """The names a `params=` value passes: a dict's keys, or either side of a condition's."""
    if isinstance(node, ast.Dict):
        yield from (name for key in node.keys for name in _keys(key))
    elif isinstance(node, ast.IfExp):
        yield from _params(node.body)
        yield from _params(node.orelse)


def params_in(source: str, exceptions: dict[str, int] | None = None) -> dict[str, set[str]]:
    """For each code `source` refuses with, the names of the values its raise sites pass."""
    tree = ast.parse(source)
    constants = module_constants(tree)
    known = {**(exceptions or {}), **exception_classes(tree)}
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        passed = [name for k in node.keywords if k.arg == "params" for name in _params(k.value)]
        for code in refused_codes(node, known, constants) if passed else ():
            found.setdefault(code, set()).update(passed)
    return found


def _sources() -> list[str]:
    return [
        path.read_text(encoding="utf-8")
        for folder in FOLDERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in NOT_ANSWERED
    ]


def _exceptions(sources: list[str]) -> dict[str, int]:
    return {name: at for source in sources for name, at in exception_classes(ast.parse(source)).items()}


def passed_params() -> dict[str, set[str]]:
    """Every code's values as its raise sites in the scanned folders pass them."""
    sources = _sources()
    exceptions = _exceptions(sources)
    found: dict[str, set[str]] = {}
    for source in sources:
        for code, names in params_in(source, exceptions).items():
            found.setdefault(code, set()).update(names)
    return found


def raised_codes() -> set[str]:
    """Every code the scanned folders can answer with."""
    sources = _sources()
    exceptions = _exceptions(sources)
    return {code for source in sources for code in codes_in(source, exceptions)}
