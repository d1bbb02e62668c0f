"""Bucketing of sorted series: the arithmetic of chart queries, free of any database.

Buckets of a query over [a, b] with B buckets have the edges `e[i] = a + (b - a) * i / B`
(float64); bucket i holds the points with e[i] <= x < e[i+1], and the last bucket also holds x == b.
For every bucket the result carries count, min, max (NaN ignored), mean (over non-NaN values) and
last (the value of the point with the greatest x; ties go to the later logged point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def edges(a: float, b: float, n: int) -> np.ndarray:
    e = a + (b - a) * np.arange(n + 1, dtype=np.float64) / n
    e[-1] = b
    return e


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


def bucketize_many(series: list[tuple[np.ndarray, np.ndarray]], e: np.ndarray) -> list[Part]:
    """Aggregate several (x sorted ascending, v) series into the buckets of `e` with one pass per ufunc."""
    nb = len(e) - 1
    a, b = e[0], e[-1]
    xs, vs, starts_all, owners, ends_all = [], [], [], [], []
    bucket_ids = []
    off = 0
    for k, (x, v) in enumerate(series):
        lo = int(np.searchsorted(x, a, "left"))
        hi = int(np.searchsorted(x, b, "right"))
        if hi <= lo:
            continue
        xk = x[lo:hi]
        cuts = np.searchsorted(xk, e[1:nb], "left")
        st = np.concatenate(([0], cuts))
        en = np.concatenate((cuts, [hi - lo]))
        keep = en > st
        starts_all.append(st[keep] + off)
        ends_all.append(en[keep] + off)
        bucket_ids.append(np.flatnonzero(keep))
        owners.append(np.full(int(keep.sum()), k))
        xs.append(xk)
        vs.append(v[lo:hi])
        off += hi - lo
    out = [Part.empty() for _ in series]
    if not xs:
        return out
    X = np.concatenate(xs)
    V = np.concatenate(vs).astype(np.float64, copy=False)
    S = np.concatenate(starts_all)
    E = np.concatenate(ends_all)
    nan = np.isnan(V)
    has_nan = bool(nan.any())
    vmin = np.fmin.reduceat(V, S)
    vmax = np.fmax.reduceat(V, S)
    if has_nan:
        vsum = np.add.reduceat(np.where(nan, 0.0, V), S)
        vcount = np.add.reduceat((~nan).astype(np.int64), S)
    else:
        vsum = np.add.reduceat(V, S)
        vcount = E - S
    n = E - S
    last = V[E - 1]
    last_x = X[E - 1].astype(np.float64)
    own = np.concatenate(owners)
    bid = np.concatenate(bucket_ids)
    bounds = np.searchsorted(own, np.arange(len(series) + 1))
    for k in range(len(series)):
        s, t = bounds[k], bounds[k + 1]
        if t > s:
            out[k] = Part(
                bid[s:t], n[s:t], vmin[s:t], vmax[s:t], vsum[s:t], vcount[s:t], last[s:t], last_x[s:t]
            )
    return out


def merge(parts: list[Part]) -> Part:
    """Combine partial aggregates of the same series (e.g. raw points plus chunk statistics)."""
    parts = [p for p in parts if len(p.bucket)]
    if not parts:
        return Part.empty()
    if len(parts) == 1:
        return parts[0]
    cat = {f: np.concatenate([getattr(p, f) for p in parts]) for f in Part.__dataclass_fields__}
    order = np.lexsort((cat["last_x"], cat["bucket"]))
    c = {f: v[order] for f, v in cat.items()}
    starts = np.flatnonzero(np.diff(c["bucket"], prepend=-1))
    ends = np.append(starts[1:], len(order))
    return Part(
        c["bucket"][starts],
        np.add.reduceat(c["n"], starts),
        np.fmin.reduceat(c["vmin"], starts),
        np.fmax.reduceat(c["vmax"], starts),
        np.add.reduceat(c["vsum"], starts),
        np.add.reduceat(c["vcount"], starts),
        c["last"][ends - 1],
        c["last_x"][ends - 1],
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
