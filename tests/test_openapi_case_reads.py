"""The case reads describe what they answer: a client generated from the OpenAPI document gets the
case's fields and the draws' entries, not a bare object."""

from api.main import create_app
from config.settings import Settings


def answer_schema(schema: dict, path: str) -> dict:
    return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def resolved(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_a_case_and_its_draws_are_typed_in_the_openapi_document(tmp_path):
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    case = resolved(schema, answer_schema(schema, "/cases/{case_id}"))
    assert {"phase", "rounds", "outcome", "escrow_decision", "open_actions"} <= set(case["properties"])
    assert resolved(schema, case["properties"]["phase"])["enum"][0] == "filed"
    draws = answer_schema(schema, "/cases/{case_id}/draws")
    entries = [resolved(schema, ref) for ref in draws["items"]["anyOf"]]
    assert [sorted(set(e["properties"]) - {"round", "draw", "candidates"}) for e in entries] == [
        ["abandoned"],
        ["failed"],
        [],
    ]
