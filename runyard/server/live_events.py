"""The live events about runs (wire/api_models/stream.py) that the paths changing a run publish to the
broker for the live stream (routes/stream.py): built here once, as their models, so the REST routes,
the wandb layer and the background jobs send one shape."""

from __future__ import annotations

from typing import Any

import msgspec

from ..store.ingest import Result
from ..wire import api_models as m


def run_logged(entity: str, project: str, run_id: str, res: Result) -> dict[str, Any]:
    """A run log applied: the run is new (`run.created`) or has more data or a new state."""
    kind = m.RunCreated if res.created else m.RunUpdated
    event = kind(
        entity=entity,
        project=project,
        run_id=run_id,
        state=res.state,
        points=res.points,
        last_step=res.last_step,
        acked_offset=res.acked_offset,
    )
    return msgspec.to_builtins(event)


def run_state(entity: str, project: str, run_id: str, state: str, created: bool = False) -> dict[str, Any]:
    """A run's state or fields changed without new points (an edit, a crash; `created`: moved here)."""
    kind = m.RunCreated if created else m.RunUpdated
    return msgspec.to_builtins(kind(entity=entity, project=project, run_id=run_id, state=state, points=0))


def run_deleted(entity: str, project: str, run_id: str, moved_to: str | None = None) -> dict[str, Any]:
    event = m.RunDeleted(
        entity=entity,
        project=project,
        run_id=run_id,
        moved_to=msgspec.UNSET if moved_to is None else moved_to,
    )
    return msgspec.to_builtins(event)
