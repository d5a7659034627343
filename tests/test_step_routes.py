"""The API's signed-step routes come from the step declarations (domain/escrow/steps.py,
domain/case/steps.py): one route per routed step, with its summary and its own request body,
whose envelope names the action and types the payload with the step's model."""

from typing import Any

from api.main import create_app
from domain.case.steps import CASE_STEPS
from domain.escrow.steps import ESCROW_STEPS
from domain.steps.spec import StepSpec


def routed() -> list[tuple[str, StepSpec[Any]]]:
    return [("/escrows", s) for s in ESCROW_STEPS if s.path] + [("/cases", s) for s in CASE_STEPS if s.path]


def test_each_routed_step_has_its_own_request_body_whose_payload_is_the_steps_model():
    document = create_app().openapi()
    schemas = document["components"]["schemas"]
    bodies = {}
    for prefix, spec in routed():
        operation = document["paths"][f"{prefix}/{{subject_id}}{spec.path}"]["post"]
        assert operation["summary"] == spec.summary
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        bodies[spec.action] = body
        envelope = schemas[body.rsplit("/", 1)[1]]["properties"]["envelope"]["$ref"].rsplit("/", 1)[1]
        properties = schemas[envelope]["properties"]
        assert properties["action"]["const"] == spec.action
        assert properties["payload"]["$ref"].endswith(f"/{spec.payload.__name__}")
        model = schemas[spec.payload.__name__]
        assert set(model["properties"]) == spec.required | spec.optional
        assert set(model.get("required", [])) == spec.required
        assert model["additionalProperties"] is False
    assert len(set(bodies.values())) == len(bodies) == len(routed())


def test_no_schema_is_named_twice():
    """Two types of one name (a payload and a read-model type) would be split into -Input and
    -Output schemas, and a client generated from the document would mix them up."""
    names = create_app().openapi()["components"]["schemas"]
    assert [name for name in names if name.endswith(("-Input", "-Output"))] == []
