"""Saved workspace views: `/api/v1/projects/{entity}/{project}/views` (list, create) and
`/api/v1/views/{view_id}` (get, change, delete, duplicate). Who may do what is `access.view`: shared
views follow the project (members change them, readers read them), a personal view is its owner's.
The state is the UI's versioned view object (web/src/core/view.ts), kept as given, bounded in size."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, dumps, id_param, name_param, read, signed_in, store, user, write


def doc(row: sa.Row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "shared": row.shared,
        "owner": row.owner,
        "state": row.state,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _state(request: Request, state: dict) -> dict:
    limit = request.app.state.config.max_view_bytes
    if len(dumps(state)) > limit:
        raise ApiError(413, "view_too_large", f"a view's state is at most {limit} bytes of JSON")
    return state


def room(request: Request, count: int, what: str) -> None:
    """One bound for every saved thing a user adds (views, reports, comments): `max_saved_items`."""
    limit = request.app.state.config.max_saved_items
    if count >= limit:
        raise ApiError(422, "too_many", f"at most {limit} {what}; delete some first")


@endpoint("list views", answer=m.SavedViews)
async def list_views(request: Request) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        pid = access.documents_of(conn, repos, caller, entity, project)
        return [doc(row) for row in repos.views.listing(conn, pid, None if caller.anonymous else caller.id)]

    return JSON({"views": await read(request, in_txn)})


@endpoint("create view", body=m.NewView, answer=m.SavedView, status=201)
async def create_view(request: Request, new: m.NewView) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    caller = signed_in(request)
    name, state = new.name.strip(), _state(request, new.state)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        # a personal view is the caller's own: reading the project is enough
        pid = access.project_id(
            conn, repos, caller, entity, project, access.WRITE if new.shared else access.READ
        )
        room(request, repos.views.count(conn, pid), "saved views per project")
        vid = repos.views.create(conn, pid, caller.id, name, new.shared, state)
        return doc(repos.views.get(conn, vid))  # type: ignore[arg-type]

    return JSON(await write(request, in_txn), status_code=201)


@endpoint("get view", answer=m.SavedView)
async def get_view(request: Request) -> Response:
    vid = id_param(request, "view_id", "view")
    repos, caller = store(request), user(request)
    return JSON(await read(request, lambda conn: doc(access.view(conn, repos, caller, vid))))


@endpoint("patch view", body=m.ViewPatch, answer=m.SavedView)
async def patch_view(request: Request, patch: m.ViewPatch) -> Response:
    vid = id_param(request, "view_id", "view")
    caller = signed_in(request)
    change = {
        field: value for field, value in msgspec.structs.asdict(patch).items() if value is not msgspec.UNSET
    }
    if isinstance(patch.name, str):
        change["name"] = patch.name.strip()
    if "state" in change:
        _state(request, change["state"])
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        row = access.view(conn, repos, caller, vid, access.WRITE)
        if patch.shared is True and not row.shared:  # publishing to the project: a member's act
            access.project_id(conn, repos, caller, row.entity, row.project, access.WRITE)
        if patch.shared is False and row.owner_id != caller.id:
            raise ApiError(403, "forbidden", "only the view's owner can make it personal again")
        if change:
            repos.views.update(conn, vid, **change)
        return doc(repos.views.get(conn, vid))  # type: ignore[arg-type]

    return JSON(await write(request, in_txn))


@endpoint("delete view", answer=m.DeletedId)
async def delete_view(request: Request) -> Response:
    vid = id_param(request, "view_id", "view")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> None:
        access.view(conn, repos, caller, vid, access.WRITE)
        repos.views.delete(conn, vid)

    await write(request, in_txn)
    return JSON({"deleted": vid})


@endpoint("duplicate view", body=m.ViewCopy, answer=m.SavedView, status=201)
async def duplicate_view(request: Request, copy: m.ViewCopy) -> Response:
    """A copy of a view the caller can read (personal unless asked)."""
    vid = id_param(request, "view_id", "view")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        row = access.view(conn, repos, caller, vid)
        access_needed = access.WRITE if copy.shared else access.READ
        pid = access.project_id(conn, repos, caller, row.entity, row.project, access_needed)
        room(request, repos.views.count(conn, pid), "saved views per project")
        name = copy.name.strip() if copy.name else f"{row.name} (copy)"[: m.TITLE_MAX]
        new = repos.views.create(conn, pid, caller.id, name, copy.shared, row.state)
        return doc(repos.views.get(conn, new))  # type: ignore[arg-type]

    return JSON(await write(request, in_txn), status_code=201)


routes = [
    Route("/api/v1/projects/{entity}/{project}/views", list_views, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/views", create_view, methods=["POST"]),
    Route("/api/v1/views/{view_id}", get_view, methods=["GET"]),
    Route("/api/v1/views/{view_id}", patch_view, methods=["PATCH"]),
    Route("/api/v1/views/{view_id}", delete_view, methods=["DELETE"]),
    Route("/api/v1/views/{view_id}/duplicate", duplicate_view, methods=["POST"]),
]
