"""One JSON policy at the edge of every HTTP service we run: the API and the sandbox bank.

Python's `json` takes more than JSON: `NaN` and `±Infinity` (and `1e999`, read as
infinity), strings holding lone UTF-16 surrogates (`"\\ud800"`), a key given twice (the
last silently wins), and nesting as deep as the interpreter's stack. Each of these broke
something behind the edge (issue 12): a reply that echoed a surrogate could not be
encoded and the request ended in a 500; a deep body raised `RecursionError` inside
Temporal's payload converter. So every JSON body is read and checked here, in plain ASGI
middleware that runs before any route, validator, handler or Temporal client, and a
body that breaks a rule is refused with the error shape and one of these codes:

- 413 `body_too_large`: over `MAX_JSON_BYTES` (256 KiB) for JSON, over `MAX_BODY_BYTES`
  (4 MiB) for any other body. Counted as the bytes arrive, whatever `Content-Length`
  claims; a `Content-Length` already over the limit is refused before reading.
- 422 `invalid_input`: not UTF-8 (JSON between systems is UTF-8, RFC 8259), not JSON at
  all, or cut short; the code FastAPI's own parser answered, so clients keep it.
- 422 `json_non_finite_number`: `NaN`, `Infinity`, `-Infinity` or a number too large
  for a float (`1e999`).
- 422 `json_lone_surrogate`: a string or a key holding half of a UTF-16 surrogate pair.
- 422 `nul_character`: a string or a key holding U+0000. JSON may carry it (`"\u0000"`) and
  SQLite stores it, but PostgreSQL refuses it in every text and JSON column: a draft warning's
  words answered 500 there, and a signed step holding one would have been refused by the read
  model on every projection. No text a person writes holds one. The same code refuses a URL
  whose path or query holds one (`%00`), which would reach a lookup the same way.
- 422 `json_duplicate_key`: an object naming a key twice.
- 422 `json_too_deep`: arrays and objects nested more than `MAX_JSON_DEPTH` (32) deep.

Which requests: every HTTP request, whatever its method and route, whose body is JSON:
its `Content-Type` is `application/json` or `application/...+json`, or it has none
(FastAPI reads a body without one as JSON). `POST /webhooks/bank` is no exception: its
HMAC covers the raw bytes, and those pass on unchanged (the body is read whole, then
handed to the app as it came); a webhook that breaks the policy is refused before its
signature is checked, since no bank sends one. Bodies of any other media type get only
the size limit: the one route that reads one (`POST /experts/import`, `text/csv`)
decodes and checks its own file, and a route that wants JSON refuses them in its
validator. No route takes an HTML form: the pages post JSON from script.

One body passes untouched and unread: an evidence upload (`PUT /evidence/...`,
`STREAMED_UPLOADS`) sent as what it is, a file (any Content-Type but JSON's; clients send
the file's type or `application/octet-stream`). It may be 200 MB, and its route streams it
into the store, hashed, sniffed and size-limited as it arrives (evidence/upload.py). An
upload that declares JSON, or no type at all, is a JSON body like any other.

Error replies never echo what cannot be encoded: `ErrorReply` writes any lone surrogate
that still reaches a message as `?` instead of failing to write the reply.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 256 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_JSON_DEPTH = 32
STREAMED_UPLOADS = ("PUT", "/evidence/")  # method and path prefix of the one streamed body


class ErrorReply(JSONResponse):
    """A JSON reply that can always be written, whatever strings it carries."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", errors="replace")


def error_reply(
    status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> ErrorReply:
    return ErrorReply(
        {"detail": {"code": code, "message": message, **extra}}, status_code=status, headers=headers
    )


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A validator's errors as where, what and which rule: never `input` or `ctx`, which
    hold the raw value (or an exception) and so can be what made the request bad."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors
    ]


class JsonRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def too_large(limit: int) -> JsonRefused:
    return JsonRefused(413, "body_too_large", f"the body is over {limit} bytes")


def loads_strict(body: bytes) -> Any:
    """The document in `body`, or `JsonRefused` if it breaks the policy (size aside)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRefused(422, "invalid_input", "the body is not UTF-8 text") from None
    try:
        document = json.loads(
            text, parse_constant=_non_finite, parse_float=_finite, object_pairs_hook=_unique_keys
        )
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            422, "invalid_input", f"the body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError:  # an integer past Python's 4300-digit conversion limit
        raise JsonRefused(422, "invalid_input", "the body holds a number with too many digits") from None
    _check_tree(document)
    return document


def _non_finite(what: str) -> float:
    raise JsonRefused(422, "json_non_finite_number", f"{what} is not a finite number; amounts are integers")


def _finite(literal: str) -> float:
    number = float(literal)
    if number in (float("inf"), float("-inf")):
        _non_finite(f"{literal[:20]} (beyond a float's range)")
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise JsonRefused(422, "json_duplicate_key", "an object names the same key twice")
    return document


def _too_deep() -> JsonRefused:
    return JsonRefused(
        422, "json_too_deep", f"arrays and objects may be nested at most {MAX_JSON_DEPTH} deep"
    )


def _check_tree(document: Any) -> None:
    """Depth and strings, walked with a list (a recursive walk could itself run out of stack)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(value, dict):
                for key in value:
                    _check_text(key)
                value = list(value.values())
            pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused(
            422, "json_lone_surrogate", "a string holds a lone UTF-16 surrogate, which is not text"
        ) from None
    if NUL in text:
        raise _nul("a string")


NUL = "\x00"


def _nul(where: str) -> JsonRefused:
    return JsonRefused(
        422, "nul_character", f"{where} holds a NUL character (U+0000), which no text may hold"
    )


def check_url(scope: Scope) -> None:
    """The path (decoded by the server) and the query (as sent) hold no NUL."""
    if NUL in scope["path"]:
        raise _nul("the address")
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        raise _nul("the query")


def declares_json(content_type: str | None) -> bool:
    """As FastAPI decides whether to read a body as JSON."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if not media_type:
        return True
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None if the client went away; `JsonRefused` past `limit` bytes."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body.extend(message.get("body", b""))
        if len(body) > limit:
            raise too_large(limit)
        if not message.get("more_body", False):
            return bytes(body)


def plain_reply(scope: Scope, refused: JsonRefused) -> ErrorReply:
    return error_reply(refused.status, refused.code, refused.message)


class JsonPolicy:
    """Plain ASGI middleware: reads each body whole, checks it, then hands it on unchanged.
    `reply` writes a refusal (the API's says it in the reader's language)."""

    def __init__(self, app: ASGIApp, reply: Callable[[Scope, JsonRefused], ErrorReply] = plain_reply) -> None:
        self.app = app
        self.reply = reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_json = declares_json(headers.get("content-type"))
        streamed = not is_json and (scope["method"], scope["path"][:10]) == STREAMED_UPLOADS
        try:
            check_url(scope)
            body = None if streamed else await _checked_body(receive, headers, is_json)
        except JsonRefused as refused:
            await self.reply(scope, refused)(scope, receive, send)
            return
        if not streamed and body is None:
            return  # the client went away
        await self.app(scope, receive if body is None else _replay(body, receive), send)


async def _checked_body(receive: Receive, headers: Headers, is_json: bool) -> bytes | None:
    """The whole body, within its limit and, if JSON, the policy; None if the client went away."""
    limit = MAX_JSON_BYTES if is_json else MAX_BODY_BYTES
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = await read_body(receive, limit)
    if is_json and body:
        loads_strict(body)
    return body


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then whatever the client sends next (a disconnect)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
