"""The one error type of the API, raised by the store and the server alike."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A request refused for a reason the caller can fix or must know: a stable `code` (the API's
    error code, e.g. `unknown_run`, `offset_mismatch`), a message, and extra fields for the error
    envelope (`acked_offset`, `field`). The HTTP status of each code is decided once, in
    server/errors.py, so the store never deals in HTTP."""

    def __init__(self, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra
