"""A sweep on a runyard server: the agent's `Backend` over the server's sweep API (next / heartbeat /
report, see docs/sweeps.md), through the SDK's HTTP client. The server reads each trial's metric
values from its run, so heartbeats and reports carry no metrics."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import UsageError
from ..sdk.http_client import ApiError, Client, resolve_credentials
from .config import SweepConfig, parse
from .controller import Assignment

T = TypeVar("T")

# Sweeps this process created: `runyard.agent(id)` right after `runyard.sweep(config, project=...)`
# finds the project without being told again, as in wandb.
_created: dict[str, tuple[str, str]] = {}


def _q(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def connect() -> Client:
    creds = resolve_credentials()
    if creds.api_key is None:
        raise UsageError("no runyard server configured: run `runyard login` or set RUNYARD_API_KEY")
    return Client(creds.base_url, creds.api_key)


def default_project(project: str | None, config: dict | None = None) -> str:
    return (
        project
        or (config or {}).get("project")
        or os.environ.get("RUNYARD_PROJECT")
        or os.environ.get("WANDB_PROJECT")
        or "uncategorized"
    )


def default_entity(client: Client, entity: str | None, config: dict | None = None) -> str:
    return str(
        entity
        or (config or {}).get("entity")
        or os.environ.get("RUNYARD_ENTITY")
        or os.environ.get("WANDB_ENTITY")
        or client.viewer()["default_entity"]
    )


def _call(fn: Callable[..., T], *args: Any) -> T:
    """Refusals (no such sweep, no access, a bad config) become usage errors with the server's words."""
    try:
        return fn(*args)
    except ApiError as e:
        if e.status in (403, 404, 409, 422):
            raise UsageError(e.message) from None
        raise


class ServerSweep:
    def __init__(self, client: Client, entity: str, project: str, sweep_id: str, doc: dict | None = None):
        self.client, self.entity, self.project = client, entity, project
        self.path = f"/api/v1/sweeps/{_q(entity)}/{_q(project)}/{_q(sweep_id)}"
        self.doc = doc if doc is not None else _call(client.get_json, self.path)
        self.config: SweepConfig = parse(self.doc["config"])

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @classmethod
    def create(
        cls,
        client: Client,
        entity: str,
        project: str,
        config: dict,
        sweep_id: str | None = None,
        state: str | None = None,
        trials: list[dict] | None = None,
    ) -> ServerSweep:
        body: dict = {"config": config}
        if sweep_id is not None:
            body.update(id=sweep_id, trials=trials or [], state=state or "running")
        doc = _call(client.post_json, f"/api/v1/sweeps/{_q(entity)}/{_q(project)}", body)
        _created[doc["id"]] = (entity, project)
        return cls(client, entity, project, doc["id"], doc)

    def refresh(self) -> dict:
        self.doc = _call(self.client.get_json, self.path)
        return self.doc

    def state(self) -> str:
        return str(self.refresh()["state"])

    def set_state(self, state: str) -> None:
        self._patch({"state": state})

    def update_config(self, config: dict) -> None:
        """A new configuration while the sweep has no trial (refused with the count after)."""
        self._patch({"config": config})
        self.config = parse(self.doc["config"])

    def _patch(self, change: dict) -> None:
        self.doc = _call(
            lambda: self.client.request(
                "PATCH", self.path, body=json.dumps(change).encode(), content_type="application/json"
            )[1]
        )

    # -- Backend --------------------------------------------------------------------------------
    def next(self, agent: str) -> Assignment:
        d = _call(self.client.post_json, self.path + "/next", {"agent": agent})
        return Assignment(d["kind"], d["index"], d["run_id"], d["params"], d["reason"])

    def heartbeat(self, agent: str, index: int, history: dict[str, list[float]] | None = None) -> bool:
        return bool(self.client.post_json(self.path + "/heartbeat", {"agent": agent, "index": index})["stop"])

    def report(self, agent: str, index: int, state: str, summary: dict | None = None) -> None:
        self.client.post_json(self.path + "/report", {"agent": agent, "index": index, "state": state})


def open_server(sweep_path: str, entity: str | None = None, project: str | None = None) -> ServerSweep:
    """ "entity/project/id", "project/id" or "id" (entity and project from the arguments, the
    environment, or the caller's defaults), as wandb's agent takes them."""
    client = connect()
    parts = sweep_path.strip("/").split("/")
    if len(parts) > 3 or not all(parts):
        raise UsageError(f"sweep {sweep_path!r}: expected entity/project/id, project/id or id")
    sid = parts[-1]
    if len(parts) == 1 and project is None and sid in _created:
        entity, project = entity or _created[sid][0], _created[sid][1]
    project = parts[-2] if len(parts) >= 2 else default_project(project)
    entity = parts[0] if len(parts) == 3 else default_entity(client, entity)
    return ServerSweep(client, entity, project, sid)
