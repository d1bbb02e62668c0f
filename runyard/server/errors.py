"""The one error envelope of the API: `{"error": {"code": ..., "message": ..., <extra>}}`.

Errors that are not the API's own are classified here, once, for every route: a request the store
refuses (`StoreError`: its code, with the status `STORE_STATUS` gives it), a read over the time
limit (400 `query_timeout`), a value the database refuses (400 `bad_value`), a full disk (507
`disk_full`). Anything else is a bug: 500 `internal`, logged with its traceback.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..store.db import QueryTimeout
from ..store.errors import StoreError
from .logs import redact

log = logging.getLogger("runyard.server")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
    507: "disk_full",
}


# the status of a store refusal by its code; any other code is a malformed request (400)
STORE_STATUS = {
    "offset_mismatch": 409,  # the run log goes on from another offset (`acked_offset`)
    "type_mismatch": 409,  # an artifact name already holds another type
    "type_not_allowed": 409,  # a registry does not accept this artifact type
    "registry_exists": 409,
    "bad_value": 422,
    "missing_field": 422,
    "too_many": 422,
    "wrong_type": 422,
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def envelope(status: int, code: str, message: str, headers: dict | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers
    )


async def api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return envelope(exc.status, exc.code, exc.message, headers, **exc.extra)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    msg = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404:
        msg = f"no API route {request.method} {request.url.path}"
    return envelope(exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), msg, dict(exc.headers or {}))


def refused(exc: StoreError) -> ApiError:
    """A store refusal as the API says it."""
    return ApiError(STORE_STATUS.get(exc.code, 400), exc.code, exc.message, **exc.extra)


def classify(exc: BaseException) -> ApiError | None:
    """The client-facing meaning of an error raised below the routes, or None for a bug."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, StoreError):
        return refused(exc)
    if isinstance(exc, QueryTimeout):
        return ApiError(400, "query_timeout", f"{exc}; narrow the filter or ask for fewer rows")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ApiError(507, "disk_full", "the server's disk is full; ask its administrator to free space")
    if isinstance(exc, sa.exc.DBAPIError):
        orig = exc.orig
        state = getattr(orig, "sqlstate", None) or ""
        if state == "53100" or "database or disk is full" in str(orig):  # PostgreSQL / SQLite
            return ApiError(
                507, "disk_full", "the server's disk is full; ask its administrator to free space"
            )
        if isinstance(exc, sa.exc.DataError) or state.startswith("22"):  # data exception class
            msg = str(orig).strip().splitlines()[0] if orig is not None else type(exc).__name__
            return ApiError(400, "bad_value", f"the database refused a value of the request: {msg}")
    return None


async def classified_error(_request: Request, exc: Exception) -> Response:
    err = classify(exc)
    if err is None:
        raise exc  # a bug: on to the catch-all (500, logged)
    return await api_error(_request, err)


async def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path), exc_info=exc)
    return envelope(500, "internal", f"internal server error ({type(exc).__name__}); see the server log")


HANDLERS = {
    ApiError: api_error,
    HTTPException: http_error,
    # handled without re-raising, so the connection stays usable (the catch-all below closes it)
    StoreError: classified_error,
    QueryTimeout: classified_error,
    OSError: classified_error,
    sa.exc.DBAPIError: classified_error,
    Exception: internal_error,
}
