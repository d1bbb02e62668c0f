"""The metric engine's innermost loops: decoding byte planes and the statistics of many short runs of
values (a zoomed chart's buckets hold ~10 points each, where numpy's `reduceat` pays per run more
than per point). Compiled from `_kernels.c` where the install had a C compiler (the extension is
optional in pyproject.toml); otherwise numpy does the same, a 1 % zoom of 100 runs x 1M steps taking
~1.8x as long on SQLite, ~1.2x on PostgreSQL (docs/benchmarks.md). Both give the same answers
(tests/server/test_kernels.py)."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import numpy as np

_c: ModuleType | None
try:
    from . import _kernels as _c
except ImportError:  # built without a compiler
    _c = None

COMPILED = _c is not None


def gather(sources: Sequence[tuple[bytes | memoryview, bool, int, int]], out: np.ndarray, block: int) -> None:
    """Write to float64 `out`, one after another, values first .. first + count - 1 of each source
    (bytes, planar, first, count): float64 values as they are or, planar, byte planes: whole blocks of
    8 * `block` bytes, each block's 8 planes (plane p holding byte p of each of its values), then a
    tail of plain values (a byte past the last whole value, `chunks`' mark of the layout, is left)."""
    if _c is not None:
        _c.gather(sources, out, block)
        return
    o = 0
    for buf, planar, first, count in sources:
        src = np.frombuffer(buf, np.uint8)
        if planar:
            k = len(src) // (8 * block) * 8 * block
            every = np.empty(len(src) // 8, np.float64)
            b = every.view(np.uint8)
            b[:k].reshape(-1, block, 8)[:] = src[:k].reshape(-1, 8, block).transpose(0, 2, 1)
            b[k:] = src[k : len(every) * 8]
            out[o : o + count] = every[first : first + count]
        else:
            out[o : o + count] = src[first * 8 : (first + count) * 8].view(np.float64)
        o += count


def segments(
    v: np.ndarray, starts: np.ndarray, ends: np.ndarray, nan: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each row r, the values v[starts[r]:ends[r]] leaving NaN out: minimum, maximum (NaN where a
    row holds only NaN), sum and count; and the row's last value. Rows are non-empty, in order, and
    together cover v from starts[0] to its end (`reduceat`'s rule, which the numpy path follows).
    `nan`: whether v may hold NaN (numpy's path is faster without)."""
    n = len(starts)
    v = np.ascontiguousarray(v, np.float64)
    if _c is not None:
        lower, upper, total, last = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        count = np.empty(n, np.int64)
        s, e = np.ascontiguousarray(starts, np.int64), np.ascontiguousarray(ends, np.int64)
        _c.segments(v, s, e, lower, upper, total, count, last)
        return lower, upper, total, count, last
    isnan = np.isnan(v) if nan else None
    if isnan is not None and isnan.any():
        with np.errstate(invalid="ignore", over="ignore"):  # inf + -inf, 1e308 + 1e308
            total = np.add.reduceat(np.where(isnan, 0.0, v), starts)
        lower, upper = np.fmin.reduceat(v, starts), np.fmax.reduceat(v, starts)
        count = np.add.reduceat((~isnan).astype(np.int64), starts)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            total = np.add.reduceat(v, starts)
        # minimum/maximum: the same as fmin/fmax without NaN, and faster
        lower, upper, count = np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts), ends - starts
    return lower, upper, total, count, v[ends - 1]
