"""Bucketing of sorted series: the arithmetic of chart queries, free of any database.

Buckets of a query over [a, b] with B buckets have the edges `e[i] = a + (b - a) * i / B`
(float64); bucket i holds the points with e[i] <= x < e[i+1], and the last bucket also holds x == b.
For every bucket the result carries count, min, max (NaN ignored), mean (over non-NaN values) and
last (the value of the point with the greatest x; ties go to the later logged point).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kernels


def edges(a: float, b: float, n: int) -> np.ndarray:
    e = a + (b - a) * np.arange(n + 1, dtype=np.float64) / n
    e[-1] = b
    return e


def block_window(lo: float, hi: float, n: int, grids: tuple[int, ...]) -> tuple[float, float, int]:
    """The window [a, b] and bucket count of a query over integer steps [lo, hi] in about `n` buckets,
    with every edge on a multiple of a summary level's points per record (`grids`, ascending): the
    coarsest one not wider than 4/3 of a bucket, so that a record whose steps are consecutive lies
    inside one bucket and is taken whole, never read point by point. The width is the smallest
    multiple of that grid not below (hi - lo) / n: never more buckets than asked (so never more
    bytes), never fewer than about half. Buckets narrower than half the finest grid (or a window of
    one step) keep [lo, hi] and `n`; between half and one record they widen to one record (at most
    half the buckets asked, instead of reading every point of the window). Buckets of 3/4 of a coarser
    record or more widen to it (at most a quarter fewer buckets, for eight times fewer records read:
    1,000 runs x 100k steps at 128 buckets each read 53 MB of finer records)."""
    w = (hi - lo) / n
    if w < grids[0] / 2:
        return lo, hi, n
    grid = max([g for g in grids if g * 3 / 4 <= w] or [grids[0]])
    w = grid * math.ceil(w / grid)
    a = math.floor(lo / grid) * grid
    k = int((hi - a) // w) + 1
    return float(a), float(a + k * w), k


def bucket_of(e: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Bucket index of each x (x must lie in [e[0], e[-1]])."""
    i = np.searchsorted(e, x, "right") - 1
    return np.minimum(i, len(e) - 2)


@dataclass
class Part:
    """Per-bucket partial aggregates of one series (rows = non-empty buckets, ordered by bucket)."""

    bucket: np.ndarray  # int64
    n: np.ndarray  # int64 points
    vmin: np.ndarray
    vmax: np.ndarray
    vsum: np.ndarray
    vcount: np.ndarray  # non-NaN points
    last: np.ndarray
    last_x: np.ndarray  # x of the last point, to merge parts in x order

    @staticmethod
    def empty() -> Part:
        z = np.zeros(0)
        return Part(np.zeros(0, np.int64), np.zeros(0, np.int64), z, z, z, np.zeros(0, np.int64), z, z)


def bucketize_many(series: Sequence[tuple[np.ndarray, np.ndarray]], e: np.ndarray) -> list[Part]:
    """Aggregate several (x sorted ascending, v) series into the buckets of `e`, one pass each.

    Series are aggregated one by one on their own values (no concatenation of all series: for charts
    of many long runs that copy cost more than the aggregation).
    """
    nb = len(e) - 1
    a, b = e[0], e[-1]
    out = []
    for x, v in series:
        lo = int(np.searchsorted(x, a, "left"))
        hi = int(np.searchsorted(x, b, "right"))
        if hi <= lo:
            out.append(Part.empty())
            continue
        cuts = np.clip(np.searchsorted(x, e[1:nb], "left"), lo, hi) - lo
        st = np.concatenate(([0], cuts))
        en = np.concatenate((cuts, [hi - lo]))
        keep = en > st
        S, E = st[keep], en[keep]
        V = np.asarray(v[lo:hi], dtype=np.float64)
        lower, upper, vsum, vcount, last_v = kernels.segments(V, S, E)
        last_x = x[lo:hi][E - 1].astype(np.float64)
        out.append(Part(np.flatnonzero(keep), E - S, lower, upper, vsum, vcount, last_v, last_x))
    return out


def bucketize_pieces(
    pieces: Sequence[tuple[int, int, np.ndarray | None, int]],
    values: np.ndarray,
    n_series: int,
    e: np.ndarray,
    nan: bool = True,
) -> tuple[Part, np.ndarray]:
    """Aggregate several series at once, each given as pieces (series, first step, steps or None, size)
    whose values follow one another in `values` (float64): a series' pieces follow one another in step
    order without overlapping, series in ascending order, every point inside [e[0], e[-1]]; steps None
    means consecutive steps from the first, whose places among the bucket edges are found by
    arithmetic. One pass over the values of all series (a zoomed chart of 100 runs made 100 small
    passes before). `nan`: whether values may be NaN. Returns the Part of all (rows ordered by series,
    then bucket) and where each series' rows start (n_series + 1 cuts)."""
    nb = len(e) - 1
    # pieces of consecutive steps that continue one another (a series' chunks) are taken as one
    merged: list[list[Any]] = []  # [series, first step, steps or None, size]
    for s, step0, x, n in pieces:
        if not n:
            continue
        m = merged[-1] if merged else None
        if m and x is None and m[2] is None and m[0] == s and m[1] + m[3] == step0:
            m[3] += n
        else:
            merged.append([s, step0, x, n])
    if not merged:
        return Part.empty(), np.zeros(n_series + 1, np.int64)
    inner = e[1:nb]
    series = np.array([m[0] for m in merged], np.int64)
    first = np.array([m[1] for m in merged], np.float64)
    sizes = np.array([m[3] for m in merged], np.int64)
    # points of each piece below each inner edge
    below = np.minimum(np.maximum(np.ceil(inner)[None, :] - first[:, None], 0), sizes[:, None])
    offs = np.cumsum(sizes) - sizes
    gapped = [(i, m[2]) for i, m in enumerate(merged) if m[2] is not None]
    for i, x in gapped:
        below[i] = np.searchsorted(x, inner, "left")
    mine = np.flatnonzero(np.diff(series, prepend=-1))  # each present series' first piece
    before = np.zeros((n_series, nb - 1), np.int64)
    before[series[mine]] = below if len(mine) == len(merged) else np.add.reduceat(below, mine, axis=0)
    total = np.zeros(n_series, np.int64)
    np.add.at(total, series, sizes)
    start = (np.cumsum(total) - total)[:, None]
    lo = start + np.concatenate((np.zeros((n_series, 1), np.int64), before), axis=1)
    hi = start + np.concatenate((before, total[:, None]), axis=1)
    keep = hi > lo
    if keep.all():  # every bucket of every series holds points (a zoom into dense series)
        S, E, bucket = lo.ravel(), hi.ravel(), np.tile(np.arange(nb), n_series)
        cuts = np.arange(0, n_series * nb + 1, nb)
    else:
        row_series, bucket = np.nonzero(keep)
        S, E = lo[keep], hi[keep]
        cuts = np.searchsorted(row_series, np.arange(n_series + 1))
    lower, upper, vsum, vcount, last_v = kernels.segments(values, S, E, nan)
    last = E - 1
    # rows follow the values' order, so each piece's rows (those whose last point it holds) are a
    # run of them
    runs = np.searchsorted(last, offs, "left")
    last_x = np.repeat(first - offs, np.diff(runs, append=len(last))) + last
    for i, x in gapped:
        r = slice(runs[i], runs[i + 1] if i + 1 < len(runs) else len(last))
        last_x[r] = x[last[r] - offs[i]]
    part = Part(bucket, E - S, lower, upper, vsum, vcount, last_v, last_x)
    return part, cuts


def records_part(rec: np.ndarray, e: np.ndarray, series: np.ndarray) -> tuple[Part, np.ndarray]:
    """Aggregate summary records (`chunks.BLOCK_DTYPE` fields) that each lie inside one bucket, of
    several series at once: `series` (ascending) says whose each record is, and records are in series
    order within each. Returns the Part of all (rows ordered by series, then bucket) and the index of
    each row's last record (whose series is `series[index]`)."""
    if not len(rec):
        return Part.empty(), np.zeros(0, np.int64)
    rb = bucket_of(e, rec["lo"].astype(np.float64))
    g = series * (len(e) - 1) + rb
    s = np.flatnonzero(np.diff(g, prepend=-1))
    en = np.append(s[1:], len(g)) - 1
    with np.errstate(invalid="ignore"):  # inf + -inf
        vsum = np.add.reduceat(rec["sum"], s)
    part = Part(
        rb[s],
        np.add.reduceat(rec["n"].astype(np.int64), s),
        np.fmin.reduceat(rec["min"], s),
        np.fmax.reduceat(rec["max"], s),
        vsum,
        np.add.reduceat(rec["count"].astype(np.int64), s),
        rec["last"][en],
        rec["hi"][en].astype(np.float64),
    )
    return part, en


def bucketize_summary(
    rec: np.ndarray, rec_pos: np.ndarray, rx: np.ndarray, rv: np.ndarray, rpos: np.ndarray, e: np.ndarray
) -> Part:
    """Aggregate one series given as summary records taken whole plus raw points.

    rec: `chunks.BLOCK_DTYPE` records that each lie inside [a, b] within one bucket, in series order;
    rx, rv: the raw points of the other records (in (step, seq) order; those outside [a, b] dropped
    here). rec_pos / rpos: the ordinal in the series of each record's last point / of each point,
    which decides `last` where a bucket has both.
    """
    parts = []
    if len(rec):
        p, en = records_part(rec, e, np.zeros(len(rec), np.int64))
        parts.append((p, rec_pos[en]))
    keep = (rx >= e[0]) & (rx <= e[-1])
    if not keep.all():
        rx, rv, rpos = rx[keep], rv[keep], rpos[keep]
    if len(rx):
        (p,) = bucketize_many([(rx, rv)], e)
        parts.append((p, rpos[np.searchsorted(rx, p.last_x, "right") - 1]))
    if not parts:
        return Part.empty()
    if len(parts) == 1:
        return parts[0][0]
    (p1, k1), (p2, k2) = parts
    cat = {f: np.concatenate([getattr(p1, f), getattr(p2, f)]) for f in Part.__dataclass_fields__}
    order = np.lexsort((np.concatenate([k1, k2]), cat["bucket"]))
    c = {f: v[order] for f, v in cat.items()}
    s = np.flatnonzero(np.diff(c["bucket"], prepend=-1))
    en = np.append(s[1:], len(order)) - 1
    with np.errstate(invalid="ignore"):
        vsum = np.add.reduceat(c["vsum"], s)
    return Part(
        c["bucket"][s],
        np.add.reduceat(c["n"], s),
        np.fmin.reduceat(c["vmin"], s),
        np.fmax.reduceat(c["vmax"], s),
        vsum,
        np.add.reduceat(c["vcount"], s),
        c["last"][en],
        c["last_x"][en],
    )


def finish(p: Part, e: np.ndarray) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(p.vcount > 0, p.vsum / np.maximum(p.vcount, 1), np.nan)
    return {
        "bucket": p.bucket,
        "x": e[p.bucket],
        "count": p.n,
        "min": p.vmin,
        "max": p.vmax,
        "mean": mean,
        "last": p.last,
        "last_x": p.last_x,
    }
