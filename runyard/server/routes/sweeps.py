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


def _config_error(e: SweepConfigError) -> ApiError:
    return ApiError(422, "bad_sweep_config", str(e), key=e.key)


def _sweep(c: Any, request: Request, action: str, lock: bool = False) -> sa.Row:
    e, p = _names(request)
    return access.sweep(c, store(request), user(request), e, p, name_param(request, "sweep_id"), action, lock)


@endpoint("The sweeps of a project", answer=m.Sweeps)
async def list_sweeps(request: Request) -> Response:
    e, p = _names(request)
    s, u = store(request), user(request)
    return JSON(
        {"sweeps": await read(request, lambda c: s.sweeps.in_project(c, access.project_id(c, s, u, e, p)))}
    )


def _trial_records(trials: list[m.TrialRecord] | None) -> list[TrialRecord]:
    """Trials a synced local sweep brings along (controller.TrialRecord)."""
    out = [TrialRecord(**msgspec.structs.asdict(t)) for t in trials or ()]
    for t in out:
        t.run_ids = t.run_ids or [t.run_id]
    return out


@endpoint(
    "Create a sweep; with `id` (a local sweep being synced) the call is idempotent: an existing "
    "sweep of that id takes the given state and trials (its config is kept)",
    body=m.NewSweep,
    answer=m.Sweep,
)
async def create_sweep(request: Request, new: m.NewSweep) -> Response:
    e, p = _names(request)
    config, sid = new.config, new.id
    if sid is not None and (problem := name_problem("sweep id", sid)):  # the name rule of run ids
        raise ApiError(422, "bad_value", problem, field="id")
    given_state = new.state is not msgspec.UNSET
    state = new.state or "running"
    trials = _trial_records(new.trials)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        pid = access.writable_project(c, s, u, e, p)
        row = s.sweeps.get(c, pid, sid, lock=True) if sid else None
        try:
            if row is None:
                row = s.sweeps.create(c, pid, config, u.id, sweep_id=sid, state=state)
            elif given_state:
                s.sweeps.set_state(c, row, state, stop=False)
                row = s.sweeps.get(c, pid, row.sweep_id)
                assert row is not None
        except SweepConfigError as err:
            raise _config_error(err) from None
        s.sweeps.put_trials(c, row, trials)
        return s.sweeps.detail(c, row) | {"entity": e, "project": p}

    return JSON(await write(request, q))


@endpoint("One sweep: its trials and what they show (importance, correlation, Pareto front)", answer=m.Sweep)
async def get_sweep(request: Request) -> Response:
    e, p = _names(request)
    s = store(request)
    out = await read(request, lambda c: s.sweeps.detail(c, _sweep(c, request, access.READ)))
    return JSON(out | {"entity": e, "project": p})


@endpoint(
    "Pause, resume (running), stop, cancel or finish a sweep, and/or replace its configuration while it "
    "has no trial (409 sweep_started once one ran)",
    body=m.SweepPatch,
    answer=m.Sweep,
)
async def patch_sweep(request: Request, patch: m.SweepPatch) -> Response:
    e, p = _names(request)
    state = None if patch.state is msgspec.UNSET else patch.state
    config = None if patch.config is msgspec.UNSET else patch.config
    if state is None and config is None:
        raise ApiError(422, "bad_value", "send the sweep's new state, its new config, or both", field="state")
    s = store(request)

    def q(c: Any) -> dict:
        row = _sweep(c, request, access.WRITE, lock=True)
        try:
            if config is not None:
                s.sweeps.update_config(c, row, config)
                row = _sweep(c, request, access.WRITE)
            if state is not None:
                s.sweeps.set_state(c, row, state)
        except SweepStarted as err:
            raise ApiError(409, "sweep_started", str(err), trials=err.trials) from None
        except SweepConfigError as err:
            raise _config_error(err) from None
        return s.sweeps.detail(c, _sweep(c, request, access.WRITE))

    return JSON(await write(request, q) | {"entity": e, "project": p})


@endpoint("An agent's next assignment: run a trial, wait, or exit", body=m.AgentAsk, answer=m.Assignment)
async def next_trial(request: Request, ask: m.AgentAsk) -> Response:
    agent = ask.agent
    s = store(request)
    timeout = request.app.state.config.sweep_heartbeat_timeout

    def q(c: Any) -> dict:
        a = s.sweeps.next(c, _sweep(c, request, access.WRITE), agent, timeout)
        return {"kind": a.kind, "index": a.index, "run_id": a.run_id, "params": a.params, "reason": a.reason}

    return JSON(await write(request, q))


@endpoint(
    "The agent still runs trial `index`; stop: true tells it to stop the trial's run",
    body=m.AgentHeartbeat,
    answer=m.HeartbeatAnswer,
)
async def heartbeat(request: Request, beat: m.AgentHeartbeat) -> Response:
    agent, index = beat.agent, beat.index
    s = store(request)
    timeout = request.app.state.config.sweep_heartbeat_timeout

    def look(c: Any) -> tuple[sa.Row, bool | None]:  # most beats change nothing: a read answers
        row = _sweep(c, request, access.WRITE)
        return row, s.sweeps.heartbeat_answer(c, row, agent, index, timeout)

    try:
        row, stop = await read(request, look)
        if stop is None:
            stop = await write(request, lambda c: s.sweeps.heartbeat(c, row, agent, index))
    except SweepConfigError as err:
        raise ApiError(404, "unknown_trial", str(err)) from None
    return JSON({"stop": stop})


@endpoint("Trial `index` ended with its run's final state", body=m.AgentReport, answer=m.Reported)
async def report(request: Request, done: m.AgentReport) -> Response:
    agent, index, state = done.agent, done.index, done.state
    s = store(request)

    def q(c: Any) -> dict:
        try:
            s.sweeps.report(c, _sweep(c, request, access.WRITE), agent, index, state)
        except SweepConfigError as err:
            raise ApiError(404, "unknown_trial", str(err)) from None
        return {"ok": True}

    return JSON(await write(request, q))


S = "/api/v1/sweeps/{entity}/{project}"
routes = [
    Route(S, list_sweeps, methods=["GET"]),
    Route(S, create_sweep, methods=["POST"]),
    Route(S + "/{sweep_id}", get_sweep, methods=["GET"]),
    Route(S + "/{sweep_id}", patch_sweep, methods=["PATCH"]),
    Route(S + "/{sweep_id}/next", next_trial, methods=["POST"]),
    Route(S + "/{sweep_id}/heartbeat", heartbeat, methods=["POST"]),
    Route(S + "/{sweep_id}/report", report, methods=["POST"]),
]
