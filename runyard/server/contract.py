"""The contract of each `/api/v1` route, declared once beside its handler with `@endpoint(...)`.

The declaration names the route's query, body and answer models (runyard/wire/api_models). The
decorator parses and validates the query and the body before the handler runs (a validation
failure is a 4xx in the error envelope naming the field); the OpenAPI document is generated from
the declarations (openapi.py); and `ContractCheck`, which the test suite turns on, fails any answer
that does not match its declared model.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..wire.api_models import Error
from .errors import ApiError
from .http import body, parse_json

log = logging.getLogger("runyard.server")

M = TypeVar("M")
Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class Contract:
    summary: str
    answer: Any = None  # model of the JSON answer (a Struct type or a union); None: not JSON
    query: Any = None  # Query model of the query string
    body: Any = None  # Request model of a JSON body
    body_limit: str = "max_json_bytes"  # the ServerConfig field bounding that body
    raw: str | None = None  # media type of a raw request body (run-log bytes, files, blob frames)
    media: str | None = None  # media type of a non-JSON answer (file contents, events, blob frames)
    msgpack: bool = False  # `format=msgpack` gives the same document as msgpack
    events: Any = None  # model of each event of an event-stream answer
    status: int = 200
    other: dict[int, Any] = field(default_factory=dict)  # status -> model of a non-error answer on it


def endpoint(summary: str, **kw: Any) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Declare a handler's contract. The handler receives the parsed query, then the parsed body,
    after the request (each only when declared)."""
    contract = Contract(summary, **kw)

    def wrap(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(fn)
        async def handle(request: Request) -> Response:
            args: list[Any] = []
            if contract.query is not None:
                args.append(parse_query(request, contract.query))
            if contract.body is not None:
                limit = getattr(request.app.state.config, contract.body_limit)
                args.append(await parse_body(request, contract.body, limit))
            return await fn(request, *args)

        handle.contract = contract  # type: ignore[attr-defined]
        return handle

    return wrap


def contract_of(route: BaseRoute) -> Contract | None:
    return getattr(getattr(route, "endpoint", None), "contract", None)


# -- parsing --------------------------------------------------------------------------------------
@functools.cache
def _list_fields(model: type) -> frozenset[str]:
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType)

    def is_list(t: Any) -> bool:
        if isinstance(t, msgspec.inspect.UnionType):  # an optional list
            return any(is_list(x) for x in t.types)
        return (
            is_list(t.type)
            if isinstance(t, msgspec.inspect.Metadata)
            else isinstance(t, msgspec.inspect.ListType)
        )

    return frozenset(f.encode_name for f in info.fields if is_list(f.type))


def parse_query(request: Request, model: type[M]) -> M:
    """The query string as `model`; a list field takes repeated and comma-separated values; an empty
    value counts as absent."""
    lists = _list_fields(model)  # type: ignore[arg-type]
    raw: dict[str, Any] = {}
    for k in request.query_params:
        if k in lists:
            vals = [x for v in request.query_params.getlist(k) for x in v.split(",") if x]
            if vals:
                raw[k] = vals
        elif (v := request.query_params.get(k)) != "":
            raw[k] = v
    try:
        return msgspec.convert(raw, model, strict=False)
    except msgspec.ValidationError as e:
        raise invalid(e, query=True) from None


async def parse_body(request: Request, model: type[M], limit: int) -> M:
    raw = await body(request, limit)
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if ctype not in ("application/json", ""):
        raise ApiError(
            415, "unsupported_media_type", f"send JSON (Content-Type: application/json), not {ctype}"
        )
    # the one loader for client JSON first (depth and 64-bit bounds), then the model's shape
    doc = parse_json(request, raw)
    try:
        return msgspec.convert(doc, model, strict=True)
    except msgspec.ValidationError as e:
        raise invalid(e, query=False) from None


_AT = re.compile(r" - at `\$\.?(.*)`$")
_RANGE = re.compile(r"^Expected `\w+`(?: of length)? [<>]=? ")  # a ge/le/max_length bound
_FIELD = re.compile(r"^Object (contains unknown|missing required) field `(.*)`$")


def invalid(err: msgspec.ValidationError, query: bool) -> ApiError:
    """A validation error as the envelope: the code says what is wrong, `field` where."""
    text = str(err)
    m = _AT.search(text)
    where = m.group(1) if m else ""
    if m:
        text = text[: m.start()]
    if f := _FIELD.match(text):
        where = f"{where}.{f.group(2)}" if where else f.group(2)
        code = "unknown_field" if f.group(1) == "contains unknown" else "missing_field"
        what = "unknown" if code == "unknown_field" else "required"
        if query and code == "missing_field":
            return ApiError(400, "missing_parameter", f"query parameter {where!r} is required", field=where)
        return ApiError(422, code, f"field {where!r} is {what}", field=where)
    if ", got `" in text or text.startswith("Expected `object`"):
        code, status = "wrong_type", 422
    elif query and "matching regex" in text:
        code, status = "bad_parameter", 400
    elif text.startswith("Invalid enum value"):
        code, status = ("bad_parameter" if query else "bad_value"), 422
    elif _RANGE.match(text):
        code, status = "out_of_range", 422
    else:
        code, status = ("out_of_range" if query else "bad_value"), 422
    name = f"query parameter {where!r}" if query else (repr(where) if where else "request body")
    msg = f"{name}: {text}" if where or not query else text
    return ApiError(status, code, msg, **({"field": where} if where else {}))


# -- checking answers (tests) ----------------------------------------------------------------------
violations: list[str] = []  # every mismatch seen in this process, for the test suite to assert on


def check_answer(model: Any, body: bytes) -> str | None:
    """Why `body` does not match `model` (None when it does): a wrong type or missing field, or a
    field the model does not declare."""
    try:
        parsed = msgspec.json.decode(body, type=model)
    except msgspec.DecodeError as e:
        return str(e)
    extra = list(_undeclared(msgspec.json.decode(body), parsed, "$"))
    return f"undeclared field(s) {', '.join(extra)}" if extra else None


def _undeclared(sent: Any, parsed: Any, path: str) -> Iterator[str]:
    """Fields of `sent` (plain JSON) that the models `parsed` was decoded into do not declare."""
    if isinstance(parsed, msgspec.Struct) and isinstance(sent, dict):
        names = {f.encode_name: f.name for f in msgspec.structs.fields(parsed)}
        tag = parsed.__struct_config__.tag_field
        for k, v in sent.items():
            if k in names:
                yield from _undeclared(v, getattr(parsed, names[k]), f"{path}.{k}")
            elif k != tag and not getattr(parsed, "open", False):
                yield f"{path}.{k}"
    elif isinstance(parsed, dict) and isinstance(sent, dict):
        for k, v in sent.items():
            yield from _undeclared(v, parsed.get(k), f"{path}.{k}")
    elif isinstance(parsed, list) and isinstance(sent, list):
        for i, (a, b) in enumerate(zip(sent, parsed)):
            yield from _undeclared(a, b, f"{path}[{i}]")


class ContractCheck:
    """ASGI middleware: every JSON answer of a declared route must match its model (2xx: the
    contract's answer; errors: the envelope). A mismatch is recorded in `violations`, logged, and
    answered as 500 `response_contract` so the calling test fails. Off in production (it buffers)."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]):
        self.app, self.routes = app, routes

    def _contract(self, scope: Scope) -> Contract | None:
        for r in self.routes:
            if r.matches(scope)[0] == Match.FULL:
                return contract_of(r)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        contract = self._contract(scope) if scope["type"] == "http" else None
        if contract is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(msg: Message) -> None:
            nonlocal start
            if msg["type"] == "http.response.start":
                ctype = dict(msg.get("headers", [])).get(b"content-type", b"")
                if ctype.startswith(b"application/json"):
                    start = msg
                    return
            if start is None:
                await send(msg)
                return
            chunks.append(msg.get("body", b""))
            if not msg.get("more_body"):
                await self._finish(scope, contract, start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _finish(self, scope: Scope, c: Contract, start: Message, body: bytes, send: Send) -> None:
        status = start["status"]
        model = c.other.get(status) or (c.answer if status < 400 else Error)
        why = check_answer(model, body) if model is not None else None
        if why is not None:
            where = f"{scope['method']} {scope['path']} ({status})"
            violations.append(f"{where}: {why}")
            log.error("answer of %s does not match its declared model: %s", where, why)
            body = msgspec.json.encode(
                {
                    "error": {
                        "code": "response_contract",
                        "message": f"answer of {where} breaks its contract: {why}",
                    }
                }
            )
            start = {**start, "status": 500}
        headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
