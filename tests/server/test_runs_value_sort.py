"""Runs lists sorted by a config or summary value read `run_values` through an index: the pages are
exactly those of the JSON expression (numbers, then strings, then runs without the value; ties by
id), on both databases, for values of every type, after updates, moves and deletes, and for runs
that were there before the migration."""

from __future__ import annotations

import importlib
import random

import sqlalchemy as sa

from runyard.store import Store
from runyard.store.tables import run_values

ORDERS = [
    "-summary.acc",
    "+summary.acc",
    "summary_metrics.acc",
    "-config.opt",
    "+config.layers",
    "-summary.eval.acc",
    "+summary.train/loss",
    "-summary.nothing",
]
FILTERS = [None, {"config.opt": "adam"}, {"summary.acc": {"$gt": 0.3}}, {"state": "crashed"}, {"name": "x"}]


def _value(rnd: random.Random):
    return rnd.choice(
        [
            None,  # the key is left out
            "null",
            True,
            False,
            0.5,  # ties
            0.5,
            rnd.random(),
            -rnd.random() * 1e6,
            rnd.randint(-5, 5),
            2**62 + rnd.randint(0, 3),  # integers beyond a double's precision
            "n/a",
            "",
            "é" + str(rnd.randint(0, 3)),
            {"nested": 1},
            [1, 2],
        ]
    )


def _doc(rnd: random.Random) -> tuple[dict, dict]:
    config = {"opt": rnd.choice(["adam", "sgd", 3, None]), "layers": rnd.randint(1, 4)}
    summary: dict = {}
    for key in ("acc", "train/loss"):
        v = _value(rnd)
        if v is not None:
            summary[key] = None if v == "null" else v
    if rnd.random() < 0.7:
        summary["eval"] = {"acc": _value(rnd) or 0}
    return config, summary


def _project(store: Store, n: int, seed: int = 5) -> int:
    rnd = random.Random(seed)

    def fill(c):
        eid = store.entities.get(c, "u") or store.entities.create(c, "u", "user")
        eid = getattr(eid, "id", eid)
        pid = store.projects.get_or_create(c, eid, "p")
        for i in range(n):
            pk = store.runs.get_or_create(c, pid, f"r{i:03d}", {"name": rnd.choice(["x", "y"])}, None)
            config, summary = _doc(rnd)
            state = rnd.choice(["running", "finished", "crashed"])
            store.runs.update(c, pk, config=config, summary=summary, state=state)
        return pid

    return store.db.write(fill)


def _pages(store: Store, pid: int, flt, order: str, size: int) -> list[str]:
    out, cursor = [], None
    while True:
        page, _, cursor = store.db.read(
            lambda c, cur=cursor: store.runs.list(c, pid, flt, order, size, cursor=cur)
        )
        out += [r["id"] for r in page]
        if cursor is None:
            return out


def _unindexed(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(store.runs.compiler, "value_sort", lambda spec: None)


def _listings(store: Store, pid: int) -> dict:
    return {
        (order, str(flt)): (
            store.db.read(lambda c, o=order, f=flt: store.runs.list(c, pid, f, o, 1000))[0],
            _pages(store, pid, flt, order, 7),
        )
        for order in ORDERS
        for flt in FILTERS
    }


def test_value_sorts_match_the_json_expression(store, monkeypatch):
    pid = _project(store, 120)
    indexed = _listings(store, pid)
    with monkeypatch.context() as m:
        _unindexed(store, m)
        expected = _listings(store, pid)
    for key, (whole, paged) in indexed.items():
        want_whole, want_paged = expected[key]
        assert [r["id"] for r in whole] == [r["id"] for r in want_whole], key
        assert whole == want_whole, key  # the same rows, column for column
        assert paged == want_paged == [r["id"] for r in want_whole], key


def test_a_cursor_carries_over_between_the_two_ways(store, monkeypatch):
    """A cursor of the indexed listing continues the JSON expression's listing and back (a server
    upgraded between two pages, or a field that gets an opaque value in between)."""
    pid = _project(store, 60)
    first, _, cursor = store.db.read(lambda c: store.runs.list(c, pid, None, "-summary.acc", 20))
    with monkeypatch.context() as m:
        _unindexed(store, m)
        rest = _pages(store, pid, None, "-summary.acc", 1000)
        second, _, cursor2 = store.db.read(
            lambda c: store.runs.list(c, pid, None, "-summary.acc", 20, cursor=cursor)
        )
    tail, _, _ = store.db.read(lambda c: store.runs.list(c, pid, None, "-summary.acc", 1000, cursor=cursor2))
    assert [r["id"] for r in first + second + tail] == rest


def test_values_follow_updates_moves_and_deletes(store):
    def setup(c):
        eid = store.entities.create(c, "u", "user")
        pid = store.projects.get_or_create(c, eid, "p")
        other = store.projects.get_or_create(c, eid, "q")
        pks = [store.runs.get_or_create(c, pid, f"r{i}", {}, None) for i in range(4)]
        for pk, acc in zip(pks, [0.1, 0.2, 0.3, 0.4]):
            store.runs.update(c, pk, summary={"acc": acc})
        return pid, other, pks

    pid, other, pks = store.db.write(setup)

    def ids(project):
        return [
            r["id"] for r in store.db.read(lambda c: store.runs.list(c, project, None, "-summary.acc"))[0]
        ]

    assert ids(pid) == ["r3", "r2", "r1", "r0"]
    store.db.write(lambda c: store.runs.update(c, pks[0], summary={"acc": 0.9}))
    store.db.write(lambda c: store.runs.update(c, pks[1], summary={"acc": "high"}))
    store.db.write(lambda c: store.runs.update(c, pks[2], summary={"loss": 1}))
    assert ids(pid) == ["r0", "r3", "r1", "r2"]
    store.db.write(lambda c: store.runs.move(c, pks[3], other, "p"))
    store.db.write(lambda c: store.runs.delete(c, pks[0]))
    assert ids(pid) == ["r1", "r2"] and ids(other) == ["r3"]

    # a filtered page by value holds the project's runs only (the project comes from run_values)
    def high(project):
        flt = {"summary.acc": {"$gt": 0.3}}
        return [r["id"] for r in store.db.read(lambda c: store.runs.list(c, project, flt, "-summary.acc"))[0]]

    assert high(pid) == [] and high(other) == ["r3"]
    left = store.db.read(lambda c: c.execute(sa.select(run_values.c.run_pk, run_values.c.project_id)).all())
    assert sorted(left) == [(pks[1], pid), (pks[2], pid), (pks[3], other)]


def test_opaque_values_take_the_json_expression(store, monkeypatch):
    """A string longer than the index holds: the listing is still exact (the JSON expression)."""
    pid = _project(store, 30)
    store.db.write(lambda c: store.runs.update(c, store.runs.pk(c, pid, "r007"), summary={"acc": "z" * 1000}))
    assert store.db.read(lambda c: store.runs._opaque(c, pid, "summary.acc"))
    got = _pages(store, pid, None, "-summary.acc", 4)
    _unindexed(store, monkeypatch)
    assert got == _pages(store, pid, None, "-summary.acc", 1000)


def test_the_migration_indexes_runs_already_there(store, monkeypatch):
    pid = _project(store, 40)
    store.db.write(lambda c: c.execute(sa.delete(run_values)))
    backfill = importlib.import_module(
        "runyard.store.migrations.versions.0017_run_values"
    ).run_values.backfill
    store.db.write(backfill)
    got = {o: _pages(store, pid, None, o, 9) for o in ORDERS}
    _unindexed(store, monkeypatch)
    assert got == {o: _pages(store, pid, None, o, 1000) for o in ORDERS}
