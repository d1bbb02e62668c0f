"""The run log: a valid prefix always reads back, a torn or corrupt tail is reported, never raised."""

from __future__ import annotations

import math
import os
import random
import struct
from pathlib import Path

import pytest

import runyard
from runyard.runlog import RunLogError, iter_records, read
from runyard.wire.framing import HEADER_SIZE, Tail, file_header, frame
from runyard.wire.history_codec import HistoryBatch, encode_history
from runyard.wire.records import RT, packb, unpackb


def _small_run(workdir, quiet_settings, steps=200):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings, config={"lr": 0.1})
    for i in range(steps):
        run.log({"loss": 1.0 / (i + 1), "tag": f"s{i}"}, step=i)
        if i % 50 == 0:
            run.flush()  # several history records, so truncation cuts between and inside them
    run.finish()
    return run


def test_every_truncation_point_reads_a_valid_prefix(workdir, quiet_settings):
    run = _small_run(workdir, quiet_settings)
    path = [p for p in os.listdir(run.sync_dir) if p.endswith(".rylog")][0]
    data = Path(run.sync_dir, path).read_bytes()
    full = read(run.sync_dir)
    full_steps = full.series("loss")[0]
    cut_dir = workdir / "cut"
    cut_dir.mkdir()
    cut = cut_dir / "run-x.rylog"
    previous = -1
    for n in sorted({HEADER_SIZE, *random.Random(1).sample(range(HEADER_SIZE, len(data)), 150), len(data)}):
        cut.write_bytes(data[:n])
        rd = read(cut)
        steps = rd.series("loss")[0]
        assert steps == full_steps[: len(steps)]  # a prefix, exactly
        assert len(steps) >= previous
        previous = len(steps)
        assert rd.tail.good_bytes + rd.tail.skipped_bytes == n
        assert rd.tail.clean == (rd.tail.good_bytes == n)
    assert previous == 200


def test_corrupt_byte_stops_reading_with_a_reason(workdir, quiet_settings):
    run = _small_run(workdir, quiet_settings)
    p = [os.path.join(run.sync_dir, f) for f in os.listdir(run.sync_dir) if f.endswith(".rylog")][0]
    data = bytearray(Path(p).read_bytes())
    data[len(data) // 2] ^= 0xFF
    Path(p).write_bytes(bytes(data))
    rd = read(run.sync_dir)
    assert not rd.tail.clean and rd.tail.reason.startswith(("implausible", "truncated", "checksum"))
    steps = rd.series("loss")[0]
    assert steps == list(range(len(steps))) and 0 < len(steps) < 200
    assert rd.config == {"lr": 0.1}


def test_not_a_run_log_is_a_clear_error(tmp_path):
    f = tmp_path / "x.rylog"
    f.write_bytes(b"hello world, not a log at all")
    with pytest.raises(RunLogError, match="bad magic"):
        read(f)
    f.write_bytes(b"RYRUNLOG\x63\x00" + b"\x00" * 6)
    with pytest.raises(RunLogError, match="newer"):
        read(f)


def test_unknown_record_types_are_skipped_not_fatal(tmp_path):
    f = tmp_path / "run-x.rylog"
    f.write_bytes(
        file_header()
        + frame(RT.RUN, packb({"run_id": "x", "start_time": 0.0}))
        + frame(200, packb({"future": True}))
        + frame(RT.CONFIG, packb({"update": {"a": 1}}))
    )
    rd = read(f)
    assert rd.config == {"a": 1} and rd.tail.clean and rd.other[0].type == 200


def test_history_codec_round_trips_mixed_batches():
    rng = random.Random(7)
    frags = []
    for i in range(500):
        keys = tuple(sorted(rng.sample(["a", "b", "c", "s", "n"], rng.randint(0, 3))))
        vals = tuple(
            {
                "a": rng.random(),
                "b": rng.randint(-5, 2**40),
                "c": float("nan"),
                "s": "x" * rng.randint(0, 3),
                "n": None,
            }[k]
            for k in keys
        )
        frags.append((0, 1000 + i * 2, i // 3, 1.7e9 + i, rng.randint(0, 1), keys, vals))
    frags.append((0, 5000, 1, 1.0, 1, ("big",), (2**70,)))  # beyond int64: stored, not lost
    batch = HistoryBatch(unpackb(packb(encode_history(frags))))
    out = batch.fragments()
    assert len(out) == len(frags)
    for f, (seq, step, ts, commit, data) in zip(frags, out):
        assert (seq, step, ts, commit) == (f[1], f[2], f[3], f[4])
        assert list(data) == list(f[5])
        for k, v in zip(f[5], f[6]):
            got = data[k]
            assert (math.isnan(got) and math.isnan(v)) if isinstance(v, float) and math.isnan(v) else got == v


def test_float_columns_cost_about_eight_bytes_per_point(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    keys = [f"train/m{j}" for j in range(10)]
    for i in range(20_000):
        run.log({k: random.random() for k in keys}, step=i)
    run.finish()
    size = sum(os.path.getsize(os.path.join(run.sync_dir, f)) for f in os.listdir(run.sync_dir))
    assert size / 200_000 < 10  # issue target: under 16 bytes per point


def test_iter_records_reports_offsets_in_order(workdir, quiet_settings):
    run = _small_run(workdir, quiet_settings, steps=10)
    tail = Tail()
    recs = list(iter_records(run.sync_dir, tail))
    assert recs[0].type == RT.RUN and recs[-1].type == RT.EXIT and tail.clean
    assert [r.offset for r in recs] == sorted(r.offset for r in recs)


def test_summary_state_dump_load_round_trip_continues_aggregation():
    from runyard.wire.summary import SummaryState

    a = SummaryState()
    a.define({"name": "loss", "summary": ["min", "mean", "last"]})
    a.add_fragment(("loss", "acc"), (3.0, 0.1), step=0, ts=1.0)
    a.add_fragment(("loss",), (1.0,), step=1, ts=2.0)
    b = SummaryState.load({**a.dump(), "specs": [{"name": "loss", "summary": ["min", "mean", "last"]}]})
    for s in (a, b):
        s.add_fragment(("loss",), (2.0,), step=2, ts=3.0)
    assert a.snapshot() == b.snapshot()
    assert b.values["loss"] == {"min": 1.0, "mean": 2.0, "last": 2.0} and b.values["acc"] == 0.1


def test_float_rows_encode_as_the_values_they_pack():
    """A float row (the SDK's packed form of a call of floats) gives the same HISTORY bytes as the
    tuple it came from, alone or mixed with tuples under the same keys; anything but exact floats
    is refused (ints, bools, a float subclass such as numpy.float64)."""
    import numpy as np

    from runyard.wire.history_codec import check_floats_with_msgspec, float_row, pack_history

    for switch in (
        None,
        check_floats_with_msgspec,
    ):  # the type check, then msgspec's (the SDK's writer switches)
        if switch:
            switch()
        assert float_row((1.0, 2)) is None and float_row((True,)) is None and float_row(()) is None
        assert float_row((np.float64(1.0),)) is None and float_row((1.0, "12345678")) is None
        assert float_row((1.5, -0.0, math.inf)) == struct.pack("<3d", 1.5, -0.0, math.inf)
        assert float_row(tuple([0.5] * 70_000)) is not None and float_row((0.5,) * 20 + (1,)) is None
    for width in (1, 15, 16, 1000):
        keys = tuple(f"k{j}" for j in range(width))
        rows = [tuple(s * 0.5 + j / 3 for j in range(width)) for s in range(40)]
        rows[5] = tuple(math.nan if j % 2 else -math.inf for j in range(width))
        tuples = [(0, s + 1, s, 1.7e9 + s, 1, keys, r) for s, r in enumerate(rows)]
        packed = [f[:6] + (float_row(f[6]),) for f in tuples]
        mixed = [p if s % 3 else t for s, (p, t) in enumerate(zip(packed, tuples))]
        want = packb(encode_history(tuples))
        assert pack_history(packed) == want and pack_history(mixed) == want
    ints = [(0, 1, 0, 1.0, 1, ("a", "b"), float_row((1.0, 2.0))), (0, 2, 1, 2.0, 1, ("a", "b"), (3, "x"))]
    assert HistoryBatch(unpackb(pack_history(ints))).fragments()[1][4] == {"a": 3, "b": "x"}
