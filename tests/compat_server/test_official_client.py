"""The official wandb client (0.31.0, own venv) against a real runyard server on a free port.

Online run (scalars, nested dicts, strings, console with a `\\r` progress line and stderr, a saved
file, define_metric, non-zero exit), resume with `resume="must"`, and `wandb sync` of an offline run
written by the same client (twice: the second sync adds nothing). Everything is checked through
runyard's own API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import runyard

ONLINE = textwrap.dedent("""
    import json, sys, wandb
    run = wandb.init(project="wb", config={"lr": 0.01, "layers": [64, 32], "opt": {"name": "adam", "b": [0.9, 0.99]}},
                     tags=["t1"], notes="hello notes")
    run.define_metric("acc", summary="max")
    print("hello from the run", flush=True)
    rows = []
    for i in range(12):
        row = {"loss": 1.0 / (i + 1), "acc": (i % 5) * 0.1, "nested": {"a": i, "b": {"c": i * 2}}, "label": f"s{i}"}
        run.log(row)
        rows.append(row)
    for i in range(4):
        print(f"\\rprogress {i}", end="", flush=True)
    print("", flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    with open(run.dir + "/notes.txt", "w") as f:
        f.write("saved bytes \\u00e9\\n")
    run.save(run.dir + "/notes.txt", base_path=run.dir, policy="now")
    run.summary["best"] = 42
    print("EXPECT " + json.dumps({"id": run.id, "name": run.name, "rows": rows}), flush=True)
    sys.exit(3)
""")

RESUME = textwrap.dedent("""
    import sys, wandb
    part = sys.argv[1]
    if part == "first":
        run = wandb.init(project="wb", id="resumeme", config={"lr": 0.1})
        for i in range(4):
            run.log({"loss": float(i)})
        print("first part", flush=True)
        run.finish()
    elif part == "second":
        run = wandb.init(project="wb", id="resumeme", resume="must")
        run.config.update({"extra": 7})
        for i in range(3):
            run.log({"loss": 10.0 + i})
        run.alert(title="hey", text="alert text")
        print("second part", flush=True)
        run.finish()
    else:
        wandb.init(project="wb", id="neverseen", resume="must")
""")

OFFLINE = textwrap.dedent("""
    import json, wandb
    run = wandb.init(project="wb", mode="offline", config={"k": 1}, tags=["a", "b"], notes="offline notes")
    rows = []
    for i in range(30):
        row = {"v": i * 2, "s": "str%d" % i, "f": i / 7}
        run.log(row)
        rows.append(row)
    print("offline line", flush=True)
    run.summary["final"] = "done"
    print("EXPECT " + json.dumps({"id": run.id, "rows": rows}), flush=True)
    run.finish()
""")

STANDARD_FILES = {
    "config.yaml",
    "output.log",
    "requirements.txt",
    "wandb-metadata.json",
    "wandb-summary.json",
}


@pytest.fixture
def wandb_env(server, tmp_path) -> dict:
    home = tmp_path / "client-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        HOME=str(home),
        WANDB_BASE_URL=server.url,  # 127.0.0.1 only
        WANDB_API_KEY=server.api_key,
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB__FILE_STREAM_TRANSMIT_INTERVAL="0.5",
        WANDB_DIR=str(tmp_path),
        WANDB_CACHE_DIR=str(tmp_path / ".cache"),
        WANDB_CONFIG_DIR=str(tmp_path / ".config"),
        WANDB_DATA_DIR=str(tmp_path / ".data"),
    )
    return env


def client_run(python: Path, env: dict, cwd: Path, script: str, *args: str, rc: int = 0) -> dict:
    (cwd / "script.py").write_text(script)
    p = subprocess.run(
        [str(python), "script.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=90
    )
    assert p.returncode == rc, p.stdout + p.stderr
    line = next((x for x in p.stdout.splitlines() if x.startswith("EXPECT ")), None)
    return json.loads(line[len("EXPECT ") :]) if line else {}


def api(server) -> runyard.Api:
    return runyard.Api({"base_url": server.url}, api_key=server.api_key)


def console(server, run_id: str) -> list[tuple[str, str]]:
    from runyard.sdk.http_client import Client

    c = Client(server.url, server.api_key)
    doc = c.get_json(f"/api/v1/runs/admin/wb/{run_id}/console")
    return [(x["stream"], x["line"]) for x in doc["lines"]]


def user_rows(run) -> list[dict]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in run.scan_history()]


def file_text(run, name: str, tmp: Path) -> str:
    (f,) = [f for f in run.files() if f.name == name]
    with f.download(tmp, replace=True) as fh:
        return fh.read()


def check_summary_matches_wandb(run, tmp: Path) -> None:
    wb = json.loads(file_text(run, "wandb-summary.json", tmp))
    for k, v in wb.items():
        if not k.startswith("_"):
            assert run.summary[k] == v, k


def test_online_run(wandb_python, wandb_env, server, tmp_path):
    exp = client_run(wandb_python, wandb_env, tmp_path, ONLINE, rc=3)
    run = api(server).run(f"admin/wb/{exp['id']}")
    assert run.state == "failed" and run.raw["exit_code"] == 3
    assert run.name == exp["name"] and run.tags == ["t1"] and run.raw["notes"] == "hello notes"
    assert run.config["lr"] == 0.01 and run.config["opt"] == {"name": "adam", "b": [0.9, 0.99]}
    assert run.config["layers"] == [64, 32] and "t" in run.config["_wandb"]
    assert user_rows(run) == exp["rows"]  # every row, every value, nested dicts kept nested
    assert [r["_step"] for r in run.scan_history()] == list(range(12))
    check_summary_matches_wandb(run, tmp_path / "dl")
    assert run.summary["best"] == 42 and run.summary["acc"] == {"max": 0.4}
    assert run.raw["metrics"] and run.raw["metrics"][0]["name"] == "acc"
    lines = console(server, exp["id"])
    assert lines[:3] == [("stdout", "hello from the run"), ("stdout", "progress 3"), ("stderr", "to stderr")]
    names = {f.name for f in run.files()}
    assert STANDARD_FILES | {"notes.txt"} <= names
    assert file_text(run, "notes.txt", tmp_path / "dl") == "saved bytes \u00e9\n"
    assert run.metadata["files"]["notes.txt"] == "user" and run.metadata["python"]
    assert run.raw["sdk"] == "wandb 0.31.0"


def test_resume_must(wandb_python, wandb_env, server, tmp_path):
    client_run(wandb_python, wandb_env, tmp_path, RESUME, "first")
    client_run(wandb_python, wandb_env, tmp_path, RESUME, "second")
    client_run(wandb_python, wandb_env, tmp_path, RESUME, "missing", rc=1)  # resume="must", no such run
    run = api(server).run("admin/wb/resumeme")
    assert run.state == "finished"
    assert [(r["_step"], r["loss"]) for r in run.scan_history()] == [
        (0, 0.0),
        (1, 1.0),
        (2, 2.0),
        (3, 3.0),
        (4, 10.0),
        (5, 11.0),
        (6, 12.0),
    ]
    assert run.config["lr"] == 0.1 and run.config["extra"] == 7
    assert [s["resumed"] for s in run.raw["segments"]] == [False, True]
    assert run.metadata["alerts"][0]["title"] == "hey"
    assert [x[1] for x in console(server, "resumeme")] == ["first part", "second part"]
    check_summary_matches_wandb(run, tmp_path / "dl")
    assert [r.id for r in api(server).runs("admin/wb")] == ["resumeme"]


def test_wandb_sync(wandb_python, wandb_env, server, tmp_path):
    env = dict(wandb_env, WANDB_MODE="offline")
    exp = client_run(wandb_python, env, tmp_path, OFFLINE)
    (run_dir,) = (tmp_path / "wandb").glob("offline-run-*")
    for _ in range(2):  # a second sync of the same directory adds nothing
        p = subprocess.run(
            [str(wandb_python), "-m", "wandb", "sync", str(run_dir)],
            cwd=tmp_path,
            env=wandb_env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        run = api(server).run(f"admin/wb/{exp['id']}")
        assert run.state == "finished"
        assert user_rows(run) == exp["rows"]
        assert run.tags == ["a", "b"] and run.raw["notes"] == "offline notes" and run.config["k"] == 1
        assert run.summary["final"] == "done"
        check_summary_matches_wandb(run, tmp_path / "dl")
        assert [x[1] for x in console(server, exp["id"])][:1] == ["offline line"]
        assert len(console(server, exp["id"])) == 2  # and the EXPECT line: nothing doubled
        assert {f.name for f in run.files()} >= STANDARD_FILES
        # history times are the offline run's, not the sync's
        first = next(iter(run.scan_history()))
        assert 0 <= first["_runtime"] < 60 and first["_timestamp"] < run.raw["updated_at"]


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the wandb client venv fixture is POSIX-only")
