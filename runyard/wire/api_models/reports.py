"""Reports (a title and blocks, wire/report_blocks.py), their versions, comments on reports and runs,
and read-only share links."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from ..report_blocks import Block
from .base import Answer, Int64, Request, Title

Blocks = Annotated[
    list[Block],
    Meta(description="the report's blocks (wire/report_blocks.py); at most `max_report_blocks`"),
]
BaseVersion = Annotated[Int64, Meta(description="the version the edit started from (409 when not current)")]


class ReportSummary(Answer):
    id: int
    project_id: int
    title: str
    version: int
    created_at: float
    updated_at: float


class Reports(Answer):
    """The project's reports, last changed first."""

    reports: list[ReportSummary]


class Report(Answer):
    id: int
    entity: str
    project: str
    title: str
    blocks: Blocks
    version: int
    created_at: float
    created_by: str | None
    updated_at: float
    updated_by: str | None
    shared_since: Annotated[float | None, Meta(description="when its share link was made (null: none)")]
    can_edit: Annotated[bool, Meta(description="the caller may edit it")]


class NewReport(Request):
    title: Title
    blocks: Blocks = []


class ReportEdit(Request):
    """Saved as version+1 unless another edit saved first (409 `version_conflict`, with the current
    report in `error.current`)."""

    version: BaseVersion
    title: Title | UnsetType = UNSET
    blocks: Blocks | UnsetType = UNSET


class ReportRestore(Request):
    version: Annotated[Int64, Meta(description="the report's current version (409 when another save came)")]


class ReportVersion(Answer):
    version: int
    title: str
    author: str | None
    created_at: float


class ReportVersions(Answer):
    """Saved versions, newest first (the oldest beyond `max_report_versions` are dropped)."""

    versions: list[ReportVersion]


class ReportContent(Answer):
    """One saved version's content."""

    version: int
    title: str
    blocks: Blocks
    created_at: float


class Comment(Answer):
    id: int
    author: str
    body: str
    created_at: float


class Comments(Answer):
    """Oldest first."""

    comments: list[Comment]


class NewComment(Request):
    body: Annotated[
        str, Meta(pattern=r"\S", description="the text (at most `max_comment_chars`, not only spaces)")
    ]


class ShareLink(Answer):
    token: Annotated[str, Meta(description="shown once; sharing again replaces it")]
    path: Annotated[str, Meta(description="the link's page in the UI: /shared/{token}")]


class ShareRevoked(Answer):
    revoked: Annotated[bool, Meta(description="false when the report had no share link")]
