"""The error envelope every `/api/v1` error answer has (server/errors.py makes it)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from .base import Answer
from .reports import Report


class ErrorBody(Answer):
    code: Annotated[str, msgspec.Meta(description="machine-readable, e.g. unknown_run, wrong_type")]
    message: str
    field: Annotated[
        str | msgspec.UnsetType, msgspec.Meta(description="the request field a validation error names")
    ] = msgspec.UNSET
    acked_offset: Annotated[
        int | msgspec.UnsetType, msgspec.Meta(description="offset_mismatch: the offset to resend from")
    ] = msgspec.UNSET
    sha256: Annotated[
        str | msgspec.UnsetType, msgspec.Meta(description="checksum_mismatch: the blob that does not match")
    ] = msgspec.UNSET
    key: Annotated[
        str | None | msgspec.UnsetType,
        msgspec.Meta(description="bad_sweep_config: the configuration key at fault"),
    ] = msgspec.UNSET
    current: Annotated[
        Report | msgspec.UnsetType,
        msgspec.Meta(description="version_conflict: the report as it is now"),
    ] = msgspec.UNSET
    trials: Annotated[
        int | msgspec.UnsetType, msgspec.Meta(description="sweep_started: how many trials the sweep has")
    ] = msgspec.UNSET


class Error(Answer):
    """Every error answer: `{"error": {"code", "message"}}`, with the extra fields some codes carry."""

    error: ErrorBody
