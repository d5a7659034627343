"""The OpenAPI document describes the error shape the API really sends, on every operation.

A schema-checking client (tests/test_fuzz_api.py's schemathesis) compares each answer
with the document; FastAPI's default 422 (a list under `detail`) would be a violation on
every operation, since every refusal is `{"detail": {"code", "message", ...}}`.
"""

from api.main import create_app
from config.settings import Settings

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
HEALTH_REPORT = {"$ref": "#/components/schemas/HealthReport"}
EDGE = {"413", "422"}  # the JSON policy can answer these on any operation


def operations(tmp_path) -> tuple[dict, dict[str, dict]]:
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    return schema, {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def test_every_error_status_documents_the_error_shape(tmp_path):
    schema, found = operations(tmp_path)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    wrong = {}
    for name, operation in found.items():
        errors = {status: r for status, r in operation["responses"].items() if int(status) >= 400}
        expected = {
            status: HEALTH_REPORT if name == "GET /health" and status == "503" else ERROR_BODY
            for status in errors
        }
        got = {
            status: r.get("content", {}).get("application/json", {}).get("schema")
            for status, r in errors.items()
        }
        if got != expected or not errors.keys() >= EDGE:
            wrong[name] = got
    assert wrong == {}


def test_the_error_shape_is_code_and_message_with_room_for_more(tmp_path):
    schema, _ = operations(tmp_path)
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["code", "message"]
    assert detail["additionalProperties"] is True  # `errors`, `rows` and the like


def test_authorised_reads_document_401_and_signed_steps_do_not(tmp_path):
    """Steps ignore the token (the signature is the authority): a 401 there would be a false promise."""
    _, found = operations(tmp_path)
    assert "401" in found["GET /escrows/{escrow_id}"]["responses"]
    assert "401" in found["POST /experts/import"]["responses"]
    assert "401" not in found["POST /escrows/{subject_id}/stages/{number}/acceptance"]["responses"]
    assert "504" in found["POST /cases/{subject_id}/withdrawal"]["responses"]


def test_every_operation_says_in_a_line_what_it_does(tmp_path):
    """/docs shows each operation's description: none may be missing (a route's docstring, or a
    step's line from its declaration) or be the title FastAPI makes of the function's name."""
    _, found = operations(tmp_path)
    bare = [name for name, operation in found.items() if not operation.get("description", "").strip()]
    assert bare == []


def test_every_json_answer_is_a_declared_model(tmp_path):
    """A client reads each success answer by its schema: none may be a bare object or a list of
    them (a dict the route built by hand), which the document could only call `{}`."""
    _, found = operations(tmp_path)
    bare = {}
    for name, operation in found.items():
        for status, response in operation["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if int(status) >= 400 or schema is None:
                continue
            shape = schema.get("items", schema)
            if "$ref" not in shape and "anyOf" not in shape and shape.get("type") != "boolean":
                bare[name] = schema
    assert bare == {}
