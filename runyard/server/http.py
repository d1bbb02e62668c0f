"""Request and response helpers shared by the routes: bounded bodies, path names, fast JSON."""

from __future__ import annotations

import asyncio
import json
import re
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
from .errors import ApiError

T = TypeVar("T")
NAME_RE = re.compile(r"^[^/\\#?%:\x00-\x1f]{1,128}$")


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


def store(request: Request) -> Store:
    return request.app.state.store


def user(request: Request) -> User:
    return request.scope["user"]


async def read(request: Request, fn: Callable[[Connection], T]) -> T:
    s = store(request)
    return await run_in_threadpool(s.db.read, fn)


async def write(request: Request, fn: Callable[[Connection], T]) -> T:
    return await asyncio.wrap_future(store(request).db.submit_write(fn))


async def body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError("bad_request", "Content-Length must be a number")
        if int(declared) > limit:
            raise ApiError(
                "body_too_large", f"request body of {declared} bytes exceeds the limit of {limit} bytes"
            )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError("body_too_large", f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def name_param(request: Request, name: str) -> str:
    v = request.path_params[name]
    if not NAME_RE.match(v):
        raise ApiError("bad_name", f"{name} {v!r} must be 1-128 characters without / \\ # ? % :")
    return v


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

        return Response(msgpack.packb(pack(doc), use_bin_type=True), media_type="application/x-msgpack")

    def tojson(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return fast_column(v)
        if isinstance(v, dict):
            return {k: tojson(x) for k, x in v.items()}
        if isinstance(v, list):
            return [tojson(x) for x in v]
        return v

    return JSON(tojson(doc))
