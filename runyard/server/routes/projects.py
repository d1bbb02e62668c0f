"""Projects and run listing: `/api/v1/projects[/{entity}/{project}[/runs]]`."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.run_filters import FilterError
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, read, store, user


@endpoint("Projects the caller can see", answer=m.Projects)
async def list_projects(request: Request) -> Response:
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        ids = None if u.is_admin else [e["id"] for e in access.visible_entities(c, u)]
        return s.projects.list(c, entity_ids=ids)

    return JSON({"projects": await read(request, q)})


@endpoint("One project", answer=m.Project)
async def get_project(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        pid = access.project_id(c, s, u, e, p)
        return next(
            x for x in s.projects.list(c, entity_id=access.entity_id(c, s, u, e)) if x["name"] == p
        ) | {"id": pid}

    doc = await read(request, q)
    doc.pop("id")
    return JSON(doc)


async def _list(
    request: Request, flt: dict | None, order: str | None, limit: int, offset: int, total: bool
) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> tuple[list[dict], int | None]:
        pid = access.project_id(c, s, u, e, p)
        return s.runs.list(c, pid, flt, order, limit + 1, offset, with_total=total)

    try:
        rows, count = await read(request, q)
    except FilterError as err:
        raise ApiError("bad_filter", str(err)) from None
    more = len(rows) > limit
    doc: dict[str, Any] = {"runs": rows[:limit], "next_offset": offset + limit if more else None}
    if total:
        doc["total"] = count
    return JSON(doc)


@endpoint("List runs: filter, sort, paginate", query=m.RunsQuery, answer=m.RunsPage)
async def list_runs(request: Request, q: m.RunsQuery) -> Response:
    flt = None
    if q.filter:
        try:
            flt = json.loads(q.filter)
        except ValueError as e:
            raise ApiError("bad_json", f"query parameter 'filter' is not valid JSON: {e}") from None
        if not isinstance(flt, dict):
            raise ApiError("wrong_type", "filter must be a JSON object", field="filter")
    return await _list(request, flt, q.order, q.limit, q.offset, q.total)


@endpoint("List runs with the query in a JSON body", body=m.RunsQueryBody, answer=m.RunsPage)
async def query_runs(request: Request, q: m.RunsQueryBody) -> Response:
    return await _list(request, q.filter, q.order, q.limit, q.offset, q.total)


@endpoint(
    "History (or system) keys over all runs of a project, one row per distinct key",
    query=m.KindQuery,
    answer=m.ProjectKeys,
)
async def project_keys(request: Request, q: m.KindQuery) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def keys(c: Any) -> list[dict]:
        return s.metrics.project_keys(c, access.project_id(c, s, u, e, p), q.kind)

    return JSON({"keys": await read(request, keys)})


routes = [
    Route("/api/v1/projects", list_projects, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}", get_project, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/keys", project_keys, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/runs", list_runs, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/runs/query", query_runs, methods=["POST"]),
]
