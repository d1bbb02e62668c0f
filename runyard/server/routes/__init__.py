"""Routes by resource; `ROUTES` is what the app mounts and what the OpenAPI test checks."""

from __future__ import annotations

from . import files, history, ingest, meta, projects, runs, stream

ROUTES = [
    *meta.routes,
    *ingest.routes,
    *projects.routes,
    *runs.routes,
    *history.routes,
    *files.routes,
    *stream.routes,
]
