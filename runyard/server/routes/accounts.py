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
from ...store.entities import valid_name
from ...wire import api_models as m
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, read, store, user, write


def _admin(u: User) -> None:
    if not u.is_admin:
        raise ApiError("forbidden", "only the server admin can do this")


def _new_name(c: Any, s: Any, name: str) -> None:
    if not valid_name(name):
        raise ApiError("bad_name", f"invalid name {name!r}: use letters, digits, '-', '_' and '.'")
    if s.entities.get(c, name) is not None:
        raise ApiError("name_taken", f"a user or team named {name!r} exists")


def _entity(c: Any, s: Any, name: str, kind: str) -> Any:
    ent = s.entities.get(c, name)
    if ent is None or ent.kind != kind:
        raise ApiError(f"unknown_{kind}", f"{kind} {name!r} does not exist")
    return ent


# -- users ----------------------------------------------------------------------------------------
@endpoint("Users (admin only)", answer=m.Users)
async def list_users(request: Request) -> Response:
    _admin(user(request))
    s = store(request)
    return JSON({"users": await read(request, lambda c: s.entities.listing(c, "user"))})


@endpoint(
    "Create a user with its first API key, shown once (admin only)",
    body=m.NewUser,
    answer=m.CreatedUser,
    status=201,
)
async def create_user(request: Request, new: m.NewUser) -> Response:
    u = user(request)
    _admin(u)
    s = store(request)

    def q(c: Any) -> str:
        _new_name(c, s, new.name)
        uid = s.entities.create(c, new.name, "user", is_admin=new.is_admin, email=new.email)
        return s.entities.create_key(c, uid, f"created by {u.name}")

    key = await write(request, q)
    return JSON(m.CreatedUser(name=new.name, is_admin=new.is_admin, api_key=key), status_code=201)


# -- teams ----------------------------------------------------------------------------------------
@endpoint("Create a team; the caller becomes its admin", body=m.NewTeam, answer=m.Team, status=201)
async def create_team(request: Request, new: m.NewTeam) -> Response:
    u = user(request)
    s = store(request)

    def q(c: Any) -> None:
        _new_name(c, s, new.name)
        tid = s.entities.create(c, new.name, "team")
        s.entities.add_member(c, tid, u.id, "admin")

    await write(request, q)
    return JSON(m.Team(name=new.name, members=[m.Member(user=u.name, role="admin")]), status_code=201)


def _team_admin(c: Any, s: Any, u: User, team: str) -> Any:
    t = _entity(c, s, team, "team")
    if not u.is_admin and s.entities.role(c, t.id, u.id) != "admin":
        raise ApiError("forbidden", f"only admins of team {team!r} can change its members")
    return t


@endpoint("A team and its members", answer=m.Team)
async def get_team(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _entity(c, s, team, "team")
        if not u.is_admin and s.entities.role(c, t.id, u.id) is None:
            raise ApiError("forbidden", f"user {u.name!r} is not a member of team {team!r}")
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await read(request, q)})


@endpoint("Add a member or change its role (team admins, server admin)", body=m.MemberChange, answer=m.Team)
async def add_member(request: Request, change: m.MemberChange) -> Response:
    team = name_param(request, "team")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        s.entities.add_member(c, t.id, _entity(c, s, change.user, "user").id, change.role)
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await write(request, q)})


@endpoint("Remove a member (team admins, server admin)", answer=m.Team)
async def remove_member(request: Request) -> Response:
    team, member = name_param(request, "team"), name_param(request, "user")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        if not s.entities.remove_member(c, t.id, _entity(c, s, member, "user").id):
            raise ApiError("unknown_member", f"user {member!r} is not a member of team {team!r}")
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


@endpoint(
    "The caller's API keys (id, prefix, name, times; never the key)", query=m.KeysQuery, answer=m.ApiKeys
)
async def list_keys(request: Request, q: m.KeysQuery) -> Response:
    s, u = store(request), user(request)
    who = q.user
    return JSON({"keys": await read(request, lambda c: s.entities.keys(c, _key_user(c, s, u, who)))})


@endpoint(
    "Create an API key, shown once; `user` (admin only) creates it for another user",
    body=m.NewKey,
    answer=m.CreatedKey,
    status=201,
)
async def create_key(request: Request, new: m.NewKey) -> Response:
    s, u = store(request), user(request)

    def q(c: Any) -> str:
        return s.entities.create_key(c, _key_user(c, s, u, new.user), new.name)

    key = await write(request, q)
    return JSON(m.CreatedKey(api_key=key, prefix=key[:8], name=new.name), status_code=201)


@endpoint("Revoke a key (own keys; the admin any)", answer=m.Revoked)
async def revoke_key(request: Request) -> Response:
    raw = request.path_params["key_id"]
    if not raw.isdigit():
        raise ApiError("bad_parameter", "key id must be a number (see GET /api/v1/keys)")
    key_id = int(raw)
    s, u = store(request), user(request)

    def q(c: Any) -> None:
        owner = s.entities.key_owner(c, key_id)
        if owner is None or (owner != u.id and not u.is_admin):
            raise ApiError("unknown_key", f"no key {key_id} of yours")
        if not s.entities.revoke_key_id(c, key_id):
            raise ApiError("already_revoked", f"key {key_id} is already revoked")

    try:
        await write(request, q)
    except sa.exc.IntegrityError:  # pragma: no cover - defensive
        raise ApiError("conflict", "the key changed meanwhile") from None
    request.app.state.auth_epoch = getattr(request.app.state, "auth_epoch", 0) + 1  # drop cached keys
    request.app.state.broker.access_changed()  # and end the key's live streams
    return JSON(m.Revoked(revoked=key_id))


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
