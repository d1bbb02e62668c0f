"""Request and response helpers shared by the routes: bounded bodies, typed parameters, fast JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

import msgpack
import numpy as np
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..store import Store, User
from ..store.jsonsafe import safe_float
from ..wire.names import ENTITY_RULE, PROJECT_RULE, valid_entity_name, valid_project_name
from .errors import ApiError

T = TypeVar("T")


try:  # optional speed-up (the `server` extra should carry it): ~10x faster, numpy arrays natively
    import orjson
except ImportError:  # pragma: no cover - depends on the installation
    orjson = None  # type: ignore[assignment]


def dumps(content: Any) -> bytes:
    """JSON bytes; numpy arrays are allowed only when orjson is there (see `column`/`fast_column`)."""
    if orjson is not None:
        try:
            return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
        except TypeError:  # e.g. an integer beyond 64 bits: the standard library copes
            pass
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def store(request: Request) -> Store:
    return request.app.state.store


def user(request: Request) -> User:
    """The caller: a user, or the anonymous viewer on routes whose reads the access policy decides."""
    return request.scope["user"]


def signed_in(request: Request) -> User:
    """The caller of a route about accounts (keys, sessions, teams): never the anonymous viewer."""
    u: User = request.scope["user"]
    if u.anonymous:
        raise ApiError(401, "unauthorized", "sign in or send an API key")
    return u


async def read(request: Request, fn: Callable[[Connection], T]) -> T:
    s = store(request)
    return await run_in_threadpool(s.db.read, fn)


async def write(request: Request, fn: Callable[[Connection], T]) -> T:
    return await asyncio.wrap_future(store(request).db.submit_write(fn))


async def body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "bad_request", "Content-Length must be a number")
        if int(declared) > limit:
            raise ApiError(
                413, "body_too_large", f"request body of {declared} bytes exceeds the limit of {limit} bytes"
            )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> dict:
    raw = await body(request, request.app.state.config.max_json_bytes)
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if ctype not in ("application/json", ""):
        raise ApiError(
            415, "unsupported_media_type", f"send JSON (Content-Type: application/json), not {ctype}"
        )
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, "bad_json", f"request body is not valid JSON: {e}") from None
    if not isinstance(doc, dict):
        raise ApiError(422, "wrong_type", f"request body must be a JSON object, not {type(doc).__name__}")
    return doc


def name_param(request: Request, name: str) -> str:
    """An entity, project or run id from the path, checked against the name rule (wire/names.py)."""
    v = request.path_params[name]
    problem = name_problem(name, v)
    if problem:
        raise ApiError(400, "bad_name", problem)
    return v


def name_problem(what: str, value: str) -> str | None:
    """Why `value` is not a valid `what` ("entity", "project", "run_id"), or None when it is."""
    if what == "entity":
        return None if valid_entity_name(value) else f"entity {value!r} must be {ENTITY_RULE}"
    return None if valid_project_name(value) else f"{what} {value!r} must be {PROJECT_RULE}"


def int_param(
    request: Request,
    name: str,
    default: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
    required: bool = False,
) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, "missing_parameter", f"query parameter {name!r} is required")
        return default
    try:
        v = int(raw)
    except ValueError:
        raise ApiError(
            422, "wrong_type", f"query parameter {name!r} must be an integer, got {raw!r}"
        ) from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ApiError(
            422, "out_of_range", f"query parameter {name!r} must be between {lo} and {hi}, got {v}"
        )
    return v


def float_param(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        v = float(raw)
    except ValueError:
        raise ApiError(422, "wrong_type", f"query parameter {name!r} must be a number, got {raw!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ApiError(422, "wrong_type", f"query parameter {name!r} must be finite")
    return v


def kind_param(request: Request) -> str:
    """`?kind=`: which metric series, the logged history (default) or system metrics."""
    kind = request.query_params.get("kind", "history")
    if kind not in ("history", "system"):
        raise ApiError(422, "bad_parameter", "kind must be history or system")
    return kind


def list_param(request: Request, name: str, required: bool = False) -> list[str]:
    vals = [x for raw in request.query_params.getlist(name) for x in raw.split(",") if x]
    if required and not vals:
        raise ApiError(400, "missing_parameter", f"query parameter {name!r} is required (comma-separated)")
    return vals


def column(a: np.ndarray | list) -> list:
    """A numpy column as JSON: NaN and infinities as the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(a, np.ndarray):
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            return [safe_float(x) for x in a.tolist()]
        return a.tolist()
    return [safe_float(x) if type(x) is float else x for x in a]


def fast_column(a: np.ndarray | list) -> Any:
    """Like `column`, but a finite numeric array stays an array for orjson to write (C speed)."""
    if (
        orjson is not None
        and isinstance(a, np.ndarray)
        and a.dtype.kind in "fiu"
        and a.ndim == 1
        and (a.dtype.kind != "f" or np.isfinite(a).all())
    ):
        return np.ascontiguousarray(a, dtype=np.float64 if a.dtype.kind == "f" else np.int64)
    return column(a)


def columns_response(request: Request, doc: dict, arrays_key: str = "series") -> Response:
    """JSON by default; `?format=msgpack` gives the same document with numeric columns as raw
    little-endian arrays (`{"dtype": "<f8", "data": bytes}`), which is what a chart wants."""
    fmt = request.query_params.get("format", "json")
    if fmt == "msgpack":

        def pack(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                a = v.astype("<f8" if v.dtype.kind == "f" else "<i8")
                return {"dtype": a.dtype.str, "data": a.tobytes()}
            if isinstance(v, dict):
                return {k: pack(x) for k, x in v.items()}
            if isinstance(v, list):
                return [pack(x) for x in v]
            return v

        return Response(msgpack.packb(pack(doc), use_bin_type=True), media_type="application/x-msgpack")
    if fmt != "json":
        raise ApiError(422, "bad_parameter", f"format must be json or msgpack, not {fmt!r}")

    def tojson(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return fast_column(v)
        if isinstance(v, dict):
            return {k: tojson(x) for k, x in v.items()}
        if isinstance(v, list):
            return [tojson(x) for x in v]
        return v

    return JSON(tojson(doc))
