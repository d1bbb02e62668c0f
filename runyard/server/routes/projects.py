"""Projects and run listing: `/api/v1/projects[/{entity}/{project}[/runs]]`; project settings
(visibility, description, name), transfer to another entity and deletion (the entity's admins)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.run_filters import FilterError
from ...wire.names import PROJECT_RULE, valid_project_name
from .. import access
from ..errors import ApiError
from ..http import JSON, int_param, json_body, kind_param, name_param, parse_json, read, store, user, write

MAX_PAGE = 1000


async def list_projects(request: Request) -> Response:
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.projects.list(c, where=access.readable_projects(c, u))

    return JSON({"projects": await read(request, q)})


async def get_project(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        row = access.project(c, s, u, e, p)
        return next(x for x in s.projects.list(c, entity_id=row.entity_id) if x["name"] == p)

    return JSON(await read(request, q))


async def patch_project(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    doc = await json_body(request)
    allowed = {"visibility": str, "description": str, "name": str}
    for k, v in doc.items():
        if k not in allowed:
            raise ApiError(
                422, "unknown_field", f"cannot update {k!r}; updatable: visibility, description, name"
            )
        if v is not None and not isinstance(v, allowed[k]):
            raise ApiError(422, "wrong_type", f"{k} must be a string")
    if doc.get("visibility") is not None and doc["visibility"] not in access.VISIBILITIES:
        raise ApiError(422, "bad_value", f"visibility must be one of {', '.join(access.VISIBILITIES)}")
    if doc.get("name") is not None and not valid_project_name(doc["name"]):
        raise ApiError(400, "bad_name", f"invalid project name {doc['name']!r}: {PROJECT_RULE}")
    values = {k: v for k, v in doc.items() if v is not None}
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


async def transfer_project(request: Request) -> Response:
    """Give the project to another entity: admin there and here (or the server admin)."""
    e, p = name_param(request, "entity"), name_param(request, "project")
    doc = await json_body(request)
    to = doc.get("to")
    if set(doc) != {"to"} or not isinstance(to, str):
        raise ApiError(422, "bad_value", 'send {"to": "<entity>"}')
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
    request: Request, flt: Any, order: Any, limit: Any, offset: Any, total: Any, cursor: Any = None
) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    if flt is not None and not isinstance(flt, dict):
        raise ApiError(422, "wrong_type", "filter must be a JSON object")
    if order is not None and not isinstance(order, str):
        raise ApiError(422, "wrong_type", "order must be a string such as '-summary.loss'")
    for name, v in (("limit", limit), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ApiError(422, "wrong_type", f"{name} must be an integer")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ApiError(422, "out_of_range", f"limit must be 1..{MAX_PAGE} and offset >= 0")
    if cursor is not None and (not isinstance(cursor, str) or len(cursor) > 4096):
        raise ApiError(422, "wrong_type", "cursor must be the next_cursor string of a previous page")
    s, u = store(request), user(request)

    def q(c: Any) -> tuple[list[dict], int | None, str | None]:
        pid = access.project_id(c, s, u, e, p)
        return s.runs.list(c, pid, flt, order, limit, offset, with_total=bool(total), cursor=cursor)

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


async def list_runs(request: Request) -> Response:
    raw = request.query_params.get("filter")
    flt = None
    if raw:
        flt = parse_json(request, raw, "query parameter 'filter'")
    limit = int_param(request, "limit", 50)
    offset = int_param(request, "offset", 0)
    total = request.query_params.get("total", "false").lower() in ("1", "true", "yes")
    order, cursor = request.query_params.get("order"), request.query_params.get("cursor")
    return await _list(request, flt, order, limit, offset, total, cursor)


async def query_runs(request: Request) -> Response:
    doc = await json_body(request)
    unknown = set(doc) - {"filter", "order", "limit", "offset", "total", "cursor"}
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    return await _list(
        request,
        doc.get("filter"),
        doc.get("order"),
        doc.get("limit", 50),
        doc.get("offset", 0),
        doc.get("total", False),
        doc.get("cursor"),
    )


async def project_keys(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    kind = kind_param(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.metrics.project_keys(c, access.project_id(c, s, u, e, p), kind)

    return JSON({"keys": await read(request, q)})


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
