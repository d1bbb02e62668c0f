"""The memory a run holds before the run log is bounded in bytes (max_queue_bytes), log() never waits
for the disk, and nothing is lost silently: what does not fit is counted, announced and recorded."""

from __future__ import annotations

import hashlib
import math
import os
import threading
import tracemalloc
from types import SimpleNamespace

import pytest

import runyard
from runyard.runlog import read
from runyard.sdk import stream_uploader
from runyard.sdk.stream_uploader import Uploader


def _held(run) -> int:
    w = run._writer
    return run._queued_bytes - w.drained_bytes + w.unwritten_bytes


def _hang_disk(run) -> tuple[threading.Event, list[bool]]:
    """The writer's next cycle blocks until the returned event is set (a hung disk)."""
    w = run._writer
    real_cycle, back, gave_up = w.cycle, threading.Event(), []

    def hung_cycle():
        if not back.wait(60):  # only if log() waited for the disk: the test then fails, not hangs
            gave_up.append(True)
        real_cycle()

    w.cycle = hung_cycle
    return back, gave_up


@pytest.mark.parametrize("keys", [1, 1000])
def test_bound_holds_and_log_never_waits_when_the_disk_hangs(workdir, capsys, keys):
    """Narrow and wide rows alike (the bound counts bytes, not calls): memory held stays under the
    bound, log() returns while the disk hangs, and every dropped call is counted and recorded."""
    bound = 1 << 20
    settings = runyard.Settings(console="off", x_disable_stats=True, max_queue_bytes=bound)
    run = runyard.init(project="p", mode="offline", settings=settings)
    back, gave_up = _hang_disk(run)
    names = [f"layer{j // 10}/m{j % 10}" for j in range(keys)]
    steps = 60_000 if keys == 1 else 400  # ~8 MB and ~3 MB offered: over the bound
    peak = 0
    for i in range(steps):
        run.log(dict.fromkeys(names, float(i)))
        peak = max(peak, _held(run))
    back.set()
    run.finish()
    assert not gave_up
    assert peak <= bound
    dropped_calls, dropped_values = run._dropped
    assert 0 < dropped_calls < steps and dropped_values == dropped_calls * keys
    err = capsys.readouterr().err
    assert err.count("drops log() calls beyond that") == 1
    rd = read(run.sync_dir)
    assert rd.flags["dropped_log_calls"] == dropped_calls
    assert rd.flags["dropped_log_values"] == dropped_values
    kept = rd.series(names[-1])[1]
    # the calls that fit were kept whole, in order; the rest are the counted ones
    assert kept == [float(i) for i in range(len(kept))] and len(kept) + dropped_calls == steps


def test_nothing_is_lost_while_the_backlog_fits(workdir, quiet_settings):
    """A disk that hangs for a while loses nothing when the backlog fits the bound: floats (packed
    rows), ints, strings, NaN and mixed rows come back exactly."""
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    back, gave_up = _hang_disk(run)
    names = [f"k{j}" for j in range(300)]
    for i in range(200):
        run.log({k: i + j / 7 for j, k in enumerate(names)})
        if i % 50 == 0:
            run.log({"names": names[0], "epoch": i, "nan": math.nan, "mixed": 1 if i % 100 else 0.5})
    back.set()
    run.finish()
    assert not gave_up and run._dropped == [0, 0]
    rd = read(run.sync_dir)
    assert "dropped_log_calls" not in rd.flags
    for j in (0, 151, 299):
        assert rd.series(names[j])[1] == [i + j / 7 for i in range(200)]
    assert rd.series("epoch")[1] == [0, 50, 100, 150]
    assert rd.series("mixed")[1] == [0.5, 1, 0.5, 1]
    assert all(math.isnan(v) for v in rd.series("nan")[1])
    assert run.summary["k299"] == 199 + 299 / 7


def test_summary_follows_every_log_call(workdir, quiet_settings):
    """The summary takes a row without touching its keys (sdk/run.py); reads still see every call."""
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"a": 1.0, "b": 2.0})
    assert run.summary["a"] == 1.0
    run.log({"a": 3.0, "b": 4.0})
    run.log({"b": 5.0})
    assert (run.summary["a"], run.summary["b"]) == (3.0, 5.0)
    run.summary["a"] = 10.0
    run.log({"b": 6.0})
    assert (run.summary["a"], run.summary["b"]) == (10.0, 6.0)
    run.log({"a": 7.0, "b": 8.0})
    del run.summary["b"]
    assert dict(run.summary.items())["a"] == 7.0 and "b" not in run.summary
    run.define_metric("a", summary="max")
    run.log({"a": 1.0})
    assert run.summary["a"] == {"max": 1.0}
    run.finish()


class _StalledServer:
    """The uploader's client for a server that takes chunks only when let through, one at a time."""

    def __init__(self):
        self.received = hashlib.sha256()  # not the bytes: the test measures what the uploader holds
        self.acked = 0
        self.let_through = threading.Semaphore(0)

    def acked_offset(self, *target):
        return 0

    def ingest(self, entity, project, run_id, segment, start, data, live=False):
        if not self.let_through.acquire(timeout=60):
            raise AssertionError("the test never let this chunk through")
        assert start == self.acked
        self.received.update(data)
        self.acked = start + len(data)
        return {"acked_offset": self.acked}

    def upload_run_file(self, *args):
        pass


def test_uploader_holds_a_bounded_window_of_a_large_backlog(workdir, quiet_settings, monkeypatch):
    """A server far behind (a 24 MB backlog) costs the uploader one window of memory, not the
    backlog, and it gets the whole run log exactly once, in order."""
    window = 1 << 20
    monkeypatch.setattr(stream_uploader, "UPLOAD_WINDOW", window)
    monkeypatch.setattr(stream_uploader, "CHUNK_SIZE", window // 4)
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    names = [f"k{j}" for j in range(1000)]
    for i in range(3000):
        run.log(dict.fromkeys(names, i * 0.5))
    run.finish()
    log_path = run._log_path
    size = os.path.getsize(log_path)
    assert size > 20 * window
    server = _StalledServer()
    services = SimpleNamespace(
        server=SimpleNamespace(client=server, default_entity="e"),
        printer=SimpleNamespace(warn=print, info=print),
        run_dir=run.sync_dir,
    )
    up = Uploader(services, ("e", "p", run.id), run._segment, log_path)
    tracemalloc.start()
    try:
        pusher = threading.Thread(target=up.push)
        pusher.start()
        while pusher.is_alive():
            server.let_through.release()
            pusher.join(0.05)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * window
    with open(log_path, "rb") as f:
        assert server.received.digest() == hashlib.sha256(f.read()).digest()
    assert up.acked == size
