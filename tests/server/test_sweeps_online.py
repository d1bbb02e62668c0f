"""Server-backed sweeps with real agents as subprocesses against a real server (SQLite and PostgreSQL):
several agents share a run_cap exactly, a grid runs once, an agent killed mid-trial has its trial
crashed and re-queued once, and the script a user writes (`import runyard as wandb`) works."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from runyard.server import ServerThread

from .conftest import cli
from .test_online import _key, api

DEADLINE = 180.0

TRAIN = textwrap.dedent("""
    import os, sys, runyard
    run = runyard.init(settings=runyard.Settings(x_disable_stats=True, console="off"))
    hold = os.environ.get("HOLD_FILE")
    if hold:  # the test kills this trial's agent while it runs
        open(hold, "w").write(run.id)
        import time
        while True:
            time.sleep(0.05)
    runyard.log({"loss": (run.config.x - 0.3) ** 2})
    runyard.finish()
""")

SWEEP_YAML = textwrap.dedent("""
    program: train.py
    method: random
    run_cap: 12
    metric: {name: loss, goal: minimize}
    parameters:
      x: {min: 0.0, max: 1.0}
""")


def wait_for(fn, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def agent_env(env: dict) -> dict:
    return env | {"RUNYARD_AGENT_HEARTBEAT_INTERVAL": "0.2", "RUNYARD_AGENT_WAIT_INTERVAL": "0.2"}


def sweep_doc(server, home, path):
    return api(server.url, _key(home), f"/api/v1/sweeps/{path}")


def test_three_agents_share_a_run_cap_exactly(server, home, client_env, tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(SWEEP_YAML)
    out = cli(["sweep", "--project", "sw", "sweep.yaml"], client_env, cwd=tmp_path)
    sid = out.stdout.strip().splitlines()[-1]
    assert f"runyard agent admin/sw/{sid}" in out.stderr
    agents = [
        subprocess.Popen(
            [sys.executable, "-m", "runyard.cli.main", "agent", f"admin/sw/{sid}"],
            cwd=tmp_path,
            env=agent_env(client_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [a.communicate(timeout=DEADLINE) for a in agents]
    assert all(a.returncode == 0 for a in agents), outs
    doc = sweep_doc(server, home, f"admin/sw/{sid}")
    trials = doc["trials"]
    assert len(trials) == 12 and doc["state"] == "finished"
    assert len({t["params"]["x"] for t in trials}) == 12 and len({t["run_id"] for t in trials}) == 12
    assert all(t["state"] == "finished" and t["run_state"] == "finished" for t in trials)
    assert sum(int(o[0].split("ran ")[1].split()[0]) for o in outs) == 12


def test_killed_agent_trial_is_crashed_and_requeued_once(config, home, client_env, tmp_path):
    with ServerThread(dataclasses.replace(config, port=0, sweep_heartbeat_timeout=2.0)) as server:
        env = agent_env(client_env | {"RUNYARD_BASE_URL": server.url, "RUNYARD_API_KEY": _key(home)})
        (tmp_path / "train.py").write_text(TRAIN)
        (tmp_path / "sweep.yaml").write_text(SWEEP_YAML.replace("run_cap: 12", "run_cap: 2"))
        sid = cli(["sweep", "--project", "sw", "sweep.yaml"], env, cwd=tmp_path).stdout.split()[-1]
        path = f"admin/sw/{sid}"
        hold = tmp_path / "held"
        victim = subprocess.Popen(
            [sys.executable, "-m", "runyard.cli.main", "agent", path],
            cwd=tmp_path,
            env=env | {"HOLD_FILE": str(hold)},
            start_new_session=True,  # its trial (a child) dies with it
        )
        wait_for(hold.exists, "the first trial to start")
        first_run = hold.read_text() or wait_for(hold.read_text, "the trial's run id")
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        survivor = cli(["agent", path], env, cwd=tmp_path)
        assert "ran 2 trial" in survivor.stdout
        t0, t1 = sweep_doc(server, home, path)["trials"]
        assert (t0["state"], t0["attempts"], t0["run_ids"][0]) == ("finished", 2, first_run)
        assert t0["run_id"] != first_run and t1["state"] == "finished"


def test_offline_sweep_with_two_local_agents_then_sync(server, home, client_env, tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "sweep.yaml").write_text(SWEEP_YAML.replace("run_cap: 12", "run_cap: 5"))
    sid = cli(
        ["sweep", "--local", "--project", "off", "sweep.yaml"], client_env, cwd=tmp_path
    ).stdout.split()[-1]
    env = agent_env(client_env)
    agents = [
        subprocess.Popen(
            [sys.executable, "-m", "runyard.cli.main", "agent", "--local", sid],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [a.communicate(timeout=DEADLINE) for a in agents]
    assert all(a.returncode == 0 for a in agents), outs
    out = cli(["sync"], client_env, cwd=tmp_path)
    assert f"sweep admin/off/{sid} uploaded" in out.stdout and "5 run(s) uploaded" in out.stdout
    doc = sweep_doc(server, home, f"admin/off/{sid}")
    assert len(doc["trials"]) == 5 and doc["state"] == "finished"
    assert all(t["run_state"] == "finished" and t["metrics"]["loss"] is not None for t in doc["trials"])
    runs = api(server.url, _key(home), "/api/v1/projects/admin/off/runs")["runs"]
    assert sorted(r["id"] for r in runs) == sorted(t["run_id"] for t in doc["trials"])
    assert "0 run(s) uploaded" in cli(["sync"], client_env, cwd=tmp_path).stdout  # again: nothing new
    assert len(sweep_doc(server, home, f"admin/off/{sid}")["trials"]) == 5


SLOW_TRAIN = textwrap.dedent("""
    import time, runyard
    run = runyard.init(settings=runyard.Settings(x_disable_stats=True, console="off"))
    for i in range(400):
        runyard.log({"loss": run.config.depth + 1.0 / (i + 1)})
        time.sleep(0.05)
    runyard.finish()
""")


def test_hyperband_stops_the_bad_arm(server, home, client_env, tmp_path):
    (tmp_path / "train.py").write_text(SLOW_TRAIN)
    (tmp_path / "sweep.yaml").write_text(
        textwrap.dedent("""
        program: train.py
        method: grid
        metric: {name: loss, goal: minimize}
        early_terminate: {type: hyperband, min_iter: 2, eta: 2, s: 1}
        parameters:
          depth: {values: [0, 50]}
    """)
    )
    sid = cli(["sweep", "--project", "hb", "sweep.yaml"], client_env, cwd=tmp_path).stdout.split()[-1]
    agents = [
        subprocess.Popen(
            [sys.executable, "-m", "runyard.cli.main", "agent", "--count", "1", f"admin/hb/{sid}"],
            cwd=tmp_path,
            env=agent_env(client_env),
        )
        for _ in range(2)
    ]
    for a in agents:
        assert a.wait(timeout=DEADLINE) == 0
    by_depth = {t["params"]["depth"]: t for t in sweep_doc(server, home, f"admin/hb/{sid}")["trials"]}
    assert by_depth[50]["state"] == "stopped" and by_depth[0]["state"] == "finished"
    run = api(server.url, _key(home), f"/api/v1/runs/admin/hb/{by_depth[50]['run_id']}")
    assert run["history_points"] < 400 and run["state"] == "stopped"


USER_SCRIPT = textwrap.dedent("""
    import sys
    if sys.argv[1] == "runyard":
        import runyard as wandb
    else:
        import wandb

    def train():
        run = wandb.init()
        for step in range(3):
            wandb.log({"loss": (run.config.x - 0.3) ** 2 + run.config.y * 0.01 + 1.0 / (step + 1)})
        run.finish()

    random_id = wandb.sweep({"method": "random", "metric": {"name": "loss", "goal": "minimize"},
                             "parameters": {"x": {"min": 0.0, "max": 1.0}, "y": {"values": [1, 2]}}},
                            project="user")
    wandb.agent(random_id, function=train, count=4)
    grid_id = wandb.sweep({"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                           "parameters": {"x": {"values": [0.1, 0.3]}, "y": {"values": [1, 2, 3]}}},
                          project="user")
    wandb.agent(grid_id, function=train)
    api = wandb.Api()
    r = api.sweep(f"{api.default_entity}/user/{random_id}")
    assert len(r.runs) == 4, r.runs
    best = api.sweep(f"{api.default_entity}/user/{grid_id}").best_run()
    print("RESULT", best.config["x"], best.config["y"], len(api.sweep(f"{api.default_entity}/user/{grid_id}").runs))
""")


def test_user_script_with_import_runyard_as_wandb(server, home, client_env, tmp_path):
    (tmp_path / "script.py").write_text(USER_SCRIPT)
    env = agent_env(client_env)
    p = subprocess.run(
        [sys.executable, "script.py", "runyard"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.split("RESULT ")[1].split() == ["0.3", "1", "6"]
    sweeps = api(server.url, _key(home), "/api/v1/sweeps/admin/user")["sweeps"]
    assert sorted((s["method"], s["trial_count"], s["state"]) for s in sweeps) == [
        ("grid", 6, "finished"),
        ("random", 4, "running"),
    ]
    assert json.dumps(sweeps)  # the listing is plain JSON


def test_cli_update_replaces_the_config_until_a_trial_ran(server, home, client_env, tmp_path):
    from runyard.sdk.http_client import Client

    (tmp_path / "sweep.yaml").write_text(SWEEP_YAML)
    sid = cli(["sweep", "--project", "sw", "sweep.yaml"], client_env, cwd=tmp_path).stdout.split()[-1]
    path = f"admin/sw/{sid}"
    seed = sweep_doc(server, home, path)["config"]["seed"]
    (tmp_path / "new.yaml").write_text(SWEEP_YAML.replace("max: 1.0", "max: 0.5"))
    out = cli(["sweep", "--update", path, "new.yaml"], client_env, cwd=tmp_path)
    assert f"sweep {sid}: config updated" in out.stdout
    doc = sweep_doc(server, home, path)
    assert (doc["config"]["parameters"]["x"], doc["config"]["seed"]) == ({"min": 0.0, "max": 0.5}, seed)
    c = Client(server.url, _key(home))
    try:
        assert c.post_json(f"/api/v1/sweeps/{path}/next", {"agent": "a"})["params"]["x"] <= 0.5
    finally:
        c.close()
    out = cli(["sweep", "--update", path, "sweep.yaml"], client_env, cwd=tmp_path, check=False)
    assert out.returncode != 0 and "already has 1 trial(s)" in out.stderr
    assert sweep_doc(server, home, path)["config"]["parameters"]["x"]["max"] == 0.5
