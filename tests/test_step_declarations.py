"""Each signed step is declared once (domain/escrow/steps.py, domain/case/steps.py); whatever
else names it is derived from the declaration or checked against it here (the API's routes
and request bodies in tests/test_step_routes.py).

The machines' dispatch (a handler per declared action, a declaration per handler), the Python
client (a method per routed action), the web's scripts and words (a
name for every action in every language, payloads built only for declared actions, a word
for every field of a step a page signs), and the payloads of every recorded history (still
accepted as they were).
"""

import base64
import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from domain.case import steps as case_steps
from domain.case.machine import CaseMachine
from domain.case.steps import CASE_RULES, CASE_STEPS
from domain.escrow import steps as escrow_steps
from domain.escrow.machine import EscrowMachine
from domain.escrow.steps import ESCROW_RULES, ESCROW_STEPS
from domain.fund.steps import FUND_RULES
from domain.steps.machine import SignedStepMachine
from domain.steps.rejections import StepRejected
from domain.steps.spec import Bound, DispatchMismatch, StepSpec
from tests.conftest import recorded_histories
from tests.kits.dispute_kit import CaseKit
from tests.kits.machine_kit import Kit
from web.case_forms import CASE_STEP_WORDS
from web.escrow_pages import SIGNED_FIELDS
from web.i18n import LANGUAGES, messages
from web.party_case_forms import PARTY_STEP_WORDS

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "web" / "static"
CLIENT = ROOT / "client"
BUILDER = re.compile(r"\"([a-z_]+\.[a-z_]+)\": (?:async )?\(form")


def machines() -> list[SignedStepMachine]:
    return [Kit().m, CaseKit().m]


@pytest.mark.parametrize("machine", machines(), ids=["escrow", "case"])
def test_every_declared_action_has_its_handler_and_every_handler_its_declaration(machine):
    table = machine.dispatch()
    assert set(table) == set(machine.rules)
    plan_methods = {name for name in dir(type(machine)) if name.startswith("_plan_")}
    handlers = {bound.handler.__name__ for bound in table.values()}
    assert handlers == plan_methods, "a _plan_ method is not bound to a declared step (or the reverse)"


@pytest.mark.parametrize("machine", machines(), ids=["escrow", "case"])
def test_a_machine_whose_handlers_miss_a_declared_action_is_refused(machine, monkeypatch):
    handlers = machine._handlers()
    monkeypatch.setattr(machine, "_handlers", lambda: handlers[1:])
    with pytest.raises(DispatchMismatch, match=handlers[0].spec.action):
        machine.dispatch()
    stray = Bound(StepSpec("x.y", frozenset(), handlers[0].spec.payload, "none"), handlers[0].handler)
    monkeypatch.setattr(machine, "_handlers", lambda: [*handlers, stray])
    with pytest.raises(DispatchMismatch, match="x.y"):
        machine.dispatch()


def test_the_rule_tables_are_the_declarations():
    assert list(ESCROW_RULES.values()) == list(ESCROW_STEPS)
    assert list(CASE_RULES.values()) == list(CASE_STEPS)
    assert EscrowMachine.rules is ESCROW_RULES and CaseMachine.rules is CASE_RULES
    assert not set(ESCROW_RULES) & set(CASE_RULES)


def constant_name(module: Any, spec: StepSpec[Any]) -> str:
    return next(name for name, value in vars(module).items() if value is spec)


def test_the_python_client_has_a_method_for_every_routed_step():
    sources = {
        escrow_steps: (CLIENT / "escrow_session.py").read_text(encoding="utf-8"),
        case_steps: (CLIENT / "case_session.py").read_text(encoding="utf-8"),
    }
    missing = [
        spec.action
        for module, source in sources.items()
        for spec in (ESCROW_STEPS if module is escrow_steps else CASE_STEPS)
        if spec.path and not re.search(rf"\bsteps\.{constant_name(module, spec)}\b", source)
    ]
    assert missing == [], "declared steps without a client method"


def test_the_scripts_build_payloads_only_for_declared_steps():
    scripts = "".join(path.read_text(encoding="utf-8") for path in sorted(SCRIPTS.glob("*.js")))
    declared = set(ESCROW_RULES) | set(CASE_RULES)
    assert "stage.accept_partial" in BUILDER.findall(scripts)  # the pattern finds builders
    assert sorted(set(BUILDER.findall(scripts)) - declared) == []


def field_names(model: type[BaseModel]) -> set[str]:
    """A payload model's field names, those of the objects nested in it included."""
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for part in (field.annotation, *get_args(field.annotation)):
            for inner in (part, *get_args(part)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= field_names(inner)
    return names


def test_the_pages_hand_their_scripts_a_word_for_every_field_of_the_steps_they_sign():
    escrow_built = BUILDER.findall((SCRIPTS / "steps.js").read_text(encoding="utf-8"))
    case_built = BUILDER.findall((SCRIPTS / "case_steps.js").read_text(encoding="utf-8"))
    assert "stage.accept" in escrow_built and "case.withdraw" in case_built
    escrow_fields = set().union(*(field_names(ESCROW_RULES[action].payload) for action in escrow_built))
    assert sorted(escrow_fields - set(SIGNED_FIELDS)) == []
    case_words = {word.removeprefix("field.") for word in [*CASE_STEP_WORDS, *PARTY_STEP_WORDS]}
    case_fields = set().union(*(field_names(CASE_RULES[action].payload) for action in case_built))
    assert sorted(case_fields - case_words) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_signing_dialog_names_every_action_in_every_language(language):
    """steps.js shows a step (and a step carried inside one) as the word `action.<action>`."""
    assert 'say("action." + envelope.action)' in (SCRIPTS / "steps.js").read_text(encoding="utf-8")
    words = messages(language)
    actions = [*ESCROW_RULES, *CASE_RULES]
    assert [action for action in actions if f"action.{action}" not in words] == []


def accepted_steps() -> list[tuple[str, dict[str, Any]]]:
    """Every signed step a recorded history accepted: (history, envelope); each `submit_step`'s
    argument is a StepInput, the step with its signer's key events."""
    found = []
    for path in recorded_histories():
        for event in json.loads(path.read_text(encoding="utf-8"))["events"]:
            attributes = event.get("workflowExecutionUpdateAcceptedEventAttributes")
            if attributes is None:
                continue
            request = attributes["acceptedRequest"]["input"]
            for payload in request.get("args", {}).get("payloads", []):
                argument = json.loads(base64.b64decode(payload["data"]))
                if isinstance(argument, dict) and isinstance(argument.get("step"), dict):
                    found.append((path.name, argument["step"]["envelope"]))
    return found


def test_every_payload_a_recorded_history_accepted_is_still_accepted():
    steps = accepted_steps()
    assert len(steps) > 100 and {e["action"] for _, e in steps} >= {"contract.sign", "case.accept"}
    rules = ESCROW_RULES | CASE_RULES | FUND_RULES
    refused = []
    for history, envelope in steps:
        carried = envelope["payload"].get("escrow_step")  # a case hands the escrow a step it carries
        for signed in [envelope, *([carried["envelope"]] if isinstance(carried, dict) else [])]:
            try:
                rules[signed["action"]].read(signed["payload"])
            except StepRejected as exc:
                refused.append((history, signed["action"], exc.code))
    assert refused == []
