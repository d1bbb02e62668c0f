"""The metric engine against brute force: every point kept, buckets exact, min/max never lost."""

from __future__ import annotations

import bisect
import importlib
import math
import zlib

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from runyard.store import Store, chunks, metrics
from runyard.store.chunks import BLOCK_DTYPE, BLOCK_POINTS, CHUNK_POINTS, Points, decode_aux
from runyard.store.db import _alembic_config, migrate, pg_has_lz4
from runyard.store.history_rows import rows
from runyard.store.metrics import SeriesRef
from runyard.store.summaries import LEVEL_POINTS, SUMMARY_DTYPE
from runyard.store.tables import metadata, metric_chunks, metric_summaries

from .conftest import _new_pg_database


def _run(store: Store, name: str = "r") -> int:
    def q(c):
        eid = store.entities.create(c, "u" + name, "user")
        pid = store.projects.get_or_create(c, eid, "p")
        return store.runs.get_or_create(c, pid, name, {"start_time": 1000.0}, None)

    return store.db.write(q)


def test_migrations_match_schema(store):
    with store.db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), metadata)
    assert diff == []


def _append(store, run_pk, key, steps, vals, seq0=1, ts0=1000.0):
    n = len(steps)
    pts = Points(
        np.arange(seq0, seq0 + n, dtype=np.int64),
        np.asarray(steps, np.int64),
        ts0 + np.arange(n) * 0.5,
        np.asarray(vals, np.float64),
    )
    store.db.write(lambda c: store.metrics.append(c, run_pk, "history", {key: [pts]}))


def brute(points, a, b, nb):
    e = [a + (b - a) * i / nb for i in range(nb + 1)]
    e[-1] = b
    out = {}
    for x, _seq, v in sorted(points):
        if not a <= x <= b:
            continue
        i = min(bisect.bisect_right(e, x) - 1, nb - 1)
        d = out.setdefault(i, {"count": 0, "vals": [], "last": None})
        d["count"] += 1
        if not math.isnan(v):
            d["vals"].append(v)
        d["last"] = v
    return out


def check(res, expected):
    assert list(res["bucket"]) == sorted(expected)
    for j, i in enumerate(res["bucket"]):
        d = expected[int(i)]
        assert res["count"][j] == d["count"]
        if d["vals"]:
            assert res["min"][j] == min(d["vals"]) and res["max"][j] == max(d["vals"])
            mean = sum(d["vals"]) / len(d["vals"])  # NaN when +inf and -inf meet
            assert res["mean"][j] == pytest.approx(mean) or math.isnan(res["mean"][j]) and math.isnan(mean)
        else:
            assert math.isnan(res["min"][j])
        last = res["last"][j]
        assert (math.isnan(last) and math.isnan(d["last"])) or last == d["last"]


def test_buckets_match_brute_force(store, kernel):
    rng = np.random.default_rng(7)
    run_pk = _run(store)
    points = []  # (step, seq, value)
    seq = 1
    # three appends: in order across several chunks, then out-of-order and repeated steps, with NaN/inf
    batches = [np.arange(0, 10_000), rng.integers(0, 12_000, 3000), np.arange(9_000, 9_500)]
    for steps in batches:
        vals = rng.normal(size=len(steps)) * 100
        vals[rng.integers(0, len(vals), 5)] = np.nan
        vals[0] = np.inf
        _append(store, run_pk, "loss", steps, vals, seq0=seq)
        points += [(int(s), seq + i, float(v)) for i, (s, v) in enumerate(zip(steps, vals))]
        seq += len(steps)
    kid = store.db.read(lambda c: store.metrics.key_id(c, run_pk, "history", "loss"))
    for a, b, nb in [
        (0, 11_999, 1000),
        (None, None, 7),
        (1234.5, 1300.25, 10),
        (9_100, 9_100, 3),
        (0, 100_000, 2),
    ]:
        (res,), (lo, hi) = store.db.read(
            lambda c, nb=nb, a=a, b=b: store.metrics.buckets(c, [SeriesRef(kid)], nb, "_step", a, b)
        )
        check(res, brute(points, lo, hi, nb))
    raw = store.db.read(lambda c: store.metrics.raw(c, kid))
    assert len(raw) == len(points)  # every point kept, none merged or dropped
    assert sorted(zip(raw.step.tolist(), raw.gseq.tolist())) == sorted((s, q) for s, q, _v in points)


def test_chunk_statistics_shortcut_is_exact(store):
    """Zoomed out, whole chunks fall into one bucket and are answered from their statistics."""
    rng = np.random.default_rng(3)
    pks = [_run(store, f"r{i}") for i in range(3)]
    all_points = []
    for pk in pks:
        n = CHUNK_POINTS * 5 + 17
        vals = rng.normal(size=n)
        _append(store, pk, "acc", np.arange(n) * 3, vals)
        all_points.append([(s * 3, s + 1, float(v)) for s, v in enumerate(vals)])
    refs = [
        SeriesRef(store.db.read(lambda c, pk=pk: store.metrics.key_id(c, pk, "history", "acc"))) for pk in pks
    ]
    for nb in (2, 5, 1000):
        results, (lo, hi) = store.db.read(lambda c, nb=nb: store.metrics.buckets(c, refs, nb))
        for res, pts in zip(results, all_points):
            check(res, brute(pts, lo, hi, nb))


def test_unzoomed_step_window_has_edges_on_the_block_grid_and_stays_exact(store):
    """`step_window`: edges on multiples of BLOCK_POINTS, a bucket count near the one asked, and the
    buckets over that window equal brute force (every point counted once)."""
    rng = np.random.default_rng(7)
    pk = _run(store)
    n = CHUNK_POINTS * 3 + 500
    vals = rng.normal(size=n)
    _append(store, pk, "loss", np.arange(n) + 5, vals)
    pts = [(s + 5, s + 1, float(v)) for s, v in enumerate(vals)]
    ref = SeriesRef(store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "loss")))
    for asked in (10, 15, 40, 70):
        a, b, nb = store.db.read(lambda c, asked=asked: store.metrics.step_window(c, [ref], asked))
        w = (b - a) / nb
        assert a % BLOCK_POINTS == 0 and w % BLOCK_POINTS == 0 and a <= 5 and b > n + 4
        assert asked / 2 <= nb <= asked + 1
        if n / asked >= LEVEL_POINTS[1] * 3 / 4:  # buckets of 3/4 of a level-1 record widen to one
            assert w % LEVEL_POINTS[1] == 0 and nb >= asked * 3 / 4 - 1
        (res,), _ = store.db.read(
            lambda c, a=a, b=b, nb=nb: store.metrics.buckets(c, [ref], nb, "_step", a, b)
        )
        check(res, brute(pts, a, b, nb))
        assert int(np.sum(res["count"])) == n
    # buckets narrower than a block keep the data's extent and the count asked
    assert store.db.read(lambda c: store.metrics.step_window(c, [ref], 1000)) == (5, n + 4, 1000)


def test_time_and_metric_axes(store):
    pk = _run(store)
    _append(store, pk, "loss", range(100), [float(100 - i) for i in range(100)])
    _append(store, pk, "epoch", range(0, 100, 10), [float(i) for i in range(10)], seq0=1000)
    ids = store.db.read(lambda c: {k: store.metrics.key_id(c, pk, "history", k) for k in ("loss", "epoch")})
    (res,), (lo, hi) = store.db.read(
        lambda c: store.metrics.buckets(c, [SeriesRef(ids["loss"], 1000.0)], 5, "_runtime")
    )
    assert (lo, hi) == (0.0, 49.5) and res["count"].sum() == 100
    (res,), (lo, hi) = store.db.read(
        lambda c: store.metrics.buckets(c, [SeriesRef(ids["loss"], 0, ids["epoch"])], 10, "epoch")
    )
    assert res["count"].sum() == 10 and list(res["last"]) == [100.0 - 10 * i for i in range(10)]


def _steps_with_repeats_and_gaps(rng, n: int) -> np.ndarray:
    """Sorted steps: runs of consecutive steps, gaps, and steps logged two or three times."""
    d = rng.choice([0, 1, 1, 1, 1, 1, 1, 7], size=n)
    d[: n // 3] = 1  # a consecutive stretch (steps by arithmetic, no steps blob)
    return np.cumsum(d)


def test_summary_level_matches_brute_force(store, kernel):
    """In-order series are answered from block statistics plus raw points at bucket edges; every
    bucket must equal brute force, with NaN, +-inf in one block, all-NaN blocks and repeated steps."""
    rng = np.random.default_rng(11)
    run_pk = _run(store)
    n = CHUNK_POINTS * 3 + 999
    steps = _steps_with_repeats_and_gaps(rng, n)
    vals = rng.normal(size=n) * 10
    vals[rng.integers(0, n, 40)] = np.nan
    vals[500], vals[501] = np.inf, -np.inf  # one block whose sum is NaN
    vals[1024:1152] = np.nan  # a whole block without a value
    vals[CHUNK_POINTS - 1] = -np.inf
    # two appends: the second extends the open chunk (rewritten with its blocks)
    cut = CHUNK_POINTS + 100
    _append(store, run_pk, "loss", steps[:cut], vals[:cut])
    _append(store, run_pk, "loss", steps[cut:], vals[cut:], seq0=cut + 1)
    points = [(int(s), i + 1, float(v)) for i, (s, v) in enumerate(zip(steps, vals))]
    kid = store.db.read(lambda c: store.metrics.key_id(c, run_pk, "history", "loss"))
    top = int(steps[-1])
    windows = [
        (None, None, 1000),  # buckets narrower than a block: values read with the chunks
        (None, None, 100),  # wider: blocks whole, raw values at the edges
        (None, None, 3),
        (None, None, 1),
        (0, top, 97),
        (-50.5, top + 10.25, 13),
        (1000.5, 1000.75, 5),  # between two points
        (int(steps[600]), int(steps[700]), 7),  # inside one chunk, edges inside blocks
        (int(steps[130]), int(steps[130]), 2),  # one step (repeated or not)
        (top / 3, top / 3 * 2, 10_000),  # buckets narrower than one step
    ]
    for a, b, nb in windows:
        (res,), (lo, hi) = store.db.read(
            lambda c, nb=nb, a=a, b=b: store.metrics.buckets(c, [SeriesRef(kid)], nb, "_step", a, b)
        )
        check(res, brute(points, lo, hi, nb))


@pytest.mark.parametrize("split", [False, True], ids=["one-read", "many-reads-and-passes"])
def test_zoomed_query_of_many_series_matches_brute_force_for_each(store, split, kernel, monkeypatch):
    """Buckets narrower than a block bucket all series of a read together: each series must still get
    exactly its own buckets, whatever its neighbours hold (consecutive or gapped and repeated steps,
    NaN and infinities, nothing in the window, out-of-order chunks, a series asked twice)."""
    if split:  # several groups of series: statements of values read while others are bucketed
        monkeypatch.setattr(metrics, "BUCKET_POINTS", 2000)
    rng = np.random.default_rng(5)
    n = CHUNK_POINTS * 2 + 300
    kinds = {
        "late": np.arange(n) + 50_000,  # nothing in the windows below
        "dense": np.arange(n),
        "gapped": _steps_with_repeats_and_gaps(rng, n),
        "nan": np.arange(n) + 37,
        "jump": np.concatenate([np.arange(CHUNK_POINTS), np.arange(5000, 5000 + n - CHUNK_POINTS)]),
        "unordered": np.concatenate([np.arange(n), rng.integers(0, n, 500)]),
    }
    points, kids = {}, {}
    for name, steps in kinds.items():
        run_pk = _run(store, name)
        vals = rng.normal(size=len(steps))
        if name == "nan":
            vals[rng.integers(0, len(vals), 300)] = np.nan
            vals[10], vals[11] = np.inf, -np.inf
        # the second append: a later batch (for "jump", a chunk of consecutive steps after a gap)
        cut = {"unordered": n, "jump": CHUNK_POINTS}.get(name, CHUNK_POINTS + 7)
        _append(store, run_pk, "loss", steps[:cut], vals[:cut])
        _append(store, run_pk, "loss", steps[cut:], vals[cut:], seq0=cut + 1)
        points[name] = [(int(x), i + 1, float(v)) for i, (x, v) in enumerate(zip(steps, vals))]
        kids[name] = store.db.read(lambda c, r=run_pk: store.metrics.key_id(c, r, "history", "loss"))
    names = [*kinds, "dense"]
    refs = [SeriesRef(kids[k]) for k in names]
    for a, b, nb in [(100.5, 5000.25, 1000), (0, n, 2000), (4090, 4100, 3), (7000, 7000, 2)]:
        res, (lo, hi) = store.db.read(
            lambda c, nb=nb, a=a, b=b: store.metrics.buckets(c, refs, nb, "_step", a, b)
        )
        assert (b - a) / nb < BLOCK_POINTS  # the narrow path
        for name, got in zip(names, res):
            check(got, brute(points[name], lo, hi, nb))


def test_a_zoom_that_fails_midway_leaves_the_database_serving(store, monkeypatch):
    """A zoomed query buckets one group of series while the database works on the next group's read
    (on PostgreSQL a COPY under way): if it fails there, that read is cancelled and the next query,
    on the same pool of connections, answers in full."""
    monkeypatch.setattr(metrics, "BUCKET_POINTS", 1000)
    rng = np.random.default_rng(17)
    refs, points = [], []
    for i in range(4):
        pk = _run(store, f"r{i}")
        steps, vals = np.arange(3000), rng.normal(size=3000)
        _append(store, pk, "loss", steps, vals)
        refs.append(SeriesRef(store.db.read(lambda c, pk=pk: store.metrics.key_id(c, pk, "history", "loss"))))
        points.append([(int(x), j + 1, float(v)) for j, (x, v) in enumerate(zip(steps, vals))])
    real = metrics.bk.bucketize_pieces

    def failing(*a, **k):
        raise RuntimeError("bucketing failed")

    monkeypatch.setattr(metrics.bk, "bucketize_pieces", failing)
    with pytest.raises(RuntimeError, match="bucketing failed"):
        store.db.read(lambda c: store.metrics.buckets(c, refs, 700, "_step", 10.0, 2900.0))
    monkeypatch.setattr(metrics.bk, "bucketize_pieces", real)
    for _ in range(3):  # every connection of the pool the failed query may have left
        res, (lo, hi) = store.db.read(lambda c: store.metrics.buckets(c, refs, 700, "_step", 10.0, 2900.0))
        for got, p in zip(res, points):
            check(got, brute(p, lo, hi, 700))


# the table that held every numeric chunk's block statistics up to revision 0022
METRIC_BLOCKS = sa.table("metric_blocks", sa.column("chunk_id"), sa.column("blocks"))


@pytest.fixture
def store_0021(empty_db_url, tmp_path):
    """A store at revision 0021: `metric_blocks` still there, for the migrations that filled it."""
    s = Store.open(empty_db_url, tmp_path / "blobs")
    migrate(s.db, "0021")
    yield s
    s.close()


def test_summary_level_backfill_for_existing_chunks(store_0021):
    """The migration that computed the block level of chunks that had none gives the same statistics
    as the level-0 records the write path keeps, for numeric chunks only."""
    store = store_0021
    backfill = importlib.import_module("runyard.store.migrations.versions.0014_metric_blocks_table").backfill
    rng = np.random.default_rng(5)
    pk = _run(store)
    steps = _steps_with_repeats_and_gaps(rng, CHUNK_POINTS * 2 + 5)
    vals = rng.normal(size=len(steps))
    vals[::97] = np.nan
    _append(store, pk, "acc", steps, vals)
    _append(store, pk, "acc", steps[-1] + np.arange(1, 301), rng.normal(size=300))  # rewrites the open chunk
    store.db.write(
        lambda c: store.metrics.append(
            c, pk, "history", {"name": [Points(np.array([9]), np.array([1]), np.array([1.0]), ["x"])]}
        )
    )
    numeric = sa.select(metric_chunks.c.id).where(metric_chunks.c.numeric).order_by(metric_chunks.c.id)
    ids = store.db.read(lambda c: c.execute(numeric).scalars().all())
    level0 = sa.select(metric_summaries.c.recs).where(metric_summaries.c.level == 0)
    recs = np.concatenate(
        [np.frombuffer(r, SUMMARY_DTYPE) for r in store.db.read(lambda c: c.execute(level0).scalars().all())]
    )
    store.db.write(backfill)
    q = sa.select(METRIC_BLOCKS.c.chunk_id, METRIC_BLOCKS.c.blocks).order_by(METRIC_BLOCKS.c.chunk_id)
    got = {
        r.chunk_id: np.frombuffer(r.blocks, BLOCK_DTYPE) for r in store.db.read(lambda c: c.execute(q).all())
    }
    assert list(got) == ids
    assert set(recs["chunk"].tolist()) == set(ids[:-1])  # full chunks have level-0 records, the open one not
    for cid in ids[:-1]:  # the same statistics, field by field
        mine = recs[recs["chunk"] == cid]
        as_blocks = np.empty(len(mine), BLOCK_DTYPE)
        for f in BLOCK_DTYPE.names or ():
            as_blocks[f] = mine[f]
        assert as_blocks.tobytes() == got[cid].tobytes()


def test_series_refs_of_many_runs_in_one_lookup(store):
    """The chart query's batch lookup gives each (run, key) the series a per-run lookup finds: missing
    runs and keys absent, runs of another project ignored, the x metric's series of the same run."""

    def setup(c):
        eid = store.entities.create(c, "u", "user")
        pid = store.projects.get_or_create(c, eid, "p")
        other = store.projects.get_or_create(c, eid, "q")
        pks = {
            f"r{i}": store.runs.get_or_create(c, pid, f"r{i}", {"start_time": 1000.0 + i}, None)
            for i in range(3)
        }
        store.runs.get_or_create(c, other, "r9", {"start_time": 1.0}, None)
        return pid, other, pks

    pid, other, pks = store.db.write(setup)
    _append(store, pks["r0"], "loss", [1, 2], [1.0, 2.0])
    _append(store, pks["r0"], "epoch", [1, 2], [0.0, 1.0])
    _append(store, pks["r1"], "loss", [1], [3.0])  # no x metric
    _append(store, pks["r2"], "acc", [1], [0.5])  # no loss
    r9 = store.db.read(lambda c: store.runs.locate(c, "u", "q", "r9").id)
    _append(store, r9, "loss", [1], [9.0])

    def kid(pk, key):
        return store.db.read(lambda c: store.metrics.key_id(c, pk, "history", key))

    got = store.db.read(
        lambda c: store.metrics.series_refs(
            c, pid, ["r0", "r1", "r2", "r9", "nope"], ["loss", "acc"], "epoch"
        )
    )
    created = store.db.read(lambda c: {r: store.runs.locate(c, "u", "p", r).created_at for r in pks})
    assert got == {
        ("r0", "loss"): SeriesRef(kid(pks["r0"], "loss"), created["r0"], kid(pks["r0"], "epoch")),
        ("r1", "loss"): SeriesRef(kid(pks["r1"], "loss"), created["r1"], None),
        ("r2", "acc"): SeriesRef(kid(pks["r2"], "acc"), created["r2"], None),
    }
    steps = store.db.read(lambda c: store.metrics.series_refs(c, pid, ["r0", "r1"], ["loss"], "_step"))
    assert {k: v.x_key_id for k, v in steps.items()} == {("r0", "loss"): None, ("r1", "loss"): None}


def _series_points(store, pk, key, parts):
    """Append `parts` ((steps, values) each, one transaction each) and return the brute-force points."""
    points, seq = [], 1
    for steps, vals in parts:
        _append(store, pk, key, steps, vals, seq0=seq)
        points += [(int(s), seq + i, float(v)) for i, (s, v) in enumerate(zip(steps, vals))]
        seq += len(steps)
    return points


def test_coarse_summary_level_matches_brute_force(store):
    """Buckets of 1,024 steps and more are answered from the per-series level-1 records, descending to
    blocks and raw values at edges: in order with gaps, repeats, NaN and infinities; chunks written
    in reverse step order (no overlap); and chunks that overlap (every point read). Series are
    answered a batch at a time: a run asked twice gets its series twice."""
    rng = np.random.default_rng(17)
    pks = [_run(store, f"r{i}") for i in range(3)]
    n = CHUNK_POINTS * 9 + 333
    steps = _steps_with_repeats_and_gaps(rng, n)
    vals = rng.normal(size=n) * 10
    vals[rng.integers(0, n, 60)] = np.nan
    vals[2000], vals[2001] = np.inf, -np.inf
    vals[5 * 1024 : 6 * 1024] = np.nan  # a whole level-1 record without a value
    cuts = [0, 700, CHUNK_POINTS * 4 + 5, CHUNK_POINTS * 4 + 6, n]  # open chunks rewritten across rows
    series = [
        _series_points(store, pks[0], "loss", [(steps[i:j], vals[i:j]) for i, j in zip(cuts, cuts[1:])])
    ]
    half = CHUNK_POINTS * 3
    series.append(  # the later steps logged first, then the earlier ones
        _series_points(store, pks[1], "loss", [(steps[half:] + 7, vals[half:]), (steps[:half], vals[:half])])
    )
    series.append(  # a second pass over steps already logged
        _series_points(store, pks[2], "loss", [(steps, vals), (steps[1000:3000], vals[:2000] + 1)])
    )
    refs = [
        SeriesRef(store.db.read(lambda c, pk=pk: store.metrics.key_id(c, pk, "history", "loss")))
        for pk in pks
    ]
    top = float(steps[-1] + 7)
    windows = [store.db.read(lambda c, k=k: store.metrics.step_window(c, refs, k)) for k in (30, 11, 2)]
    assert all(w[1] - w[0] >= w[2] * 1024 and w[0] % 1024 == 0 for w in windows)  # on the coarse grid
    windows += [
        (0.0, top, 17),
        (1500.5, top - 3000.25, 9),
        (-10.0, top / 2, 4),
        (2048.0, 2048.0 + 1024 * 5, 5),
    ]
    for a, b, nb in windows:
        results, (lo, hi) = store.db.read(  # the first run asked twice gets its series twice
            lambda c, a=a, b=b, nb=nb: store.metrics.buckets(c, refs + refs[:1], nb, "_step", a, b)
        )
        for res, pts in zip(results, series + series[:1]):
            check(res, brute(pts, lo, hi, nb))


def test_summary_rows_written_at_ingest_equal_the_migrations(store_0021):
    """The per-series rows that appends keep up to date (tail rows rewritten, rows of 4 and 32 chunks)
    equal those the migration computes from the block statistics of existing chunks."""
    store = store_0021
    backfill = importlib.import_module("runyard.store.migrations.versions.0015_metric_summaries").backfill
    rng = np.random.default_rng(23)
    pks = [_run(store, f"r{i}") for i in range(2)]
    n = CHUNK_POINTS * 33 + 100
    steps = _steps_with_repeats_and_gaps(rng, n)
    vals = rng.normal(size=n)
    for pk in pks:
        for i, j in [(0, 50), (50, CHUNK_POINTS * 5 - 1), (CHUNK_POINTS * 5 - 1, n)]:
            _append(store, pk, "acc", steps[i:j], vals[i:j], seq0=i + 1)
    q = sa.select(metric_summaries).order_by(*metric_summaries.primary_key.columns)
    written = store.db.read(lambda c: c.execute(q).all())
    assert {(r.level, r.seg_no) for r in written} == {(0, g) for g in range(9)} | {(1, 0), (1, 1)}
    # as a database from before 0015 met it: every numeric chunk's blocks in metric_blocks (0014), no rows
    blocks = importlib.import_module("runyard.store.migrations.versions.0014_metric_blocks_table").backfill
    store.db.write(blocks)
    store.db.write(lambda c: c.execute(sa.delete(metric_summaries)))
    store.db.write(backfill)
    assert store.db.read(lambda c: c.execute(q).all()) == written


def _checked_windows(store, kid, points, windows):
    """The buckets of series `kid` over each (a, b, buckets) of `windows`, each checked against the
    brute-force points, as lists (to compare the answers of two layouts)."""
    out = []
    for a, b, nb in windows:
        (res,), (lo, hi) = store.db.read(
            lambda c, a=a, b=b, nb=nb: store.metrics.buckets(c, [SeriesRef(kid)], nb, "_step", a, b)
        )
        check(res, brute(points, lo, hi, nb))
        out.append({k: np.asarray(v).tolist() for k, v in res.items()})
    return out


def _loss_series(store, rng, n: int, split: int):
    """A run's "loss" of n points (repeats and gaps in its steps) appended in two transactions, the
    first of `split` points: (steps, the brute-force points, the key's id)."""
    pk = _run(store)
    steps = _steps_with_repeats_and_gaps(rng, n)
    parts = [(steps[:split], rng.normal(size=split)), (steps[split:], rng.normal(size=n - split))]
    points = _series_points(store, pk, "loss", parts)
    return steps, points, store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "loss"))


def test_rows_of_the_previous_layout_read_the_same_after_the_upgrade(store_0021):
    """Before 0022 every numeric chunk had its blocks in metric_blocks and `aux` was zlib of the deltas
    as they are. The upgrade drops that table (full chunks' level-0 records stay, open chunks' blocks
    are computed); old `aux` reads as before; zoomed charts (which descend to blocks) and history rows
    are unchanged."""
    store = store_0021
    blocks = importlib.import_module("runyard.store.migrations.versions.0014_metric_blocks_table").backfill
    steps, points, kid = _loss_series(store, np.random.default_rng(29), CHUNK_POINTS * 6 + 77, 5000)
    top = float(steps[-1])
    windows = [(0.0, top, 3), (1500.5, top - 2000.25, 9), (100.0, 9000.0, 50)]

    def answers():
        return _checked_windows(store, kid, points, windows)

    def history():
        r = store.db.read(lambda c: rows(c, {"loss": kid}))
        return [np.asarray(x).tolist() for x in (r.step, r.ts, r.columns["loss"].values)]

    now, rows_now = answers(), history()

    def old_layout(c):  # as a database written before 0022 holds the same points
        blocks(c)
        for cid, aux, m in c.execute(
            sa.select(metric_chunks.c.id, metric_chunks.c.aux, metric_chunks.c.n)
        ).all():
            gseq, ts = decode_aux(aux, m)
            raw = (
                np.diff(gseq, prepend=0).tobytes()
                + np.diff(np.rint(ts * 1e6).astype(np.int64), prepend=0).tobytes()
            )
            c.execute(
                sa.update(metric_chunks).where(metric_chunks.c.id == cid).values(aux=zlib.compress(raw))
            )

    store.db.write(old_layout)
    count = sa.select(sa.func.count()).select_from(METRIC_BLOCKS)
    assert store.db.read(lambda c: c.execute(count).scalar()) == 7  # every numeric chunk's
    assert answers() == now and history() == rows_now
    migrate(store.db)
    assert "metric_blocks" not in sa.inspect(store.db.engine).get_table_names()
    assert answers() == now and history() == rows_now


@pytest.mark.parametrize(
    "gseq, ts_us",
    [
        ([7 << 40], [1_700_000_000_000_000]),  # one point
        ([1, 2], [5, 3]),  # the clock went back
        (np.arange(4096) + (3 << 40), 1_700_000_000_000_000 + np.arange(4096) * 250_000),  # all constant
        (np.arange(0, 8192, 2), np.cumsum(np.random.default_rng(3).integers(1, 300_000, 4096))),
        (  # deltas that overflow int64 wrap, and must wrap back
            np.random.default_rng(4).integers(-(2**62), 2**62, 999),
            np.random.default_rng(5).integers(-(2**62), 2**62, 999),
        ),
    ],
)
def test_seqs_and_timestamps_read_back_exactly(gseq, ts_us):
    """A chunk's seqs and timestamps (`aux`) read back as written, whichever byte planes vary; a key
    logged at every step at a steady pace stores no zlib stream at all."""
    gseq, ts_us = np.asarray(gseq, np.int64), np.asarray(ts_us, np.int64)
    blob = chunks.encode_aux(gseq, ts_us)
    g, ts = decode_aux(blob, len(gseq))
    assert g.tolist() == gseq.tolist()
    assert ts.tolist() == (ts_us.astype(np.float64) / 1e6).tolist()
    if len(gseq) == 4096 and gseq[1] - gseq[0] == 1:
        assert len(blob) < 40  # a header, no planes


def test_rows_with_every_plane_compressed_read_the_same(store):
    """Rows written before the constant byte planes were left out of zlib (`aux` starting 0x01) give
    the same charts and history rows."""
    steps, points, kid = _loss_series(store, np.random.default_rng(31), CHUNK_POINTS * 3 + 5, 700)

    def answers():
        (res,), (lo, hi) = store.db.read(
            lambda c: store.metrics.buckets(c, [SeriesRef(kid)], 40, "_step", 0.0, float(steps[-1]))
        )
        check(res, brute(points, lo, hi, 40))
        r = store.db.read(lambda c: rows(c, {"loss": kid}))
        return [np.asarray(v).tolist() for v in (*res.values(), r.step, r.ts, r.columns["loss"].values)]

    now = answers()

    def every_plane_compressed(c):
        for cid, aux, m in c.execute(
            sa.select(metric_chunks.c.id, metric_chunks.c.aux, metric_chunks.c.n)
        ).all():
            gseq, ts = decode_aux(aux, m)
            us = np.rint(ts * 1e6).astype(np.int64)
            deltas = np.concatenate([np.diff(gseq, prepend=0), np.diff(us, prepend=0)])
            old = b"\x01" + zlib.compress(deltas.view(np.uint8).reshape(-1, 8).T.tobytes(), 1)
            c.execute(sa.update(metric_chunks).where(metric_chunks.c.id == cid).values(aux=old))

    store.db.write(every_plane_compressed)
    assert (
        store.db.read(
            lambda c: c.execute(sa.select(sa.func.substr(metric_chunks.c.aux, 1, 1))).scalars().all()
        )
        == [b"\x01"] * 4
    )
    assert answers() == now


@pytest.mark.parametrize("n", [1, 5, BLOCK_POINTS - 1, BLOCK_POINTS, BLOCK_POINTS + 1, 300, CHUNK_POINTS])
def test_values_as_byte_planes_read_back_exactly(n):
    """Values stored as byte planes (PostgreSQL's layout) read back bit for bit, whole and as every byte
    range of whole blocks a zoomed chart reads: NaN, infinities and -0.0 included."""
    v = np.random.default_rng(n).normal(size=n)
    v[::7], v[1::11], v[2::13] = np.nan, -np.inf, -0.0
    blob = chunks.encode_floats(v)
    assert len(blob) == 8 * n + 1
    assert chunks.decode_floats(blob).tobytes() == v.tobytes()
    assert chunks.decode_floats(v.tobytes()).tobytes() == v.tobytes()  # a row whose values are as they are
    for a in range(0, n, BLOCK_POINTS):
        for b in [*range(a + BLOCK_POINTS, n, BLOCK_POINTS), n]:
            assert chunks.range_floats(blob[a * 8 : b * 8], True).tobytes() == v[a:b].tobytes()


def test_byte_planes_only_where_they_pay():
    """Values with fewer bytes of noise than a double has (through float32, integers, a linear
    schedule) are stored as byte planes where asked; doubles with a mantissa of noise as they are."""
    rng = np.random.default_rng(59)
    n = CHUNK_POINTS
    step = np.arange(n)

    def layout(v):
        p = Points(step + 1, step, 1000.0 + step, v)
        return len(chunks.encode(p, True, planar=True)["vals"]) - 8 * n

    assert layout(rng.normal(size=n).astype(np.float32).astype(np.float64)) == 1
    assert layout(np.floor(step / 7.0)) == 1
    assert layout(step * 0.001 + 3) == 1
    assert layout(np.cumsum(rng.normal(size=n))) == 0
    assert layout(rng.random(n)) == 0
    assert len(chunks.encode(Points(step + 1, step, 1000.0 + step, step * 1.0), True)["vals"]) == 8 * n


def test_values_of_either_layout_answer_the_same(store):
    """Numeric chunk values are byte planes on PostgreSQL (which compresses them) and as they are on
    SQLite. Rows of the other layout (on PostgreSQL: all rows written before the planes) give the same
    charts: zoomed ones read byte ranges of the values (narrow buckets) or of blocks across bucket
    edges, an open chunk's last partial block included; and the same history rows. On PostgreSQL the
    planes of float32 values take under 4/5 of the database's bytes for the same values as they are."""
    pk = _run(store)
    n = CHUNK_POINTS * 3 + 300  # three full chunks and an open one: two blocks and 44 values
    steps = np.arange(n)  # consecutive: zoomed charts read byte ranges of the values
    vals = np.random.default_rng(53).normal(size=n).astype(np.float32).astype(np.float64)
    vals[[9, 5000, n - 2]] = np.nan, np.inf, -np.inf
    points = _series_points(store, pk, "loss", [(steps[:1000], vals[:1000]), (steps[1000:], vals[1000:])])
    kid = store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "loss"))
    windows = [(0.0, n - 1.0, 7), (1000.5, 1700.25, 50), (12_500.0, n - 1.0, 50), (130.0, 9000.0, 20)]
    windows += [(11_000.0, n - 1.0, 7)]

    def answers():
        out = _checked_windows(store, kid, points, windows)
        r = store.db.read(lambda c: rows(c, {"loss": kid}))
        assert np.asarray(r.columns["loss"].values).tobytes() == vals.tobytes()
        return out

    c = metric_chunks.c
    size = sa.select(sa.func.sum(sa.func.pg_column_size(c.vals) if not store.db.is_sqlite else 0))

    def layouts(conn):
        return {len(v) % 8 for v in conn.execute(sa.select(c.vals).where(c.key_id == kid)).scalars()}

    assert store.db.read(layouts) == ({0} if store.db.is_sqlite else {1})
    now, bytes_now = answers(), store.db.read(lambda conn: conn.execute(size).scalar())

    def other_layout(conn):
        for cid, blob in conn.execute(sa.select(c.id, c.vals).where(c.key_id == kid)).all():
            v = np.array(chunks.decode_floats(blob))
            flipped = v.tobytes() if len(blob) % 8 else chunks.encode_floats(v)
            conn.execute(sa.update(metric_chunks).where(c.id == cid).values(vals=flipped))

    store.db.write(other_layout)
    assert store.db.read(layouts) == ({1} if store.db.is_sqlite else {0})
    assert answers() == now
    if not store.db.is_sqlite:
        assert bytes_now < 0.8 * store.db.read(lambda conn: conn.execute(size).scalar())


def test_a_downgrade_writes_byte_planes_back_as_values(store):
    """Migration 0025 marks the byte-plane layout (a server that cannot read it does not know the
    revision, and stops). Downgraded, every numeric row holds plain float64 values again, and charts
    and history rows answer the same; non-numeric chunks are left alone."""
    pk = _run(store)
    n = CHUNK_POINTS * 2 + 700
    steps = np.arange(n)
    vals = np.random.default_rng(61).normal(size=n).astype(np.float32).astype(np.float64)
    points = _series_points(store, pk, "loss", [(steps, vals)])
    words = Points(np.arange(1, 10), np.arange(9), 1000.0 + np.arange(9), [f"w{i}" for i in range(9)])
    store.db.write(lambda c: store.metrics.append(c, pk, "history", {"note": [words]}))
    kid = store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "loss"))
    c = metric_chunks.c

    def to_planes(conn):  # SQLite writes no planes: made here, as a database moved from PostgreSQL
        for cid, blob in conn.execute(sa.select(c.id, c.vals).where(c.key_id == kid)).all():
            if len(blob) % 8 == 0:
                planes = chunks.encode_floats(np.array(chunks.decode_floats(blob)))
                conn.execute(sa.update(metric_chunks).where(c.id == cid).values(vals=planes))

    store.db.write(to_planes)
    text_before = store.db.read(
        lambda conn: conn.execute(sa.select(c.vals).where(~c.numeric)).scalars().all()
    )

    def answers():
        (res,), (lo, hi) = store.db.read(
            lambda conn: store.metrics.buckets(conn, [SeriesRef(kid)], 30, "_step", 100.5, n - 1.0)
        )
        check(res, brute(points, lo, hi, 30))
        r = store.db.read(lambda conn: rows(conn, {"loss": kid}))
        return [np.asarray(v).tolist() for v in (*res.values(), r.columns["loss"].values)]

    now = answers()
    cfg = _alembic_config()
    with store.db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0024")
        conn.commit()
    numeric = store.db.read(lambda conn: conn.execute(sa.select(c.vals).where(c.numeric)).scalars().all())
    assert numeric and all(len(v) % 8 == 0 for v in numeric)
    assert answers() == now
    assert store.db.read(lambda conn: conn.execute(sa.select(c.vals).where(~c.numeric)).scalars().all()) == (
        text_before
    )
    migrate(store.db)


def test_chunk_values_and_summary_rows_skip_pglz_on_postgresql(tmp_path):
    """PostgreSQL compressed every full chunk's values (32 KB) and every ~8.7 KB row of summary
    records with pglz at each ingest request: the largest part of the database's work of an ingest. Since 0023
    (summary rows) and 0024 (chunk values) new ones take lz4 where the server has it (summary rows
    stay uncompressed, chunk values pglz, where it does not); what was written before still answers
    the same charts."""
    with _new_pg_database("runyard_toast") as url:
        store = Store.open(url, tmp_path / "blobs")
        try:
            migrate(store.db, "0022")
            _, before, old = _loss_series(store, np.random.default_rng(41), CHUNK_POINTS * 5, 900)
            migrate(store.db)
            pk = _run(store, "after")
            steps = np.arange(CHUNK_POINTS * 5) * 3
            # values that went through float32, as most losses do: compressible by either method
            vals = np.random.default_rng(43).normal(size=len(steps)).astype(np.float32).astype(np.float64)
            after = _series_points(store, pk, "acc", [(steps, vals)])
            new = store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "acc"))
            for kid, points in ((old, before), (new, after)):
                lo, hi = min(p[0] for p in points), max(p[0] for p in points)
                (res,), (a, b) = store.db.read(
                    lambda c, kid=kid, lo=lo, hi=hi: store.metrics.buckets(
                        c, [SeriesRef(kid)], 40, "_step", lo, hi
                    )
                )
                check(res, brute(points, a, b, 40))

            def compression(c, col, key_col, kid):
                q = sa.select(sa.func.pg_column_compression(col)).where(key_col == kid)
                return set(c.execute(q).scalars()) - {None}  # (None: a value stored uncompressed)

            has_lz4 = store.db.read(pg_has_lz4)
            chunk_vals = (metric_chunks.c.vals, metric_chunks.c.key_id)
            recs = (metric_summaries.c.recs, metric_summaries.c.key_id)
            assert store.db.read(lambda c: compression(c, *chunk_vals, new)) == {"lz4" if has_lz4 else "pglz"}
            assert store.db.read(lambda c: compression(c, *recs, new)) == ({"lz4"} if has_lz4 else set())
        finally:
            store.close()


def test_series_of_whole_chunks_answer_coarse_buckets(store):
    """A series of exactly k x 4,096 points has no open chunk: its zoomed-out chart (level-1
    records) is answered from full chunks alone, as for any other length (this was a 500)."""
    pk = _run(store)
    steps = np.arange(CHUNK_POINTS * 2)
    points = _series_points(store, pk, "loss", [(steps, np.random.default_rng(47).normal(size=len(steps)))])
    kid = store.db.read(lambda c: store.metrics.key_id(c, pk, "history", "loss"))
    (res,), (lo, hi) = store.db.read(
        lambda c: store.metrics.buckets(c, [SeriesRef(kid)], 4, "_step", 0, float(steps[-1]))
    )
    check(res, brute(points, lo, hi, 4))
