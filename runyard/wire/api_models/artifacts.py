"""Artifacts: collections, versions, lineage, blobs, garbage collection."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, Json, Query, Request, Sha256


class CollectionsQuery(Query):
    type: Annotated[str | None, Meta(description="only artifacts of this type")] = None


class Collection(Answer):
    name: str
    type: str
    description: str | None
    version_count: int
    created_at: float
    updated_at: float


class Collections(Answer):
    artifacts: list[Collection]


class LinkedRun(Answer):
    entity: str
    project: str
    id: str
    name: str | None
    state: str
    created_at: float
    linked_at: float


class ManifestEntry(Answer):
    path: str
    sha256: str | None
    size: int
    ref: str | None
    extra: Json | None = None


class ArtifactVersion(Answer, tag_field="state", tag="committed"):
    entity: str
    project: str
    name: str
    type: str
    version: Annotated[str, Meta(description="vN")]
    version_index: int
    qualified_name: Annotated[str, Meta(description="entity/project/name:vN")]
    digest: str
    aliases: list[str]
    description: str | None
    metadata: Json | None
    size: int
    file_count: int
    created_at: float
    logged_by: LinkedRun | None | UnsetType = UNSET
    manifest: list[ManifestEntry] | UnsetType = UNSET


class Versions(Answer):
    name: str
    type: str
    versions: list[ArtifactVersion]


class VersionQuery(Query):
    manifest: Annotated[bool, Meta(description="include the entries")] = True


class DeleteVersionQuery(Query):
    delete_aliases: bool = False


class ArtifactDeleted(Answer):
    deleted: str
    note: str


class CommitEntry(Request):
    path: str
    size: int
    sha256: str | None = None
    ref: Annotated[str | None, Meta(description="a reference URI instead of a sha256")] = None
    extra: Json | None = None


class CommitRequest(Request):
    type: str
    manifest: list[CommitEntry]
    digest: Annotated[str | None, Meta(description="checked against the manifest's digest")] = None
    aliases: list[str] | None = None
    description: str | None = None
    metadata: Json | None = None


class CommittedVersion(ArtifactVersion, tag_field="state", tag="committed", kw_only=True):
    created: Annotated[bool, Meta(description="false: a version with this digest existed")]
    missing: list[str]


class PendingCommit(Answer, tag_field="state", tag="pending"):
    """The server lacks these blobs: upload them (PUT /api/v1/blobs/{sha256}), then commit again."""

    digest: str
    missing: list[str]


CommitAnswer = CommittedVersion | PendingCommit


class AliasChange(Request):
    add: list[str] | None = None
    remove: list[str] | None = None


class VersionPatch(Request):
    """The editable fields of a logged version."""

    description: str | None | UnsetType = UNSET
    metadata: Json | UnsetType = UNSET


class Lineage(Answer):
    artifact: str
    logged_by: list[LinkedRun]
    used_by: list[LinkedRun]


class PendingLink(Answer, tag_field="state", tag="pending"):
    """A version a run log names whose upload has not been committed yet."""

    entity: str
    project: str
    name: str
    digest: str


class HiddenLink(Answer, tag_field="state", tag="hidden"):
    """A version in an entity the caller may not read: only the names the run log gave."""

    entity: str
    project: str
    name: str
    digest: str


class DeletedLink(Answer, tag_field="state", tag="deleted"):
    """A version the run logged or used that was deleted since: its names, kept as a tombstone."""

    entity: str
    project: str
    name: str
    type: str
    version: Annotated[str, Meta(description="vN, as it was")]
    version_index: int
    qualified_name: str
    digest: str
    aliases: list[str]
    description: str | None
    metadata: Json | None
    size: int
    file_count: int
    created_at: float


RunArtifactLink = ArtifactVersion | PendingLink | HiddenLink | DeletedLink


class RunArtifacts(Answer):
    logged: list[RunArtifactLink]
    used: list[RunArtifactLink]


class BlobList(Request):
    sha256: list[Sha256]


class MissingBlobs(Answer):
    missing: list[str]


class BatchStored(Answer):
    count: int
    new: int
    bytes: int


class BlobStored(Answer):
    sha256: str
    size: int


class GcRequest(Request):
    delete: bool = False
    grace_seconds: Annotated[float, Meta(ge=0)] = 3600.0


class GcResult(Answer):
    dry_run: bool
    blobs_total: int
    bytes_total: int
    blobs_unreferenced: int
    bytes_unreferenced: int
    deleted: int
    partial_uploads_deleted: Annotated[int, Meta(description="uploads a killed server left half-written")]
    sha256: list[str]
    grace_seconds: float


class DirectUploadRequest(Request):
    size: Annotated[int, Meta(ge=0, le=2**63 - 1, description="the blob's size in bytes")]


class DirectUpload(Answer):
    """Where to PUT the blob (direct: true), or direct: false: upload it through the API."""

    direct: bool
    signs: Annotated[
        bool | UnsetType, Meta(description="direct: false: whether the store signs URLs at all")
    ] = UNSET
    url: str | UnsetType = UNSET
    method: Literal["PUT"] | UnsetType = UNSET
    headers: dict[str, str] | UnsetType = UNSET
    upload_id: Annotated[str | UnsetType, Meta(description="pass to the finish call")] = UNSET
    expires_in: float | UnsetType = UNSET


class DirectFinish(Request):
    upload_id: Annotated[str, Meta(max_length=64)]
    size: Annotated[int, Meta(ge=0, le=2**63 - 1)]
