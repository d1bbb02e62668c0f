"""History rows (store/history_rows.py) against the shared row rule (wire/history_rows.py): every point in exactly one row, pages
that add up to the whole, `require_all` and `samples`."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import numpy as np

from runyard.store.chunks import CHUNK_POINTS, Points
from runyard.store.history_rows import rows
from runyard.wire.api_models.history import MAX_TOTAL_BUCKETS
from runyard.wire.history_rows import assemble_rows


def _fill(store, series: dict[str, list[tuple[int, int, object]]]) -> dict[str, int]:
    """series: key -> [(step, seq, value)] in log order; appended in a few batches like ingest."""

    def setup(c):
        eid = store.entities.create(c, "u", "user")
        pid = store.projects.get_or_create(c, eid, "p")
        return store.runs.get_or_create(c, pid, "r", {"start_time": 1000.0}, None)

    pk = store.db.write(setup)
    for part in range(3):
        batch = {}
        for key, pts in series.items():
            chunk = pts[part::3]
            nums = [p for p in chunk if isinstance(p[2], float)]
            other = [p for p in chunk if not isinstance(p[2], float)]
            parts = []
            for sel, numeric in ((nums, True), (other, False)):
                if sel:
                    parts.append(
                        Points(
                            np.array([p[1] for p in sel], np.int64),
                            np.array([p[0] for p in sel], np.int64),
                            1000.0 + np.array([p[1] for p in sel], np.float64),
                            np.array([p[2] for p in sel]) if numeric else [p[2] for p in sel],
                        )
                    )
            batch[key] = parts
        store.db.write(lambda c, b=batch: store.metrics.append(c, pk, "history", b))
    return store.db.read(lambda c: store.metrics.key_ids(c, pk, "history", list(series)))


def brute(series, lo=None, hi=None, require_all=False):
    """The rows the shared rule (wire/history_rows.py, also the local reader's) gives for these points."""
    points = sorted((seq, step, key, v) for key, pts in series.items() for step, seq, v in pts)
    frags = [
        (step, 1000.0 + seq, {key: v})
        for seq, step, key, v in points
        if (lo is None or step >= lo) and (hi is None or step <= hi)
    ]
    out = [{**values, "_step": step, "_ts": ts} for step, ts, values in assemble_rows(frags)]
    if require_all:
        out = [r for r in out if all(k in r for k in series)]
    return out


def as_dicts(res) -> list[dict]:
    out = []
    for i in range(len(res)):
        d = {"_step": int(res.step[i]), "_ts": float(res.ts[i])}
        for k, col in res.columns.items():
            if col.present[i]:
                v = col.values[i]
                d[k] = float(v) if isinstance(v, np.floating) else v
        out.append(d)
    return out


def same(a: list[dict], b: list[dict]) -> bool:
    def norm(d):
        return {k: ("nan" if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    return [norm(x) for x in a] == [norm(x) for x in b]


def _random_series(seed: int, n: int) -> dict:
    rnd = random.Random(seed)
    seq = 0
    series: dict[str, list] = {"a": [], "b": [], "c": []}
    for step in range(n):
        for key, every in (("a", 1), ("b", 3), ("c", 7)):
            if step % every == 0:
                seq += 1
                v: object = rnd.random() if rnd.random() > 0.05 else math.nan
                if key == "c" and rnd.random() < 0.3:
                    v = f"s{step}"
                series[key].append((step, seq, v))
    for _ in range(n // 10):  # out-of-order and repeated steps
        seq += 1
        series["a"].append((rnd.randrange(n), seq, rnd.random()))
    return series


def test_rows_match_brute_force_and_pages_add_up(store):
    n = CHUNK_POINTS + 500
    series = _random_series(1, n)
    ids = _fill(store, series)
    full = store.db.read(lambda c: rows(c, ids, db=store.db))
    assert full.next_min_step is None and same(as_dicts(full), brute(series))
    assert sum(int(c.present.sum()) for c in full.columns.values()) == sum(len(v) for v in series.values())
    for limit in (97, 1000, 5000):
        got, start, pages = [], None, 0
        while True:
            page = store.db.read(lambda c, s=start, lim=limit: rows(c, ids, min_step=s, limit=lim))
            assert len(page) >= min(limit, 1) or page.next_min_step is None
            got.extend(as_dicts(page))
            pages += 1
            if page.next_min_step is None:
                break
            start = page.next_min_step
        assert same(got, brute(series)), limit
    win = store.db.read(lambda c: rows(c, ids, min_step=100, max_step=250))
    assert same(as_dicts(win), brute(series, 100, 250))
    both = store.db.read(lambda c: rows(c, {"b": ids["b"], "c": ids["c"]}, require_all=True, limit=10))
    assert same(as_dicts(both), brute({"b": series["b"], "c": series["c"]}, require_all=True)[: len(both)])
    assert len(both) >= 10
    s = store.db.read(lambda c: rows(c, ids, samples=10))
    assert len(s) == 10 and s.step[0] == 0 and s.step[-1] == n - 1


def test_chart_and_rows_json_keep_nonfinite_as_strings(client):
    store = client.app_ref.state.store

    def setup(c):
        eid = store.entities.get(c, "admin").id
        pid = store.projects.get_or_create(c, eid, "p")
        return store.runs.get_or_create(c, pid, "r", {"start_time": 1000.0}, None)

    pk = store.db.write(setup)
    vals = np.array([1.0, math.nan, math.inf, -math.inf, 5.0])
    pts = Points(np.arange(1, 6, dtype=np.int64), np.arange(5, dtype=np.int64), 1000.0 + np.arange(5), vals)
    store.db.write(
        lambda c: store.metrics.append(c, pk, "history", {"x": [pts], "y": [pts.take(slice(0, 2))]})
    )
    doc = client.get("/api/v1/runs/admin/p/r/history", params={"keys": "x", "buckets": 5}).json()
    s = doc["series"][0]
    assert s["count"] == [1, 1, 1, 1, 1] and s["min"] == [1.0, "NaN", "Infinity", "-Infinity", 5.0]
    assert s["x"] == [0.0, 0.8, 1.6, 2.4, 3.2] and s["bucket"] == [0, 1, 2, 3, 4]
    rows_doc = client.get("/api/v1/runs/admin/p/r/history/rows", params={"keys": "x,y"}).json()
    assert rows_doc["_step"] == [0, 1, 2, 3, 4] and rows_doc["_runtime"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert rows_doc["columns"]["x"] == [1.0, "NaN", "Infinity", "-Infinity", 5.0]
    assert rows_doc["columns"]["y"] == [1.0, "NaN", None, None, None] and rows_doc["next_min_step"] is None
    both = client.get("/api/v1/runs/admin/p/r/history/rows", params={"keys": "x,y", "require": "all"}).json()
    assert both["_step"] == [0, 1]
    page = client.get("/api/v1/runs/admin/p/r/history/rows", params={"limit": 2, "min_step": 1}).json()
    assert page["_step"] == [1, 2] and page["next_min_step"] == 3
    r = client.get("/api/v1/runs/admin/p/r/history/rows", params={"require": "some"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_parameter"


ROW_RULE_RUN = """
import runyard
run = runyard.init(project="p", id="rule", mode="offline",
                   settings={"silent": True, "console": "off", "x_disable_stats": True})
run.log({"a": 0.0})                       # step 0
run.log({"b": 1.0}, commit=False)         # a fragment of step 1 ...
run.log({"c": 1.5})                       # ... committed with this one
run.log({"a": 2.0}, step=2, commit=False)
run.log({"a": 2.5}, step=2)               # a key repeated at one step
run.log({"a": 5.0, "s": "five"}, step=5)
run.log({"val": 0.9}, step=1)             # late points at a lower step
run.log({"a": 1.1}, step=1)
run.log({"b": 9.0}, step=1)               # late, and b is already at step 1
run.log({"a": 6.0})
run.finish()
print(run.sync_dir)
"""


def test_reader_and_server_give_the_same_rows(server, client_env, tmp_path):
    from runyard.runlog import read

    from .conftest import cli
    from .test_online import api

    (tmp_path / "w").mkdir()
    res = subprocess.run(
        [sys.executable, "-c", ROW_RULE_RUN],
        cwd=tmp_path / "w",
        env=client_env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    local = read(res.stdout.strip()).history()
    cli(["sync", str(tmp_path / "w")], client_env)
    doc = api(server.url, server.api_key, "/api/v1/runs/admin/p/rule/history/rows")
    remote = [
        {
            **{k: col[i] for k, col in doc["columns"].items() if col[i] is not None},
            "_step": doc["_step"][i],
            "_timestamp": doc["_timestamp"][i],
        }
        for i in range(doc["rows"])
    ]
    assert [(r["_step"], {k: v for k, v in r.items() if not k.startswith("_")}) for r in local] == [
        (0, {"a": 0.0}),
        (1, {"b": 1.0, "c": 1.5, "val": 0.9, "a": 1.1}),
        (1, {"b": 9.0}),
        (2, {"a": 2.0}),
        (2, {"a": 2.5}),
        (5, {"a": 5.0, "s": "five"}),
        (5, {"a": 6.0}),
    ]
    assert len(remote) == len(local)
    for mine, theirs in zip(local, remote):
        assert abs(mine.pop("_timestamp") - theirs.pop("_timestamp")) < 1e-5  # the server keeps microseconds
        mine.pop("_runtime")
        assert mine == theirs


def test_project_chart_query_over_several_runs(client):
    """The workspace's chart query: one key of many runs (looked up in a few queries, not per run),
    runs that do not exist or lack the key answered as not found, in the order asked, and a metric
    x axis taken from each run's own x metric."""
    store = client.app_ref.state.store

    def setup(c):
        eid = store.entities.get(c, "admin").id
        pid = store.projects.get_or_create(c, eid, "p")
        other = store.projects.get_or_create(c, eid, "q")
        return [
            store.runs.get_or_create(c, pid, f"r{i}", {"start_time": 1000.0 + i}, None) for i in range(3)
        ] + [store.runs.get_or_create(c, other, "elsewhere", {"start_time": 1000.0}, None)]

    pks = store.db.write(setup)
    steps = np.arange(10, dtype=np.int64)
    for i, pk in enumerate(pks):
        pts = Points(steps + 1, steps, 1000.0 + steps, steps * (i + 1.0))
        series = {"loss": [pts], "epoch": [Points(steps + 1, steps, 1000.0 + steps, steps / 2.0)]}
        if i == 1:
            del series["loss"]  # r1 never logged it
        store.db.write(lambda c, pk=pk, s=series: store.metrics.append(c, pk, "history", s))
    runs = "r2,nope,r0,r1,elsewhere,r0"
    doc = client.get(
        "/api/v1/projects/admin/p/history", params={"key": "loss", "runs": runs, "buckets": 10}
    ).json()
    assert [(s["run"], s["found"]) for s in doc["series"]] == [
        ("r2", True),
        ("nope", False),
        ("r0", True),
        ("r1", False),
        ("elsewhere", False),
        ("r0", True),
    ]
    assert doc["series"][0]["max"][-1] == 27.0 and doc["series"][2]["max"][-1] == 9.0
    assert doc["min"] == 0.0 and doc["max"] == 9.0
    by_epoch = client.get(
        "/api/v1/projects/admin/p/history",
        params={"key": "loss", "runs": "r0,r2", "buckets": 5, "x_axis": "epoch"},
    ).json()
    assert by_epoch["min"] == 0.0 and by_epoch["max"] == 4.5
    assert [s["found"] for s in by_epoch["series"]] == [True, True]
    assert by_epoch["series"][1]["last"][-1] == 27.0


def test_a_chart_of_many_runs_gets_fewer_buckets_each_and_stays_exact(client):
    """A chart over many runs is answered in fewer buckets per run (the answer says how many), so
    its size stays bounded; every point is still counted once."""
    store = client.app_ref.state.store
    n_runs, steps = 300, np.arange(1000, dtype=np.int64)

    def setup(c):
        pid = store.projects.get_or_create(c, store.entities.get(c, "admin").id, "wide")
        pks = [store.runs.get_or_create(c, pid, f"w{i}", {"start_time": 1000.0}, None) for i in range(n_runs)]
        for i, pk in enumerate(pks):
            pts = Points(steps + 1, steps, 1000.0 + steps, steps * 0.5 + i)
            store.metrics.append(c, pk, "history", {"loss": [pts]})

    store.db.write(setup)
    runs = ",".join(f"w{i}" for i in range(n_runs))
    params = {"key": "loss", "buckets": 1000, "min": 0, "max": 999}
    many = client.get("/api/v1/projects/admin/wide/history", params={**params, "runs": runs}).json()
    assert many["buckets"] == MAX_TOTAL_BUCKETS // n_runs < 1000
    for i, s in enumerate(many["series"]):
        assert len(s["count"]) == many["buckets"] and sum(s["count"]) == 1000
        assert s["max"][-1] == 999 * 0.5 + i
    one = client.get("/api/v1/projects/admin/wide/history", params={**params, "runs": "w7"}).json()
    assert one["buckets"] == 1000 and sum(one["series"][0]["count"]) == 1000
