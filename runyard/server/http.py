"""Request and response helpers shared by the routes: bounded bodies, typed parameters, fast JSON.

Every request body is read by `body()`: at most `limit` bytes arrive, and a body sent with
`Content-Encoding: gzip` or `deflate` is inflated as it arrives, at most `limit` bytes again, so a
small compressed body cannot unfold into gigabytes (413 at the first byte over the limit).
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import msgpack
import msgspec
import numpy as np
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..store import Store, User
from ..store.jsonsafe import safe_float
from ..store.limits import INT64_MAX, load_json
from ..wire.names import ENTITY_RULE, PROJECT_RULE, valid_entity_name, valid_project_name
from .errors import ApiError
from .memory import after_large

T = TypeVar("T")


try:  # optional speed-up (the `server` extra should carry it): ~10x faster, numpy arrays natively
    import orjson
except ImportError:  # pragma: no cover - depends on the installation
    orjson = None  # type: ignore[assignment]


def dumps(content: Any) -> bytes:
    """JSON bytes of an API model or of a document (numpy arrays only when orjson is there: see
    `column`/`fast_column`)."""
    if isinstance(content, msgspec.Struct):
        return msgspec.json.encode(content)
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


class RawJSON(Response):
    """A document that embeds JSON text from the database undecoded (`msgspec.Raw` values): a page
    of 1,000 runs is then not four JSON documents per run parsed and printed again."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return msgspec.json.encode(content)


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


TIMING = "runyard.timing"  # the scope key of a request's database time (its Server-Timing header)


async def read(request: Request, fn: Callable[[Connection], T]) -> T:
    s = store(request)
    timing, queued = request.scope.get(TIMING), time.perf_counter()

    def timed() -> T:
        start = time.perf_counter()
        try:
            return s.db.read(fn)
        finally:
            if timing is not None:
                timing["dbq"] += start - queued
                timing["db"] += time.perf_counter() - start

    return await run_in_threadpool(timed)


async def write(request: Request, fn: Callable[[Connection], T]) -> T:
    """`fn` in a write transaction; its time (from the task's start on a writer to its COMMIT) and
    its wait for a writer count into the request's Server-Timing (server/metrics.py)."""
    timing, queued, start = request.scope.get(TIMING), time.perf_counter(), 0.0

    def timed(c: Connection) -> T:
        nonlocal start
        start = time.perf_counter()
        return fn(c)

    fut = store(request).db.submit_write(timed if timing is not None else fn)
    if timing is not None:

        def done(_: object) -> None:  # on the writer thread, right after the COMMIT
            begun = start or time.perf_counter()
            timing["dbq"] += begun - queued
            timing["db"] += time.perf_counter() - begun

        fut.add_done_callback(done)
    return await asyncio.wrap_future(fut)


def _inflater(request: Request) -> Any:
    enc = request.headers.get("content-encoding", "").strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib-wrapped (what HTTP means) or gzip
    raise ApiError(415, "unsupported_media_type", f"Content-Encoding {enc!r}: send gzip, deflate or none")


async def body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes both as sent and once decompressed."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise ApiError(400, "bad_request", "Content-Length must be a number")
        if int(declared) > limit:
            raise ApiError(
                413, "body_too_large", f"request body of {declared} bytes exceeds the limit of {limit} bytes"
            )
    inflater = _inflater(request)
    parts, size, held = [], 0, 0  # joined once at the end: growing one buffer copied 4 MB bodies often
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"request body exceeds the limit of {limit} bytes")
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, limit + 1 - held)
            except zlib.error as e:
                raise ApiError(400, "bad_encoding", f"the compressed request body is corrupt: {e}") from None
            if held + len(chunk) > limit:
                raise ApiError(
                    413,
                    "body_too_large",
                    f"request body exceeds the limit of {limit} bytes once decompressed",
                )
        parts.append(chunk)
        held += len(chunk)
    if inflater is not None and not inflater.eof:
        raise ApiError(400, "bad_encoding", "the compressed request body is truncated")
    return b"".join(parts)


def parse_json(request: Request, raw: bytes | str, what: str = "request body") -> Any:
    """JSON from a client, nested at most `max_json_depth` deep (400 naming the problem otherwise)."""
    try:
        return load_json(raw, request.app.state.config.max_json_depth)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, "bad_json", f"{what} is not valid JSON: {e}") from None


def name_param(request: Request, name: str) -> str:
    """An entity, project or run id from the path, checked against the name rule (wire/names.py)."""
    v = request.path_params[name]
    problem = name_problem(name, v)
    if problem:
        raise ApiError(400, "bad_name", problem)
    return v


def run_names(request: Request) -> tuple[str, str, str]:
    """The entity, project and run id of a run's path (`.../{entity}/{project}/{run_id}`), checked."""
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


def id_param(request: Request, name: str, what: str) -> int:
    """A numeric id from the path (a key, session or invitation): digits within the 64-bit range."""
    raw = request.path_params[name]
    if not (raw.isascii() and raw.isdigit() and int(raw) <= INT64_MAX):
        raise ApiError(
            400, "bad_parameter", f"{what} id must be a number (a 64-bit integer), got {raw[:40]!r}"
        )
    return int(raw)


def name_problem(what: str, value: str) -> str | None:
    """Why `value` is not a valid `what` ("entity", "project", "run_id"), or None when it is."""
    if what == "entity":
        return None if valid_entity_name(value) else f"entity {value!r} must be {ENTITY_RULE}"
    return None if valid_project_name(value) else f"{what} {value!r} must be {PROJECT_RULE}"


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
    if request.query_params.get("format") == "msgpack":

        def pack(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                a = v.astype("<f8" if v.dtype.kind == "f" else "<i8")
                return {"dtype": a.dtype.str, "data": a.tobytes()}
            if isinstance(v, dict):
                return {k: pack(x) for k, x in v.items()}
            if isinstance(v, list):
                return [pack(x) for x in v]
            return v

        return after_large(
            Response(msgpack.packb(pack(doc), use_bin_type=True), media_type="application/x-msgpack")
        )

    def tojson(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return fast_column(v)
        if isinstance(v, dict):
            return {k: tojson(x) for k, x in v.items()}
        if isinstance(v, list):
            return [tojson(x) for x in v]
        return v

    return after_large(JSON(tojson(doc)))
