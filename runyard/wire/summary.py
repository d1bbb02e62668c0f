"""Summary semantics, shared by the SDK (live view) and the run-log reader (replay).

The summary of a run is the last logged value of each key, except where `define_metric` asks for
aggregations (`min`, `max`, `mean`, `first`, `last`; several at once give a dict such as
`{"min": 1, "last": 2}`) or `none`; an explicit `run.summary[k] = v` sets a value until the key is
logged again. Keeping the rules in one place means the reader reproduces exactly what the SDK showed.
"""

from __future__ import annotations

import math
import threading
from fnmatch import fnmatchcase
from typing import Any

AGGREGATIONS = ("min", "max", "mean", "first", "last", "none", "best", "copy")


class MetricSpec:
    __slots__ = ("name", "glob", "step_metric", "summary", "hidden", "step_sync", "goal")

    def __init__(self, d: dict):
        self.name: str | None = d.get("name")
        self.glob: str | None = d.get("glob")
        self.step_metric: str | None = d.get("step_metric")
        self.summary: tuple[str, ...] = tuple(d.get("summary") or ())
        self.hidden: bool = bool(d.get("hidden"))
        self.step_sync: bool = bool(d.get("step_sync"))
        self.goal: str | None = d.get("goal")

    def matches(self, key: str) -> bool:
        if self.name is not None:
            return key == self.name
        return self.glob is not None and fnmatchcase(key, self.glob)


def parse_summary_option(summary: str | None) -> tuple[str, ...]:
    if summary is None:
        return ()
    parts = tuple(p.strip().lower() for p in str(summary).split(",") if p.strip())
    bad = [p for p in parts if p not in AGGREGATIONS]
    if bad:
        raise ValueError(
            f"define_metric summary must be a comma list of {', '.join(AGGREGATIONS)}; got {bad[0]!r}"
        )
    return parts


def _is_num(v: Any) -> bool:
    return (type(v) is float or type(v) is int) or (isinstance(v, (int, float)) and not isinstance(v, bool))


class Aggregate:
    __slots__ = ("min", "max", "sum", "count", "first", "last")

    def __init__(self) -> None:
        self.min = self.max = self.first = self.last = None
        self.sum = 0.0
        self.count = 0

    def add(self, v: Any) -> None:
        if self.count == 0 and self.first is None:
            self.first = v
        self.last = v
        if _is_num(v) and not (isinstance(v, float) and math.isnan(v)):
            self.min = v if self.min is None or v < self.min else self.min
            self.max = v if self.max is None or v > self.max else self.max
            self.sum += v
            self.count += 1

    def value(self, kinds: tuple[str, ...], goal: str | None = None) -> Any:
        out: dict[str, Any] = {}
        for k in kinds:
            if k == "min":
                out["min"] = self.min
            elif k == "max":
                out["max"] = self.max
            elif k == "mean":
                out["mean"] = self.sum / self.count if self.count else None
            elif k == "first":
                out["first"] = self.first
            elif k == "best":
                out["best"] = self.max if (goal or "").startswith("max") else self.min
            elif k in ("last", "copy"):
                out["last"] = self.last
        return out


class SummaryState:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.specs: list[MetricSpec] = []
        self._spec_for: dict[str, MetricSpec | None] = {}
        self._aggs: dict[str, Aggregate] = {}
        self.last_step: int | None = None
        self.last_ts: float | None = None
        # (keys, values) of the SDK's latest plain fragment, not yet in `values` (add_last)
        self._last: tuple | None = None
        self._last_lock = threading.Lock()

    # -- metric definitions -------------------------------------------------------------------
    def define(self, d: dict) -> None:
        self.specs.append(MetricSpec(d))
        self._spec_for.clear()  # later definitions win; recompute lazily

    def spec(self, key: str) -> MetricSpec | None:
        try:
            return self._spec_for[key]
        except KeyError:
            found = None
            for s in reversed(self.specs):
                if s.summary and s.matches(key):
                    found = s
                    break
            self._spec_for[key] = found
            return found

    @property
    def has_aggregations(self) -> bool:
        return any(s.summary for s in self.specs)

    # -- updates ------------------------------------------------------------------------------
    def add_last(self, keys: tuple, vals: tuple) -> None:
        """A fragment of last values (no aggregation defined), folded into `values` only when read or
        when a fragment of other keys arrives: a run logging the same keys every step (the SDK's
        `log()`, which interns its key tuples) pays nothing per key here."""
        with self._last_lock:  # threads logging at once: each fragment is folded, in order
            last = self._last
            if last is not None and last[0] is not keys:
                self.values.update(zip(last[0], last[1]))
            self._last = (keys, vals)

    def _fold(self) -> None:
        with self._last_lock:
            last = self._last
            if last is not None:
                self._last = None
                self.values.update(zip(last[0], last[1]))

    def add_fragment(
        self, keys: tuple | list, vals: tuple | list, step: int | None = None, ts: float | None = None
    ) -> None:
        self._fold()
        if not self.specs:
            self.values.update(zip(keys, vals))
        else:
            for k, v in zip(keys, vals):
                self._add_one(k, v)
        if step is not None:
            self.last_step = step
        if ts is not None:
            self.last_ts = ts

    def _add_one(self, k: str, v: Any) -> None:
        spec = self.spec(k)
        if spec is None:
            self.values[k] = v
            return
        if "none" in spec.summary:
            self.values.pop(k, None)
            return
        agg = self._aggs.get(k)
        if agg is None:
            agg = self._aggs[k] = Aggregate()
        agg.add(v)
        self.values[k] = agg.value(spec.summary, spec.goal)

    def update(self, d: dict) -> None:
        self._fold()
        self.values.update(d)

    def remove(self, keys: list[str]) -> None:
        self._fold()
        for k in keys:
            self.values.pop(k, None)

    # -- persistence (the server keeps a run's summary state between ingest chunks) ---------------
    def dump(self) -> dict[str, Any]:
        """Plain data (values may hold NaN/inf: the caller chooses how to store those); specs not included."""
        self._fold()
        return {
            "values": dict(self.values),
            "last_step": self.last_step,
            "last_ts": self.last_ts,
            "aggs": {k: [a.min, a.max, a.sum, a.count, a.first, a.last] for k, a in self._aggs.items()},
        }

    @classmethod
    def load(cls, doc: dict[str, Any]) -> SummaryState:
        """The inverse of `dump`; metric specs come from `doc["specs"]` when present."""
        s = cls()
        for spec in doc.get("specs") or ():
            s.define(spec)
        s.values = dict(doc.get("values") or {})
        for k, a in (doc.get("aggs") or {}).items():
            agg = s._aggs[k] = Aggregate()
            agg.min, agg.max, agg.sum, agg.count, agg.first, agg.last = a
        s.last_step = doc.get("last_step")
        s.last_ts = doc.get("last_ts")
        return s

    def snapshot(self, start_time: float | None = None, runtime_offset: float = 0.0) -> dict[str, Any]:
        self._fold()
        out = dict(self.values)
        if self.last_step is not None:
            out.setdefault("_step", self.last_step)
        if self.last_ts is not None:
            out.setdefault("_timestamp", self.last_ts)
            if start_time is not None:
                out.setdefault("_runtime", self.last_ts - start_time + runtime_offset)
        return out
