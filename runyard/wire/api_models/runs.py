"""Runs: listing, one run, its console and files."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, Int64, Json, Name, Query, Request

MAX_PAGE = 1000
State = Literal[
    "running", "finished", "failed", "crashed", "killed", "preempted", "stopped"
]  # stopped: by a sweep
Limit = Annotated[int, Meta(ge=1, le=MAX_PAGE, description=f"runs per page (1..{MAX_PAGE})")]
Offset = Annotated[int, Meta(ge=0, le=2**63 - 1)]
MAX_FIELDS = 100
FIELDS_DOC = (
    f"only these config/summary values in each run's config and summary (at most {MAX_FIELDS}, "
    "each config.<key> or summary.<key>, dots between nested keys; an empty list in a query body: "
    "empty config and summary); without it, the whole documents"
)
Cursor = Annotated[
    str, Meta(max_length=4096, description="next_cursor of the previous page: the page after it (keyset)")
]


class Run(Answer):
    """A run as listings show it."""

    id: str
    name: str | None
    state: str
    config: Json
    summary: Json
    tags: list[str]
    flags: Json
    notes: str | None
    group: str | None
    job_type: str | None
    sweep_id: str | None
    host: str | None
    program: str | None
    sdk: str | None
    exit_code: int | None
    created_at: float
    updated_at: float
    heartbeat_at: float
    ended_at: float | None
    runtime: float | None
    last_step: int | None
    history_points: int


class Segment(Answer):
    segment: str
    ordinal: int
    acked_offset: int
    starting_step: int
    resumed: bool
    start_time: float | None


class GitInfo(Answer):
    open: ClassVar[bool] = True
    commit: str | None | UnsetType = UNSET
    branch: str | None | UnsetType = UNSET
    remote: str | None | UnsetType = UNSET
    dirty: bool | None | UnsetType = UNSET


class RunMetadata(Answer):
    """The environment the SDK (or an importer) recorded; these fields and any others."""

    open: ClassVar[bool] = True
    host: str | None | UnsetType = UNSET
    os: str | None | UnsetType = UNSET
    python: str | None | UnsetType = UNSET
    program: str | None | UnsetType = UNSET
    args: list[str] | UnsetType = UNSET
    executable: str | None | UnsetType = UNSET
    cwd: str | None | UnsetType = UNSET
    git: GitInfo | None | UnsetType = UNSET


class RunDetail(Run, kw_only=True):
    """One run: the listing's fields plus where it lives, its environment and its log segments."""

    entity: str
    project: str
    metadata: Annotated[
        Json,  # a plain dict, so clients keep the fields RunMetadata does not name
        Meta(extra_json_schema={"$ref": "#/components/schemas/RunMetadata"}),
    ]
    segments: list[Segment]
    history_keys: int
    metrics: list[Any]


class RunsQuery(Query):
    filter: Annotated[
        str | None,
        Meta(description='MongoDB-style JSON, e.g. {"config.lr": {"$lt": 0.1}, "state": "finished"}'),
    ] = None
    order: Annotated[str | None, Meta(description="e.g. -summary.loss,+created_at")] = None
    limit: Limit = 50
    offset: Offset = 0
    total: Annotated[bool, Meta(description="also count the matching runs")] = False
    cursor: Cursor | None = None
    fields: Annotated[list[str], Meta(max_length=MAX_FIELDS, description=FIELDS_DOC)] | None = None


class RunsQueryBody(Request):
    filter: dict[str, Any] | None = None
    order: str | None = None
    limit: Limit = 50
    offset: Offset = 0
    total: bool = False
    cursor: Cursor | None = None
    fields: Annotated[list[str], Meta(max_length=MAX_FIELDS, description=FIELDS_DOC)] | None = None


MAX_COLUMN_PAGE = 10_000


class RunColumnsQuery(Request):
    filter: dict[str, Any] | None = None
    order: str | None = None
    limit: Annotated[
        int, Meta(ge=1, le=MAX_COLUMN_PAGE, description=f"runs per page (1..{MAX_COLUMN_PAGE})")
    ] = MAX_COLUMN_PAGE
    cursor: Cursor | None = None
    fields: Annotated[list[str], Meta(max_length=MAX_FIELDS, description=FIELDS_DOC)] = []


class RunColumns(Answer):
    """A page of runs as columns, entry i of each list being run i's: what a runs table shows of
    100,000 runs without a JSON object per run."""

    id: list[str]
    name: list[str | None]
    state: list[str]
    created_at: list[float]
    heartbeat_at: list[float]
    ended_at: list[float | None]
    runtime: list[float | None]
    last_step: list[int | None]
    tags: list[list[str]]
    group: list[str | None]
    job_type: list[str | None]
    host: list[str | None]
    notes: list[str | None]
    values: Annotated[
        dict[str, list[Any]],
        Meta(description="each asked field's values, e.g. values['config.lr'] (null where a run has none)"),
    ]
    next_cursor: Annotated[
        str | None, Meta(description="pass as `cursor` for the next page; null: last page")
    ]


class RunsPage(Answer):
    runs: list[Run]
    next_cursor: Annotated[
        str | None, Meta(description="pass as `cursor` for the next page; null: last page")
    ]
    next_offset: Annotated[int | None, Meta(description="the next page by offset (pages without a cursor)")]
    total: Annotated[int | UnsetType, Meta(description="with total=true")] = UNSET


class RunPatch(Request):
    """Fields to change; `project` moves the run to another project of the same entity; `config`
    and `summary` replace the run's (null leaves the summary as it is)."""

    name: str | None | UnsetType = UNSET
    notes: str | None | UnsetType = UNSET
    group: str | None | UnsetType = UNSET
    job_type: str | None | UnsetType = UNSET
    tags: list[str] | None | UnsetType = UNSET
    state: State | UnsetType = UNSET
    config: Json | None | UnsetType = UNSET
    summary: Json | None | UnsetType = UNSET
    project: Name | None | UnsetType = UNSET
    entity: Annotated[str | None | UnsetType, Meta(description="only the run's own entity")] = UNSET


class Deleted(Answer):
    """A deleted run, and the artifact versions deleted with it."""

    deleted: str
    artifacts: Annotated[list[str], Meta(description="the artifact versions deleted with it")]


class DeleteRunQuery(Query):
    delete_artifacts: Annotated[
        bool, Meta(description="also delete the artifact versions the run created (not registered ones)")
    ] = False


class ConsoleQuery(Query):
    after: Annotated[Int64, Meta(description="cursor of the last line seen")] = -1
    limit: Annotated[int, Meta(ge=1, le=10_000)] = 1000


class ConsoleLine(Answer):
    cursor: int
    ts: float
    stream: str
    line: str


class Console(Answer):
    lines: list[ConsoleLine]
    next_after: Annotated[int | None, Meta(description="pass as `after` for more; null: no more")]


class RunFile(Answer):
    path: str
    size: int
    sha256: str
    content_type: str | None
    kind: str | None
    updated_at: float


class RunFiles(Answer):
    files: list[RunFile]


class FileStored(Answer):
    path: str
    size: int
    sha256: str
