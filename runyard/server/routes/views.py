"""Saved workspace views: `/api/v1/projects/{entity}/{project}/views` (list, create) and
`/api/v1/views/{view_id}` (get, change, delete, duplicate). Who may do what is `access.view`: shared
views follow the project (members change them, readers read them), a personal view is its owner's.
The state is the UI's versioned view object (web/src/core/view.ts), kept as given, bounded in size."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, dumps, id_param, json_body, name_param, read, signed_in, store, user, write

NAME_MAX = 200


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


def _name(v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or len(v) > NAME_MAX:
        raise ApiError(422, "bad_value", f"name must be a non-empty string of at most {NAME_MAX} characters")
    return v.strip()


def _fields(request: Request, body: dict, required: bool) -> dict:
    """The view's fields in `body` (name, shared, state), checked and bounded."""
    unknown = set(body) - {"name", "shared", "state"}
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    if "name" in body or required:
        out["name"] = _name(body.get("name"))
    if "shared" in body:
        if not isinstance(body["shared"], bool):
            raise ApiError(422, "wrong_type", "shared must be true or false")
        out["shared"] = body["shared"]
    if "state" in body or required:
        state = body.get("state")
        if not isinstance(state, dict):
            raise ApiError(422, "wrong_type", "state must be a JSON object (the workspace's view)")
        limit = request.app.state.config.max_view_bytes
        if len(dumps(state)) > limit:
            raise ApiError(413, "view_too_large", f"a view's state is at most {limit} bytes of JSON")
        out["state"] = state
    return out


def room(request: Request, count: int, what: str) -> None:
    """One bound for every saved thing a user adds (views, reports, comments): `max_saved_items`."""
    limit = request.app.state.config.max_saved_items
    if count >= limit:
        raise ApiError(422, "too_many", f"at most {limit} {what}; delete some first")


@endpoint("list views", answer=m.Document)
async def list_views(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        pid = access.project_id(c, s, u, e, p)
        return [doc(r) for r in s.views.listing(c, pid, None if u.anonymous else u.id)]

    return JSON({"views": await read(request, q)})


@endpoint("create view", answer=m.Document, status=201)
async def create_view(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    u = signed_in(request)
    f = _fields(request, await json_body(request), required=True)
    s = store(request)

    def q(c: Any) -> dict:
        # a personal view is the caller's own: reading the project is enough
        pid = access.project_id(c, s, u, e, p, access.WRITE if f.get("shared") else access.READ)
        room(request, s.views.count(c, pid), "saved views per project")
        vid = s.views.create(c, pid, u.id, f["name"], bool(f.get("shared")), f["state"])
        return doc(s.views.get(c, vid))  # type: ignore[arg-type]

    return JSON(await write(request, q), status_code=201)


@endpoint("get view", answer=m.Document)
async def get_view(request: Request) -> Response:
    vid = id_param(request, "view_id", "view")
    s, u = store(request), user(request)
    return JSON(await read(request, lambda c: doc(access.view(c, s, u, vid))))


@endpoint("patch view", answer=m.Document)
async def patch_view(request: Request) -> Response:
    vid = id_param(request, "view_id", "view")
    u = signed_in(request)
    f = _fields(request, await json_body(request), required=False)
    s = store(request)

    def q(c: Any) -> dict:
        row = access.view(c, s, u, vid, access.WRITE)
        if f.get("shared") and not row.shared:  # publishing to the project: a member's act
            access.project_id(c, s, u, row.entity, row.project, access.WRITE)
        if f.get("shared") is False and row.owner_id != u.id:
            raise ApiError(403, "forbidden", "only the view's owner can make it personal again")
        if f:
            s.views.update(c, vid, **f)
        return doc(s.views.get(c, vid))  # type: ignore[arg-type]

    return JSON(await write(request, q))


@endpoint("delete view", answer=m.Document)
async def delete_view(request: Request) -> Response:
    vid = id_param(request, "view_id", "view")
    u = signed_in(request)
    s = store(request)

    def q(c: Any) -> None:
        access.view(c, s, u, vid, access.WRITE)
        s.views.delete(c, vid)

    await write(request, q)
    return JSON({"deleted": vid})


@endpoint("duplicate view", answer=m.Document, status=201)
async def duplicate_view(request: Request) -> Response:
    """A copy of a view the caller can read: {name?, shared?} (personal unless asked)."""
    vid = id_param(request, "view_id", "view")
    u = signed_in(request)
    body = await json_body(request)
    f = _fields(request, {k: v for k, v in body.items() if k != "state"}, required=False)
    if "state" in body:
        raise ApiError(422, "unknown_field", "a duplicate takes the state of its original")
    s = store(request)

    def q(c: Any) -> dict:
        row = access.view(c, s, u, vid)
        shared = bool(f.get("shared"))
        pid = access.project_id(c, s, u, row.entity, row.project, access.WRITE if shared else access.READ)
        room(request, s.views.count(c, pid), "saved views per project")
        new = s.views.create(
            c, pid, u.id, f.get("name") or f"{row.name} (copy)"[:NAME_MAX], shared, row.state
        )
        return doc(s.views.get(c, new))  # type: ignore[arg-type]

    return JSON(await write(request, q), status_code=201)


routes = [
    Route("/api/v1/projects/{entity}/{project}/views", list_views, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/views", create_view, methods=["POST"]),
    Route("/api/v1/views/{view_id}", get_view, methods=["GET"]),
    Route("/api/v1/views/{view_id}", patch_view, methods=["PATCH"]),
    Route("/api/v1/views/{view_id}", delete_view, methods=["DELETE"]),
    Route("/api/v1/views/{view_id}/duplicate", duplicate_view, methods=["POST"]),
]
