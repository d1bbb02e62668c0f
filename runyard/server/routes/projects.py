"""Projects and run listing: `/api/v1/projects[/{entity}/{project}[/runs]]`; project settings
(visibility, description, name), transfer to another entity and deletion (the entity's admins)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.run_filters import FilterError
from ...wire import api_models as m
from ...wire.names import PROJECT_RULE, valid_project_name
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, parse_json, read, store, user, write


@endpoint("Projects the caller can see", answer=m.Projects)
async def list_projects(request: Request) -> Response:
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.projects.list(c, where=access.readable_projects(c, u))

    return JSON({"projects": await read(request, q)})


@endpoint("One project", answer=m.Project)
async def get_project(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        row = access.project(c, s, u, e, p)
        return next(x for x in s.projects.list(c, entity_id=row.entity_id) if x["name"] == p)

    return JSON(await read(request, q))


@endpoint(
    "Change a project's visibility, description or name (the entity's admins)",
    body=m.ProjectPatch,
    answer=m.Project,
)
async def patch_project(request: Request, patch: m.ProjectPatch) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    values = {
        k: v
        for k in ("visibility", "description", "name")
        if (v := getattr(patch, k)) not in (None, msgspec.UNSET)
    }
    if "name" in values and not valid_project_name(values["name"]):
        raise ApiError(400, "bad_name", f"invalid project name {values['name']!r}: {PROJECT_RULE}")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        row = access.project(c, s, u, e, p, access.ADMIN)
        name = values.get("name", p)
        if name != p and s.projects.id_of(c, row.entity_id, name) is not None:
            raise ApiError(409, "name_taken", f"{e!r} already has a project {name!r}")
        if values:
            s.projects.update(c, row.id, **values)
            s.audit.record(c, u, "project.update", f"{e}/{p}", **values, was=row.visibility)
        return next(x for x in s.projects.list(c, entity_id=row.entity_id) if x["name"] == name)

    out = await write(request, q)
    if "visibility" in values:
        request.app.state.broker.access_changed()  # streams of readers who lost access end
    return JSON(out)


@endpoint(
    "Give the project to another entity (admin of both, or the server admin)",
    body=m.ProjectTransfer,
    answer=m.Project,
)
async def transfer_project(request: Request, transfer: m.ProjectTransfer) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    to = transfer.to
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        row = access.project(c, s, u, e, p, access.ADMIN)
        dest = access.entity_id(c, s, u, to, access.ADMIN)
        if s.projects.id_of(c, dest, p) is not None:
            raise ApiError(409, "name_taken", f"{to!r} already has a project {p!r}")
        s.projects.transfer(c, row.id, dest)
        s.audit.record(c, u, "project.transfer", f"{e}/{p}", to=f"{to}/{p}")
        return next(x for x in s.projects.list(c, entity_id=dest) if x["name"] == p)

    out = await write(request, q)
    request.app.state.broker.access_changed()
    return JSON(out)


@endpoint("Delete a project and its runs (the entity's admins)", answer=m.ProjectDeleted)
async def delete_project(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> None:
        s.projects.delete(c, access.project(c, s, u, e, p, access.ADMIN).id)
        s.audit.record(c, u, "project.delete", f"{e}/{p}")

    await write(request, q)
    request.app.state.broker.access_changed()
    return JSON({"deleted": f"{e}/{p}", "note": "blobs are freed by `runyard gc`"})


async def _list(
    request: Request,
    flt: dict | None,
    order: str | None,
    limit: int,
    offset: int,
    total: bool,
    cursor: str | None,
) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> tuple[list[dict], int | None, str | None]:
        pid = access.project_id(c, s, u, e, p)
        return s.runs.list(c, pid, flt, order, limit, offset, with_total=total, cursor=cursor)

    try:
        rows, count, nxt = await read(request, q)
    except FilterError as err:
        raise ApiError(422, "bad_filter", str(err)) from None
    # next_cursor: the page after this one by keyset (the database seeks to it; no rows are skipped
    # over as with offsets, which cost a scan of every earlier row on each page)
    doc: dict[str, Any] = {
        "runs": rows,
        "next_cursor": nxt,
        "next_offset": offset + limit if nxt and cursor is None else None,
    }
    if total:
        doc["total"] = count
    return JSON(doc)


@endpoint("List runs: filter, sort, paginate", query=m.RunsQuery, answer=m.RunsPage)
async def list_runs(request: Request, query: m.RunsQuery) -> Response:
    flt = None
    if query.filter:
        flt = parse_json(request, query.filter, "query parameter 'filter'")
        if not isinstance(flt, dict):
            raise ApiError(422, "wrong_type", "filter must be a JSON object", field="filter")
    return await _list(request, flt, query.order, query.limit, query.offset, query.total, query.cursor)


@endpoint("List runs with the query in a JSON body", body=m.RunsQueryBody, answer=m.RunsPage)
async def query_runs(request: Request, query: m.RunsQueryBody) -> Response:
    return await _list(
        request, query.filter, query.order, query.limit, query.offset, query.total, query.cursor
    )


@endpoint(
    "History (or system) keys over all runs of a project, one row per distinct key",
    query=m.KindQuery,
    answer=m.ProjectKeys,
)
async def project_keys(request: Request, query: m.KindQuery) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def keys(c: Any) -> list[dict]:
        return s.metrics.project_keys(c, access.project_id(c, s, u, e, p), query.kind)

    return JSON({"keys": await read(request, keys)})


routes = [
    Route("/api/v1/projects", list_projects, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}", get_project, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}", patch_project, methods=["PATCH"]),
    Route("/api/v1/projects/{entity}/{project}", delete_project, methods=["DELETE"]),
    Route("/api/v1/projects/{entity}/{project}/transfer", transfer_project, methods=["POST"]),
    Route("/api/v1/projects/{entity}/{project}/keys", project_keys, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/runs", list_runs, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/runs/query", query_runs, methods=["POST"]),
]
