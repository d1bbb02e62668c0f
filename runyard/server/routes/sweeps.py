"""Sweeps: `/api/v1/sweeps/{entity}/{project}` (list, create), one sweep (get, state changes) and the
agent protocol (next / heartbeat / report; store/sweeps.py keeps them short and apart). Creating, controlling and running agents need write access
to the project; viewing needs read access. The controller's rules: runyard/sweeps/controller.py."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...sweeps.controller import TrialRecord
from ...sweeps.errors import SweepConfigError, SweepStarted
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, name_problem, read, store, user, write


def _names(request: Request) -> tuple[str, str]:
    return name_param(request, "entity"), name_param(request, "project")


def _config_error(err: SweepConfigError) -> ApiError:
    return ApiError(422, "bad_sweep_config", str(err), key=err.key)


def _sweep(conn: Any, request: Request, action: str, lock: bool = False) -> sa.Row:
    entity, project = _names(request)
    return access.sweep(
        conn, store(request), user(request), entity, project, name_param(request, "sweep_id"), action, lock
    )


@endpoint("The sweeps of a project", answer=m.Sweeps)
async def list_sweeps(request: Request) -> Response:
    entity, project = _names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        return repos.sweeps.in_project(conn, access.project_id(conn, repos, caller, entity, project))

    return JSON({"sweeps": await read(request, in_txn)})


def _trial_records(trials: list[m.TrialRecord] | None) -> list[TrialRecord]:
    """Trials a synced local sweep brings along (controller.TrialRecord)."""
    out = [TrialRecord(**msgspec.structs.asdict(trial)) for trial in trials or ()]
    for trial in out:
        trial.run_ids = trial.run_ids or [trial.run_id]
    return out


@endpoint(
    "Create a sweep; with `id` (a local sweep being synced) the call is idempotent: an existing "
    "sweep of that id takes the given state and trials (its config is kept)",
    body=m.NewSweep,
    answer=m.Sweep,
)
async def create_sweep(request: Request, new: m.NewSweep) -> Response:
    entity, project = _names(request)
    config, sid = new.config, new.id
    if sid is not None and (problem := name_problem("sweep id", sid)):  # the name rule of run ids
        raise ApiError(422, "bad_value", problem, field="id")
    given_state = new.state is not msgspec.UNSET
    state = new.state or "running"
    trials = _trial_records(new.trials)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        pid = access.writable_project(conn, repos, caller, entity, project)
        row = repos.sweeps.get(conn, pid, sid, lock=True) if sid else None
        try:
            if row is None:
                row = repos.sweeps.create(conn, pid, config, caller.id, sweep_id=sid, state=state)
            elif given_state:
                repos.sweeps.set_state(conn, row, state, stop=False)
                row = repos.sweeps.get(conn, pid, row.sweep_id)
                assert row is not None
        except SweepConfigError as err:
            raise _config_error(err) from None
        repos.sweeps.put_trials(conn, row, trials)
        return repos.sweeps.detail(conn, row) | {"entity": entity, "project": project}

    return JSON(await write(request, in_txn))


@endpoint("One sweep: its trials and what they show (importance, correlation, Pareto front)", answer=m.Sweep)
async def get_sweep(request: Request) -> Response:
    entity, project = _names(request)
    repos = store(request)
    out = await read(request, lambda conn: repos.sweeps.detail(conn, _sweep(conn, request, access.READ)))
    return JSON(out | {"entity": entity, "project": project})


@endpoint(
    "Pause, resume (running), stop, cancel or finish a sweep, and/or replace its configuration while it "
    "has no trial (409 sweep_started once one ran)",
    body=m.SweepPatch,
    answer=m.Sweep,
)
async def patch_sweep(request: Request, patch: m.SweepPatch) -> Response:
    entity, project = _names(request)
    state = None if patch.state is msgspec.UNSET else patch.state
    config = None if patch.config is msgspec.UNSET else patch.config
    if state is None and config is None:
        raise ApiError(422, "bad_value", "send the sweep's new state, its new config, or both", field="state")
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        row = _sweep(conn, request, access.WRITE, lock=True)
        try:
            if config is not None:
                repos.sweeps.update_config(conn, row, config)
                row = _sweep(conn, request, access.WRITE)
            if state is not None:
                repos.sweeps.set_state(conn, row, state)
        except SweepStarted as err:
            raise ApiError(409, "sweep_started", str(err), trials=err.trials) from None
        except SweepConfigError as err:
            raise _config_error(err) from None
        return repos.sweeps.detail(conn, _sweep(conn, request, access.WRITE))

    return JSON(await write(request, in_txn) | {"entity": entity, "project": project})


@endpoint("An agent's next assignment: run a trial, wait, or exit", body=m.AgentAsk, answer=m.Assignment)
async def next_trial(request: Request, ask: m.AgentAsk) -> Response:
    agent = ask.agent
    repos = store(request)
    timeout = request.app.state.config.sweep_heartbeat_timeout

    def in_txn(conn: Any) -> dict:
        assignment = repos.sweeps.next(conn, _sweep(conn, request, access.WRITE), agent, timeout)
        return {
            "kind": assignment.kind,
            "index": assignment.index,
            "run_id": assignment.run_id,
            "params": assignment.params,
            "reason": assignment.reason,
        }

    return JSON(await write(request, in_txn))


@endpoint(
    "The agent still runs trial `index`; stop: true tells it to stop the trial's run",
    body=m.AgentHeartbeat,
    answer=m.HeartbeatAnswer,
)
async def heartbeat(request: Request, beat: m.AgentHeartbeat) -> Response:
    agent, index = beat.agent, beat.index
    repos = store(request)
    timeout = request.app.state.config.sweep_heartbeat_timeout

    def look(conn: Any) -> tuple[sa.Row, bool | None]:  # most beats change nothing: a read answers
        row = _sweep(conn, request, access.WRITE)
        return row, repos.sweeps.heartbeat_answer(conn, row, agent, index, timeout)

    try:
        row, stop = await read(request, look)
        if stop is None:
            stop = await write(request, lambda conn: repos.sweeps.heartbeat(conn, row, agent, index))
    except SweepConfigError as err:
        raise ApiError(404, "unknown_trial", str(err)) from None
    return JSON({"stop": stop})


@endpoint("Trial `index` ended with its run's final state", body=m.AgentReport, answer=m.Reported)
async def report(request: Request, done: m.AgentReport) -> Response:
    agent, index, state = done.agent, done.index, done.state
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        try:
            repos.sweeps.report(conn, _sweep(conn, request, access.WRITE), agent, index, state)
        except SweepConfigError as err:
            raise ApiError(404, "unknown_trial", str(err)) from None
        return {"ok": True}

    return JSON(await write(request, in_txn))


SWEEPS = "/api/v1/sweeps/{entity}/{project}"
routes = [
    Route(SWEEPS, list_sweeps, methods=["GET"]),
    Route(SWEEPS, create_sweep, methods=["POST"]),
    Route(SWEEPS + "/{sweep_id}", get_sweep, methods=["GET"]),
    Route(SWEEPS + "/{sweep_id}", patch_sweep, methods=["PATCH"]),
    Route(SWEEPS + "/{sweep_id}/next", next_trial, methods=["POST"]),
    Route(SWEEPS + "/{sweep_id}/heartbeat", heartbeat, methods=["POST"]),
    Route(SWEEPS + "/{sweep_id}/report", report, methods=["POST"]),
]
