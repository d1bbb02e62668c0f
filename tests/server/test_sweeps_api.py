"""The server's sweep controller through its API (in-process ASGI client, SQLite and PostgreSQL):
atomic assignment, a grid run once, crashed trials re-queued once, states, access, and what a sweep
page reads (trials with their runs' metric values, importance, correlation, Pareto front)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap

import pytest
from starlette.testclient import TestClient

from runyard.server import create_app
from runyard.wire.reader import find_runlog, read

from .conftest import REPO
from .test_accounts import as_user

S = "/api/v1/sweeps/admin/p"
GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"a": {"values": [1, 2]}, "b": {"values": ["x", "y", "z"]}},
}


def create(client, config, **kw):
    r = client.post(S, json={"config": config, **kw})
    assert r.status_code == 200, r.text
    return r.json()


def nxt(client, sid, agent):
    r = client.post(f"{S}/{sid}/next", json={"agent": agent})
    assert r.status_code == 200, r.text
    return r.json()


def test_grid_runs_every_combination_once_then_finishes(client):
    sid = create(client, GRID)["id"]
    got = []
    for i in range(6):
        a = nxt(client, sid, f"agent-{i % 3}")
        assert a["kind"] == "run" and a["index"] == i
        got.append((a["params"]["a"], a["params"]["b"]))
    assert sorted(got) == sorted((a, b) for a in (1, 2) for b in "xyz")
    assert nxt(client, sid, "agent-0")["kind"] == "wait"  # trials still running: more may be re-queued
    for i in range(6):
        r = client.post(
            f"{S}/{sid}/report", json={"agent": f"agent-{i % 3}", "index": i, "state": "finished"}
        )
        assert r.json() == {"ok": True}
    assert nxt(client, sid, "agent-1")["kind"] == "exit"
    doc = client.get(f"{S}/{sid}").json()
    assert doc["state"] == "finished"
    assert [t["state"] for t in doc["trials"]] == ["finished"] * 6
    (listed,) = client.get(S).json()["sweeps"]
    assert (listed["id"], listed["state"], listed["trial_count"], listed["running"]) == (
        sid,
        "finished",
        6,
        0,
    )


def test_run_cap_and_invalid_config(client):
    sid = create(client, {"method": "random", "run_cap": 2, "parameters": {"x": {"min": 0.0, "max": 1.0}}})[
        "id"
    ]
    assert [nxt(client, sid, "a")["kind"] for _ in range(3)] == ["run", "run", "wait"]
    for i in range(2):
        client.post(f"{S}/{sid}/report", json={"agent": "a", "index": i, "state": "finished"})
    assert nxt(client, sid, "a")["kind"] == "exit"
    doc = client.get(f"{S}/{sid}").json()  # no metric: nothing to rank, and no failure either
    assert (doc["state"], doc["importance"], doc["correlation"]) == ("finished", {}, {})
    r = client.post(S, json={"config": {"method": "anneal", "parameters": {"x": {"value": 1}}}})
    assert r.status_code == 422
    assert r.json()["error"]["key"] == "method" and "grid" in r.json()["error"]["message"]
    r = client.post(f"{S}/{sid}/report", json={"agent": "a", "index": 7, "state": "finished"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_trial"
    assert client.get(f"{S}/nope").status_code == 404


def test_silent_agent_crashes_its_trial_which_is_requeued_once(config):
    # A zero timeout: every trial is overdue by the next call, so the rule shows without waiting.
    with TestClient(
        create_app(dataclasses.replace(config, sweep_heartbeat_timeout=0.0), announce=False)
    ) as c:
        c.headers["Authorization"] = f"Bearer {c.app.state.bootstrap_key}"
        sid = create(c, GRID)["id"]
        first = nxt(c, sid, "dead")
        again = nxt(c, sid, "alive")  # "dead" went silent: trial 0 crashed, re-queued, handed out first
        assert (again["index"], again["params"]) == (first["index"], first["params"])
        assert again["run_id"] != first["run_id"]
        # the silent agent learns it lost the trial, and its late report changes nothing
        assert c.post(f"{S}/{sid}/heartbeat", json={"agent": "dead", "index": 0}).json() == {"stop": True}
        c.post(f"{S}/{sid}/report", json={"agent": "dead", "index": 0, "state": "finished"})
        assert nxt(c, sid, "third")["index"] == 1  # the second attempt went silent too: crashed for good
        t0 = c.get(f"{S}/{sid}").json()["trials"][0]
        assert (t0["state"], t0["attempts"], t0["run_ids"]) == (
            "crashed",
            2,
            [first["run_id"], again["run_id"]],
        )


def test_pause_resume_cancel(client):
    sid = create(client, GRID)["id"]
    a = nxt(client, sid, "a")
    assert client.patch(f"{S}/{sid}", json={"state": "paused"}).json()["state"] == "paused"
    assert nxt(client, sid, "b")["kind"] == "wait"
    client.patch(f"{S}/{sid}", json={"state": "running"})
    assert nxt(client, sid, "b")["kind"] == "run"
    assert client.post(f"{S}/{sid}/heartbeat", json={"agent": "a", "index": a["index"]}).json() == {
        "stop": False
    }
    client.patch(f"{S}/{sid}", json={"state": "canceled"})
    assert client.post(f"{S}/{sid}/heartbeat", json={"agent": "a", "index": a["index"]}).json() == {
        "stop": True
    }
    client.post(f"{S}/{sid}/report", json={"agent": "a", "index": a["index"], "state": "failed"})
    assert nxt(client, sid, "c")["kind"] == "exit"
    assert client.get(f"{S}/{sid}").json()["trials"][0]["state"] == "stopped"
    r = client.patch(f"{S}/{sid}", json={"state": "done"})
    assert r.status_code == 422


def test_access_read_to_view_write_to_run(client):
    sid = create(client, GRID)["id"]
    bob = as_user(client, client.post("/api/v1/users", json={"name": "bob"}).json()["api_key"])
    assert client.get(f"{S}/{sid}", headers=bob).status_code == 403
    assert client.post(f"{S}/{sid}/next", json={"agent": "x"}, headers=bob).status_code == 403
    assert client.post(S, json={"config": GRID}, headers=bob).status_code == 403
    client.post("/api/v1/teams", json={"name": "lab"}, headers=bob)
    r = client.post("/api/v1/sweeps/lab/q", json={"config": GRID}, headers=bob)
    assert r.status_code == 200 and client.get(f"/api/v1/sweeps/lab/q/{r.json()['id']}").status_code == 200


WRITER = textwrap.dedent("""
    import json, sys, runyard
    out = []
    for spec in json.loads(sys.argv[1]):
        run = runyard.init(project="p", id=spec["id"], mode="offline", config=spec["params"],
                           settings={"silent": True, "x_disable_stats": True, "console": "off"})
        for v in spec["values"]:
            runyard.log(v)
        runyard.finish()
        out.append(run.sync_dir)
    print("RESULT " + json.dumps(out))
""")


def upload(client, tmp_path, specs):
    """Offline runs with the given ids and logged values, uploaded as a client's sync would."""
    p = subprocess.run(
        [sys.executable, "-c", WRITER, json.dumps(specs)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    dirs = json.loads(p.stdout.split("RESULT ", 1)[1])
    for spec, d in zip(specs, dirs):
        log = find_runlog(d)
        r = client.post(
            f"/api/v1/ingest/admin/p/{spec['id']}",
            params={"segment": read(log).run["segment"], "offset": 0},
            content=log.read_bytes(),
        )
        assert r.status_code == 200, r.text


def test_sweep_page_reads_metrics_from_runs(client, tmp_path):
    cfg = {
        "method": "random",
        "metric": [{"name": "loss", "goal": "minimize"}, {"name": "acc", "goal": "maximize"}],
        "parameters": {"x": {"min": 0.0, "max": 1.0}, "y": {"min": 0.0, "max": 1.0}},
        # fixed draws: with six random ones, x and y can fall in the same order now and then, and
        # then neither explains more of the loss (seen once in CI: 0.49995 against 0.50005)
        "seed": 7,
    }
    sid = create(client, cfg)["id"]
    trials = [nxt(client, sid, "a") for _ in range(6)]
    # loss follows x and ignores y; acc makes a trade-off with loss, so several trials are Pareto-optimal
    specs = [
        {
            "id": t["run_id"],
            "params": t["params"],
            "values": [{"loss": 3.0 + k} for k in range(3)]
            + [{"loss": t["params"]["x"], "acc": t["params"]["x"] + 0.1 * (i % 2)}],
        }
        for i, t in enumerate(trials)
    ]
    upload(client, tmp_path, specs)
    for t in trials:
        client.post(f"{S}/{sid}/report", json={"agent": "a", "index": t["index"], "state": "finished"})
    doc = client.get(f"{S}/{sid}").json()
    for t, spec in zip(doc["trials"], specs):
        assert t["run_state"] == "finished"
        assert t["metrics"] == {"loss": spec["values"][-1]["loss"], "acc": spec["values"][-1]["acc"]}
    assert doc["correlation"]["loss"]["x"] == pytest.approx(1.0)
    imp = doc["importance"]["loss"]
    assert set(imp) == {"x", "y"} and imp["x"] > imp["y"]
    scores = {t["index"]: (t["metrics"]["loss"], -t["metrics"]["acc"]) for t in doc["trials"]}
    front = set(doc["pareto_front"])
    assert front and all(
        not any(
            all(o <= s for o, s in zip(other, scores[i])) and other != scores[i] for other in scores.values()
        )
        for i in front
    )


def test_config_replaced_while_no_trial_then_refused_with_the_count(client):
    created = create(client, GRID)
    sid, seed = created["id"], created["config"]["seed"]
    new = {**GRID, "parameters": {"a": {"values": [5, 6, 7]}}}
    r = client.patch(f"{S}/{sid}", json={"config": new})
    assert r.status_code == 200, r.text
    assert (r.json()["config"]["parameters"], r.json()["config"]["seed"]) == (new["parameters"], seed)
    # a bad config names its key; nothing changes
    r = client.patch(f"{S}/{sid}", json={"config": {"method": "anneal", "parameters": {"a": {"value": 1}}}})
    assert r.status_code == 422 and r.json()["error"]["key"] == "method"
    assert r.json()["error"]["code"] == "bad_sweep_config"
    r = client.patch(f"{S}/{sid}", json={})
    assert r.status_code == 422 and "config" in r.json()["error"]["message"]
    assert nxt(client, sid, "a")["params"] == {"a": 5}  # the agent runs the new config
    nxt(client, sid, "b")
    r = client.patch(f"{S}/{sid}", json={"config": GRID})
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert (err["code"], err["trials"]) == ("sweep_started", 2) and "2 trial(s)" in err["message"]
    assert client.get(f"{S}/{sid}").json()["config"]["parameters"] == new["parameters"]
    # config and state in one call: the config is refused, so the state does not change either
    r = client.patch(f"{S}/{sid}", json={"config": GRID, "state": "paused"})
    assert r.status_code == 409 and client.get(f"{S}/{sid}").json()["state"] == "running"
    bob = as_user(client, client.post("/api/v1/users", json={"name": "bob"}).json()["api_key"])
    assert client.patch(f"{S}/{sid}", json={"config": GRID}, headers=bob).status_code == 403


def test_heartbeats_answer_stop_after_reap_cancel_and_for_another_agent(client):
    sid = create(client, GRID)["id"]
    a = nxt(client, sid, "a")

    def beat(agent):
        r = client.post(f"{S}/{sid}/heartbeat", json={"agent": agent, "index": a["index"]})
        assert r.status_code == 200, r.text
        return r.json()["stop"]

    assert [beat("a"), beat("a"), beat("someone-else")] == [False, False, True]
    r = client.post(f"{S}/{sid}/heartbeat", json={"agent": "a", "index": 99})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_trial"
    client.patch(f"{S}/{sid}", json={"state": "canceled"})
    assert beat("a") is True


AGENTS = 12


def test_concurrent_agents_get_each_trial_and_attempt_once(config):
    """Agents racing on one sweep over real HTTP, every trial overdue at once (timeout 0), so new
    trials, re-queued claims and reaping all contend: no trial index or attempt goes to two agents,
    each trial runs at most twice, and run_cap holds."""
    import threading

    from runyard.sdk.http_client import Client
    from runyard.server import ServerThread

    cap = 30
    with ServerThread(dataclasses.replace(config, port=0, sweep_heartbeat_timeout=0.0)) as srv:
        c = Client(srv.url, srv.api_key)
        cfg = {"method": "random", "run_cap": cap, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
        sid = c.post_json(S, {"config": cfg})["id"]
        got: list[tuple[str, int, str]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def agent(name: str) -> None:
            cl = Client(srv.url, srv.api_key)
            try:
                while True:
                    a = cl.post_json(f"{S}/{sid}/next", {"agent": name})
                    if a["kind"] == "exit":
                        return
                    if a["kind"] == "run":
                        with lock:
                            got.append((name, a["index"], a["run_id"]))
                        body = {"agent": name, "index": a["index"]}
                        cl.post_json(f"{S}/{sid}/heartbeat", body)
                        cl.post_json(f"{S}/{sid}/report", body | {"state": "finished"})
            except BaseException as e:  # the test thread reports it
                errors.append(e)
            finally:
                cl.close()

        threads = [threading.Thread(target=agent, args=(f"agent-{i}",)) for i in range(AGENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        doc = c.get_json(f"{S}/{sid}")
    assert doc["state"] == "finished" and len(doc["trials"]) == cap
    assert len({run_id for _, _, run_id in got}) == len(got)  # no attempt handed out twice
    by_index: dict[int, int] = {}
    for _, index, _ in got:
        by_index[index] = by_index.get(index, 0) + 1
    assert sorted(by_index) == list(range(cap)) and max(by_index.values()) <= 2
    for t in doc["trials"]:
        assert t["attempts"] == by_index[t["index"]] and len(t["run_ids"]) == t["attempts"]
        assert set(t["run_ids"]) == {r for _, i, r in got if i == t["index"]}
