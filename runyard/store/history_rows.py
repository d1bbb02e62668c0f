"""History as rows (wandb's `run.history()` / `scan_history()` shape), built from the per-key series.

The store keeps one series per key; a *row* gathers the points of several keys logged at the same
step, by the row rule of wire/history_rows.py (the local reader's too; tests pin the two equal),
vectorised here: when a key was logged more than once at a step (out-of-order or repeated steps,
resumed runs), its n-th point at that step goes to the n-th row of that step, so every point appears
in exactly one row and nothing is merged away. Rows are ordered by (step, occurrence); a row's
`_timestamp` is the latest timestamp of its points.

Pages are cut at step boundaries: `rows(..., min_step=a, limit=L)` returns the first rows with
step >= a (at least L unless the data ends, more only to finish the last step) and `next_min_step`
to continue from. Only the chunks that can hold the page are read: from the chunk metadata, the
limit-th point of any key bounds the page's last step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .chunks import decode_aux, decode_floats, decode_steps, decode_vals
from .db import Database
from .tables import metric_chunks

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


@dataclass
class Column:
    """One key's values over the rows: float64 (NaN where absent) or a list (None where absent)."""

    values: np.ndarray | list
    present: np.ndarray  # bool per row


@dataclass
class Rows:
    step: np.ndarray  # int64 per row
    ts: np.ndarray  # float64 per row
    columns: dict[str, Column] = field(default_factory=dict)
    next_min_step: int | None = None

    def __len__(self) -> int:
        return len(self.step)


@dataclass
class _Series:
    step: np.ndarray
    gseq: np.ndarray
    ts: np.ndarray
    val: np.ndarray | list  # list when the key has non-numeric points


def rows(
    conn: Connection,
    key_ids: dict[str, int],
    min_step: int | None = None,
    max_step: int | None = None,
    limit: int | None = None,
    require_all: bool = False,
    samples: int | None = None,
    db: Database | None = None,
) -> Rows:
    """Rows of the keys `key_ids` (name -> metric_keys.id) with min_step <= step <= max_step.

    `require_all` keeps only rows where every key has a value (wandb's semantics for `keys=`);
    `samples` picks that many rows evenly spread over all rows of the range (first and last kept)
    and ignores `limit`. With `db`, PostgreSQL reads the chunks in binary format (Database.fetch_binary).
    """
    lo = I64_MIN if min_step is None else min_step
    hi = I64_MAX if max_step is None else max_step
    if samples is not None:
        limit = None
    meta = _meta(conn, list(key_ids.values()), lo, hi)
    target = limit
    while True:
        bound = hi if target is None else min(hi, _bound(meta, lo, target))
        out = _build(conn, key_ids, meta, lo, bound, require_all, db)
        if limit is None or len(out) >= limit or bound >= hi or target is None:
            break
        target *= 4  # rows missing a required key: read further
    more_data = bound < hi and any(m.step_max > bound for ms in meta.values() for m in ms)
    if limit is not None and len(out) > limit:
        last = out.step[limit - 1]
        cut = int(np.searchsorted(out.step, last, "right"))
        if cut < len(out):
            out = _take(out, slice(0, cut))
            more_data = True
    if more_data and len(out):
        out.next_min_step = int(out.step[-1]) + 1
    elif more_data:
        out.next_min_step = bound + 1
    if samples is not None and len(out) > samples:
        idx = np.unique(np.rint(np.linspace(0, len(out) - 1, samples)).astype(np.int64))
        out = _take(out, idx)
    return out


def _meta(conn: Connection, ids: list[int], lo: int, hi: int) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {i: [] for i in ids}
    c = metric_chunks.c
    for i in range(0, len(ids), 500):
        q = (
            sa.select(c.id, c.key_id, c.numeric, c.n, c.step_min, c.step_max)
            .where(c.key_id.in_(ids[i : i + 500]), c.step_max >= lo, c.step_min <= hi)
            .order_by(c.key_id, c.step_min, c.chunk_no)
        )
        for r in conn.execute(q):
            out[r.key_id].append(r)
    return out


def _bound(meta: dict[int, list[Any]], lo: int, target: int) -> int:
    """A step at or after the target-th row from `lo`: some key has `target` points up to it."""
    best = I64_MAX
    for chunks in meta.values():
        seen = 0
        for m in chunks:
            if m.step_min >= lo:  # a chunk straddling lo may hold fewer points in range: not counted
                seen += m.n
            if seen >= target:
                best = min(best, int(m.step_max))
                break
    return best


def _build(
    conn: Connection,
    key_ids: dict[str, int],
    meta: dict[int, list[Any]],
    lo: int,
    hi: int,
    require_all: bool,
    db: Database | None,
) -> Rows:
    chunk_ids = [m.id for ms in meta.values() for m in ms if m.step_min <= hi]
    blobs: dict[int, Any] = {}
    c = metric_chunks.c
    for i in range(0, len(chunk_ids), 1000):
        ids = chunk_ids[i : i + 1000]
        q = sa.select(c.id, c.steps, c.vals, c.aux)
        if db is None:
            blobs.update({r.id: r for r in conn.execute(q.where(c.id.in_(ids)))})
        else:
            blobs.update({r.id: r for r in db.fetch_binary(conn, q.where(db.id_in(c.id, ids)))})
    series: dict[str, _Series] = {}
    for key, kid in key_ids.items():
        series[key] = _series([m for m in meta[kid] if m.step_min <= hi], blobs, lo, hi)
    return _join(series, require_all)


def _series(chunks: list[Any], blobs: dict[int, Any], lo: int, hi: int) -> _Series:
    steps, gseqs, tss = [], [], []
    vals: list[Any] = []
    numeric = True
    for m in chunks:
        b = blobs[m.id]
        gseq, ts = decode_aux(b.aux, m.n)
        steps.append(decode_steps(b.steps, m.step_min, m.n))
        gseqs.append(gseq)
        tss.append(ts)
        if m.numeric:
            vals.append(decode_floats(b.vals))
        else:
            numeric = False
            vals.append(decode_vals(b.vals, False))
    if not chunks:
        z = np.zeros(0, np.int64)
        return _Series(z, z, np.zeros(0), np.zeros(0))
    step = np.concatenate(steps)
    gseq = np.concatenate(gseqs)
    ts = np.concatenate(tss)
    val: np.ndarray | list
    if numeric:
        val = np.concatenate(vals)
    else:
        val = [x for v in vals for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
    keep = (step >= lo) & (step <= hi)
    order: np.ndarray | None = np.lexsort((gseq, step))
    assert order is not None
    if not keep.all():
        order = order[keep[order]]
    elif len(step) < 2 or (np.diff(order) == 1).all():
        order = None  # already sorted (the usual case): no copies
    if order is not None:
        step, gseq, ts = step[order], gseq[order], ts[order]
        val = val[order] if isinstance(val, np.ndarray) else [val[i] for i in order.tolist()]
    return _Series(step, gseq, ts, val)


def _occurrence(step: np.ndarray) -> np.ndarray:
    """For sorted steps: 0 for the first point of each step, 1 for the second, ..."""
    n = len(step)
    if n < 2:
        return np.zeros(n, np.int64)
    first = np.flatnonzero(np.r_[True, step[1:] != step[:-1]])
    counts = np.diff(np.r_[first, n])
    return np.arange(n, dtype=np.int64) - np.repeat(first, counts)


def _join(series: dict[str, _Series], require_all: bool) -> Rows:
    occ = {k: _occurrence(s.step) for k, s in series.items()}
    dup = any(len(o) and o.max() > 0 for o in occ.values())
    all_steps = [s.step for s in series.values()]
    if not all_steps:
        return Rows(np.zeros(0, np.int64), np.zeros(0))
    idx: dict[str, np.ndarray] = {}
    if not dup:
        row_step = np.unique(np.concatenate(all_steps)) if len(all_steps) > 1 else all_steps[0]
        for k, s in series.items():
            idx[k] = np.searchsorted(row_step, s.step)
    else:
        pairs = np.concatenate([np.stack([s.step, occ[k]], axis=1) for k, s in series.items()])
        uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
        row_step = uniq[:, 0]
        inverse = inverse.reshape(-1)
        pos = 0
        for k, s in series.items():
            idx[k] = inverse[pos : pos + len(s.step)]
            pos += len(s.step)
    n = len(row_step)
    keep = None
    if require_all and len(series) > 1:
        count = np.zeros(n, np.int64)
        for i in idx.values():
            count[i] += 1
        keep = count == len(series)
    ts = np.full(n, -np.inf)
    cols: dict[str, Column] = {}
    for k, s in series.items():
        i = idx[k]
        ts[i] = np.maximum(ts[i], s.ts)
        present = np.zeros(n, bool)
        present[i] = True
        values: np.ndarray | list
        if isinstance(s.val, np.ndarray):
            values = np.full(n, np.nan)
            values[i] = s.val
        else:
            values = [None] * n
            for j, v in zip(i.tolist(), s.val):
                values[j] = v
        cols[k] = Column(values, present)
    out = Rows(np.asarray(row_step, np.int64), ts, cols)
    if keep is not None and not keep.all():
        out = _take(out, np.flatnonzero(keep))
    return out


def _take(r: Rows, idx: np.ndarray | slice) -> Rows:
    cols = {}
    for k, c in r.columns.items():
        if isinstance(c.values, np.ndarray):
            v: np.ndarray | list = c.values[idx]
        elif isinstance(idx, slice):
            v = c.values[idx]
        else:
            v = [c.values[i] for i in idx.tolist()]
        cols[k] = Column(v, c.present[idx])
    return Rows(r.step[idx], r.ts[idx], cols, r.next_min_step)
