"""The one error the store raises for a request it refuses (a malformed run log, a bad artifact
manifest or name, a stale offset): a machine-readable `code`, a message naming the problem, and the
extra fields some codes carry (`acked_offset`). The store knows no HTTP: server/errors.py maps each
code to a status, once."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    def __init__(self, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra
