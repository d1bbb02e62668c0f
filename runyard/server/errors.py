"""The one error envelope of the API, `{"error": {"code": ..., "message": ..., <extra>}}`, and the
one map from error codes to HTTP statuses (`STATUS`)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..store.errors import ApiError
from .logs import redact

log = logging.getLogger("runyard.server")

STATUS = {
    # the request itself: malformed, or a value the API does not take
    "bad_request": 400,
    "bad_json": 400,
    "bad_header": 400,
    "bad_name": 400,
    "bad_path": 400,
    "bad_offset": 400,
    "bad_frame": 400,
    "bad_record": 400,
    "bad_run_log": 400,
    "corrupt_frame": 400,
    "missing_parameter": 400,
    "checksum_mismatch": 400,
    "digest_mismatch": 400,
    "run_mismatch": 400,
    "segment_mismatch": 400,
    "artifact_failed": 400,
    "unauthorized": 401,
    "bad_key": 401,
    "forbidden": 403,
    "not_found": 404,
    "unknown_artifact": 404,
    "unknown_entity": 404,
    "unknown_file": 404,
    "unknown_key": 404,
    "unknown_member": 404,
    "unknown_project": 404,
    "unknown_run": 404,
    "unknown_team": 404,
    "unknown_user": 404,
    "method_not_allowed": 405,
    # the state of the server: the request may succeed after another one
    "conflict": 409,
    "already_revoked": 409,
    "blobs_unavailable": 409,
    "has_aliases": 409,
    "name_taken": 409,
    "offset_mismatch": 409,
    "run_exists": 409,
    "type_mismatch": 409,
    "body_too_large": 413,
    "too_many_blobs": 413,
    "unsupported_media_type": 415,
    "bad_range": 416,
    # well-formed, but a value is wrong (validation against the API models)
    "invalid": 422,
    "wrong_type": 422,
    "missing_field": 422,
    "unknown_field": 422,
    "bad_value": 422,
    "bad_parameter": 422,
    "bad_filter": 422,
    "out_of_range": 422,
    "too_large": 422,
    "internal": 500,
    "response_contract": 500,
}
_HTTP_CODES = {status: code for code, status in reversed(STATUS.items())}  # Starlette's own errors


def status(err: ApiError) -> int:
    return STATUS[err.code]


def envelope(status: int, code: str, message: str, headers: dict | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers
    )


async def api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    st = status(exc)
    headers = {"WWW-Authenticate": "Bearer"} if st == 401 else None
    return envelope(st, exc.code, exc.message, headers, **exc.extra)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    msg = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404:
        msg = f"no API route {request.method} {request.url.path}"
    return envelope(exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), msg, dict(exc.headers or {}))


async def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path), exc_info=exc)
    return envelope(500, "internal", f"internal server error ({type(exc).__name__}); see the server log")


HANDLERS = {ApiError: api_error, HTTPException: http_error, Exception: internal_error}
