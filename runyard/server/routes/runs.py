"""One run: `/api/v1/runs/{entity}/{project}/{run_id}` (GET, PATCH, DELETE) and its console."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.jsonsafe import jsonable
from ...wire import api_models as m
from .. import access, deletions
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, name_problem, read, store, user, write


def _names(request: Request) -> tuple[str, str, str]:
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


@endpoint("One run: config, summary, metadata, segments", answer=m.RunDetail)
async def get_run(request: Request) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        loc = access.run(c, s, u, e, p, r)
        return s.runs.detail(c, loc.id) | {"entity": e, "project": p}

    return JSON(await read(request, q))


@endpoint(
    "Update name, notes, tags, group, job_type, state, config or summary (replaced); {project: P} "
    "moves the run to project P of the same entity (created if needed; 409 run_exists when P has a "
    "run with this id)",
    body=m.RunPatch,
    answer=m.RunDetail,
)
async def patch_run(request: Request, patch: m.RunPatch) -> Response:
    e, p, r = _names(request)
    if patch.entity not in (msgspec.UNSET, None, e):
        raise ApiError(
            422, "bad_value", "runs can only move between projects of the same entity", field="entity"
        )
    target = None if patch.project in (msgspec.UNSET, None, p) else patch.project
    if target is not None and (problem := name_problem("project", target)):
        raise ApiError(422, "bad_value", problem, field="project")
    values: dict[str, Any] = {}
    for k in ("name", "notes", "group", "job_type", "tags", "state", "config"):
        v = getattr(patch, k)
        if v is not msgspec.UNSET:
            values[{"group": "group_name"}.get(k, k)] = jsonable(v)
    summary = None if patch.summary is msgspec.UNSET else jsonable(patch.summary)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        loc = access.run(c, s, u, e, p, r, access.WRITE)
        if values:
            s.runs.update(c, loc.id, **values)
        if summary is not None:
            s.runs.replace_summary(c, loc.id, summary)
        if target is not None:
            to = s.projects.get_or_create(c, loc.entity_id, target)
            if s.runs.pk(c, to, r) is not None:
                raise ApiError(409, "run_exists", f"project {e}/{target} already has a run {r!r}")
            s.runs.move(c, loc.id, to, p)
            s.projects.touch(c, to)
            s.audit.record(c, u, "run.move", f"{e}/{p}/{r}", to=f"{e}/{target}")
        if values or summary is not None:
            fields = sorted([*values, *(["summary"] if summary is not None else [])])
            s.audit.record(c, u, "run.update", f"{e}/{target or p}/{r}", fields=fields)
        return s.runs.detail(c, loc.id) | {"entity": e, "project": target or p}

    out = await write(request, q)
    broker = request.app.state.broker
    if target is None:
        broker.publish(
            {
                "type": "run.updated",
                "entity": e,
                "project": p,
                "run_id": r,
                "state": out["state"],
                "points": 0,
            }
        )
    else:  # gone from the old project's stream, new in the target's
        broker.publish({"type": "run.deleted", "entity": e, "project": p, "run_id": r, "moved_to": target})
        broker.publish(
            {
                "type": "run.created",
                "entity": e,
                "project": target,
                "run_id": r,
                "state": out["state"],
                "points": 0,
            }
        )
    return JSON(out)


@endpoint(
    "Delete a run and its data; delete_artifacts=true also deletes the artifact versions it created "
    "(409 registered, and nothing deleted, when one is in a registry)",
    query=m.DeleteRunQuery,
    answer=m.Deleted,
)
async def delete_run(request: Request, query: m.DeleteRunQuery) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[str]:
        return deletions.delete_run(c, s, u, e, p, r, query.delete_artifacts)

    artifacts = await write(request, q)
    request.app.state.broker.publish({"type": "run.deleted", "entity": e, "project": p, "run_id": r})
    return JSON(m.Deleted(deleted=f"{e}/{p}/{r}", artifacts=artifacts))


@endpoint("Console lines", query=m.ConsoleQuery, answer=m.Console)
async def console(request: Request, query: m.ConsoleQuery) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)

    def lines_of(c: Any) -> list[dict]:
        return s.console.lines(c, access.run(c, s, u, e, p, r).id, query.after, query.limit)

    lines = await read(request, lines_of)
    more = len(lines) == query.limit
    return JSON({"lines": lines, "next_after": lines[-1]["cursor"] if more else None})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}", get_run, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", patch_run, methods=["PATCH"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", delete_run, methods=["DELETE"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/console", console, methods=["GET"]),
]
