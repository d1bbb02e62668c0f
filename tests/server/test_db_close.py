"""Closing the database closes every writer thread's connection: one left checked out is not closed by
the engine's dispose() and is later collected open (psycopg's "deleted while still open")."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from runyard.store.db import Database


def test_close_closes_the_connection_of_every_writer_thread(db_url):
    db = Database(db_url, pg_writers=4)
    n = db._writer._max_workers
    together = threading.Barrier(n)  # n writes running at once: each on its own thread and connection
    conns: list[sa.Connection] = []

    def hold(conn: sa.Connection) -> None:
        conns.append(conn)
        together.wait(timeout=30)

    for f in [db.submit_write(hold) for _ in range(n)]:
        f.result(timeout=30)
    assert len({id(c) for c in conns}) == n
    pool = db.engine.pool
    db.close()
    assert all(c.closed for c in conns)
    assert pool.checkedout() == 0
