"""Sweeps: `/api/v1/sweeps/{entity}/{project}` (list, create), one sweep (get, state changes) and the
agent protocol (next / heartbeat / report). Creating, controlling and running agents need write access
to the project; viewing needs read access. The controller's rules: runyard/sweeps/controller.py."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...sweeps.controller import DONE, SWEEP_STATES, TrialRecord
from ...sweeps.errors import SweepConfigError
from .. import access
from ..errors import ApiError
from ..http import JSON, json_body, name_param, name_problem, read, store, user, write


def _names(request: Request) -> tuple[str, str]:
    return name_param(request, "entity"), name_param(request, "project")


def _str(doc: dict, key: str, required: bool = True) -> Any:
    v = doc.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v:
        raise ApiError(422, "wrong_type", f"{key} must be a non-empty string")
    return v


def _int(doc: dict, key: str) -> int:
    v = doc.get(key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ApiError(422, "wrong_type", f"{key} must be an integer")
    return v


def _config_error(e: SweepConfigError) -> ApiError:
    return ApiError(422, "bad_sweep_config", str(e), key=e.key)


def _sweep(c: Any, request: Request, action: str, lock: bool = False) -> sa.Row:
    e, p = _names(request)
    sid = name_param(request, "sweep_id")
    s = store(request)
    pid = access.project_id(c, s, user(request), e, p, action)
    row = s.sweeps.get(c, pid, sid, lock=lock)
    if row is None:
        raise ApiError(404, "unknown_sweep", f"sweep {e}/{p}/{sid} does not exist")
    return row


async def list_sweeps(request: Request) -> Response:
    e, p = _names(request)
    s, u = store(request), user(request)
    return JSON(
        {"sweeps": await read(request, lambda c: s.sweeps.in_project(c, access.project_id(c, s, u, e, p)))}
    )


def _trial_records(raw: Any) -> list[TrialRecord]:
    """Trials a synced local sweep brings along (controller.TrialRecord as JSON)."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ApiError(422, "wrong_type", "trials must be a list of objects")
    try:
        out = [TrialRecord.from_dict(t) for t in raw]
    except TypeError as err:
        raise ApiError(422, "bad_value", f"trials: {err}") from None
    for t in out:
        if not isinstance(t.index, int) or not isinstance(t.params, dict) or not isinstance(t.run_id, str):
            raise ApiError(422, "wrong_type", "each trial needs an integer index, params and a run_id")
        if t.state not in (*DONE, "running", "pending"):
            raise ApiError(422, "bad_value", f"trial {t.index}: unknown state {t.state!r}")
        t.run_ids = [str(r) for r in t.run_ids] or [t.run_id]
    return out


async def create_sweep(request: Request) -> Response:
    """{config, id?, state?, trials?}: a new sweep; with `id` (a local sweep being synced) the call is
    idempotent: an existing sweep of that id takes the given state and trials (its config is kept)."""
    e, p = _names(request)
    doc = await json_body(request)
    config = doc.get("config")
    if not isinstance(config, dict):
        raise ApiError(422, "wrong_type", "config must be a JSON object (the sweep configuration)")
    sid = _str(doc, "id", required=False)
    if sid is not None:  # the name rule of run ids (wire/names.py), at most 64 characters
        problem = name_problem("sweep id", sid) or (
            f"sweep id {sid!r} is over 64 characters" if len(sid) > 64 else None
        )
        if problem:
            raise ApiError(422, "bad_value", problem)
    state = _str(doc, "state", required=False) or "running"
    if state not in SWEEP_STATES:
        raise ApiError(422, "bad_value", f"state must be one of {', '.join(SWEEP_STATES)}")
    trials = _trial_records(doc.get("trials"))
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        pid = access.writable_project(c, s, u, e, p)
        row = s.sweeps.get(c, pid, sid, lock=True) if sid else None
        try:
            if row is None:
                row = s.sweeps.create(c, pid, config, u.id, sweep_id=sid, state=state)
            elif "state" in doc:
                s.sweeps.set_state(c, row, state, stop=False)
                row = s.sweeps.get(c, pid, row.sweep_id)
                assert row is not None
        except SweepConfigError as err:
            raise _config_error(err) from None
        s.sweeps.put_trials(c, row, trials)
        return s.sweeps.detail(c, row) | {"entity": e, "project": p}

    return JSON(await write(request, q))


async def get_sweep(request: Request) -> Response:
    e, p = _names(request)
    s = store(request)
    out = await read(request, lambda c: s.sweeps.detail(c, _sweep(c, request, access.READ)))
    return JSON(out | {"entity": e, "project": p})


async def patch_sweep(request: Request) -> Response:
    """{state}: pause, resume (running), stop, cancel, or finish the sweep."""
    e, p = _names(request)
    doc = await json_body(request)
    extra = set(doc) - {"state"}
    if extra:
        raise ApiError(422, "unknown_field", f"cannot update {', '.join(sorted(extra))}; updatable: state")
    state = _str(doc, "state")
    if state not in SWEEP_STATES:
        raise ApiError(422, "bad_value", f"state must be one of {', '.join(SWEEP_STATES)}")
    s = store(request)

    def q(c: Any) -> dict:
        row = _sweep(c, request, access.WRITE, lock=True)
        s.sweeps.set_state(c, row, state)
        return s.sweeps.detail(c, _sweep(c, request, access.WRITE))

    return JSON(await write(request, q) | {"entity": e, "project": p})


async def next_trial(request: Request) -> Response:
    """{agent}: the agent's next assignment, {kind: run|wait|exit, index, run_id, params, reason}."""
    doc = await json_body(request)
    agent = _str(doc, "agent")
    s = store(request)
    timeout = request.app.state.config.sweep_heartbeat_timeout

    def q(c: Any) -> dict:
        a = s.sweeps.next(c, _sweep(c, request, access.WRITE, lock=True), agent, timeout)
        return {"kind": a.kind, "index": a.index, "run_id": a.run_id, "params": a.params, "reason": a.reason}

    return JSON(await write(request, q))


async def heartbeat(request: Request) -> Response:
    """{agent, index}: the agent still runs trial `index`; answers {stop} (stop the trial's run)."""
    doc = await json_body(request)
    agent, index = _str(doc, "agent"), _int(doc, "index")
    s = store(request)

    def q(c: Any) -> dict:
        try:
            return {"stop": s.sweeps.heartbeat(c, _sweep(c, request, access.WRITE, lock=True), agent, index)}
        except SweepConfigError as err:
            raise ApiError(404, "unknown_trial", str(err)) from None

    return JSON(await write(request, q))


async def report(request: Request) -> Response:
    """{agent, index, state}: trial `index` ended with its run's final state."""
    doc = await json_body(request)
    agent, index, state = _str(doc, "agent"), _int(doc, "index"), _str(doc, "state")
    if state not in DONE:
        raise ApiError(422, "bad_value", f"state must be one of {', '.join(DONE)}")
    s = store(request)

    def q(c: Any) -> dict:
        try:
            s.sweeps.report(c, _sweep(c, request, access.WRITE, lock=True), agent, index, state)
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
