"""The metric engine's kernels (runyard/store/kernels.py): the compiled loops and their numpy
equivalents give what a plain Python loop over the same values gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runyard.store import chunks, kernels

# sums of up to 300 values of at most 1e300 cannot overflow: where they do, the order of additions
# decides between inf and NaN, and numpy's (pairwise) is not the loop's
SPECIAL = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e300, -1e300, 5e-324]


def test_the_compiled_kernels_are_built():
    """`make install` builds `runyard/store/_kernels.c` (the extension is optional so that an install
    without a C compiler still works, slower): the test machine has a compiler, so it must be there."""
    assert kernels.COMPILED, "runyard.store._kernels was not built: reinstall with a C compiler"


def _oracle(v: list[float], starts: list[int], ends: list[int]) -> list[tuple]:
    out = []
    for a, b in zip(starts, ends):
        ok = [x for x in v[a:b] if not math.isnan(x)]
        total = 0.0
        for x in ok:
            total += x
        out.append((min(ok) if ok else math.nan, max(ok) if ok else math.nan, total, len(ok), v[b - 1]))
    return out


def _same(a: float, b: float, bound: float = 0.0) -> bool:
    """a and b equal, NaN included, or within `bound` of each other."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b) or a == b:
        return a == b
    return abs(a - b) <= bound


def _sum_bound(row: list[float]) -> float:
    """How far two orders of adding `row` may part (numpy adds pairwise, the loop in order): the
    standard bound, n * eps * the sum of magnitudes."""
    finite = [abs(x) for x in row if math.isfinite(x)]
    return len(finite) * 2.3e-16 * sum(finite)


values = st.lists(
    st.one_of(st.sampled_from(SPECIAL), st.floats(-1e300, 1e300)),
    min_size=1,
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(v=values, cuts=st.lists(st.integers(0, 300), max_size=40), nan=st.booleans())
def test_segments_give_each_rows_statistics_without_nan_and_its_last_value(v, cuts, nan):
    bounds = sorted({0, len(v), *(c for c in cuts if c < len(v))})
    starts, ends = bounds[:-1], bounds[1:]
    nan = nan or any(math.isnan(x) for x in v)  # the caller's promise: v without NaN
    want = _oracle(v, starts, ends)
    for compiled in [True, False]:
        saved = kernels._c
        try:
            if not compiled:
                kernels._c = None
            got = kernels.segments(np.array(v), np.array(starts), np.array(ends), nan)
        finally:
            kernels._c = saved
        for r, w in enumerate(want):
            lower, upper, total = (float(a[r]) for a in got[:3])
            count = int(got[3][r])
            assert _same(lower, w[0]) and _same(upper, w[1]), (compiled, r, lower, upper, w)
            assert count == w[3], (compiled, r)
            assert _same(float(got[4][r]), w[4]), (compiled, r)  # the last value
            assert _same(total, w[2], _sum_bound(v[starts[r] : ends[r]])), (compiled, r, total, w[2])


def test_segments_of_rows_outside_the_values_are_refused():
    """The compiled loop reads memory where a row says: a row past the values, or an empty one (it has
    no last value), is an error, not a read."""
    v = np.arange(10.0)
    with pytest.raises(ValueError, match="outside"):
        kernels.segments(v, np.array([0, 5]), np.array([5, 11]))
    with pytest.raises(ValueError, match="empty"):
        kernels.segments(v, np.array([5]), np.array([5]))


def test_gather_refuses_values_outside_a_source_or_past_the_output():
    src = np.arange(10.0).tobytes()
    with pytest.raises(ValueError, match="outside"):
        kernels.gather([(src, False, 5, 6)], np.empty(20), chunks.BLOCK_POINTS)
    with pytest.raises(ValueError, match="past the output"):
        kernels.gather([(src, False, 0, 6), (src, True, 0, 6)], np.empty(10), chunks.BLOCK_POINTS)


@pytest.mark.parametrize("n", [1, 127, 128, 129, 256, 1000, 4096])
def test_gathered_values_are_the_points_asked_of_each_source(kernel, n):
    """Values as they are and byte planes (whole rows with their layout mark, block ranges, an
    unaligned buffer), any points of each, land one after another in the output bit for bit."""
    rng = np.random.default_rng(n)
    v = rng.normal(size=n)
    v[::5], v[1::9], v[2::11] = np.nan, -0.0, np.inf
    planar = chunks.encode_floats(v)  # 8 n bytes of planes and the mark
    block = chunks.BLOCK_POINTS * 8
    ranged = planar[block : (n // chunks.BLOCK_POINTS) * block] if n >= 2 * chunks.BLOCK_POINTS else b""
    unaligned = memoryview(b"\0" + planar)[1:]
    sources = []
    want = []
    for buf, is_planar, base in [(v.tobytes(), False, 0), (planar, True, 0), (unaligned, True, 0)] + (
        [(ranged, True, chunks.BLOCK_POINTS)] if ranged else []
    ):
        size = len(buf) // 8
        for first, count in [(0, size), (size // 3, size - size // 3), (1, max(0, size // 2 - 1)), (size, 0)]:
            sources.append((buf, is_planar, first, count))
            want.append(v[base + first : base + first + count])
    out = np.full(sum(s[3] for s in sources) + 3, 7.0)
    kernels.gather(sources, out, chunks.BLOCK_POINTS)
    assert out[:-3].tobytes() == np.concatenate(want).tobytes()
    assert (out[-3:] == 7.0).all()  # nothing written past the values asked
