"""Projects and run listing: `/api/v1/projects[/{entity}/{project}[/runs]]`; project settings
(visibility, description, name), transfer to another entity and deletion (the entity's admins)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.run_filters import FilterError, parse_fields
from ...store.runs import RAW_COLUMNS
from ...wire import api_models as m
from ...wire.names import PROJECT_RULE, valid_project_name
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, RawJSON, name_param, parse_json, read, store, user, write


@endpoint("Projects the caller can see", answer=m.Projects)
async def list_projects(request: Request) -> Response:
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        return repos.projects.list(conn, where=access.readable_projects(conn, caller))

    return JSON({"projects": await read(request, in_txn)})


@endpoint("One project", answer=m.Project)
async def get_project(request: Request) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        row = access.project(conn, repos, caller, entity, project)
        return next(
            other for other in repos.projects.list(conn, entity_id=row.entity_id) if other["name"] == project
        )

    return JSON(await read(request, in_txn))


@endpoint(
    "Change a project's visibility, description or name (the entity's admins)",
    body=m.ProjectPatch,
    answer=m.Project,
)
async def patch_project(request: Request, patch: m.ProjectPatch) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    values = {
        field: value
        for field in ("visibility", "description", "name")
        if (value := getattr(patch, field)) not in (None, msgspec.UNSET)
    }
    if "name" in values and not valid_project_name(values["name"]):
        raise ApiError(400, "bad_name", f"invalid project name {values['name']!r}: {PROJECT_RULE}")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        row = access.project(conn, repos, caller, entity, project, access.ADMIN)
        name = values.get("name", project)
        if name != project and repos.projects.id_of(conn, row.entity_id, name) is not None:
            raise ApiError(409, "name_taken", f"{entity!r} already has a project {name!r}")
        if values:
            repos.projects.update(conn, row.id, **values)
            repos.audit.record(
                conn, caller, "project.update", f"{entity}/{project}", **values, was=row.visibility
            )
        return next(
            other for other in repos.projects.list(conn, entity_id=row.entity_id) if other["name"] == name
        )

    out = await write(request, in_txn)
    if "visibility" in values:
        request.app.state.broker.access_changed()  # streams of readers who lost access end
    return JSON(out)


@endpoint(
    "Give the project to another entity (admin of both, or the server admin)",
    body=m.ProjectTransfer,
    answer=m.Project,
)
async def transfer_project(request: Request, transfer: m.ProjectTransfer) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    to = transfer.to
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        row = access.project(conn, repos, caller, entity, project, access.ADMIN)
        dest = access.entity_id(conn, repos, caller, to, access.ADMIN)
        if repos.projects.id_of(conn, dest, project) is not None:
            raise ApiError(409, "name_taken", f"{to!r} already has a project {project!r}")
        repos.projects.transfer(conn, row.id, dest)
        repos.audit.record(conn, caller, "project.transfer", f"{entity}/{project}", to=f"{to}/{project}")
        return next(other for other in repos.projects.list(conn, entity_id=dest) if other["name"] == project)

    out = await write(request, in_txn)
    request.app.state.broker.access_changed()
    return JSON(out)


@endpoint("Delete a project and its runs (the entity's admins)", answer=m.ProjectDeleted)
async def delete_project(request: Request) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> None:
        repos.projects.delete(conn, access.project(conn, repos, caller, entity, project, access.ADMIN).id)
        repos.audit.record(conn, caller, "project.delete", f"{entity}/{project}")

    await write(request, in_txn)
    request.app.state.broker.access_changed()
    return JSON({"deleted": f"{entity}/{project}", "note": "blobs are freed by `runyard gc`"})


async def _list(
    request: Request,
    flt: dict | None,
    order: str | None,
    limit: int,
    offset: int,
    total: bool,
    cursor: str | None,
    fields: list[str] | None,
) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)
    try:
        asked = None if fields is None else parse_fields(fields, m.MAX_FIELDS)
    except FilterError as err:
        raise ApiError(422, "bad_value", str(err), field="fields") from None

    def in_txn(conn: Any) -> tuple[list[dict], int | None, str | None]:
        pid = access.project_id(conn, repos, caller, entity, project)
        return repos.runs.list(
            conn, pid, flt, order, limit, offset, total, cursor, raw_json=True, fields=asked
        )

    try:
        rows, count, nxt = await read(request, in_txn)
    except FilterError as err:
        raise ApiError(422, "bad_filter", str(err)) from None
    # next_cursor: the page after this one by keyset (the database seeks to it; no rows are skipped
    # over as with offsets, which cost a scan of every earlier row on each page)
    for r in rows:
        for col in RAW_COLUMNS:
            if isinstance(r[col], str):  # not asked values (already msgspec.Raw leaves)
                r[col] = msgspec.Raw(r[col])
    doc: dict[str, Any] = {
        "runs": rows,
        "next_cursor": nxt,
        "next_offset": offset + limit if nxt and cursor is None else None,
    }
    if total:
        doc["total"] = count
    return RawJSON(doc)


@endpoint("List runs: filter, sort, paginate", query=m.RunsQuery, answer=m.RunsPage)
async def list_runs(request: Request, query: m.RunsQuery) -> Response:
    flt = None
    if query.filter:
        flt = parse_json(request, query.filter, "query parameter 'filter'")
        if not isinstance(flt, dict):
            raise ApiError(422, "wrong_type", "filter must be a JSON object", field="filter")
    return await _list(
        request, flt, query.order, query.limit, query.offset, query.total, query.cursor, query.fields
    )


@endpoint("List runs with the query in a JSON body", body=m.RunsQueryBody, answer=m.RunsPage)
async def query_runs(request: Request, query: m.RunsQueryBody) -> Response:
    return await _list(
        request, query.filter, query.order, query.limit, query.offset, query.total, query.cursor, query.fields
    )


@endpoint(
    "Runs as columns, up to 10,000 a page: what a runs table shows (no config/summary documents; the "
    "asked `fields` values), with the listing's filter, order and cursor",
    body=m.RunColumnsQuery,
    answer=m.RunColumns,
)
async def run_columns(request: Request, query: m.RunColumnsQuery) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)
    try:
        asked = parse_fields(query.fields, m.MAX_FIELDS)
    except FilterError as err:
        raise ApiError(422, "bad_value", str(err), field="fields") from None

    def in_txn(conn: Any) -> tuple[dict[str, Any], str | None]:
        pid = access.project_id(conn, repos, caller, entity, project)
        return repos.runs.columns(conn, pid, query.filter, query.order, query.limit, query.cursor, asked)

    try:
        cols, nxt = await read(request, in_txn)
    except FilterError as err:
        raise ApiError(422, "bad_filter", str(err)) from None
    return RawJSON({**cols, "next_cursor": nxt})


@endpoint(
    "History (or system) keys over all runs of a project, one row per distinct key",
    query=m.KindQuery,
    answer=m.ProjectKeys,
)
async def project_keys(request: Request, query: m.KindQuery) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)

    def keys(conn: Any) -> list[dict]:
        return repos.metrics.project_keys(
            conn, access.project_id(conn, repos, caller, entity, project), query.kind
        )

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
    Route("/api/v1/projects/{entity}/{project}/runs/columns", run_columns, methods=["POST"]),
]
