"""`runyard.Api()` against a real server, filled by the real SDK and `runyard sync`."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import runyard
from runyard.api import Api, ApiError
from tests.server.conftest import REPO, cli, make_runs

pd = pytest.importorskip("pandas")

# a run whose keys are logged at different rates, with NaN, a repeated step, a string and a file
WRITER = textwrap.dedent("""
    import json, math, sys, runyard
    run = runyard.init(project="p", mode="offline", name="mixed", tags=["base", "v2"], group="g",
                       job_type="train", notes="first", config={"lr": 0.01, "opt": {"name": "adam"}},
                       settings={"silent": True, "x_disable_stats": True})
    for s in range(50):
        row = {"loss": 1.0 / (s + 1)}
        if s % 10 == 0:
            row["val/acc"] = s / 100
        if s == 7:
            row["loss"] = math.nan
        if s == 20:
            row["label"] = "twenty"
        runyard.log(row, step=s)
    with open(run.dir + "/out.txt", "w") as f:
        f.write("hello file")
    runyard.finish()
    print("RESULT " + json.dumps({"id": run.id, "dir": run.sync_dir}))
""")


def _write(cwd: Path, env: dict) -> dict:
    cwd.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [sys.executable, "-c", WRITER], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    line = next(x for x in p.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


@pytest.fixture
def api(server, client_env, monkeypatch):
    monkeypatch.setenv("RUNYARD_HOME", client_env["RUNYARD_HOME"])
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        monkeypatch.delenv(k, raising=False)
    a = runyard.Api()
    yield a
    a.close()


@pytest.fixture
def mixed(server, client_env, tmp_path):
    run = _write(tmp_path / "w", client_env)
    cli(["sync", str(tmp_path / "w")], client_env)
    return run


def test_lazy_name_and_credentials(api, server):
    assert runyard.Api is Api
    assert api.base_url == server.url and api.default_entity == "admin"
    with pytest.raises(ApiError) as e:
        Api(overrides={"base_url": server.url}, api_key="0" * 40).run("admin/p/x")
    assert e.value.status == 401 and isinstance(e.value, runyard.CommError)


def test_run_attributes_update_delete(api, mixed, server):
    run = api.run(f"admin/p/{mixed['id']}")
    assert (run.id, run.name, run.state, run.group, run.job_type, run.notes) == (
        mixed["id"],
        "mixed",
        "finished",
        "g",
        "train",
        "first",
    )
    assert run.config == {"lr": 0.01, "opt": {"name": "adam"}} and run.tags == ["base", "v2"]
    assert run.summary["loss"] == 1 / 50 and run.summary["label"] == "twenty"
    assert run.path == ["admin", "p", mixed["id"]] and run.url == f"{server.url}/admin/p/runs/{mixed['id']}"
    assert len(run.created_at) == 19 and run.created_at[10] == "T"
    assert api.run(f"p/{mixed['id']}").id == run.id  # default entity
    assert api.run(f"admin/p/runs/{mixed['id']}").id == run.id
    run.name, run.notes, run.tags, run.group, run.job_type = "renamed", "second", ["x"], "g2", "eval"
    run.update()
    again = api.run(f"admin/p/{mixed['id']}")
    assert (again.name, again.notes, again.tags, again.group, again.job_type) == (
        "renamed",
        "second",
        ["x"],
        "g2",
        "eval",
    )
    again.delete()
    with pytest.raises(ApiError) as e:
        api.run(f"admin/p/{mixed['id']}")
    assert e.value.status == 404 and e.value.code == "unknown_run"


def test_run_update_persists_config_and_summary_edits(api, mixed):
    run = api.run(f"admin/p/{mixed['id']}")
    run.config["lr"] = 0.5
    run.config["new"] = [1, 2]
    run.summary["best"] = 0.99
    del run.summary["label"]
    run.update()
    again = api.run(f"admin/p/{mixed['id']}")
    assert again.config == {"lr": 0.5, "opt": {"name": "adam"}, "new": [1, 2]}
    assert again.summary["best"] == 0.99 and "label" not in again.summary
    assert again.summary["loss"] == 1 / 50  # what was not edited stays
    assert again.summary["_step"] == run.summary["_step"]
    again.notes = "only notes"
    again.update()  # config and summary untouched: not sent, not changed
    third = api.run(f"admin/p/{mixed['id']}")
    assert (third.notes, third.config, third.summary) == ("only notes", again.config, again.summary)


def test_history_every_row_and_semantics(api, mixed):
    run = api.run(f"admin/p/{mixed['id']}")
    df = run.history()  # not sampled: every row
    assert isinstance(df, pd.DataFrame) and len(df) == 50
    assert list(df["_step"]) == list(range(50))
    assert {"_step", "_runtime", "_timestamp", "loss", "val/acc", "label"} <= set(df.columns)
    assert math.isnan(df["loss"][7]) and df["loss"][3] == 1 / 4
    assert df["val/acc"].notna().sum() == 5 and df["val/acc"][20] == 0.2
    assert df["label"][20] == "twenty" and pd.isna(df["label"][21])
    assert (df["_runtime"] >= 0).all() and (df["_timestamp"] > 1e9).all()
    rows = run.history(pandas=False)
    assert len(rows) == 50 and "val/acc" not in rows[1] and rows[10]["val/acc"] == 0.1
    assert rows[20]["label"] == "twenty" and set(rows[0]) >= {"_step", "_runtime", "_timestamp", "loss"}
    # keys=: only rows that have every key (wandb's semantics)
    both = run.history(keys=["loss", "val/acc"], pandas=False)
    assert [r["_step"] for r in both] == [0, 10, 20, 30, 40]
    assert set(both[0]) == {"_step", "_runtime", "_timestamp", "loss", "val/acc"}
    # explicit downsampling keeps first and last
    s = run.history(samples=5)
    assert len(s) == 5 and s["_step"].iloc[0] == 0 and s["_step"].iloc[-1] == 49
    # x_axis another metric: rows that have it
    assert len(run.history(keys=["loss"], x_axis="val/acc")) == 5


def test_scan_history_pages(api, mixed):
    run = api.run(f"admin/p/{mixed['id']}")
    rows = list(run.scan_history(page_size=7))
    assert [r["_step"] for r in rows] == list(range(50))
    assert [r["_step"] for r in run.scan_history(keys=["val/acc"], page_size=2)] == [0, 10, 20, 30, 40]
    part = list(run.scan_history(keys=["loss"], min_step=10, max_step=14, page_size=2))
    assert [r["_step"] for r in part] == [10, 11, 12, 13, 14] and part[0]["loss"] == 1 / 11


def test_files_download(api, mixed, tmp_path):
    run = api.run(f"admin/p/{mixed['id']}")
    names = [f.name for f in run.files()]
    assert "out.txt" in names and "requirements.txt" in names
    f = run.file("out.txt")
    assert f.size == len("hello file")
    with f.download(root=tmp_path) as fh:
        assert fh.read() == "hello file"
    with pytest.raises(ValueError):
        f.download(root=tmp_path)
    f.download(root=tmp_path, replace=True).close()
    with pytest.raises(ApiError):
        run.file("nope.txt")


def test_runs_filters_order_pages(api, server, client_env, tmp_path):
    made = make_runs(tmp_path / "w", client_env, runs=6, steps=5)
    cli(["sync", str(tmp_path / "w")], client_env)
    for i, r in enumerate(made):
        run = api.run(f"admin/p/{r['id']}")
        run.tags = ["even" if i % 2 == 0 else "odd", f"t{i}"]
        run.name = f"exp-{i}"
        run.update()
    runs = api.runs("admin/p", per_page=2)
    assert len(runs) == 6 and len(list(runs)) == 6 and runs[5].id == list(runs)[5].id
    assert [r.config["i"] for r in api.runs("admin/p")] == [0, 1, 2, 3, 4, 5]  # +created_at
    desc = api.runs("p", order="-summary_metrics.loss", per_page=4)
    assert [r.config["i"] for r in desc] == [5, 4, 3, 2, 1, 0]

    def ids(flt, order="+config.i"):
        return [r.config["i"] for r in api.runs("admin/p", filters=flt, order=order)]

    assert ids({"config.lr": 0.02}) == [1]
    assert ids({"config.lr.value": 0.02}) == [1]  # wandb's form
    assert ids({"config.i.value": {"$gte": 4}}, order="-config.i.value") == [5, 4]
    assert ids({"$and": [{"config.i": {"$gt": 0}}, {"summary_metrics.loss": {"$lt": 5.6}}]}) == [1, 2, 3]
    assert ids({"summary_metrics.loss": {"$gt": 6.2}}) == [5]
    assert ids({"config.i": {"$in": [1, 3]}}) == [1, 3]
    assert ids({"tags": {"$in": ["odd"]}}) == [1, 3, 5]
    assert ids({"tags": {"$regex": "^t[0-2]$"}}) == [0, 1, 2]
    assert ids({"display_name": {"$regex": "exp-[45]"}}) == [4, 5]
    assert ids({"$or": [{"config.i": 0}, {"state": "crashed"}]}) == [0]
    with pytest.raises(ApiError) as e:
        list(api.runs("admin/p", filters={"config.i": {"$bogus": 1}}))
    assert e.value.status == 422 and e.value.code == "bad_filter"
    with pytest.raises(ApiError):
        list(api.runs("admin/p", filters={"name": {"$regex": "(unclosed"}}))


FRESH = textwrap.dedent("""
    import json, sys, time
    import runyard
    t0 = time.perf_counter()
    api = runyard.Api()
    run = api.run(sys.argv[1])
    rows = run.history(keys=["loss"], pandas=False)
    dt = time.perf_counter() - t0
    # the run's document is not read: neither msgspec nor the API models load (~15 ms)
    typed = sorted(m for m in sys.modules if m.startswith(("msgspec", "runyard.wire.api_models")))
    print(json.dumps({"n": len(rows), "s": dt, "typed": typed, "state": run.state}))
""")


def test_fresh_process_reads_history(server, client_env, tmp_path):
    (r,) = make_runs(tmp_path / "w", client_env, steps=2000, keys=["loss", "acc"])
    cli(["sync", str(tmp_path / "w")], client_env)
    env = dict(client_env, PYTHONPATH=str(REPO))
    p = subprocess.run(
        [sys.executable, "-c", FRESH, f"admin/p/{r['id']}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.fspath(tmp_path),
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["n"] == 2000 and out["typed"] == [] and out["state"] == "finished"


def test_run_document_is_checked_when_first_read(monkeypatch):
    """`api.run(path)` decodes the run's document when an attribute of it is first read (or set); a
    malformed one is then an ApiError naming it, at every read."""
    from runyard.api.http import Http

    answers = iter([(b'{"id": "x", "state": 3}', "application/json")])
    monkeypatch.setattr(Http, "_send", lambda self, *a: next(answers))
    run = Api(overrides={"base_url": "http://127.0.0.1:9"}, api_key="0" * 40).run("e/p/x")
    assert run.id == "x" and run.path == ["e", "p", "x"]
    for _ in range(2):
        with pytest.raises(ApiError) as e:
            run.config  # noqa: B018 (the read is what is tested)
        assert e.value.code == "bad_answer" and "GET /api/v1/runs/e/p/x" in str(e.value)
    with pytest.raises(ApiError):
        run.name = "set before any read"


def test_http_errors_are_one_comm_error_type():
    """The SDK's and runyard.Api's HTTP errors are one class, a runyard CommError (nothing re-wraps)."""
    from runyard.api import ApiError as ApiClientError
    from runyard.errors import ApiError, CommError
    from runyard.sdk.http_client import ApiError as SdkApiError

    assert ApiClientError is ApiError is SdkApiError and issubclass(ApiError, CommError)
