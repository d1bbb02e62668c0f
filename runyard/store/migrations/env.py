"""Alembic environment: runs on the connection `runyard.store.db.migrate` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from runyard.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for `alembic` on the command line
    raise RuntimeError("run migrations through runyard.store.db.migrate(), which passes a connection")

context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite"
)
with context.begin_transaction():
    context.run_migrations()
