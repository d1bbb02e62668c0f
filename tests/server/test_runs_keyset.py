"""Runs lists page by keyset: following next_cursor gives every run once, in the listing's order,
for every sort (columns with NULLs and ties, JSON values with numbers, strings and gaps)."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from runyard.store import Store
from runyard.store.run_values import backfill
from runyard.store.tables import runs


def _project_with_runs(store: Store, n: int) -> int:
    def q(c):
        eid = store.entities.create(c, "u", "user")
        return store.projects.get_or_create(c, eid, "p")

    pid = store.db.write(q)
    rnd = random.Random(3)
    rows = []
    for i in range(n):
        acc = rnd.choice([None, "n/a", rnd.random(), 0.5])  # gaps, strings, ties
        rows.append(
            {
                "project_id": pid,
                "run_id": f"r{i:03d}",
                "name": rnd.choice([None, "a", "b", f"run-{i}"]),
                "state": rnd.choice(["running", "finished", "crashed"]),
                "config": {"lr": {"value": rnd.choice([0.1, 0.01])}, "opt": rnd.choice(["adam", "sgd"])},
                "summary": {} if acc is None else {"acc": acc},
                "summary_state": {},
                "tags": [],
                "flags": {},
                "metadata": {},
                "created_at": float(rnd.randint(0, 20)),  # many ties
                "updated_at": 0.0,
                "heartbeat_at": 0.0,
                "history_points": 0,
            }
        )
    store.db.write(lambda c: c.execute(sa.insert(runs), rows))
    store.db.write(backfill)  # rows inserted past Runs.update: index them as the migration does
    return pid


@pytest.mark.parametrize(
    "order",
    ["-created_at", "+created_at", "name", "-name", "state", "-summary.acc", "+config.lr.value,-name"],
)
def test_cursor_pages_match_one_listing(store, order):
    pid = _project_with_runs(store, 60)
    flt = {"config.opt": "adam"}
    whole, total, nxt = store.db.read(lambda c: store.runs.list(c, pid, flt, order, 1000, with_total=True))
    assert nxt is None and len(whole) == total > 10
    paged, cursor = [], None
    while True:
        page, _, cursor = store.db.read(
            lambda c, cur=cursor: store.runs.list(c, pid, flt, order, 7, cursor=cur)
        )
        paged += page
        if cursor is None:
            break
    assert [r["id"] for r in paged] == [r["id"] for r in whole]
