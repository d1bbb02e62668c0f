"""The metric engine: every point of every series, in chunked columnar rows, and the chart query.

Write path: the points a transaction brings for a (run, key) are sorted by (step, seq) and appended
to the key's open chunk (rewritten until it holds CHUNK_POINTS points), then to new chunks. Each
chunk row carries its step/time range and min/max/sum/count/last, so queries skip chunks outside
the window and take a chunk that falls inside one bucket from its statistics alone.

Read path (`buckets`): series K of runs R1..Rn over x in [a, b] in B buckets, x being `_step`,
`_timestamp`, `_runtime` or another metric of the same run (joined on step). Out-of-order and
repeated steps are kept; when a series' chunks overlap in step, it is decoded whole and sorted.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import buckets as bk
from . import summaries
from .chunks import (
    BLOCK_DTYPE,
    BLOCK_POINTS,
    CHUNK_POINTS,
    Points,
    block_stats,
    decode,
    decode_aux,
    decode_floats,
    decode_steps,
    encode,
    gather_floats,
    planar_sql,
    range_floats,
)
from .db import Database
from .tables import metric_chunks, metric_keys, runs

X_AXES = ("_step", "_timestamp", "_runtime")
_META_COLS = [
    metric_chunks.c[c]
    for c in (
        "id",
        "key_id",
        "chunk_no",
        "numeric",
        "n",
        "step_min",
        "step_max",
        "ts_min",
        "ts_max",
        "v_min",
        "v_max",
        "v_sum",
        "v_count",
        "v_last",
    )
]


def _compiled(cache: dict[bool, sa.Select], db: Database, build: Any) -> sa.Select:
    q = cache.get(db.is_sqlite)
    if q is None:
        q = cache[db.is_sqlite] = build()
    return q


def _window_meta_query(db: Database) -> sa.Select:
    """The numeric chunk rows of some series in a step window (bound: ids, lo, hi), without their
    values: which chunks, how many points, whether their steps are consecutive (no steps blob); served
    by the (key_id, step_min, step_max) index, built once per dialect so that its compiled form is reused."""
    c = metric_chunks.c
    return _compiled(
        _WINDOW_META,
        db,
        lambda: (
            sa.select(
                c.id,
                c.key_id,
                c.chunk_no,
                c.n,
                c.v_count,
                c.step_min,
                c.step_max,
                (sa.func.length(c.steps) == 0).label("dense"),
                planar_sql(c.vals).label("planar"),
            )
            .where(
                db.ids_param(c.key_id),
                c.numeric,
                c.step_max >= sa.bindparam("lo"),
                c.step_min <= sa.bindparam("hi"),
            )
            .order_by(c.key_id, c.step_min, c.chunk_no)
        ),
    )


def _values_query(db: Database) -> sa.Select:
    """Steps and values of some chunks, by chunk id (bound: ids); SQLite (`Metrics._values_started`)."""
    c = metric_chunks.c
    return _compiled(_VALUES, db, lambda: sa.select(c.id, c.steps, c.vals).where(db.ids_param(c.id)))


_WINDOW_META: dict[bool, sa.Select] = {}
_VALUES: dict[bool, sa.Select] = {}
# points of a zoomed query read in one statement and bucketed in one pass (bucketize_pieces): series
# are taken together up to about this many, so that the arrays of a pass stay in the CPU's cache (2 MB
# of values)
BUCKET_POINTS = 262_144


@dataclass
class SeriesRef:
    """One series of a query: a key id plus what the x axis needs of its run."""

    key_id: int
    run_start: float = 0.0  # for _runtime
    x_key_id: int | None = None  # for x = another metric


# the per-key state that every append writes back to metric_keys
_KEY_STATE = (
    "points",
    "next_chunk_no",
    "open_chunk_id",
    "open_n",
    "open_any_chunk_id",
    "open_any_n",
    "step_min",
    "step_max",
)


class Metrics:
    def __init__(self, db: Database):
        self.db = db
        # values as byte planes where the database compresses them (PostgreSQL's TOAST), see chunks.py
        self._planar = not db.is_sqlite

    # -- write path -------------------------------------------------------------------------------
    def key_ids(self, conn: Connection, run_pk: int, kind: str, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        ins = self.db.insert(metric_keys)
        conn.execute(
            ins.on_conflict_do_nothing(index_elements=["run_pk", "kind", "key"]),
            [
                {
                    "run_pk": run_pk,
                    "kind": kind,
                    "key": k,
                    "points": 0,
                    "next_chunk_no": 0,
                    "open_n": 0,
                    "open_any_n": 0,
                }
                for k in keys
            ],
        )
        out: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            q = sa.select(metric_keys.c.key, metric_keys.c.id).where(
                metric_keys.c.run_pk == run_pk,
                metric_keys.c.kind == kind,
                metric_keys.c.key.in_(keys[i : i + 500]),
            )
            out.update({r.key: r.id for r in conn.execute(q)})
        return out

    def append(self, conn: Connection, run_pk: int, kind: str, series: dict[str, list[Points]]) -> int:
        """Append points per key (numeric Points have float64 `val`, others a list). Returns points stored."""
        if not series:
            return 0
        ids = self.key_ids(conn, run_pk, kind, series)
        q = sa.select(metric_keys).where(metric_keys.c.id.in_(list(ids.values())))
        if not self.db.is_sqlite:
            q = q.with_for_update()
        state = {r.id: dict(r._mapping) for r in conn.execute(q)}
        open_ids = [
            cid for s in state.values() for cid in (s["open_chunk_id"], s["open_any_chunk_id"]) if cid
        ]
        open_rows = {}
        for i in range(0, len(open_ids), 500):
            rows = conn.execute(sa.select(metric_chunks).where(metric_chunks.c.id.in_(open_ids[i : i + 500])))
            open_rows.update({r.id: r for r in rows})
        inserts: list[dict] = []
        chunk_updates: list[dict] = []
        # (key id, open-chunk column) -> chunk_no of a new open chunk, whose id is known once inserted
        new_open: dict[tuple[int, str], int] = {}
        total = 0
        for key, parts in series.items():
            kid = ids[key]
            st = state[kid]
            num = [p for p in parts if isinstance(p.val, np.ndarray) and len(p)]
            other = [p for p in parts if not isinstance(p.val, np.ndarray) and len(p)]
            for pts, numeric in ((num, True), (other, False)):
                if not pts:
                    continue
                new = Points.concat(pts)
                total += len(new)
                self._append_one(kid, st, new, numeric, open_rows, inserts, chunk_updates, new_open)
        # the block statistics of each full chunk written (chunk id -> blocks), once the chunk ids are
        # known: they go to its series' summary rows (full chunks are never rewritten). An open chunk
        # has none stored: a query computes them from its values (summaries.py).
        new_blocks = [row.pop("blocks") for row in inserts]
        blocks = {u["b_id"]: u.pop("blocks") for u in chunk_updates}
        # (key id, chunk no) of each chunk written, for its summary rows
        where = {
            u["b_id"]: (open_rows[u["b_id"]].key_id, open_rows[u["b_id"]].chunk_no) for u in chunk_updates
        }
        if inserts:
            stmt = sa.insert(metric_chunks).returning(metric_chunks.c.id, sort_by_parameter_order=True)
            new_ids = conn.execute(stmt, inserts).scalars().all()
            by_no = {(row["key_id"], row["chunk_no"]): cid for row, cid in zip(inserts, new_ids)}
            for (kid, col), chunk_no in new_open.items():
                state[kid][col] = by_no[(kid, chunk_no)]
            blocks.update(zip(new_ids, new_blocks))
            where.update({cid: no for no, cid in by_no.items()})
        summaries.write(conn, [(*where[cid], cid, b) for cid, b in blocks.items() if b is not None])
        # One executemany per statement shape: building a statement per key and chunk was a third of
        # the ingest CPU (bench/bench_ingest.py profile).
        by_shape: dict[tuple, list[dict]] = {}
        for u in chunk_updates:
            by_shape.setdefault(tuple(sorted(k for k in u if k != "b_id")), []).append(u)
        for cols, group in by_shape.items():
            upd_chunks = (
                sa.update(metric_chunks)
                .where(metric_chunks.c.id == sa.bindparam("b_id"))
                .values({c: sa.bindparam("b_" + c) for c in cols})
            )
            conn.execute(upd_chunks, [{"b_id": r["b_id"], **{"b_" + c: r[c] for c in cols}} for r in group])
        key_rows = [
            {"b_id": kid, **{"b_" + c: st[c] for c in _KEY_STATE}}
            for kid, st in state.items()
            if kid in ids.values()
        ]
        if key_rows:
            upd_keys = (
                sa.update(metric_keys)
                .where(metric_keys.c.id == sa.bindparam("b_id"))
                .values({c: sa.bindparam("b_" + c) for c in _KEY_STATE})
            )
            conn.execute(upd_keys, key_rows)
        return total

    def _append_one(
        self,
        kid: int,
        st: dict,
        new: Points,
        numeric: bool,
        open_rows: dict,
        inserts: list[dict],
        chunk_updates: list[dict],
        new_open: dict[tuple[int, str], int],
    ) -> None:
        id_col, n_col = ("open_chunk_id", "open_n") if numeric else ("open_any_chunk_id", "open_any_n")
        st["points"] += len(new)
        smin, smax = int(new.step.min()), int(new.step.max())
        st["step_min"] = smin if st["step_min"] is None else min(st["step_min"], smin)
        st["step_max"] = smax if st["step_max"] is None else max(st["step_max"], smax)
        open_id = st[id_col]
        if open_id is not None and open_id in open_rows:
            new = Points.concat([decode(open_rows[open_id]), new])
        new = new.sorted()
        pieces = [new.take(slice(i, i + CHUNK_POINTS)) for i in range(0, len(new), CHUNK_POINTS)]
        rows = [encode(piece, numeric, self._planar) for piece in pieces]
        full = len(new) // CHUNK_POINTS * CHUNK_POINTS
        if numeric and full:  # the block statistics of every full piece in one pass
            blocks = block_stats(new.step[:full], np.asarray(new.val[:full]))
            size = CHUNK_POINTS // BLOCK_POINTS * BLOCK_DTYPE.itemsize
            for i in range(full // CHUNK_POINTS):
                rows[i]["blocks"] = blocks[i * size : (i + 1) * size]
        first = 0
        if open_id is not None and open_id in open_rows:
            chunk_updates.append({"b_id": open_id, **rows[0]})
            first = 1
        for row in rows[first:]:
            row.update(key_id=kid, chunk_no=st["next_chunk_no"])
            st["next_chunk_no"] += 1
            inserts.append(row)
        last_n = len(pieces[-1])
        st[n_col] = last_n
        if last_n < CHUNK_POINTS and first and len(pieces) == 1:
            st[id_col] = open_id  # the open chunk was rewritten in place and stays open
        else:
            st[id_col] = None  # full, or the last piece is a new row: `append` sets its id once inserted
            if last_n < CHUNK_POINTS:
                new_open[(kid, id_col)] = st["next_chunk_no"] - 1

    # -- metadata -----------------------------------------------------------------------------------
    def keys(self, conn: Connection, run_pk: int, kind: str = "history") -> list[dict]:
        q = (
            sa.select(metric_keys.c.key, metric_keys.c.points, metric_keys.c.step_min, metric_keys.c.step_max)
            .where(metric_keys.c.run_pk == run_pk, metric_keys.c.kind == kind)
            .order_by(metric_keys.c.key)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def project_keys(self, conn: Connection, project_id: int, kind: str = "history") -> list[dict]:
        """Distinct keys over a project's runs, one query: how many runs have each, their points and
        step range (from the per-key counters, no chunk is read)."""
        q = (
            sa.select(
                metric_keys.c.key,
                sa.func.count().label("runs"),
                sa.func.sum(metric_keys.c.points).label("points"),
                sa.func.min(metric_keys.c.step_min).label("step_min"),
                sa.func.max(metric_keys.c.step_max).label("step_max"),
            )
            .join(runs, runs.c.id == metric_keys.c.run_pk)
            .where(runs.c.project_id == project_id, metric_keys.c.kind == kind)
            .group_by(metric_keys.c.key)
            .order_by(metric_keys.c.key)
        )
        return [
            {
                "key": r.key,
                "runs": int(r.runs),
                "points": int(r.points or 0),
                "step_min": None if r.step_min is None else int(r.step_min),
                "step_max": None if r.step_max is None else int(r.step_max),
            }
            for r in conn.execute(q)
        ]

    def series_refs(
        self, conn: Connection, project_id: int, run_ids: list[str], keys: list[str], x_axis: str
    ) -> dict[tuple[str, str], SeriesRef]:
        """The history series (run id, key) -> SeriesRef of some runs of a project, in one query
        (per batch of 1,000 runs) instead of two per run: a 1,000-run chart looked them up one by one."""
        x_metric = x_axis not in X_AXES
        names = list(dict.fromkeys([*keys, x_axis] if x_metric else keys))
        rows: list[Any] = []
        for i in range(0, len(run_ids), 1000):
            q = (
                sa.select(runs.c.run_id, runs.c.created_at, metric_keys.c.key, metric_keys.c.id)
                .join(metric_keys, metric_keys.c.run_pk == runs.c.id)
                .where(
                    runs.c.project_id == project_id,
                    self.db.any_of(runs.c.run_id, run_ids[i : i + 1000]),
                    metric_keys.c.kind == "history",
                    self.db.any_of(metric_keys.c.key, names),
                )
            )
            rows.extend(conn.execute(q))
        ids = {(r.run_id, r.key): r.id for r in rows}
        return {
            (r.run_id, r.key): SeriesRef(
                r.id, r.created_at, ids.get((r.run_id, x_axis)) if x_metric else None
            )
            for r in rows
            if r.key in keys
        }

    def key_id(self, conn: Connection, run_pk: int, kind: str, key: str) -> int | None:
        return conn.execute(
            sa.select(metric_keys.c.id).where(
                metric_keys.c.run_pk == run_pk, metric_keys.c.kind == kind, metric_keys.c.key == key
            )
        ).scalar()

    # -- raw export ---------------------------------------------------------------------------------
    def raw(
        self, conn: Connection, key_id: int, step_min: int | None = None, step_max: int | None = None
    ) -> Points:
        """Every point of a series (numeric and not), in log order; `val` is a list."""
        q = sa.select(metric_chunks).where(metric_chunks.c.key_id == key_id)
        if step_min is not None:
            q = q.where(metric_chunks.c.step_max >= step_min)
        if step_max is not None:
            q = q.where(metric_chunks.c.step_min <= step_max)
        parts = []
        for row in conn.execute(q.order_by(metric_chunks.c.chunk_no)):
            p = decode(row)
            if isinstance(p.val, np.ndarray):
                p = Points(p.gseq, p.step, p.ts, p.val.tolist())
            parts.append(p)
        if not parts:
            return Points(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), [])
        p = Points.concat(parts)
        if step_min is not None or step_max is not None:
            lo = -(2**63) if step_min is None else step_min
            hi = 2**63 - 1 if step_max is None else step_max
            p = p.take(np.flatnonzero((p.step >= lo) & (p.step <= hi)))
        return p.take(np.argsort(p.gseq, kind="stable"))

    # -- chart query --------------------------------------------------------------------------------
    def buckets(
        self,
        conn: Connection,
        refs: list[SeriesRef],
        n_buckets: int,
        x_axis: str = "_step",
        a: float | None = None,
        b: float | None = None,
    ) -> tuple[list[dict[str, np.ndarray]], tuple[float, float]]:
        """Per-bucket count/min/max/mean/last of each series over [a, b] (default: the data's extent)."""
        if not refs:
            return [], (a or 0.0, b or 0.0)
        if x_axis == "_step":  # one series at a time: the query holds one series' points at most
            lo, hi = (
                (0.0, 0.0)
                if a is not None and b is not None
                else self._step_extent(conn, [r.key_id for r in refs])
            )
            a, b = float(lo if a is None else a), float(hi if b is None else b)
            e = bk.edges(a, b, n_buckets)
            return self._step_buckets(conn, [r.key_id for r in refs], e), (a, b)
        meta = self._chunk_meta(conn, [r.key_id for r in refs])
        by_key: dict[int, list] = {}
        for m in meta:
            by_key.setdefault(m.key_id, []).append(m)
        series = [self._xy(conn, r, by_key.get(r.key_id, []), x_axis) for r in refs]
        if a is None or b is None:
            lo, hi = _extent([x for x, _v in series])
            a = lo if a is None else a
            b = hi if b is None else b
        e = bk.edges(float(a), float(b), n_buckets)
        parts = bk.bucketize_many(series, e)
        return [bk.finish(p, e) for p in parts], (float(a), float(b))

    def step_window(
        self, conn: Connection, refs: list[SeriesRef], n_buckets: int
    ) -> tuple[float, float, int]:
        """The window and bucket count of an unzoomed chart query on the step axis: the series' step
        extent, edges on the summary blocks' grid (`buckets.block_window`). Querying buckets whose
        edges cut most blocks reads nearly every raw value; aligned, the blocks' statistics suffice
        (measured in docs/reports.md, "Measured")."""
        lo, hi = self._step_extent(conn, [r.key_id for r in refs]) if refs else (0.0, 0.0)
        return bk.block_window(lo, hi, n_buckets, summaries.LEVEL_POINTS)

    def _chunk_meta(self, conn: Connection, key_ids: list[int]) -> list[Any]:
        out: list[Any] = []
        for i in range(0, len(key_ids), 500):
            q = (
                sa.select(*_META_COLS)
                .where(self.db.id_in(metric_chunks.c.key_id, key_ids[i : i + 500]), metric_chunks.c.numeric)
                .order_by(metric_chunks.c.key_id, metric_chunks.c.step_min, metric_chunks.c.chunk_no)
            )
            out.extend(self.db.fetch_binary(conn, q))
        return out

    def _blobs(self, conn: Connection, chunk_ids: list[int], aux: bool) -> dict[int, Any]:
        cols = [metric_chunks.c.id, metric_chunks.c.steps, metric_chunks.c.vals]
        if aux:
            cols.append(metric_chunks.c.aux)
        out = {}
        for i in range(0, len(chunk_ids), 2000):
            q = sa.select(*cols).where(self.db.id_in(metric_chunks.c.id, chunk_ids[i : i + 2000]))
            out.update({r.id: r for r in self.db.fetch_binary(conn, q)})
        return out

    def _step_extent(self, conn: Connection, key_ids: list[int]) -> tuple[float, float]:
        got = [summaries.extent(conn, self.db, key_ids[i : i + 500]) for i in range(0, len(key_ids), 500)]
        found = [g for g in got if g is not None]
        return (float(min(g[0] for g in found)), float(max(g[1] for g in found))) if found else (0.0, 0.0)

    def _step_buckets(self, conn: Connection, key_ids: list[int], e: np.ndarray) -> list[dict]:
        """Series over x = step. Buckets narrower than a block: from the points (values read with the
        chunk rows). Wider: from the coarsest summary level whose records fit in a bucket, descending
        to finer records and raw values only for records across a bucket edge; series a batch at a
        time, so memory holds a batch's records, not the query's."""
        a, b = float(e[0]), float(e[-1])
        width = (b - a) / (len(e) - 1)
        lo, hi = _int_bound(math.ceil(a)), _int_bound(math.floor(b))
        level = summaries.level_for(width)
        out: list[dict] = []
        if width < BLOCK_POINTS:
            return self._narrow(conn, key_ids, lo, hi, e)
        for i in range(0, len(key_ids), 100):  # records ~120 KB a series at most
            batch = key_ids[i : i + 100]
            ids = sorted(set(batch))  # in key id order, each series once (a run may be asked twice)
            recs, series = summaries.read(conn, self.db, ids, level, lo, hi)
            got = dict(zip(ids, self._summary_batch(conn, ids, recs, series, level, e)))
            out.extend(got[k] for k in batch)
        return out

    def _narrow(self, conn: Connection, key_ids: list[int], lo: int, hi: int, e: np.ndarray) -> list[dict]:
        """Series over steps [lo, hi] in buckets narrower than a block: from their points. The chunk
        rows in the window are listed first (no values); then series are taken in groups of about
        BUCKET_POINTS points, each group's values read in one statement, and decoded and bucketed
        together (`bk.bucketize_pieces`). On PostgreSQL a group is decoded and bucketed once the next
        group's statement has started, so the database's work (TOAST reads, sending) overlaps ours:
        a 1 % zoom of 100 runs x 1M steps reads for ~12 ms and decodes and buckets for ~12 ms.
        Series whose chunks overlap in step (out-of-order logging) are sorted point by point alone."""
        ids = sorted(set(key_ids))
        by_key: dict[int, list] = {}
        for c in self._window(conn, ids, lo, hi):
            by_key.setdefault(c.key_id, []).append(c)
        got: dict[int, dict] = {}
        groups: list[list[int]] = []
        size = 0
        for k in ids:
            chunks = by_key.get(k, [])
            if any(chunks[i].step_min <= chunks[i - 1].step_max for i in range(1, len(chunks))):
                got[k] = bk.finish(self._sorted_points(conn, chunks, e), e)
                continue
            if not groups or size >= BUCKET_POINTS:
                groups.append([])
                size = 0
            groups[-1].append(k)
            size += sum(c.n if (r := _slice(c, lo, hi)) is None else r[1] - r[0] for c in chunks)
        plan = []
        chunk_ids: list[int] = []
        offs: list[int] = []
        lens: list[int] = []  # per chunk: the byte range of its values read, or -8: the whole row
        for group in groups:
            chunks = [c for k in group for c in by_key.get(k, [])]
            cut = [(0, -1) if (r := _slice(c, lo, hi)) is None else _blocks_around(r, c) for c in chunks]
            plan.append((group, chunks, cut))
            chunk_ids += [c.id for c in chunks]
            offs += [a * 8 for a, _b in cut]
            lens += [(b - a) * 8 for a, b in cut]
        scratch: list[np.ndarray] = []  # the groups' values, one group at a time
        with self._values_started(conn, chunk_ids, offs, lens) as take:
            for group, chunks, cut in plan:
                got.update(_bucket_group(group, chunks, cut, take(len(chunks)), lo, hi, e, scratch))
        return [got[k] for k in key_ids]

    @contextlib.contextmanager
    def _values_started(
        self, conn: Connection, ids: list[int], offs: list[int], lens: list[int]
    ) -> Iterator[Callable[[int], list[tuple[bytes, bytes]]]]:
        """A function `take(n)` that returns (steps, values) of the next n chunks, in the order asked:
        where lens[i] < 0 the row's own, else bytes offs[i] .. offs[i] + lens[i] - 1 of its values (and
        no steps). PostgreSQL: one COPY in binary format (`Database.copy_started`) of them all, started
        on entering and read as taken, so the database reads and sends the next rows while the caller
        works on those taken (the socket's buffers hold a group's values); SQLite: a SELECT of the
        whole rows and incremental blob reads of the ranges (`_ranges`) of the n taken."""
        if not ids:  # nothing in the window
            yield lambda n: []
            return
        if not self.db.is_sqlite:
            params = {"ids": _pg_array(ids), "offs": _pg_array(offs), "lens": _pg_array(lens)}
            with self.db.copy_started(conn, _VALUES_PG, params, ["bytea", "bytea"]) as rows:
                yield lambda n: list(itertools.islice(rows, n))
            return
        at = 0

        def take(n: int) -> list[tuple[bytes, bytes]]:
            nonlocal at
            i, o, k = ids[at : at + n], offs[at : at + n], lens[at : at + n]
            at += n
            whole = [c for c, m in zip(i, k) if m < 0]
            q = _values_query(self.db)
            rows = (
                {r.id: r for r in self.db.fetch_binary(conn, q, {"ids": self.db.ids_arg(whole)})}
                if whole
                else {}
            )
            part = [(c, a, m) for c, a, m in zip(i, o, k) if m >= 0]
            ranges = iter(self._ranges(conn, *map(list, zip(*part))) if part else [])
            return [(rows[c].steps, rows[c].vals) if m < 0 else (b"", next(ranges)) for c, m in zip(i, k)]

        yield take

    def _window(self, conn: Connection, key_ids: list[int], lo: int, hi: int) -> list[Any]:
        """The chunk rows (`_window_meta_query`) of series `key_ids` that meet steps [lo, hi]."""
        out: list[Any] = []
        for i in range(0, len(key_ids), 1000):
            params = {"ids": self.db.ids_arg(key_ids[i : i + 1000]), "lo": lo, "hi": hi}
            out.extend(self.db.fetch_binary(conn, _window_meta_query(self.db), params))
        return out

    def _summary_batch(
        self,
        conn: Connection,
        key_ids: list[int],
        r: np.ndarray,
        series: np.ndarray,
        level: int,
        e: np.ndarray,
    ) -> list[dict]:
        """Series `key_ids` from their summary records `r` (`series`: whose each is). Series whose
        records all lie inside a bucket (an unzoomed query on the grid) are aggregated together, in
        one pass of array operations; the others one by one (`_summary_series`)."""
        if ((series[1:] == series[:-1]) & (r["lo"][1:] < r["lo"][:-1])).any():  # chunks out of step order
            o = np.lexsort((r["block"], r["chunk"], r["lo"], series))
            r, series = r[o], series[o]
        whole, part = _split(r, e)
        slow = np.zeros(len(key_ids), bool)
        slow[series[part]] = True
        # chunks that overlap in step (out-of-order or repeated steps across chunks)
        cross = (
            (series[1:] == series[:-1]) & (r["chunk"][1:] != r["chunk"][:-1]) & (r["lo"][1:] <= r["hi"][:-1])
        )
        slow[series[1:][cross]] = True
        fast = whole & ~slow[series]
        fr, fs = (r, series) if fast.all() else (r[fast], series[fast])
        p, last = bk.records_part(fr, e, fs)
        fin = bk.finish(p, e)
        cuts = np.searchsorted(fs[last], np.arange(len(key_ids) + 1))
        out = []
        for i, k in enumerate(key_ids):
            if slow[i]:
                mine = series == i
                out.append(bk.finish(self._summary_series(conn, k, r[mine], level, e), e))
            else:
                out.append({c: v[cuts[i] : cuts[i + 1]] for c, v in fin.items()})
        return out

    def _sorted_points(self, conn: Connection, chunks: list, e: np.ndarray) -> bk.Part:
        """Chunks that overlap in step (out-of-order logging): every point, sorted by (step, seq)."""
        p = self._decode_all(conn, chunks)
        o = np.lexsort((p.gseq, p.step))
        return bk.bucketize_many([(p.step[o].astype(np.float64), np.asarray(p.val)[o])], e)[0]

    def _summary_series(
        self, conn: Connection, key_id: int, r: np.ndarray, level: int, e: np.ndarray
    ) -> bk.Part:
        """One series from its summary records `r` (level `level`, the rows in the window, sorted by
        step), some across a bucket edge or of chunks that overlap."""
        if ((r["chunk"][1:] != r["chunk"][:-1]) & (r["lo"][1:] <= r["hi"][:-1])).any():
            # chunks overlap in step (out-of-order or repeated steps across chunks)
            lo, hi = _int_bound(math.ceil(e[0])), _int_bound(math.floor(e[-1]))
            return self._sorted_points(conn, self._window(conn, [key_id], lo, hi), e)
        n = r["n"].astype(np.int64)
        start = np.cumsum(n) - n  # ordinal of each record's first point
        whole, part = _split(r, e)
        recs, pos = [r[whole]], [start[whole] + n[whole] - 1]
        r, start = r[part], start[part]
        if level == 1 and len(r):  # records across an edge: their blocks
            r, start = self._blocks_of(conn, key_id, r, start)
            n = r["n"].astype(np.int64)
            whole, part = _split(r, e)
            recs.append(r[whole])
            pos.append(start[whole] + n[whole] - 1)
            r, start = r[part], start[part]
        rec, rec_pos = np.concatenate(recs), np.concatenate(pos)
        o = np.argsort(rec_pos, kind="stable")
        rx, rv, rpos = np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
        if len(r):  # blocks across an edge: their points
            sizes = r["n"].astype(np.int64)
            rx, rv = self._block_points(conn, r["chunk"], r["block"].astype(np.int64) * BLOCK_POINTS, sizes)
            rpos = np.repeat(start, sizes) + _within(sizes)
        return bk.bucketize_summary(rec[o], rec_pos[o], rx, rv, rpos, e)

    def _blocks_of(
        self, conn: Connection, key_id: int, r: np.ndarray, start: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The level-0 records of level-1 records `r` of series `key_id`, with the ordinal of each
        one's first point given those of `r` (`start`)."""
        blk = summaries.blocks(conn, self.db, key_id, int(r["lo"].min()), int(r["hi"].max()))
        c = blk["chunk"]
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])  # of each chunk's records
        o = np.argsort(c[starts])
        first = starts[o][np.searchsorted(c[starts][o], r["chunk"])] + r["block"]
        k = -(-r["n"].astype(np.int64) // BLOCK_POINTS)  # blocks per record (all full but a chunk's last)
        out = blk[np.repeat(first, k) + _within(k)]
        bn = out["n"].astype(np.int64)
        before = np.cumsum(bn) - bn  # points before each block, over all of them
        return out, np.repeat(start - before[np.cumsum(k) - k], k) + before

    def _block_points(
        self, conn: Connection, cid: np.ndarray, offset: np.ndarray, sizes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(step, value) of some blocks' points, in the order given: block i holds points
        offset[i] .. offset[i] + sizes[i] - 1 of chunk cid[i]. Adjacent blocks of a chunk are read as
        one byte range of `vals` (`_ranges`)."""
        new_run = np.ones(len(cid), bool)
        new_run[1:] = (cid[1:] != cid[:-1]) | (offset[1:] != offset[:-1] + sizes[:-1])
        starts = np.flatnonzero(new_run)
        run_len = np.add.reduceat(sizes, starts)
        ids = np.unique(cid)
        c = metric_chunks.c
        q = sa.select(c.id, c.step_min, c.n, c.steps, planar_sql(c.vals).label("planar"))
        meta = {m.id: m for m in self.db.fetch_binary(conn, q.where(self.db.id_in(c.id, ids.tolist())))}
        run_ids = cid[starts].tolist()
        got = self._ranges(conn, run_ids, (offset[starts] * 8).tolist(), (run_len * 8).tolist())
        if any(meta[i].planar for i in ids.tolist()):
            vals = np.concatenate(
                [np.zeros(0), *(range_floats(g, meta[i].planar) for g, i in zip(got, run_ids))]
            )
        else:
            vals = np.frombuffer(b"".join(got), "<f8")
        within = _within(sizes)
        step_min = np.array([meta[i].step_min for i in cid.tolist()], np.int64)
        x = np.repeat(step_min + offset, sizes) + within  # consecutive steps: x by arithmetic
        for i in ids.tolist():
            m = meta[i]
            if m.steps:  # gapped or repeated steps: decoded
                sel = np.repeat(cid == i, sizes)
                x[sel] = decode_steps(bytes(m.steps), m.step_min, m.n)[
                    np.repeat(offset[cid == i], sizes[cid == i]) + within[sel]
                ]
        return x.astype(np.float64), vals

    def _ranges(self, conn: Connection, ids: list[int], offs: list[int], lens: list[int]) -> list[bytes]:
        """Byte ranges of chunks' `vals`, in the order asked. SQLite: incremental blob reads (only the
        pages of each range, no row per range); PostgreSQL: `substr` in one query (TOAST slices)."""
        if self.db.is_sqlite and hasattr(conn.connection.driver_connection, "blobopen"):
            raw = conn.connection.driver_connection
            out, i = [], 0
            while i < len(ids):
                with raw.blobopen("metric_chunks", "vals", ids[i], readonly=True) as blob:  # type: ignore[union-attr]
                    cid = ids[i]
                    while i < len(ids) and ids[i] == cid:
                        blob.seek(offs[i])
                        out.append(blob.read(lens[i]))
                        i += 1
            return out
        if self.db.is_sqlite:  # Python 3.10 has no incremental blob reads
            blobs = self._blobs(conn, list(set(ids)), aux=False)
            return [bytes(blobs[c].vals[o : o + n]) for c, o, n in zip(ids, offs, lens)]
        params = {"ids": _pg_array(ids), "offs": _pg_array(offs), "lens": _pg_array(lens)}
        rows = self.db.fetch_binary(conn, _RANGES_PG, params)
        return [bytes(r.data) for r in rows]

    def _xy(
        self, conn: Connection, ref: SeriesRef, chunks: list, x_axis: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Decoded (x, v) of a series for a non-step axis, sorted by (x, seq)."""
        p = self._decode_all(conn, chunks)
        if x_axis in ("_timestamp", "_runtime"):
            x = p.ts - (ref.run_start if x_axis == "_runtime" else 0.0)
            order = np.lexsort((p.gseq, x))
            return x[order], np.asarray(p.val)[order]
        if ref.x_key_id is None:
            return np.zeros(0), np.zeros(0)
        xp = self._decode_all(conn, self._chunk_meta(conn, [ref.x_key_id]))
        if not len(xp):
            return np.zeros(0), np.zeros(0)
        o = np.lexsort((xp.gseq, xp.step))  # per step, the last logged value of the x metric
        xs, xv = xp.step[o], np.asarray(xp.val)[o]
        last = np.append(xs[1:] != xs[:-1], True)
        xs, xv = xs[last], xv[last]
        i = np.searchsorted(xs, p.step)
        i = np.minimum(i, len(xs) - 1)
        hit = xs[i] == p.step
        x, v, g = xv[i[hit]], np.asarray(p.val)[hit], p.gseq[hit]
        keep = ~np.isnan(x)
        x, v, g = x[keep], v[keep], g[keep]
        order = np.lexsort((g, x))
        return x[order], v[order]

    def _decode_all(self, conn: Connection, chunks: list) -> Points:
        if not chunks:
            return Points(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        blobs = self._blobs(conn, [c.id for c in chunks], aux=True)
        parts = []
        for c in chunks:
            bl = blobs[c.id]
            gseq, ts = decode_aux(bl.aux, c.n)
            parts.append(Points(gseq, decode_steps(bl.steps, c.step_min, c.n), ts, decode_floats(bl.vals)))
        return Points.concat(parts)


# Byte ranges of chunks' values, one TOAST slice each, each row looked up by its key (as
# `_VALUES_PG`). The three arrays travel as array literals (one text parameter each): psycopg dumps a
# Python list of ints element by element, which took ~40 % of a 1M-point series' query time (profile
# in docs/architecture.md).
_RANGES_PG = sa.text(
    "SELECT substr(c.vals, r.off + 1, r.len) AS data FROM unnest(CAST(:ids AS BIGINT[]), "
    "CAST(:offs AS INT[]), CAST(:lens AS INT[])) WITH ORDINALITY AS r(id, off, len, i) "
    "CROSS JOIN LATERAL (SELECT vals FROM metric_chunks WHERE id = r.id LIMIT 1) AS c ORDER BY r.i"
)


def _bucket_group(
    group: list[int],
    chunks: list,
    cut: list[tuple[int, int]],
    got: list[tuple[bytes, bytes]],
    lo: int,
    hi: int,
    e: np.ndarray,
    scratch: list[np.ndarray],
) -> dict[int, dict]:
    """Decode what `Metrics._values_started` read of a group's chunks (whole rows where `cut` is
    (0, -1), else the points [at, end) of their values) and bucket the group's series together over
    steps [lo, hi]. The values of the window are decoded straight into one array, `scratch[0]` where
    it is large enough (a query's groups take turns with it), else a new one left there."""
    where = {k: s for s, k in enumerate(group)}
    pieces: list[tuple[int, int, np.ndarray | None, int]] = []
    sources: list[tuple[bytes, bool | None, int, int]] = []  # (vals, planar, first point, count)
    for c, (steps, vals), (at, end) in zip(chunks, got, cut):
        if not steps:  # consecutive steps; a byte range starts at point `at`
            i0, i1 = max(0, lo - c.step_min), min(c.n, hi - c.step_min + 1)
            pieces.append((where[c.key_id], c.step_min + i0, None, max(0, i1 - i0)))
        else:
            x = decode_steps(steps, c.step_min, c.n)
            i0, i1 = int(np.searchsorted(x, lo, "left")), int(np.searchsorted(x, hi, "right"))
            pieces.append((where[c.key_id], 0, x[i0:i1], max(0, i1 - i0)))
        sources.append((vals, None if end < 0 else c.planar, i0 - at, pieces[-1][3]))
    total = sum(p[3] for p in pieces)
    if not scratch or len(scratch[0]) < total:
        scratch[:] = [np.empty(total)]
    values = scratch[0][:total]
    gather_floats(sources, values)
    nan = any(c.v_count is None or c.v_count < c.n for c in chunks)
    part, cuts = bk.bucketize_pieces(pieces, values, len(group), e, nan)
    fin = bk.finish(part, e)
    return {k: {f: a[cuts[s] : cuts[s + 1]] for f, a in fin.items()} for s, k in enumerate(group)}


def _blocks_around(r: tuple[int, int], c: Any) -> tuple[int, int]:
    """Points [i0, i1) of chunk row `c` widened to whole blocks (or its end) where its values are byte
    planes, which a byte range must hold whole to be decoded."""
    if not c.planar:
        return r
    return r[0] // BLOCK_POINTS * BLOCK_POINTS, min(c.n, -(-r[1] // BLOCK_POINTS) * BLOCK_POINTS)


def _slice(c: Any, lo: int, hi: int) -> tuple[int, int] | None:
    """Which points of a chunk row (`_window_meta_query`) lie in steps [lo, hi], by arithmetic, when
    its steps are consecutive and those points are under half of it: they are then read as a byte
    range of its values (a zoom into 1,000 runs needed a quarter of each chunk and read it whole).
    None: read the whole row."""
    if not c.dense:
        return None
    i0, i1 = max(0, lo - c.step_min), min(c.n, hi - c.step_min + 1)
    return (i0, i1) if (i1 - i0) * 2 < c.n else None


# Whole chunk rows (len < 0) or byte ranges of their values, in the order asked, as a binary COPY
# (`Metrics._values_started`); psycopg binds COPY parameters client-side, hence the array literals.
# Each row is looked up by its key (the LIMIT keeps the lateral subquery a nested loop): as a plain
# join the planner hashed the whole chunk table for a few hundred ids (6 of a zoom's 15 ms at 24k
# chunks, growing with the table).
_VALUES_PG = (
    "COPY (SELECT CASE WHEN r.len < 0 THEN c.steps ELSE ''::bytea END, "
    "CASE WHEN r.len < 0 THEN c.vals ELSE substr(c.vals, r.off + 1, r.len) END "
    "FROM unnest(%(ids)s::bigint[], %(offs)s::int[], %(lens)s::int[]) WITH ORDINALITY AS r(id, off, len, i) "
    "CROSS JOIN LATERAL (SELECT steps, vals FROM metric_chunks WHERE id = r.id LIMIT 1) AS c "
    "ORDER BY r.i) TO STDOUT (FORMAT BINARY)"
)


def _pg_array(xs: list[int]) -> str:
    return "{" + ",".join(map(str, xs)) + "}"


def _int_bound(v: float) -> int:
    return int(min(max(v, -(2**63)), 2**63 - 1))


def _within(sizes: np.ndarray) -> np.ndarray:
    """0 .. size-1 for each size, concatenated."""
    return np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _split(r: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inside one bucket, across an edge of the window [e[0], e[-1]]) masks of summary records."""
    a, b = e[0], e[-1]
    lo, hi = r["lo"].astype(np.float64), r["hi"].astype(np.float64)
    inside = (lo >= a) & (hi <= b)
    whole = inside & (bk.bucket_of(e, lo) == bk.bucket_of(e, hi))
    return whole, ~whole & (hi >= a) & (lo <= b)


def _extent(xs: list[np.ndarray]) -> tuple[float, float]:
    lo = [float(x[0]) for x in xs if len(x)]
    hi = [float(x[-1]) for x in xs if len(x)]
    return (min(lo), max(hi)) if lo else (0.0, 0.0)
