"""Metric queries: bucketed series (chart answers), raw points, history rows, metric keys.

Chart answers are hot: the server writes them with orjson (or msgpack with `format=msgpack`,
numeric columns as raw little-endian arrays), not through these models, which describe the JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, UnsetType, field

from .base import Answer, Int64, Number, Query

MAX_BUCKETS = 10_000
# A query over many series gets fewer buckets each, so that its answer stays near 10 MB of msgpack
# (8 columns of 8 bytes a bucket): 1,000 runs get 128 each, no fewer than MIN_SERIES_BUCKETS.
MAX_TOTAL_BUCKETS = 128_000
MIN_SERIES_BUCKETS = 100
MAX_ROWS = 100_000
Format = Annotated[
    Literal["json", "msgpack"],
    Meta(description="json (default) or msgpack (numeric columns as raw little-endian arrays)"),
]
Keys = Annotated[list[str], Meta(description="comma-separated or repeated")]


class BucketQuery(Query):
    buckets: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_BUCKETS,
            description=f"number of buckets (1..{MAX_BUCKETS}, default 1000); a query of many series gets"
            f" fewer, {MAX_TOTAL_BUCKETS:,} in all (at least {MIN_SERIES_BUCKETS} each): the answer's"
            " `buckets` is the count used",
        ),
    ] = 1000
    x_axis: Annotated[
        str, Meta(description="_step (default), _timestamp, _runtime, or another metric of the run")
    ] = "_step"
    min: Annotated[float | None, Meta(description="x range start (default: the data's extent)")] = None
    max: Annotated[float | None, Meta(description="x range end")] = None
    format: Format = "json"


class RunHistoryQuery(BucketQuery):
    keys: Annotated[list[str], Meta(description="comma-separated (default: all)")] = []


class ProjectHistoryQuery(BucketQuery, kw_only=True):
    key: Keys
    runs: Annotated[list[str], Meta(description="run ids, comma-separated")]
    keys: Keys = []


class Series(Answer):
    """One bucketed series; the columns are absent when the run does not log the key (found=false)."""

    run: str
    key: str
    found: bool
    bucket: list[int] | UnsetType = UNSET
    x: Annotated[list[float] | UnsetType, Meta(description="each bucket's start")] = UNSET
    count: list[int] | UnsetType = UNSET
    min: list[Number] | UnsetType = UNSET
    max: list[Number] | UnsetType = UNSET
    mean: list[Number] | UnsetType = UNSET
    last: list[Number] | UnsetType = UNSET
    last_x: Annotated[list[float] | UnsetType, Meta(description="x of each bucket's last point")] = UNSET


class HistoryAnswer(Answer):
    x_axis: str
    buckets: int
    min: Annotated[float, Meta(description="x range start")]
    max: Annotated[float, Meta(description="x range end")]
    query_ms: float
    series: list[Series]


class RawQuery(Query):
    keys: Keys
    min_step: Int64 | None = None
    max_step: Int64 | None = None
    kind: Literal["history", "system"] = "history"


class RawSeries(Answer):
    key: str
    found: bool
    step: list[int] | UnsetType = UNSET
    value: Annotated[
        list[Any] | UnsetType, Meta(description="numbers (NaN as strings), or logged objects (media)")
    ] = UNSET
    timestamp: list[float] | UnsetType = UNSET
    seq: list[int] | UnsetType = UNSET


class RawHistory(Answer):
    run: str
    series: list[RawSeries]


class RowsQuery(Query):
    keys: Annotated[list[str], Meta(description="comma-separated (default: every history key)")] = []
    min_step: Int64 | None = None
    max_step: Int64 | None = None
    limit: Annotated[int, Meta(ge=1, le=MAX_ROWS, description="rows per page; see next_min_step")] = 10_000
    samples: (
        Annotated[int, Meta(ge=1, le=MAX_ROWS, description="that many rows spread evenly (ignores limit)")]
        | None
    ) = None
    require: Annotated[
        Literal["any", "all"], Meta(description="any: rows with a value of some key; all: of every key")
    ] = "any"
    format: Format = "json"


class HistoryRows(Answer):
    """Row-aligned columns; an absent value is null. In msgpack, numeric columns are raw float64 and
    `present` holds a uint8 mask per key absent from some rows."""

    run: str
    keys: list[str]
    rows: int
    step: list[int] = field(name="_step")
    timestamp: list[Number] = field(name="_timestamp")
    runtime: list[Number] = field(name="_runtime")
    columns: dict[str, list[Any]]
    next_min_step: Annotated[int | None, Meta(description="min_step of the next page; null: the last")]


class MetricKey(Answer):
    key: str
    points: int
    step_min: int | None
    step_max: int | None


class MetricKeys(Answer):
    keys: list[MetricKey]
