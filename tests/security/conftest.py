"""Security tests attack a real server on SQLite and PostgreSQL: the server suite's fixtures, reused."""

from tests.server.conftest import (  # noqa: F401
    client,
    client_env,
    config,
    db_url,
    home,
    pg_database,
    pytest_configure,
    server,
)
