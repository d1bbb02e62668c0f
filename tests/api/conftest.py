"""The API client's tests share the server suite's fixtures: SQLite and PostgreSQL, a real server."""

from __future__ import annotations

from tests.server.conftest import (  # noqa: F401  (fixtures)
    client_env,
    config,
    db_url,
    home,
    pg_database,
    pytest_configure,
    server,
)
