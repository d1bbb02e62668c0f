"""Users, teams and API keys: `/api/v1/users`, `/api/v1/teams`, `/api/v1/keys`.

Creating users is for the server admin; any user may create a team (becoming its admin) and
manage members of teams it administers; everyone manages their own keys, the admin anyone's.
A new key is shown once, in the answer that creates it; only its hash is stored.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import User
from ...wire.names import ENTITY_RULE, valid_entity_name
from ..errors import ApiError
from ..http import JSON, json_body, name_param, read, store, user, write

ROLES = ("member", "admin")


def _admin(u: User) -> None:
    if not u.is_admin:
        raise ApiError(403, "forbidden", "only the server admin can do this")


def _fields(doc: dict, allowed: dict[str, type], required: tuple[str, ...] = ()) -> dict:
    for k, v in doc.items():
        if k not in allowed:
            raise ApiError(
                422, "unknown_field", f"unknown field {k!r}; allowed: {', '.join(sorted(allowed))}"
            )
        if v is not None and not isinstance(v, allowed[k]):
            raise ApiError(422, "wrong_type", f"{k} must be a {allowed[k].__name__}")
    for k in required:
        if doc.get(k) is None:
            raise ApiError(422, "missing_field", f"field {k!r} is required")
    return doc


def _new_name(c: Any, s: Any, name: str) -> None:
    if not valid_entity_name(name):
        raise ApiError(400, "bad_name", f"invalid name {name!r}: {ENTITY_RULE}")
    if s.entities.get(c, name) is not None:
        raise ApiError(409, "name_taken", f"a user or team named {name!r} exists")


def _entity(c: Any, s: Any, name: str, kind: str) -> Any:
    ent = s.entities.get(c, name)
    if ent is None or ent.kind != kind:
        raise ApiError(404, f"unknown_{kind}", f"{kind} {name!r} does not exist")
    return ent


# -- users ----------------------------------------------------------------------------------------
async def list_users(request: Request) -> Response:
    _admin(user(request))
    s = store(request)
    return JSON({"users": await read(request, lambda c: s.entities.listing(c, "user"))})


async def create_user(request: Request) -> Response:
    u = user(request)
    _admin(u)
    doc = _fields(await json_body(request), {"name": str, "email": str, "is_admin": bool}, ("name",))
    s = store(request)

    def q(c: Any) -> str:
        _new_name(c, s, doc["name"])
        uid = s.entities.create(
            c, doc["name"], "user", is_admin=bool(doc.get("is_admin")), email=doc.get("email")
        )
        return s.entities.create_key(c, uid, f"created by {u.name}")

    key = await write(request, q)
    return JSON({"name": doc["name"], "is_admin": bool(doc.get("is_admin")), "api_key": key}, status_code=201)


# -- teams ----------------------------------------------------------------------------------------
async def create_team(request: Request) -> Response:
    u = user(request)
    doc = _fields(await json_body(request), {"name": str}, ("name",))
    s = store(request)

    def q(c: Any) -> None:
        _new_name(c, s, doc["name"])
        tid = s.entities.create(c, doc["name"], "team")
        s.entities.add_member(c, tid, u.id, "admin")

    await write(request, q)
    return JSON({"name": doc["name"], "members": [{"user": u.name, "role": "admin"}]}, status_code=201)


def _team_admin(c: Any, s: Any, u: User, team: str) -> Any:
    t = _entity(c, s, team, "team")
    if not u.is_admin and s.entities.role(c, t.id, u.id) != "admin":
        raise ApiError(403, "forbidden", f"only admins of team {team!r} can change its members")
    return t


async def get_team(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _entity(c, s, team, "team")
        if not u.is_admin and s.entities.role(c, t.id, u.id) is None:
            raise ApiError(403, "forbidden", f"user {u.name!r} is not a member of team {team!r}")
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await read(request, q)})


async def add_member(request: Request) -> Response:
    team = name_param(request, "team")
    doc = _fields(await json_body(request), {"user": str, "role": str}, ("user",))
    role = doc.get("role") or "member"
    if role not in ROLES:
        raise ApiError(422, "bad_value", f"role must be one of {', '.join(ROLES)}")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        s.entities.add_member(c, t.id, _entity(c, s, doc["user"], "user").id, role)
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await write(request, q)})


async def remove_member(request: Request) -> Response:
    team, member = name_param(request, "team"), name_param(request, "user")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        if not s.entities.remove_member(c, t.id, _entity(c, s, member, "user").id):
            raise ApiError(404, "unknown_member", f"user {member!r} is not a member of team {team!r}")
        return s.entities.members(c, t.id)

    members = await write(request, q)
    request.app.state.broker.access_changed()  # the removed member's live streams end
    return JSON({"name": team, "members": members})


# -- keys -----------------------------------------------------------------------------------------
def _key_user(c: Any, s: Any, u: User, name: str | None) -> int:
    if name is None or name == u.name:
        return u.id
    _admin(u)
    return _entity(c, s, name, "user").id


async def list_keys(request: Request) -> Response:
    s, u = store(request), user(request)
    who = request.query_params.get("user")
    return JSON({"keys": await read(request, lambda c: s.entities.keys(c, _key_user(c, s, u, who)))})


async def create_key(request: Request) -> Response:
    doc = _fields(await json_body(request), {"name": str, "user": str})
    s, u = store(request), user(request)

    def q(c: Any) -> str:
        return s.entities.create_key(c, _key_user(c, s, u, doc.get("user")), doc.get("name"))

    key = await write(request, q)
    return JSON({"api_key": key, "prefix": key[:8], "name": doc.get("name")}, status_code=201)


async def revoke_key(request: Request) -> Response:
    raw = request.path_params["key_id"]
    if not raw.isdigit():
        raise ApiError(400, "bad_parameter", "key id must be a number (see GET /api/v1/keys)")
    key_id = int(raw)
    s, u = store(request), user(request)

    def q(c: Any) -> None:
        owner = s.entities.key_owner(c, key_id)
        if owner is None or (owner != u.id and not u.is_admin):
            raise ApiError(404, "unknown_key", f"no key {key_id} of yours")
        if not s.entities.revoke_key_id(c, key_id):
            raise ApiError(409, "already_revoked", f"key {key_id} is already revoked")

    try:
        await write(request, q)
    except sa.exc.IntegrityError:  # pragma: no cover - defensive
        raise ApiError(409, "conflict", "the key changed meanwhile") from None
    request.app.state.auth_epoch = getattr(request.app.state, "auth_epoch", 0) + 1  # drop cached keys
    request.app.state.broker.access_changed()  # and end the key's live streams
    return JSON({"revoked": key_id})


routes = [
    Route("/api/v1/users", list_users, methods=["GET"]),
    Route("/api/v1/users", create_user, methods=["POST"]),
    Route("/api/v1/teams", create_team, methods=["POST"]),
    Route("/api/v1/teams/{team}", get_team, methods=["GET"]),
    Route("/api/v1/teams/{team}/members", add_member, methods=["POST"]),
    Route("/api/v1/teams/{team}/members/{user}", remove_member, methods=["DELETE"]),
    Route("/api/v1/keys", list_keys, methods=["GET"]),
    Route("/api/v1/keys", create_key, methods=["POST"]),
    Route("/api/v1/keys/{key_id}", revoke_key, methods=["DELETE"]),
]
