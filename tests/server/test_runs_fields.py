"""Runs lists with `fields`: each run's config and summary hold only the asked values (nested as
stored; absent where a run lacks them), every other field as without it; a bad list is a 422."""

from __future__ import annotations

import sqlalchemy as sa

from runyard.store.run_values import backfill
from runyard.store.tables import runs

RUNS = "/api/v1/projects/admin/p/runs"


def _runs(client) -> None:
    store = client.app_ref.state.store

    def write(c):
        pid = store.projects.get_or_create(c, store.entities.get(c, "admin").id, "p")
        c.execute(
            sa.insert(runs),
            [
                {
                    "project_id": pid,
                    "run_id": f"r{i}",
                    "name": f"run-{i}",
                    "state": "finished",
                    "config": {"lr": 0.1 * i, "opt": {"name": "adam", "beta": [0.9, 0.99]}, "big": "x" * 100}
                    if i
                    else {"opt": "sgd"},
                    "summary": {"loss": 1.0 / (i + 1), "eval": {"acc": None}, "_step": 9},
                    "summary_state": {},
                    "tags": ["t"],
                    "flags": {},
                    "metadata": {},
                    "created_at": float(i),
                    "updated_at": 0.0,
                    "heartbeat_at": 0.0,
                    "history_points": 0,
                }
                for i in range(3)
            ],
        )

    store.db.write(write)
    store.db.write(backfill)  # rows inserted past Runs.update: index them as the migration does


def test_fields_return_only_asked_values(client):
    _runs(client)
    whole = client.get(RUNS, params={"order": "created_at"}).json()["runs"]
    asked = "config.lr,config.opt.name,summary.eval.acc,summary.missing,config.opt.name.deeper"
    for doc in (
        client.get(RUNS, params={"order": "created_at", "fields": asked}).json(),
        client.post(RUNS + "/query", json={"order": "created_at", "fields": asked.split(",")}).json(),
    ):
        got = doc["runs"]
        assert [r["config"] for r in got] == [
            {},  # r0: no lr, and its opt is a string, not an object with a name
            {"lr": 0.1, "opt": {"name": "adam"}},
            {"lr": 0.2, "opt": {"name": "adam"}},
        ]
        assert [r["summary"] for r in got] == [{"eval": {"acc": None}}] * 3  # a null value is a value
        for full, part in zip(whole, got):  # the rest of each run as without `fields`
            assert {k: v for k, v in part.items() if k not in ("config", "summary")} == {
                k: v for k, v in full.items() if k not in ("config", "summary")
            }
    # a whole sub-document, and a value under it asked too: the document
    got = client.get(RUNS, params={"order": "created_at", "fields": "config.opt.name,config.opt"}).json()
    assert got["runs"][2]["config"] == {"opt": {"name": "adam", "beta": [0.9, 0.99]}}
    # none asked (a query body's empty list): empty documents; the default keeps the whole documents
    none = client.post(RUNS + "/query", json={"order": "created_at", "fields": []}).json()["runs"]
    assert [(r["config"], r["summary"]) for r in none] == [({}, {})] * 3
    assert whole[2]["config"]["big"] == "x" * 100 and whole[2]["summary"]["_step"] == 9


def test_fields_with_filters_sorts_and_pages(client):
    _runs(client)
    q = {"fields": "summary.loss", "order": "-config.lr", "limit": 1, "filter": '{"config.lr": {"$gte": 0}}'}
    first = client.get(RUNS, params=q).json()
    second = client.get(RUNS, params={**q, "cursor": first["next_cursor"]}).json()
    assert [(r["id"], r["config"], r["summary"]) for r in first["runs"] + second["runs"]] == [
        ("r2", {}, {"loss": 1 / 3}),
        ("r1", {}, {"loss": 0.5}),
    ]
    assert second["next_cursor"] is None


def test_bad_fields_are_422_naming_the_problem(client):
    for fields, says in [
        ("lr", "config.<key> or summary.<key>"),
        ("config.", "config.<key> or summary.<key>"),
        ("config.a..b", "config.<key> or summary.<key>"),
        ("tags.x", "config.<key> or summary.<key>"),
        ("config." + "k" * 300, "at most 300 characters"),
        ("config." + ".".join("k" * 9), "keys deep"),
        (",".join(f"summary.m{i}" for i in range(101)), "length <= 100"),
    ]:
        resp = client.get(RUNS, params={"fields": fields})
        assert resp.status_code == 422, (fields, resp.text)
        err = resp.json()["error"]
        assert says in err["message"] and err.get("field") == "fields", err
    resp = client.post(RUNS + "/query", json={"fields": [f"summary.m{i}" for i in range(101)]})
    assert resp.status_code == 422 and "length <= 100" in resp.text and "fields" in resp.text


def test_columns_answer_the_listing_as_columns(client):
    _runs(client)
    q = {"order": "-config.lr", "fields": ["config.lr", "config.opt", "summary.loss"]}
    whole = client.post(RUNS + "/query", json={"order": q["order"]}).json()["runs"]
    cols = client.post(RUNS + "/columns", json=q).json()
    assert cols["id"] == [r["id"] for r in whole] == ["r2", "r1", "r0"]
    for key in ("name", "state", "created_at", "heartbeat_at", "ended_at", "runtime", "last_step", "tags"):
        assert cols[key] == [r[key] for r in whole], key
    assert cols["group"] == [r["group"] for r in whole]
    assert cols["values"] == {
        "config.lr": [0.2, 0.1, None],
        "config.opt": [{"name": "adam", "beta": [0.9, 0.99]}] * 2 + ["sgd"],
        "summary.loss": [1 / 3, 0.5, 1.0],
    }
    assert "config" not in cols and cols["next_cursor"] is None
    # page by cursor, with a filter
    flt = {"config.lr": {"$gte": 0}}
    first = client.post(RUNS + "/columns", json={**q, "limit": 1, "filter": flt}).json()
    second = client.post(
        RUNS + "/columns", json={**q, "limit": 1, "filter": flt, "cursor": first["next_cursor"]}
    )
    assert first["id"] + second.json()["id"] == ["r2", "r1"] and second.json()["next_cursor"] is None
    empty = client.post(
        RUNS + "/columns", json={"filter": {"state": "running"}, "fields": ["config.lr"]}
    ).json()
    assert empty["id"] == [] and empty["values"] == {"config.lr": []}


def test_columns_bounds_are_422(client):
    _runs(client)
    for body, field in [
        ({"fields": ["lr"]}, "fields"),
        ({"fields": [f"summary.m{i}" for i in range(101)]}, "fields"),
        ({"limit": 10_001}, "limit"),
        ({"filter": {"config.lr": {"$bogus": 1}}}, None),
    ]:
        resp = client.post(RUNS + "/columns", json=body)
        assert resp.status_code == 422, (body, resp.text)
        assert field is None or resp.json()["error"].get("field") == field, resp.text
