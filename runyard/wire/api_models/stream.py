"""Run-log ingest and the live event stream."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, Query

SegmentId = Annotated[
    str,
    Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the segment id of the run log's RUN record"),
]


class IngestQuery(Query):
    segment: SegmentId


class IngestPostQuery(Query):
    segment: SegmentId
    offset: Annotated[int, Meta(ge=0, le=2**63 - 1, description="byte offset of the body in the run log")]
    live: Annotated[bool, Meta(description="1 when the run's own process sends it (a heartbeat)")] = False


class IngestOffset(Answer):
    acked_offset: int


class IngestAnswer(Answer):
    acked_offset: int
    applied_records: int
    skipped_records: int
    points: int
    heartbeat_timeout: Annotated[
        float, Meta(description="seconds of silence after which a running run is marked crashed")
    ]


class StreamQuery(Query):
    project: Annotated[str | None, Meta(description="entity/project (required unless admin)")] = None


class Event(Answer):
    """What every live event carries besides its own fields."""

    origin: Annotated[str | UnsetType, Meta(description="the server process that published it")] = UNSET
    ts: Annotated[float | UnsetType, Meta(description="when it was published (epoch seconds)")] = UNSET


class _RunChange(Event, tag_field="type", kw_only=True):
    entity: str
    project: str
    run_id: str
    state: str
    points: Annotated[int, Meta(description="points this update applied")]
    acked_offset: int | UnsetType = UNSET
    last_step: Annotated[
        int | None | UnsetType, Meta(description="the run's last history step once the change was applied")
    ] = UNSET


class RunCreated(_RunChange, tag="run.created"):
    """A run's first data arrived (or it was moved into this project)."""


class RunUpdated(_RunChange, tag="run.updated"):
    """More data, or a change of state or fields."""


class RunDeleted(Event, tag_field="type", tag="run.deleted", kw_only=True):
    entity: str
    project: str
    run_id: str
    moved_to: Annotated[str | UnsetType, Meta(description="the project a moved run went to")] = UNSET


class ArtifactCommitted(Event, tag_field="type", tag="artifact.committed", kw_only=True):
    entity: str
    project: str
    name: str
    version: str


class AccessRevoked(Answer, tag_field="type", tag="access.revoked"):
    """The caller lost access (team membership or key); the stream closes after it."""


StreamEvent = RunCreated | RunUpdated | RunDeleted | ArtifactCommitted | AccessRevoked
"""One server-sent event's data; its `event:` line repeats `type`."""
