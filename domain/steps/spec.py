"""A signed step, declared once: everything else about it is derived from this declaration.

`StepSpec` names the action, who may sign it, its payload model and, for the steps the API
takes, the route (path, the payload field the path's number must match, a summary). From
the escrow's and the case's declarations (domain/escrow/steps.py, domain/case/steps.py)
come the machines' rule tables, the API's routes and their OpenAPI request bodies; the
machines bind each declaration to its handler (`bind`), and `dispatch` refuses a machine
whose handlers and declarations do not match one to one. The Python client, the web
words and steps.js are checked against the declarations by tests.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from domain.roles import Role
from domain.steps.fields import StepPayload
from domain.steps.payload_errors import read_payload

P = TypeVar("P", bound=StepPayload)
Apply = Callable[[], None]


@dataclass(frozen=True)
class StepSpec(Generic[P]):
    action: str
    roles: frozenset[Role]
    payload: type[P]
    summary: str
    path: str | None = None  # under /escrows/{id} or /cases/{id}; None: the step has no route
    path_field: str | None = None  # the payload field the path's {number} names

    @property
    def required(self) -> frozenset[str]:
        return frozenset(name for name, f in self.payload.model_fields.items() if f.is_required())

    @property
    def optional(self) -> frozenset[str]:
        return frozenset(self.payload.model_fields) - self.required

    def route(self, payload: dict[str, Any]) -> str:
        """The path this step is posted to, its {number} being the payload's `path_field`."""
        if self.path is None:
            raise ValueError(f"'{self.action}' has no route")
        return self.path.format(number=payload[self.path_field]) if self.path_field else self.path

    def read(self, raw: dict[str, Any]) -> P:
        """The payload as its model, or the refusal (INVALID) that says what is wrong with it."""
        return read_payload(self.payload, raw)


def rule_table(steps: Sequence[StepSpec[Any]]) -> dict[str, StepSpec[Any]]:
    return {spec.action: spec for spec in steps}


@dataclass(frozen=True)
class Bound:
    """A declared step and the machine's handler for it, which receives the validated payload."""

    spec: StepSpec[Any]
    handler: Callable[[Any, str, datetime], Apply]

    def plan(self, raw: dict[str, Any], actor: str, now: datetime) -> Apply:
        return self.handler(self.spec.read(raw), actor, now)


def bind(spec: StepSpec[P], handler: Callable[[P, str, datetime], Apply]) -> Bound:
    """Typed: mypy checks the handler takes this step's payload model."""
    return Bound(spec, handler)


class DispatchMismatch(RuntimeError):
    """A machine's handlers and its declared steps differ: a bug, caught by the dispatch test."""


def dispatch(declared: Mapping[str, StepSpec[Any]], handlers: Iterable[Bound]) -> dict[str, Bound]:
    table: dict[str, Bound] = {}
    for bound in handlers:
        if bound.spec.action in table or declared.get(bound.spec.action) is not bound.spec:
            raise DispatchMismatch(f"'{bound.spec.action}' is bound twice or not declared here")
        table[bound.spec.action] = bound
    if unbound := sorted(set(declared) - set(table)):
        raise DispatchMismatch(f"declared steps without a handler: {unbound}")
    return table
