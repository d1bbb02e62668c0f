"""Applying run-log bytes to the store: the server side of the ingest protocol.

The client uploads the bytes of one run-log file in chunks of whole frames. `decode` validates a
chunk (header, lengths, checksums, payloads) without touching the database; `apply` then runs in
ONE write transaction that re-reads the acknowledged offset of (run, segment) under lock, skips the
frames that end at or below it, applies the rest and advances the offset. A retried chunk is thus
applied exactly once, and a chunk that starts beyond the offset is refused with the offset so the
client resends from there.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.framing import HEADER_SIZE, RunLogError, Tail, check_header, iter_frames
from ..wire.history_codec import HistoryBatch
from ..wire.manifest import is_sha256
from ..wire.paths import BadPath, check_media_paths
from ..wire.records import RT, unpackb
from . import summary_state
from .chunks import Points
from .entities import User
from .errors import StoreError
from .jsonsafe import jsonable, safe_str
from .limits import Limits
from .record_shapes import RecordError, check_history, check_record
from .tables import run_segments

if TYPE_CHECKING:
    from . import Store

GSEQ_SHIFT = 40
MAX_ALERTS = 100


@dataclass
class Frame:
    start: int  # byte offset in the run-log file
    end: int
    type: int
    body: Any


@dataclass
class Decoded:
    offset: int
    end: int
    frames: list[Frame] = field(default_factory=list)


@dataclass
class Result:
    acked_offset: int
    applied: int = 0
    skipped: int = 0
    points: int = 0
    run_pk: int = 0
    created: bool = False
    state: str = ""
    revived: bool = False  # a run presumed crashed is running again: its client is alive
    project_id: int = 0
    project: str = ""  # where the run lives now (it may have been moved from the project uploaded to)
    last_step: int | None = None  # the run's last history step after this chunk (live events carry it)


def decode(run_id: str, segment: str, offset: int, body: bytes, limits: Limits | None = None) -> Decoded:
    """Validate a chunk and decode its records (CPU only; raises StoreError naming the problem).
    Each record is checked against its shape (store/record_shapes.py) before anything is applied."""
    limits = limits or Limits()
    if offset < 0:
        raise StoreError("bad_offset", "offset must be a non-negative byte offset")
    pos = 0
    if offset == 0:
        try:
            check_header(body)
        except RunLogError as e:
            raise StoreError(
                "bad_header", f"the chunk at offset 0 must start with the run-log header: {e}"
            ) from None
        pos = HEADER_SIZE
    elif offset < HEADER_SIZE:
        raise StoreError("bad_offset", f"offset {offset} falls inside the 16-byte run-log header")
    out = Decoded(offset, offset + len(body))
    tail = Tail()
    for off, rtype, payload in iter_frames(body, tail, pos):
        try:
            obj = unpackb(payload)
            if not isinstance(obj, dict):
                raise ValueError(f"payload is a {type(obj).__name__}, not a map")
            check_record(rtype, obj, limits)
            if rtype == RT.HISTORY:
                obj = HistoryBatch(obj)
                check_history(obj)
        except RecordError as e:
            raise StoreError("bad_record", f"record at byte {offset + off} of the run log: {e}") from None
        except Exception as e:
            raise StoreError(
                "corrupt_frame", f"record at byte {offset + off} of the run log does not decode: {e}"
            ) from None
        out.frames.append(Frame(offset + off, offset + off + 8 + 1 + len(payload), rtype, obj))
    if not tail.clean:
        raise StoreError(
            "corrupt_frame",
            f"bytes {offset + tail.good_bytes}..{out.end} of the run log are not whole "
            f"valid records ({tail.reason}); send whole frames starting at a frame boundary",
        )
    for f in out.frames:
        if f.type == RT.RUN:
            if not isinstance(f.body, dict):
                raise StoreError("corrupt_frame", f"RUN record at byte {f.start} is not a map")
            if f.body.get("run_id") != run_id:
                raise StoreError(
                    "run_mismatch",
                    f"the run log belongs to run {f.body.get('run_id')!r}, not {run_id!r}",
                )
    if offset == 0:
        first = out.frames[0] if out.frames else None
        if first is None or first.type != RT.RUN:
            raise StoreError("bad_run_log", "a run log must start with its RUN record")
        if first.body.get("segment") != segment:
            raise StoreError(
                "segment_mismatch",
                f"the run log's segment is {first.body.get('segment')!r}, not {segment!r}",
            )
    return out


class Ingest:
    def __init__(self, store: Store):
        self.s = store

    def acked(self, conn: Connection, entity: str, project: str, run_id: str, segment: str) -> int:
        loc = self.s.runs.follow(conn, entity, project, run_id)
        if loc is None:
            return 0
        q = sa.select(run_segments.c.acked_offset).where(
            run_segments.c.run_pk == loc.id, run_segments.c.segment == segment
        )
        return conn.execute(q).scalar() or 0

    def apply(
        self,
        conn: Connection,
        user: User,
        entity: str,
        project: str,
        run_id: str,
        segment: str,
        dec: Decoded,
        live: bool = False,
    ) -> Result:
        """Apply a decoded chunk for `user`, whom the caller has allowed to write to `entity` (which
        exists: the access policy creates it on first write).

        `live`: the chunk comes from the run's own process (the online uploader), so it is also a
        heartbeat, and revives a run the server presumed crashed (server/jobs.py); an empty live chunk
        is a heartbeat alone. `runyard sync` sends chunks that are not live."""
        s = self.s
        ent = s.entities.get(conn, entity)
        assert ent is not None, f"entity {entity!r} must exist before its runs are written"
        ent_id = ent.id
        loc = s.runs.follow(conn, entity, project, run_id)  # follows a run moved to another project
        seg = None
        if loc is not None:
            q = sa.select(run_segments).where(
                run_segments.c.run_pk == loc.id, run_segments.c.segment == segment
            )
            seg = conn.execute(s.db.for_update(q)).first()
        acked = seg.acked_offset if seg is not None else 0
        if dec.offset > acked:
            raise StoreError(
                "offset_mismatch",
                f"the server has bytes 0..{acked} of this run log; resend from offset {acked}",
                acked_offset=acked,
            )
        todo = [f for f in dec.frames if f.end > acked]
        if todo and todo[0].start < acked:
            raise StoreError(
                "offset_mismatch",
                f"offset {acked} is not at a frame boundary of this chunk",
                acked_offset=acked,
            )
        res = Result(acked_offset=max(acked, dec.end), skipped=len(dec.frames) - len(todo))
        res.project = getattr(loc, "project_name", None) or project
        if not todo and seg is not None and loc is not None:  # (a segment implies its run)
            res.acked_offset = acked if dec.end <= acked else dec.end
            if dec.end > acked:
                conn.execute(
                    sa.update(run_segments)
                    .where(run_segments.c.id == seg.id)
                    .values(acked_offset=dec.end, updated_at=time.time())
                )
            res.run_pk = loc.id
            if live:
                r = s.runs.load(conn, loc.id, lock=True)
                now = time.time()
                back = _revived(r)
                s.runs.update(conn, loc.id, heartbeat_at=now, updated_at=now, **back)
                res.state, res.revived = r["state"], bool(back)
            return res
        if seg is None or loc is None:
            if dec.offset != 0:
                raise StoreError(
                    "offset_mismatch",
                    "the server has nothing of this run log; resend from offset 0",
                    acked_offset=0,
                )
            record = dec.frames[0].body
            if loc is not None:  # a new segment of a known (possibly moved) run
                project_id, run_pk = loc.project_id, loc.id
            else:
                project_id = s.projects.get_or_create(conn, ent_id, project)
                run_pk = s.runs.get_or_create(conn, project_id, run_id, record, user.id)
            res.created = loc is None
            ordinal = (
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(run_segments.c.ordinal), 0)).where(
                        run_segments.c.run_pk == run_pk
                    )
                ).scalar_one()
                + 1
            )
            conn.execute(
                sa.insert(run_segments).values(
                    run_pk=run_pk,
                    segment=segment,
                    ordinal=ordinal,
                    acked_offset=0,
                    starting_step=int(record.get("starting_step") or 0),
                    resumed=bool(record.get("resumed")),
                    start_time=record.get("start_time"),
                    updated_at=time.time(),
                )
            )
        else:
            run_pk, project_id, ordinal = loc.id, loc.project_id, seg.ordinal
        res.run_pk, res.project_id = run_pk, project_id
        applier = _Applier(self.s, conn, run_pk, ordinal)
        applier.where = (entity, project)
        if live and (back := _revived(applier.run)):
            applier.changed.update(back)
            res.revived = True
        try:
            applier.apply(todo)
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
        ) as e:  # well-framed but malformed
            raise StoreError("bad_record", f"a record of this chunk has an unexpected shape: {e!r}") from None
        res.applied, res.points, res.state = len(todo), applier.points, applier.run["state"]
        res.last_step = applier.run.get("last_step")
        conn.execute(
            sa.update(run_segments)
            .where(run_segments.c.run_pk == run_pk, run_segments.c.segment == segment)
            .values(acked_offset=res.acked_offset, updated_at=time.time())
        )
        s.projects.touch(conn, project_id)
        return res


def _revived(run: dict) -> dict:
    """The columns that bring back a run the server presumed crashed (no exit code) and whose client
    turns out to be alive; nothing for any other run. `run` is updated in place."""
    if run["state"] != "crashed" or run["exit_code"] is not None:
        return {}
    back = {"state": "running", "ended_at": None}
    run.update(back)
    return back


class _Applier:
    """Applies decoded records to one run inside the caller's transaction."""

    def __init__(self, store: Store, conn: Connection, run_pk: int, ordinal: int):
        self.s, self.conn, self.run_pk = store, conn, run_pk
        self.base = ordinal << GSEQ_SHIFT
        self.run = store.runs.load(conn, run_pk, lock=True)
        self.summary, self.specs = summary_state.load(self.run["summary_state"])
        self.history: dict[str, list[Points]] = {}
        self.system: dict[str, list[Points]] = {}
        self.console: list[dict] = []
        self.points = 0
        self.changed: set[str] = set()
        self.where = ("", "")  # entity and project names of the run (artifact records default to them)

    def apply(self, frames: list[Frame]) -> None:
        r = self.run
        for f in frames:
            t, body = f.type, f.body
            if t == RT.HISTORY:
                self._history(body)
            elif t == RT.CONFIG:
                cfg = r["config"]
                cfg.update(jsonable(body.get("update") or {}))
                for k in body.get("remove") or ():
                    cfg.pop(k, None)
                self.changed.add("config")
            elif t == RT.SUMMARY:
                _check_media(body.get("update"))
                self.summary.update(body.get("update") or {})
                self.summary.remove(body.get("remove") or [])
            elif t == RT.METRIC:
                spec = {k: v for k, v in body.items() if k != "seq"}
                self.summary.define(spec)
                self.specs.append(jsonable(spec))
            elif t == RT.SYSTEM:
                self._system(body.get("samples") or [])
            elif t == RT.CONSOLE:
                self.console.extend(
                    {
                        "gseq": self.base | int(seq),
                        "ts": float(ts),
                        "stream": int(stream),
                        "line": safe_str(str(line)),
                    }
                    for seq, ts, stream, line in body.get("lines") or []
                )
            elif t == RT.RUN:
                self._run_record(body)
            elif t == RT.ENVIRONMENT:
                r["metadata"].update(jsonable(body.get("metadata") or {}))
                self.changed.add("metadata")
            elif t == RT.FILES:
                files = r["metadata"].setdefault("files", {})
                for fd in body.get("files") or []:
                    files[str(fd.get("path"))] = fd.get("kind") or "user"
                self.changed.add("metadata")
            elif t == RT.ALERT:
                alerts = r["metadata"].setdefault("alerts", [])
                alerts.append(jsonable({k: v for k, v in body.items() if k != "seq"}))
                del alerts[:-MAX_ALERTS]
                self.changed.add("metadata")
            elif t == RT.EXIT:
                code = int(body.get("exit_code") or 0)
                r.update(
                    state=body.get("state") or ("finished" if code == 0 else "failed"),
                    exit_code=code,
                    ended_at=body.get("end_time"),
                    runtime=body.get("runtime"),
                )
                self.changed.update(("state", "exit_code", "ended_at", "runtime"))
            elif t == RT.RUN_UPDATE:
                for k, v in body.items():
                    if k == "flags" and isinstance(v, dict):
                        r["flags"].update(jsonable(v))
                        self.changed.add("flags")
                    elif k in ("name", "notes"):
                        r[k] = None if v is None else safe_str(str(v))
                        self.changed.add(k)
                    elif k == "tags":
                        r["tags"] = [safe_str(str(x)) for x in v or []]
                        self.changed.add("tags")
            elif t in (RT.ARTIFACT, RT.USE_ARTIFACT):
                self._artifact_link(t, body)
            # unknown (newer) record types are acknowledged and skipped, as the reader does
        self._flush()

    def _artifact_link(self, t: int, body: dict) -> None:
        """Lineage: the run logged (ARTIFACT) or used (USE_ARTIFACT) the version with this digest."""
        digest, name = body.get("digest"), body.get("name")
        if not isinstance(digest, str) or not is_sha256(digest) or not isinstance(name, str) or not name:
            raise ValueError(f"artifact record without a name and sha256 digest: {name!r} {digest!r}")
        entity = str(body.get("entity") or self.where[0])
        project = str(body.get("project") or self.where[1])
        kind = "output" if t == RT.ARTIFACT else "input"
        self.s.artifacts.link(self.conn, self.run_pk, kind, entity, project, name, digest)

    def _run_record(self, body: dict) -> None:
        r = self.run
        if body.get("resumed") or r["state"] != "running":
            r.update(state="running", ended_at=None, exit_code=None)
            self.changed.update(("state", "ended_at", "exit_code"))
        for col, key in (
            ("name", "name"),
            ("notes", "notes"),
            ("group_name", "group"),
            ("job_type", "job_type"),
            ("sweep_id", "sweep_id"),
            ("host", "host"),
            ("program", "program"),
            ("sdk", "sdk"),
        ):
            if body.get(key) is not None and r.get(col) is None:
                r[col] = safe_str(str(body[key]))
                self.changed.add(col)
        if body.get("tags") and not r["tags"]:
            r["tags"] = [safe_str(str(x)) for x in body["tags"]]
            self.changed.add("tags")

    def _history(self, b: HistoryBatch) -> None:
        if not b.n:
            return
        summary_state.replay(self.summary, b)
        seq = _ints(b.seq) | self.base
        step = _ints(b.step)
        ts = (
            np.frombuffer(b.ts, dtype=np.float64) if isinstance(b.ts, array) else np.asarray(b.ts, np.float64)
        )
        for keys, rows, cols in b.groups:
            if rows == range(b.n):  # the usual group: every fragment of the batch
                g_seq, g_step, g_ts = seq, step, ts
            else:  # taken once for the group's keys (its Points share them: never written in place)
                idx = _ints(rows)
                g_seq, g_step, g_ts = seq[idx], step[idx], ts[idx]
            for key, col in zip(keys, cols):
                pts = _points(g_seq, g_step, g_ts, col)
                for p in pts:
                    if isinstance(p.val, list):  # media values: the UI will fetch the files they name
                        _check_media(p.val)
                self.history.setdefault(key, []).extend(pts)

    def _system(self, samples: list) -> None:
        by_name: dict[str, list[tuple[int, float, Any]]] = {}
        for seq, ts, values in samples:
            for name, v in (values or {}).items():
                by_name.setdefault(str(name), []).append((int(seq), float(ts), v))
        counters = (
            {k["key"]: k["points"] for k in self.s.metrics.keys(self.conn, self.run_pk, "system")}
            if by_name
            else {}
        )
        for name, pts in by_name.items():
            start = counters.get(name, 0) + sum(len(p) for p in self.system.get(name, []))
            gseq = np.array([p[0] for p in pts], np.int64) | self.base
            step = np.arange(start, start + len(pts), dtype=np.int64)
            ts = np.array([p[1] for p in pts], np.float64)
            self.system.setdefault(name, []).extend(_points(gseq, step, ts, [p[2] for p in pts]))

    def _flush(self) -> None:
        s, conn, r = self.s, self.conn, self.run
        self.points += s.metrics.append(conn, self.run_pk, "history", self.history)
        s.metrics.append(conn, self.run_pk, "system", self.system)
        s.console.append(conn, self.run_pk, self.console)
        snap = self.summary.snapshot(r["created_at"], 0.0)
        values = {c: r[c] for c in self.changed}
        now = time.time()
        values.update(
            summary=jsonable(snap),
            summary_state=summary_state.dump(self.summary, self.specs),
            heartbeat_at=now,
            updated_at=now,
            history_points=r["history_points"] + self.points,
        )
        if self.summary.last_step is not None:
            values["last_step"] = int(self.summary.last_step)
        if "runtime" not in self.changed and self.summary.last_ts is not None and r["state"] == "running":
            values["runtime"] = max(0.0, float(self.summary.last_ts) - r["created_at"])
        s.runs.update(conn, self.run_pk, **values)
        r.update(values)


def _check_media(value: Any) -> None:
    try:
        check_media_paths(value)
    except BadPath as e:
        raise StoreError("bad_path", f"{e}: a media value may only name files of its own run") from None


def _ints(v: Any) -> np.ndarray:
    if isinstance(v, range):
        return np.arange(v.start, v.stop, v.step, dtype=np.int64)
    if isinstance(v, array):
        return np.frombuffer(v, dtype=np.int64) if v.typecode == "q" else np.asarray(v, np.int64)
    return np.asarray(v, dtype=np.int64)


def _points(gseq: np.ndarray, step: np.ndarray, ts: np.ndarray, col: Any) -> list[Points]:
    if isinstance(col, array) and col.typecode == "d":
        return [Points(gseq, step, ts, np.frombuffer(col, dtype=np.float64))]
    vals = list(col)
    kinds = [type(v) is float or type(v) is int for v in vals]
    if all(kinds):
        try:
            return [Points(gseq, step, ts, np.array(vals, dtype=np.float64))]
        except OverflowError:
            pass
    num = np.array(kinds, dtype=bool)
    out = []
    if num.any():
        out.append(
            Points(gseq[num], step[num], ts[num], np.array([v for v, k in zip(vals, kinds) if k], np.float64))
        )
    if not num.all():
        out.append(
            Points(gseq[~num], step[~num], ts[~num], jsonable([v for v, k in zip(vals, kinds) if not k]))
        )
    return out
