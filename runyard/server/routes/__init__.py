"""Routes by resource; `ROUTES` is what the app mounts and what the OpenAPI test checks."""

from __future__ import annotations

from . import (
    accounts,
    artifacts,
    audit,
    files,
    history,
    ingest,
    meta,
    oidc,
    projects,
    registries,
    reports,
    rows,
    runs,
    sessions,
    stream,
    sweeps,
    views,
)

ROUTES = [
    *meta.routes,
    *ingest.routes,
    *projects.routes,
    *runs.routes,
    *history.routes,
    *rows.routes,
    *files.routes,
    *stream.routes,
    *accounts.routes,
    *sessions.routes,
    *oidc.routes,
    *audit.routes,
    *artifacts.routes,
    *registries.routes,
    *sweeps.routes,
    *views.routes,
    *reports.routes,
]
