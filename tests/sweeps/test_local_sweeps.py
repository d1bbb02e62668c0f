"""Local (offline) sweeps as a user runs them: no server, agents as processes, runs synced later."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

TRAIN = textwrap.dedent("""
    import sys, time
    import runyard as wandb
    run = wandb.init(config={"lr": 1.0, "depth": 0})
    lr, depth = wandb.config.lr, wandb.config.depth
    slow = float(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else 0
    for i in range(int(wandb.config.get("epochs", 3))):
        wandb.log({"loss": abs(lr - 0.01) * 100 + depth + 1.0 / (i + 1)})
        if wandb.config.get("slow"):
            time.sleep(wandb.config["slow"])
    run.finish()
""")


def _env(tmp: Path, **extra: str) -> dict:
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        RUNYARD_SILENT="true",
        RUNYARD_HOME=str(tmp / "home"),
        RUNYARD_MODE="offline",
        RUNYARD_X_DISABLE_STATS="true",
        RUNYARD_CONSOLE="off",
        RUNYARD_AGENT_HEARTBEAT_INTERVAL="0.2",
        RUNYARD_AGENT_WAIT_INTERVAL="0.2",
    )
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    env.update(extra)
    return env


def _cli(tmp: Path, *args: str, env: dict | None = None, timeout: float = 120) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "runyard", *args],
        cwd=tmp,
        env=env or _env(tmp),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def _trials(tmp: Path, sweep_id: str) -> list[dict]:
    d = tmp / "runyard" / "sweeps" / f"sweep-{sweep_id}" / "trials"
    return [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))]


def _runs(tmp: Path) -> list:
    import runyard.runlog

    return [runyard.runlog.read(d) for d in runyard.runlog.find_run_dirs(tmp / "runyard")]


def test_python_api_grid_sweep_with_a_function_runs_every_combination_once(tmp_path):
    script = tmp_path / "sweep.py"
    script.write_text(
        textwrap.dedent("""
        import runyard as wandb
        cfg = {"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
               "parameters": {"lr": {"values": [0.01, 0.1]}, "depth": {"values": [1, 2, 3]}}}
        sweep_id = wandb.sweep(cfg, project="grid-demo")
        def train():
            run = wandb.init(config={"lr": 1.0, "depth": 0, "keep": "me"})
            for i in range(3):
                wandb.log({"loss": abs(wandb.config.lr - 0.01) * 100 + wandb.config.depth + 1 / (i + 1)})
            run.finish()
        wandb.agent(sweep_id, function=train)
        print(sweep_id)
    """)
    )
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    sweep_id = out.stdout.split()[-1]
    trials = _trials(tmp_path, sweep_id)
    assert sorted((t["params"]["lr"], t["params"]["depth"]) for t in trials) == [
        (lr, d) for lr in (0.01, 0.1) for d in (1, 2, 3)
    ]
    assert {t["state"] for t in trials} == {"finished"}
    runs = {rd.run["run_id"]: rd for rd in _runs(tmp_path)}
    assert len(runs) == 6
    for t in trials:
        rd = runs[t["run_id"]]
        assert rd.config["lr"] == t["params"]["lr"] and rd.config["depth"] == t["params"]["depth"]
        assert (
            rd.config["keep"] == "me" and rd.run["sweep_id"] == sweep_id and rd.run["project"] == "grid-demo"
        )
        assert t["summary"]["loss"] == rd.summary["loss"]


def test_two_local_agents_share_a_random_sweep_exactly_up_to_run_cap(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(
        textwrap.dedent("""
        program: train.py
        method: random
        run_cap: 8
        metric: {name: loss, goal: minimize}
        parameters:
          lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
          depth: {values: [1, 2, 3]}
    """)
    )
    sweep_id = _cli(tmp_path, "sweep", "--local", "-p", "rnd", "sweep.yaml").split()[-1]
    agents = [
        subprocess.Popen(
            [sys.executable, "-m", "runyard", "agent", "--local", sweep_id],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [a.communicate(timeout=240) for a in agents]
    assert [a.returncode for a in agents] == [0, 0], outs
    trials = _trials(tmp_path, sweep_id)
    assert len(trials) == 8 and {t["state"] for t in trials} == {"finished"}
    assert len({t["run_id"] for t in trials}) == 8
    assert len({json.dumps(t["params"], sort_keys=True) for t in trials}) == 8
    ran = sum(int(o.split("ran ")[1].split()[0]) for o, _ in outs)
    assert ran == 8
    assert sorted(rd.run["run_id"] for rd in _runs(tmp_path)) == sorted(t["run_id"] for t in trials)
    assert (tmp_path / "runyard" / "sweeps" / f"sweep-{sweep_id}" / "state").read_text().strip() == "finished"


def test_a_killed_agent_has_its_trial_crashed_and_requeued_once(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(
        textwrap.dedent("""
        program: train.py
        method: grid
        parameters:
          lr: {value: 0.01}
          depth: {values: [1]}
          slow: {value: 0.3}
          epochs: {value: 4}
    """)
    )
    env = _env(tmp_path, RUNYARD_SWEEP_HEARTBEAT_TIMEOUT="1.5")
    sweep_id = _cli(tmp_path, "sweep", "--local", "sweep.yaml", env=env).split()[-1]
    victim = subprocess.Popen(
        [sys.executable, "-m", "runyard", "agent", "--local", sweep_id],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not any(t["state"] == "running" for t in _trials(tmp_path, sweep_id)):
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)  # the agent and its trial die without a word
    victim.wait()
    first = _trials(tmp_path, sweep_id)[0]
    _cli(tmp_path, "agent", "--local", sweep_id, env=env)  # waits out the heartbeat timeout, re-runs it
    (t,) = _trials(tmp_path, sweep_id)
    assert t["state"] == "finished" and t["attempts"] == 2 and t["run_ids"][0] == first["run_id"]
    assert t["run_id"] != first["run_id"] and t["params"] == first["params"]


def test_hyperband_stops_bad_trials_and_their_runs_end_stopped(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(
        textwrap.dedent("""
        program: train.py
        method: grid
        metric: {name: loss, goal: minimize}
        early_terminate: {type: hyperband, min_iter: 2, eta: 2, s: 1}
        parameters:
          lr: {value: 0.01}
          depth: {values: [0, 50]}
          epochs: {value: 400}
          slow: {value: 0.05}
    """)
    )
    sweep_id = _cli(tmp_path, "sweep", "--local", "sweep.yaml").split()[-1]
    agents = [
        subprocess.Popen(
            [sys.executable, "-m", "runyard", "agent", "--local", "--count", "1", sweep_id],
            cwd=tmp_path,
            env=_env(tmp_path),
        )
        for _ in range(2)
    ]
    for a in agents:
        a.wait(timeout=240)
    by_depth = {t["params"]["depth"]: t for t in _trials(tmp_path, sweep_id)}
    assert by_depth[50]["state"] == "stopped"
    runs = {rd.run["run_id"]: rd for rd in _runs(tmp_path)}
    bad = runs[by_depth[50]["run_id"]]
    assert bad.state == "stopped" and len(bad.series("loss")[1]) < 400


@pytest.mark.parametrize("bad", ["method: hill\nparameters: {x: {values: [1]}}\n"])
def test_cli_refuses_an_invalid_config_naming_the_key(tmp_path, bad):
    (tmp_path / "sweep.yaml").write_text(bad)
    out = subprocess.run(
        [sys.executable, "-m", "runyard", "sweep", "--local", "sweep.yaml"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "method" in out.stderr and "grid, random, bayes" in out.stderr


def test_cli_update_replaces_a_local_sweeps_config_until_a_trial_ran(tmp_path):
    (tmp_path / "sweep.yaml").write_text("method: grid\nparameters: {x: {values: [1, 2]}}\n")
    sweep_id = _cli(tmp_path, "sweep", "--local", "sweep.yaml").split()[-1]
    seed = yaml.safe_load((tmp_path / "runyard" / "sweeps" / f"sweep-{sweep_id}" / "sweep.yaml").read_text())
    (tmp_path / "new.yaml").write_text("method: grid\nparameters: {x: {values: [7]}}\n")
    assert "config updated" in _cli(tmp_path, "sweep", "--local", "--update", sweep_id, "new.yaml")
    doc = yaml.safe_load((tmp_path / "runyard" / "sweeps" / f"sweep-{sweep_id}" / "sweep.yaml").read_text())
    assert doc["config"]["parameters"] == {"x": {"values": [7]}}
    assert doc["config"]["seed"] == seed["config"]["seed"]
    (tmp_path / "train.py").write_text("import runyard\nrunyard.init()\nrunyard.finish()\n")
    (tmp_path / "prog.yaml").write_text("program: train.py\nmethod: grid\nparameters: {x: {values: [7]}}\n")
    _cli(tmp_path, "sweep", "--local", "--update", sweep_id, "prog.yaml")
    _cli(tmp_path, "agent", "--local", sweep_id)
    assert [t["params"] for t in _trials(tmp_path, sweep_id)] == [{"x": 7}]
    out = subprocess.run(
        [sys.executable, "-m", "runyard", "sweep", "--local", "--update", sweep_id, "sweep.yaml"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "already has 1 trial(s)" in out.stderr
