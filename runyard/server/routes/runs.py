"""One run: `/api/v1/runs/{entity}/{project}/{run_id}` (GET, PATCH, DELETE) and its console."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.jsonsafe import jsonable
from ...wire import api_models as m
from .. import access, deletions, live_events
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_problem, read, run_names, store, user, write


@endpoint("One run: config, summary, metadata, segments", answer=m.RunDetail)
async def get_run(request: Request) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        loc = access.run(conn, repos, caller, entity, project, run_id)
        return repos.runs.detail(conn, loc.id) | {"entity": entity, "project": project}

    return JSON(await read(request, in_txn))


@endpoint(
    "Update name, notes, tags, group, job_type, state, config or summary (replaced); {project: P} "
    "moves the run to project P of the same entity (created if needed; 409 run_exists when P has a "
    "run with this id)",
    body=m.RunPatch,
    answer=m.RunDetail,
)
async def patch_run(request: Request, patch: m.RunPatch) -> Response:
    entity, project, run_id = run_names(request)
    if patch.entity not in (msgspec.UNSET, None, entity):
        raise ApiError(
            422, "bad_value", "runs can only move between projects of the same entity", field="entity"
        )
    target = None if patch.project in (msgspec.UNSET, None, project) else patch.project
    if target is not None and (problem := name_problem("project", target)):
        raise ApiError(422, "bad_value", problem, field="project")
    values: dict[str, Any] = {}
    for field in ("name", "notes", "group", "job_type", "tags", "state", "config"):
        value = getattr(patch, field)
        if value is not msgspec.UNSET:
            values[{"group": "group_name"}.get(field, field)] = jsonable(value)
    summary = None if patch.summary is msgspec.UNSET else jsonable(patch.summary)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        loc = access.run(conn, repos, caller, entity, project, run_id, access.WRITE)
        if values:
            repos.runs.update(conn, loc.id, **values)
        if summary is not None:
            repos.runs.replace_summary(conn, loc.id, summary)
        if target is not None:
            to = repos.projects.get_or_create(conn, loc.entity_id, target)
            if repos.runs.pk(conn, to, run_id) is not None:
                raise ApiError(409, "run_exists", f"project {entity}/{target} already has a run {run_id!r}")
            repos.runs.move(conn, loc.id, to, project)
            repos.projects.touch(conn, to)
            repos.audit.record(
                conn, caller, "run.move", f"{entity}/{project}/{run_id}", to=f"{entity}/{target}"
            )
        if values or summary is not None:
            fields = sorted([*values, *(["summary"] if summary is not None else [])])
            repos.audit.record(
                conn, caller, "run.update", f"{entity}/{target or project}/{run_id}", fields=fields
            )
        return repos.runs.detail(conn, loc.id) | {"entity": entity, "project": target or project}

    out = await write(request, in_txn)
    broker = request.app.state.broker
    if target is None:
        broker.publish(live_events.run_state(entity, project, run_id, out["state"]))
    else:  # gone from the old project's stream, new in the target's
        broker.publish(live_events.run_deleted(entity, project, run_id, moved_to=target))
        broker.publish(live_events.run_state(entity, target, run_id, out["state"], created=True))
    return JSON(out)


@endpoint(
    "Delete a run and its data; delete_artifacts=true also deletes the artifact versions it created "
    "(409 registered, and nothing deleted, when one is in a registry)",
    query=m.DeleteRunQuery,
    answer=m.Deleted,
)
async def delete_run(request: Request, query: m.DeleteRunQuery) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[str]:
        return deletions.delete_run(conn, repos, caller, entity, project, run_id, query.delete_artifacts)

    artifacts = await write(request, in_txn)
    request.app.state.broker.publish(live_events.run_deleted(entity, project, run_id))
    return JSON(m.Deleted(deleted=f"{entity}/{project}/{run_id}", artifacts=artifacts))


@endpoint("Console lines", query=m.ConsoleQuery, answer=m.Console)
async def console(request: Request, query: m.ConsoleQuery) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def lines_of(conn: Any) -> list[dict]:
        return repos.console.lines(
            conn, access.run(conn, repos, caller, entity, project, run_id).id, query.after, query.limit
        )

    lines = await read(request, lines_of)
    more = len(lines) == query.limit
    return JSON({"lines": lines, "next_after": lines[-1]["cursor"] if more else None})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}", get_run, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", patch_run, methods=["PATCH"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", delete_run, methods=["DELETE"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/console", console, methods=["GET"]),
]
