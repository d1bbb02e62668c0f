"""A read that runs too long is cancelled by the database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runyard.server.errors import classify
from runyard.store.db import Database, QueryTimeout

FOREVER = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"
FOREVER_TEXT = sa.text(FOREVER)


def test_a_read_over_the_time_limit_is_cancelled(db_url):
    db = Database(db_url, query_timeout_s=0.5)
    try:
        with pytest.raises(QueryTimeout) as info:
            db.read(lambda c: c.exec_driver_sql(FOREVER).scalar())
        err = classify(info.value)
        assert err is not None and (err.status, err.code) == (400, "query_timeout")
        assert db.read(lambda c: c.exec_driver_sql("SELECT 1").scalar()) == 1  # the connection is fine
        # the same on a driver cursor (chart queries read chunks through `fetch_binary`)
        with pytest.raises(QueryTimeout):
            db.read(lambda c: db.fetch_binary(c, FOREVER_TEXT, {}))
        # writes are the server's own work: not limited
        assert db.write(lambda c: c.exec_driver_sql("SELECT count(*) FROM (SELECT 1) t").scalar()) == 1
    finally:
        db.close()
