"""Reading a run log back: tolerant of a torn tail, never failing on a valid prefix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .framing import Tail, check_header, iter_frames
from .history_codec import HistoryBatch
from .history_rows import assemble_rows
from .records import RT, unpackb
from .rundir import is_live
from .summary import SummaryState

RUNLOG_SUFFIX = ".rylog"


@dataclass
class Record:
    offset: int
    type: RT | int
    payload: Any


def find_runlog(path: str | os.PathLike) -> Path:
    """Accept a run directory or the log file itself."""
    p = Path(path)
    if p.is_dir():
        logs = sorted(p.glob("*" + RUNLOG_SUFFIX))
        if not logs:
            raise FileNotFoundError(f"no run log (*{RUNLOG_SUFFIX}) in {p}")
        return logs[0]
    return p


def iter_records(
    path: str | os.PathLike, tail: Tail | None = None, start: int | None = None
) -> Iterator[Record]:
    """Yield decoded records of a run log; `tail` reports where and why reading stopped."""
    data = find_runlog(path).read_bytes()
    check_header(data)
    tail = tail if tail is not None else Tail()
    for offset, rtype, payload in iter_frames(data, tail, start or 16):
        try:
            t: RT | int = RT(rtype)
        except ValueError:
            t = rtype  # a record type from a newer writer: keep it, callers skip it
        try:
            body = unpackb(payload)
            if not isinstance(body, dict):
                raise ValueError(f"payload is a {type(body).__name__}, not a map")
            if t == RT.HISTORY:
                body = HistoryBatch(body)
        except Exception as e:  # checksum passed but the payload is foreign: stop like a torn tail
            _stop(tail, offset, len(data), f"undecodable payload at offset {offset}: {e}")
            return
        yield Record(offset, t, body)


def _stop(tail: Tail, offset: int, size: int, reason: str) -> None:
    tail.reason = reason
    tail.skipped_bytes = size - offset
    tail.good_bytes = offset


@dataclass
class RunData:
    """Everything a run log holds, rebuilt."""

    path: Path
    run: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    metrics: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    system: list[tuple[int, float, dict]] = field(default_factory=list)
    console: list[tuple[int, float, int, str]] = field(default_factory=list)
    exit: dict | None = None
    flags: dict = field(default_factory=dict)
    tail: Tail = field(default_factory=Tail)
    batches: list[HistoryBatch] = field(default_factory=list)
    other: list[Record] = field(default_factory=list)
    _summary: SummaryState = field(default_factory=SummaryState)

    # -- derived views ------------------------------------------------------------------------
    @property
    def state(self) -> str:
        if self.exit is not None:
            return self.exit.get("state") or ("finished" if self.exit.get("exit_code", 0) == 0 else "failed")
        # no exit record: alive while the writing process holds the run's lock, else it crashed
        return "running" if is_live(self.path.parent) else "crashed"

    @property
    def summary(self) -> dict:
        return self._summary.snapshot(self.run.get("start_time"), self.run.get("runtime_offset", 0.0))

    def series(self, key: str) -> tuple[list[int], list[Any]]:
        """(steps, values) of one metric, every point in log order."""
        steps: list[int] = []
        values: list[Any] = []
        for b in self.batches:
            for _seq, step, _ts, v in b.series(key):
                steps.append(step)
                values.append(v)
        return steps, values

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for b in self.batches:
            for keys, _rows, _cols in b.groups:
                for k in keys:
                    seen.setdefault(k, None)
        return list(seen)

    def fragments(self) -> Iterator[tuple[int, int, float, int, dict]]:
        for b in self.batches:
            yield from b.fragments()

    def history(self) -> list[dict]:
        """History rows as wandb shows them (`_step`, `_timestamp`, `_runtime` + values), sorted by step.

        The row rule (wire/history_rows.py, shared with the server): every value logged at a step joins
        that step's row; a key logged twice at one step opens a second row of that step.
        """
        start = self.run.get("start_time") or 0.0
        offset = self.run.get("runtime_offset", 0.0)
        frags = ((step, ts, data) for _seq, step, ts, _commit, data in self.fragments())
        return [
            {**data, "_step": step, "_timestamp": ts, "_runtime": ts - start + offset}
            for step, ts, data in assemble_rows(frags)
        ]


def read(path: str | os.PathLike) -> RunData:
    """Read a run directory (or its `.rylog` file) into a RunData; a torn tail is reported in `.tail`."""
    p = find_runlog(path)
    rd = RunData(path=p)
    for rec in iter_records(p, rd.tail):
        try:
            _apply(rd, rec)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
            # a well-framed record without its type's shape: what follows is not trusted either
            _stop(
                rd.tail,
                rec.offset,
                p.stat().st_size,
                f"malformed {rec.type!r} record at offset {rec.offset}: {e!r}",
            )
            break
    return rd


def _apply(rd: RunData, rec: Record) -> None:
    """Fold one record into `rd` (raises on a record whose payload lacks its type's fields)."""
    s = rd._summary
    t, body = rec.type, rec.payload
    if t == RT.HISTORY:
        replay_summary(s, body)
        rd.batches.append(body)
    elif t == RT.RUN:
        if rd.run:  # a resumed segment appended later keeps the original identity
            rd.run.update({k: v for k, v in body.items() if k in ("resumed", "segment")})
        else:
            rd.run = dict(body)
    elif t == RT.CONFIG:
        rd.config.update(body.get("update") or {})
        for k in body.get("remove") or ():
            rd.config.pop(k, None)
    elif t == RT.SUMMARY:
        s.update(body.get("update") or {})
        s.remove(body.get("remove") or [])
    elif t == RT.METRIC:
        rd.metrics.append(body)
        s.define(body)
    elif t == RT.SYSTEM:
        rd.system.extend([(r[0], r[1], r[2]) for r in body["samples"]])
    elif t == RT.CONSOLE:
        rd.console.extend([(r[0], r[1], r[2], r[3]) for r in body["lines"]])
    elif t == RT.FILES:
        rd.files.extend(body["files"])
    elif t == RT.ENVIRONMENT:
        rd.environment.update(body.get("metadata") or {})
    elif t == RT.ALERT:
        rd.alerts.append(body)
    elif t == RT.EXIT:
        rd.exit = body
    elif t == RT.RUN_UPDATE:
        for k, v in body.items():
            if k == "flags":
                rd.flags.update(v)
            elif k != "seq":
                rd.run[k] = v
    else:
        rd.other.append(rec)


def replay_summary(s: SummaryState, b: HistoryBatch) -> None:
    """Apply the points of one history batch to a summary, in log order (the reader and the server use it)."""
    if not b.n:
        return
    if s.specs:  # aggregations need every value, in log order
        for _seq, _step, _ts, _c, data in b.fragments():
            s.add_fragment(tuple(data), tuple(data.values()))
    else:  # only the last value of each key matters: take it from the end of its column
        latest: dict[str, tuple[int, Any]] = {}
        for keys, rows, cols in b.groups:
            if not cols or not len(rows):
                continue
            r = rows[len(rows) - 1]
            for k, c in zip(keys, cols):
                prev = latest.get(k)
                if prev is None or prev[0] < r:
                    latest[k] = (r, c[len(c) - 1])
        for k, (_r, v) in sorted(latest.items(), key=lambda kv: kv[1][0]):
            s.values[k] = v
    s.last_step = b.step[b.n - 1]
    s.last_ts = b.ts[b.n - 1]
