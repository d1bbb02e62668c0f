"""Sweeps with the official wandb client (0.31.0, own venv) against a real runyard server: the script a
user writes (`wandb.sweep` + `wandb.agent`, random then grid, `Api().sweep().best_run()`) runs unchanged,
the same script tests/server/test_sweeps_online.py runs with `import runyard as wandb`; and the
`wandb sweep` / `wandb agent` commands create, run, pause and resume a sweep of a program."""

from __future__ import annotations

import contextlib
import os
import subprocess
import textwrap

from runyard.sdk.http_client import Client
from tests.server.test_sweeps_online import USER_SCRIPT

from .test_official_client import wandb_env  # noqa: F401

DEADLINE = 420


def sweeps(server, entity_project: str) -> list[dict]:
    return Client(server.url, server.api_key).get_json(f"/api/v1/sweeps/{entity_project}")["sweeps"]


def sweep_doc(server, path: str) -> dict:
    return Client(server.url, server.api_key).get_json(f"/api/v1/sweeps/{path}")


def test_user_script_with_the_official_client(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    (tmp_path / "script.py").write_text(USER_SCRIPT)
    p = subprocess.run(
        [str(wandb_python), "script.py", "wandb"],
        cwd=tmp_path,
        env=wandb_env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.split("RESULT ")[1].split() == ["0.3", "1", "6"]
    listed = sweeps(server, "admin/user")
    assert sorted((s["method"], s["trial_count"]) for s in listed) == [("grid", 6), ("random", 4)]
    grid = sweep_doc(server, f"admin/user/{next(s['id'] for s in listed if s['method'] == 'grid')}")
    combos = sorted((t["params"]["x"], t["params"]["y"]) for t in grid["trials"])
    assert combos == [(x, y) for x in (0.1, 0.3) for y in (1, 2, 3)]  # every combination, once
    assert {t["state"] for t in grid["trials"]} == {"finished"}
    assert {t["run_state"] for t in grid["trials"]} == {"finished"}
    assert grid["state"] == "finished"


TRAIN = textwrap.dedent("""
    import argparse, wandb
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float)
    ap.add_argument("--layers", type=int)
    args = ap.parse_args()
    run = wandb.init()
    assert run.config.lr == args.lr and run.config.layers == args.layers
    for step in range(3):
        wandb.log({"acc": args.layers * 0.1 + args.lr})
    run.finish()
""")

SWEEP_YAML = textwrap.dedent("""
    program: train.py
    method: grid
    metric: {name: acc, goal: maximize}
    parameters:
      lr: {values: [0.1, 0.2]}
      layers: {values: [1, 2]}
""")


def test_wandb_sweep_and_wandb_agent_commands(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(SWEEP_YAML)

    def wandb(*args: str) -> subprocess.CompletedProcess:
        p = subprocess.run(
            [str(wandb_python), "-m", "wandb", *args],
            cwd=tmp_path,
            # the agent starts `python` from PATH: the client's venv
            env=dict(wandb_env, WANDB_SILENT="false", PATH=f"{wandb_python.parent}:{os.environ['PATH']}"),
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        return p

    out = wandb("sweep", "--project", "cli", "sweep.yaml")
    path = out.stderr.split("wandb agent ")[1].split()[0]
    assert path.startswith("admin/cli/")
    # `wandb sweep --update` before any trial: the new config is the one the agent runs (seed kept)
    seed = sweep_doc(server, path)["config"]["seed"]
    (tmp_path / "sweep.yaml").write_text(SWEEP_YAML.replace("[0.1, 0.2]", "[0.1, 0.3]"))
    wandb("sweep", "--update", path, "sweep.yaml")
    doc = sweep_doc(server, path)
    assert doc["config"]["parameters"]["lr"] == {"values": [0.1, 0.3]} and doc["config"]["seed"] == seed
    wandb("sweep", "--pause", path)
    assert sweep_doc(server, path)["state"] == "paused"
    wandb("sweep", "--resume", path)
    assert sweep_doc(server, path)["state"] == "running"
    wandb("agent", path)  # runs all four combinations, then is told to exit
    doc = sweep_doc(server, path)
    assert sorted((t["params"]["lr"], t["params"]["layers"]) for t in doc["trials"]) == [
        (0.1, 1),
        (0.1, 2),
        (0.3, 1),
        (0.3, 2),
    ]
    assert {(t["state"], t["run_state"]) for t in doc["trials"]} == {("finished", "finished")}
    assert doc["state"] == "finished"
    # once trials ran, the config stays: the client reports the server's reason and fails
    p = subprocess.run(
        [str(wandb_python), "-m", "wandb", "sweep", "--update", path, "sweep.yaml"],
        cwd=tmp_path,
        env=wandb_env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert p.returncode != 0 and "already has 4 trial(s)" in p.stdout + p.stderr, p.stdout + p.stderr


WAIT_TRAIN = textwrap.dedent("""
    import pathlib, time
    pathlib.Path("started").touch()
    while not pathlib.Path("go").exists():  # the test says when the trial may end
        time.sleep(0.05)
""")


def test_wandb_agent_stops_when_its_sweep_is_gone(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    """`wandb agent` on a sweep that does not exist stops at once; an agent whose sweep is deleted
    (with its project) while a trial runs lets the trial finish, then stops, instead of polling a
    sweep that will never answer again (W&B's agent stops on a 404 to its heartbeat, nothing else)."""
    (tmp_path / "train.py").write_text(WAIT_TRAIN)
    env = dict(wandb_env, WANDB_SILENT="false", PATH=f"{wandb_python.parent}:{os.environ['PATH']}")
    agent = [str(wandb_python), "-m", "wandb", "agent"]
    p = subprocess.run(
        [*agent, "admin/gone/nope1234"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert p.returncode != 0 and "Sweep admin/gone/nope1234 not found" in p.stderr, p.stdout + p.stderr

    api = Client(server.url, server.api_key)
    cfg = {"program": "train.py", "method": "grid", "parameters": {"x": {"values": [1, 2]}}}
    sid = api.post_json("/api/v1/sweeps/admin/gone", {"config": cfg})["id"]
    proc = subprocess.Popen(
        [*agent, f"admin/gone/{sid}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not (tmp_path / "started").exists():  # the first trial runs
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.1)
            assert proc.returncode is None, proc.communicate()
        api.request("DELETE", "/api/v1/projects/admin/gone")
        (tmp_path / "go").touch()
        out, err = proc.communicate(timeout=DEADLINE)
    finally:
        proc.kill()
    assert "Sweep was deleted or agent was not found" in err, out + err
