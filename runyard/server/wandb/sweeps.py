"""Sweeps through wandb's GraphQL: what `wandb.sweep`, `wandb.agent` and the `wandb sweep` /
`wandb agent` commands send, answered by runyard's own sweep controller (store/sweeps.py).

| wandb operation | runyard |
|---|---|
| `UpsertSweep` without `id` | create a sweep (the config is W&B's YAML, validated by sweeps/config.py) |
| `UpsertSweep` with `id` and `state` | pause (`PAUSED`), resume (`RUNNING`), stop (`FINISHED`: running trials finish, no new ones), cancel (`CANCELED`) |
| `UpsertSweep` with `id` and `config` (`wandb sweep --update`) | a new config while the sweep has no trial yet (store/sweeps.py `update_config`); refused once one ran |
| `CreateAgent` | an agent id naming the sweep and a fresh agent name (no table: the trials record which agent runs them) |
| `Heartbeat` (`agentHeartbeat`) | the agent lists its live runs; its other trials ended (their runs' states); the answer is `stop` commands for live runs hyperband or a cancel stops, else, once it runs nothing, one `run` command (`args` = `{name: {value}}`), or `exit` |
| `project.sweep(sweepName)`, `project.sweeps`, `totalSweeps` | the sweep's fields (state in W&B's words, config as YAML), its runs through the run filter `{"sweep": id}` |

W&B's agent heart-beats every few seconds and stops once its `count` is done without a last word; a
trial whose run ended by itself is then settled from the run (store/sweeps.py `settle`), not crashed.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
import yaml
from graphql import GraphQLError, GraphQLResolveInfo
from sqlalchemy.engine import Connection

from ...store import Store, User
from ...store.limits import load_json
from ...sweeps.config import parse
from ...sweeps.controller import Assignment
from ...sweeps.errors import SweepConfigError
from ...sweeps.search import grid_size
from .. import access
from ..errors import ApiError
from .names import decode_id, encode_id
from .reads import iso
from .runs import project_obj


class AnswerStatus(GraphQLError):
    """A GraphQL error the whole answer takes the HTTP status of (graphql_endpoint), where wandb's
    client acts on the status alone: its sweep agent stops on a 404 to its heartbeat (the sweep is
    gone, as W&B answers) and takes any other failure for a passing outage, polling forever."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


SDL = """
extend type Mutation {
  upsertSweep(input: UpsertSweepInput!): UpsertSweepPayload
  createAgent(input: CreateAgentInput!): CreateAgentPayload
  agentHeartbeat(input: AgentHeartbeatInput!): AgentHeartbeatPayload
}

extend type Project {
  sweep(sweepName: String!): Sweep
  sweeps(after: String, first: Int, filters: JSONString): SweepConnection
  totalSweeps: Int!
}

extend type Run {
  exitcode: Int
  shouldStop: Boolean
  failed: Boolean
  stopped: Boolean
  running: Boolean
}

input UpsertSweepInput {
  id: ID
  config: String
  description: String
  entityName: String
  projectName: String
  controller: JSONString
  launchScheduler: JSONString
  templateVariableValues: JSONString
  scheduler: JSONString
  state: String
  priorRunsFilters: JSONString
  displayName: String
  clientMutationId: String
}

type UpsertSweepPayload {
  sweep: Sweep
  configValidationWarnings: [String!]!
  inserted: Boolean
  clientMutationId: String
}

type Sweep {
  id: ID!
  name: String!
  displayName: String
  method: String!
  state: String!
  description: String
  bestLoss: Float
  config: String!
  createdAt: DateTime!
  updatedAt: DateTime
  heartbeatAt: DateTime
  earlyStopJobRunning: Boolean
  controller: JSONString
  scheduler: JSONString
  runCount: Int!
  runCountExpected: Int
  project: Project
  runs(first: Int, after: String, order: String): RunConnection
}

type SweepEdge { node: Sweep!, cursor: String! }
type SweepConnection { edges: [SweepEdge!]!, pageInfo: PageInfo! }

input CreateAgentInput {
  id: ID
  host: String!
  projectName: String
  entityName: String
  sweep: String!
  persistent: Boolean
  clientMutationId: String
}

type Agent { id: ID!, name: String!, host: String, state: String }
type CreateAgentPayload { agent: Agent, clientMutationId: String }

input AgentHeartbeatInput {
  id: ID!
  metrics: JSONString
  runState: JSONString
  clientMutationId: String
}

type AgentHeartbeatPayload { agent: Agent, commands: JSONString, clientMutationId: String }
"""

# W&B's sweep states <-> runyard's (W&B's `wandb sweep --stop` sends FINISHED: let running trials end)
TO_RUNYARD = {"RUNNING": "running", "PAUSED": "paused", "FINISHED": "stopped", "CANCELED": "canceled"}
TO_WANDB = {
    "running": "RUNNING",
    "paused": "PAUSED",
    "stopped": "FINISHED",
    "canceled": "CANCELED",
    "finished": "FINISHED",
}
MAX_HOST = 64  # an agent's host name is kept to this many characters in its name
MAX_RUN_STATE = 1000  # runs one heartbeat may list (wandb's agent runs one at a time)
MAX_SWEEPS_PAGE = 100
UNCATEGORIZED = "uncategorized"


class WandbSweeps:
    def __init__(self, store: Store, heartbeat_timeout: float):
        self.store, self.heartbeat_timeout = store, heartbeat_timeout

    # -- mutations ------------------------------------------------------------------------------
    def upsert(self, user: User, inp: dict[str, Any]) -> dict[str, Any]:
        store = self.store
        if inp.get("id"):
            ref = decode_id(inp["id"], "Sweep")
            if not ref or len(ref) != 3:
                raise GraphQLError("id is not a sweep id this server issued")
            entity, project, sid = ref
            raw_state, raw_config = inp.get("state"), inp.get("config")
            if raw_state is None and raw_config is None:
                raise GraphQLError("send the sweep's new state or its new config")
            state = None if raw_state is None else TO_RUNYARD.get(str(raw_state).upper())
            if raw_state is not None and state is None:
                raise GraphQLError(f"state {raw_state!r} is not one of: {', '.join(TO_RUNYARD)}")
            config = None if raw_config is None else _config(raw_config, store.limits.max_json_depth)

            def change(
                conn: Connection,
            ) -> sa.Row:  # `wandb sweep --update` sends a config, --pause etc. a state
                row = self._row(conn, user, entity, project, sid, access.WRITE, lock=True)
                if config is not None:
                    try:
                        store.sweeps.update_config(conn, row, config)
                    except SweepConfigError as err:
                        raise GraphQLError(str(err)) from None
                if state is not None:
                    store.sweeps.set_state(
                        conn, self._row(conn, user, entity, project, sid, access.WRITE), state
                    )
                return self._row(conn, user, entity, project, sid, access.WRITE)

            row = self._write(change)
            return {
                "sweep": self._obj(user, entity, project, row),
                "configValidationWarnings": [],
                "inserted": False,
            }
        entity, project = inp.get("entityName") or user.name, inp.get("projectName") or UNCATEGORIZED
        _check_name("entity", entity)
        _check_name("project", project)
        config = _config(inp.get("config"), store.limits.max_json_depth)
        if inp.get("displayName"):
            config.setdefault("name", inp["displayName"])
        warnings = []
        if inp.get("priorRunsFilters"):
            warnings.append("prior runs are not attached to sweeps on this server (priorRunsFilters ignored)")

        def create(conn: Connection) -> sa.Row:
            pid = access.writable_project(conn, store, user, entity, project)
            try:
                return store.sweeps.create(conn, pid, config, user.id)
            except SweepConfigError as err:
                raise GraphQLError(str(err)) from None

        row = self._write(create)
        return {
            "sweep": self._obj(user, entity, project, row),
            "configValidationWarnings": warnings,
            "inserted": True,
        }

    def create_agent(self, user: User, inp: dict[str, Any]) -> dict[str, Any]:
        entity, project = inp.get("entityName") or user.name, inp.get("projectName") or UNCATEGORIZED
        sid = str(inp["sweep"])
        self.store.db.read(lambda conn: self._row(conn, user, entity, project, sid, access.WRITE))
        host = "".join(ch for ch in str(inp.get("host") or "agent")[:MAX_HOST] if ch.isprintable())
        name = f"{host}-{secrets.token_hex(3)}"
        return {"agent": {"id": encode_id("Agent", entity, project, sid, name), "name": name, "host": host}}

    def heartbeat(self, user: User, inp: dict[str, Any]) -> dict[str, Any]:
        ref = decode_id(inp.get("id"), "Agent")
        if not ref or len(ref) != 4:
            raise GraphQLError("id is not an agent id this server issued (CreateAgent)")
        entity, project, sid, agent = ref
        alive = _run_state(inp.get("runState"), self.store.limits.max_json_depth)
        store = self.store

        def look(conn: Connection) -> tuple[sa.Row, list[str] | None]:  # most beats change nothing
            row = access.sweep(conn, store, user, entity, project, sid, access.WRITE)
            return row, store.sweeps.agent_beat_answer(conn, row, agent, alive, self.heartbeat_timeout)

        def beat(conn: Connection) -> tuple[list[str], Assignment | None, dict]:
            row = access.sweep(conn, store, user, entity, project, sid, access.WRITE)
            stops, assignment = store.sweeps.agent_beat(conn, row, agent, alive, self.heartbeat_timeout)
            return stops, assignment, row.config

        try:
            row, answered = store.db.read(look)
            if answered is not None:
                stops, assignment, config = answered, None, row.config
            else:
                stops, assignment, config = store.db.write(beat)
        except ApiError as err:  # a sweep (or its project) deleted, or never there: the agent stops
            raise (
                AnswerStatus(err.message, 404) if err.status == 404 else GraphQLError(err.message)
            ) from None
        commands: list[dict[str, Any]] = [{"type": "stop", "run_id": run_id} for run_id in stops]
        if assignment is not None and assignment.kind == "run":
            commands.append(
                {
                    "type": "run",
                    "run_id": assignment.run_id,
                    "program": config.get("program"),
                    "args": {key: {"value": value} for key, value in assignment.params.items()},
                }
            )
        elif assignment is not None and assignment.kind == "exit":
            commands.append({"type": "exit"})
        return {"agent": {"id": inp["id"], "name": agent}, "commands": json.dumps(commands)}

    # -- reads ----------------------------------------------------------------------------------
    def add_project_fields(self, obj: dict[str, Any], user: User, entity: str, project: str) -> None:
        """`sweep`, `sweeps` and `totalSweeps` on a Project (its `runs` resolver lists a sweep's runs)."""
        store = self.store

        def listing(conn: Connection) -> list[sa.Row]:
            try:
                pid = access.project_id(conn, store, user, entity, project)
            except ApiError:
                return []
            from ...store.tables import sweeps

            query = sa.select(sweeps).where(sweeps.c.project_id == pid).order_by(sweeps.c.created_at.desc())
            return list(conn.execute(query))

        def sweep(info: GraphQLResolveInfo, sweepName: str) -> dict[str, Any] | None:  # noqa: N803 - W&B's names
            row = store.db.read(
                lambda conn: self._row(conn, user, entity, project, sweepName, access.READ, missing_ok=True)
            )
            return None if row is None else self._obj(user, entity, project, row, obj)

        def sweeps(
            info: GraphQLResolveInfo, after: str | None = None, first: int | None = None, filters: Any = None
        ) -> dict[str, Any]:
            rows = store.db.read(listing)
            start = int(after) if after and after.isdigit() else 0
            count = max(1, min(int(first or 50), MAX_SWEEPS_PAGE))
            page = rows[start : start + count]
            edges = [
                {"node": self._obj(user, entity, project, run_id, obj), "cursor": str(start + i + 1)}
                for i, run_id in enumerate(page)
            ]
            more = start + count < len(rows)
            return {
                "edges": edges,
                "pageInfo": {"endCursor": edges[-1]["cursor"] if edges else None, "hasNextPage": more},
            }

        obj["sweep"] = sweep
        obj["sweeps"] = sweeps
        obj["totalSweeps"] = lambda info: len(store.db.read(listing))

    def _obj(
        self, user: User, entity: str, p: str, row: sa.Row, project: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        store, config, sid = self.store, row.config, row.sweep_id
        cfg = parse(config)
        expected = (
            cfg.run_cap if cfg.run_cap is not None else grid_size(cfg) if cfg.method == "grid" else None
        )
        run_filter = json.dumps({"sweep": sid})

        def best(info: GraphQLResolveInfo) -> float | None:
            metric = cfg.metric
            if metric is None:
                return None
            values = [
                value
                for t in store.db.read(lambda c: store.sweeps.trials(c, row, cfg))
                if t.state == "finished" and (value := t.view().objective(metric)) is not None
            ]
            return (min if metric.goal == "minimize" else max)(values) if values else None

        def runs(
            info: GraphQLResolveInfo,
            first: int | None = None,
            after: str | None = None,
            order: str | None = None,
        ) -> Any:
            if project is None or "runs" not in project:
                return {"edges": [], "pageInfo": {"endCursor": None, "hasNextPage": False}}
            conn = project["runs"](info, filters=run_filter, after=after, first=first or 1000, order=order)
            for edge in conn["edges"]:
                _run_flags(edge["node"])
            return conn

        return {
            "id": encode_id("Sweep", entity, p, sid),
            "name": sid,
            "displayName": cfg.name,
            "method": cfg.method,
            "state": TO_WANDB.get(row.state, row.state.upper()),
            "description": cfg.description,
            "bestLoss": best,
            "config": yaml.safe_dump({key: value for key, value in config.items()}, sort_keys=False),
            "createdAt": iso(row.created_at),
            "updatedAt": iso(row.updated_at),
            "heartbeatAt": iso(row.updated_at),
            "earlyStopJobRunning": False,
            "controller": None,
            "scheduler": None,
            "runCount": lambda info: (project or {}).get("runCount", lambda i, filters=None: 0)(
                info, filters=run_filter
            ),
            "runCountExpected": expected,
            "project": project if project is not None else project_obj(entity, p),
            "runs": runs,
        }

    # -- helpers --------------------------------------------------------------------------------
    def _row(
        self,
        conn: Connection,
        user: User,
        entity: str,
        project: str,
        sid: str,
        action: str,
        lock: bool = False,
        missing_ok: bool = False,
    ) -> Any:
        try:
            return access.sweep(conn, self.store, user, entity, project, sid, action, lock)
        except ApiError as err:
            if missing_ok:
                return None
            raise GraphQLError(err.message) from None

    def _write(self, fn: Any) -> Any:
        try:
            return self.store.db.write(fn)
        except ApiError as err:
            raise GraphQLError(err.message) from None


def _run_flags(node: dict[str, Any]) -> None:
    """The run fields wandb's agent reads of a sweep's runs, from the run's state."""
    state = node.get("state")
    node.update(
        running=state == "running",
        failed=state in ("failed", "crashed"),
        stopped=state == "stopped",
        shouldStop=False,
    )


def _check_name(what: str, value: str) -> None:
    from ..http import name_problem

    problem = name_problem(what, value)
    if problem:
        raise GraphQLError(problem)


def _config(raw: Any, max_depth: int) -> dict[str, Any]:
    """The sweep config the client sends as YAML text, as a dict (bounded, aliases refused)."""
    from ...sweeps.config import load

    if not isinstance(raw, str) or not raw.strip():
        raise GraphQLError("config is required: the sweep configuration as YAML")
    try:
        doc = load(raw)
    except SweepConfigError as err:
        raise GraphQLError(str(err)) from None
    try:
        return dict(load_json(json.dumps(doc, default=str), max_depth))  # type: ignore[call-overload]
    except ValueError as err:
        raise GraphQLError(f"sweep config: {err}") from None


def _run_state(raw: Any, max_depth: int) -> set[str]:
    """`runState`, `{run_id: true}` for the runs the agent still has queued or running."""
    if raw in (None, ""):
        return set()
    try:
        doc = load_json(raw, max_depth) if isinstance(raw, str) else raw
    except ValueError as err:
        raise GraphQLError(f"runState is not valid JSON: {err}") from None
    if not isinstance(doc, dict) or len(doc) > MAX_RUN_STATE:
        raise GraphQLError(f"runState must be an object of at most {MAX_RUN_STATE} run ids")
    return {str(key) for key, value in doc.items() if value}
