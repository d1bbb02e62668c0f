"""Users, teams and API keys: `/api/v1/users`, `/api/v1/teams`, `/api/v1/invitations`, `/api/v1/keys`.

Creating users is for the server admin; any user may create a team (becoming its admin); team
admins (and the server admin) manage members, roles, invitations and delete the team; any member
may see the team and leave it (but its last admin cannot). Everyone manages their own keys, the
admin anyone's. A new key or invitation is shown once, in the answer that creates it; only its hash
is stored. Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import User
from ...store.entities import ROLES, SCOPES
from ...store.tables import entities
from ...wire.names import ENTITY_RULE, valid_entity_name
from ..errors import ApiError
from ..http import JSON, id_param, json_body, name_param, read, signed_in, store, write
from ..signin import link_url

MAX_INVITE_SECONDS = 30 * 24 * 3600.0
# first path segments of the web UI's own pages (web/src/router.tsx): an entity so named would have
# no page at /<name>
UI_PAGES = ("api", "assets", "signin", "setup", "invite", "settings")


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
    if name.lower() in UI_PAGES:
        raise ApiError(400, "bad_name", f"{name!r} names a page of the web UI: pick another name")
    if s.entities.get(c, name) is not None:
        raise ApiError(409, "name_taken", f"a user or team named {name!r} exists")


def _entity(c: Any, s: Any, name: str, kind: str) -> Any:
    ent = s.entities.get(c, name)
    if ent is None or ent.kind != kind:
        raise ApiError(404, f"unknown_{kind}", f"{kind} {name!r} does not exist")
    return ent


# -- users ----------------------------------------------------------------------------------------
async def list_users(request: Request) -> Response:
    _admin(signed_in(request))
    s = store(request)
    return JSON({"users": await read(request, lambda c: s.entities.listing(c, "user"))})


async def create_user(request: Request) -> Response:
    u = signed_in(request)
    _admin(u)
    doc = _fields(await json_body(request), {"name": str, "email": str, "is_admin": bool}, ("name",))
    s = store(request)

    def q(c: Any) -> str:
        _new_name(c, s, doc["name"])
        uid = s.entities.create(
            c, doc["name"], "user", is_admin=bool(doc.get("is_admin")), email=doc.get("email")
        )
        s.audit.record(c, u, "user.create", doc["name"], is_admin=bool(doc.get("is_admin")))
        return s.entities.create_key(c, uid, f"created by {u.name}")

    key = await write(request, q)
    return JSON({"name": doc["name"], "is_admin": bool(doc.get("is_admin")), "api_key": key}, status_code=201)


# -- teams ----------------------------------------------------------------------------------------
async def create_team(request: Request) -> Response:
    u = signed_in(request)
    doc = _fields(await json_body(request), {"name": str}, ("name",))
    s = store(request)

    def q(c: Any) -> None:
        _new_name(c, s, doc["name"])
        tid = s.entities.create(c, doc["name"], "team")
        s.entities.add_member(c, tid, u.id, "admin")
        s.audit.record(c, u, "team.create", doc["name"])

    await write(request, q)
    return JSON({"name": doc["name"], "members": [{"user": u.name, "role": "admin"}]}, status_code=201)


def _team_admin(c: Any, s: Any, u: User, team: str) -> Any:
    t = _entity(c, s, team, "team")
    if not u.is_admin and s.entities.role(c, t.id, u.id) != "admin":
        raise ApiError(403, "forbidden", f"only admins of team {team!r} can do this")
    if u.key_id is not None and (u.scope != "write" or u.scope_entity not in (None, t.id)):
        raise ApiError(403, "forbidden", "this API key cannot administer the team")
    return t


def _keep_an_admin(c: Any, s: Any, team_id: int, user_id: int, team: str) -> None:
    """A team keeps at least one admin (else nobody could manage it but the server admin)."""
    if s.entities.role(c, team_id, user_id) == "admin" and s.entities.admins(c, team_id) <= 1:
        raise ApiError(409, "last_admin", f"{team!r} needs another admin first")


async def get_team(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)

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
    s, u = store(request), signed_in(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        member = _entity(c, s, doc["user"], "user").id
        before = s.entities.role(c, t.id, member)
        if before is not None and role != "admin":
            _keep_an_admin(c, s, t.id, member, team)
        s.entities.add_member(c, t.id, member, role)
        s.audit.record(
            c,
            u,
            "member.add" if before is None else "member.role",
            f"{team}/{doc['user']}",
            role=role,
            was=before,
        )
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await write(request, q)})


async def remove_member(request: Request) -> Response:
    team, member = name_param(request, "team"), name_param(request, "user")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        mid = _entity(c, s, member, "user").id
        _keep_an_admin(c, s, t.id, mid, team)
        if not s.entities.remove_member(c, t.id, mid):
            raise ApiError(404, "unknown_member", f"user {member!r} is not a member of team {team!r}")
        s.audit.record(c, u, "member.remove", f"{team}/{member}")
        return s.entities.members(c, t.id)

    members = await write(request, q)
    request.app.state.broker.access_changed()  # the removed member's live streams end
    return JSON({"name": team, "members": members})


async def leave_team(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> None:
        t = _entity(c, s, team, "team")
        _keep_an_admin(c, s, t.id, u.id, team)
        if not s.entities.remove_member(c, t.id, u.id):
            raise ApiError(404, "unknown_member", f"you are not a member of team {team!r}")
        s.audit.record(c, u, "member.leave", f"{team}/{u.name}")

    await write(request, q)
    request.app.state.broker.access_changed()
    return JSON({"left": team})


async def delete_team(request: Request) -> Response:
    """The team and everything it owns (projects, runs, artifacts; blobs are freed by `runyard gc`)."""
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> None:
        t = _team_admin(c, s, u, team)
        s.entities.delete(c, t.id)
        s.audit.record(c, u, "team.delete", team)

    await write(request, q)
    request.app.state.broker.access_changed()
    return JSON({"deleted": team})


# -- invitations ----------------------------------------------------------------------------------
async def create_invitation(request: Request) -> Response:
    team = name_param(request, "team")
    doc = _fields(await json_body(request), {"role": str, "expires_in": int})
    role = doc.get("role") or "member"
    if role not in ROLES:
        raise ApiError(422, "bad_value", f"role must be one of {', '.join(ROLES)}")
    lifetime = doc.get("expires_in") or request.app.state.config.link_seconds
    if not 0 < lifetime <= MAX_INVITE_SECONDS:
        raise ApiError(422, "out_of_range", f"expires_in must be 1..{int(MAX_INVITE_SECONDS)} seconds")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> tuple[int, str]:
        t = _team_admin(c, s, u, team)
        made = s.links.create(c, "invite", lifetime, team_id=t.id, role=role, created_by=u.id)
        s.audit.record(c, u, "invitation.create", team, role=role, invitation=made[0])
        return made

    iid, token = await write(request, q)
    return JSON(
        {
            "id": iid,
            "team": team,
            "role": role,
            "token": token,
            "url": link_url(request, "/invite", token),
            "expires_at": time.time() + lifetime,
        },
        status_code=201,
    )


async def list_invitations(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)
    return JSON(
        {"invitations": await read(request, lambda c: s.links.invitations(c, _team_admin(c, s, u, team).id))}
    )


async def revoke_invitation(request: Request) -> Response:
    team, invitation = name_param(request, "team"), id_param(request, "invitation_id", "invitation")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> None:
        t = _team_admin(c, s, u, team)
        if not s.links.revoke_invitation(c, t.id, invitation):
            raise ApiError(404, "unknown_invitation", f"no open invitation {invitation} of team {team!r}")
        s.audit.record(c, u, "invitation.revoke", team, invitation=invitation)

    await write(request, q)
    return JSON({"revoked": invitation})


async def accept_invitation(request: Request) -> Response:
    doc = _fields(await json_body(request), {"token": str}, ("token",))
    s, u = store(request), signed_in(request)
    if u.key_id is not None and u.scope != "write":
        raise ApiError(403, "forbidden", "a read-only key cannot accept invitations")

    def q(c: Any) -> dict:
        link = s.links.peek(c, "invite", doc["token"])
        team = (
            c.execute(sa.select(entities.c.name).where(entities.c.id == link.team_id)).scalar()
            if link
            else None
        )
        if link is None or team is None or s.links.use(c, "invite", doc["token"], u.id) is None:
            raise ApiError(404, "bad_link", "this invitation is invalid, used, revoked or expired")
        before = s.entities.role(c, link.team_id, u.id)
        if before is None or (before != "admin" and link.role == "admin"):  # never a demotion
            s.entities.add_member(c, link.team_id, u.id, link.role)
        s.audit.record(c, u, "invitation.accept", team, role=link.role, invitation=link.id)
        return {"team": team, "role": s.entities.role(c, link.team_id, u.id)}

    out = await write(request, q)
    request.app.state.broker.access_changed()
    return JSON(out)


# -- keys -----------------------------------------------------------------------------------------
def _key_user(c: Any, s: Any, u: User, name: str | None) -> int:
    if name is None or name == u.name:
        return u.id
    _admin(u)
    return _entity(c, s, name, "user").id


async def list_keys(request: Request) -> Response:
    s, u = store(request), signed_in(request)
    who = request.query_params.get("user")
    return JSON({"keys": await read(request, lambda c: s.entities.keys(c, _key_user(c, s, u, who)))})


async def create_key(request: Request) -> Response:
    doc = _fields(await json_body(request), {"name": str, "user": str, "scope": str, "entity": str})
    scope = doc.get("scope") or "write"
    if scope not in SCOPES:
        raise ApiError(422, "bad_value", f"scope must be one of {', '.join(SCOPES)}")
    s, u = store(request), signed_in(request)
    if u.key_id is not None and (u.scope != "write" or u.scope_entity is not None):
        raise ApiError(403, "forbidden", "a read-only or entity-limited key cannot create keys")

    def q(c: Any) -> str:
        owner = _key_user(c, s, u, doc.get("user"))
        ent = s.entities.get(c, doc["entity"]) if doc.get("entity") else None
        if doc.get("entity") and ent is None:
            raise ApiError(404, "unknown_entity", f"entity {doc['entity']!r} does not exist")
        key = s.entities.create_key(c, owner, doc.get("name"), scope, ent.id if ent is not None else None)
        s.audit.record(
            c,
            u,
            "key.create",
            key[:8],
            owner=doc.get("user") or u.name,
            scope=scope,
            entity=doc.get("entity"),
        )
        return key

    key = await write(request, q)
    return JSON(
        {
            "api_key": key,
            "prefix": key[:8],
            "name": doc.get("name"),
            "scope": scope,
            "entity": doc.get("entity"),
        },
        status_code=201,
    )


async def revoke_key(request: Request) -> Response:
    key_id = id_param(request, "key_id", "key")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> None:
        owner = s.entities.key_owner(c, key_id)
        if owner is None or (owner != u.id and not u.is_admin):
            raise ApiError(404, "unknown_key", f"no key {key_id} of yours")
        if not s.entities.revoke_key_id(c, key_id):
            raise ApiError(409, "already_revoked", f"key {key_id} is already revoked")
        s.audit.record(c, u, "key.revoke", str(key_id))

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
    Route("/api/v1/teams/{team}", delete_team, methods=["DELETE"]),
    Route("/api/v1/teams/{team}/members/{user}", remove_member, methods=["DELETE"]),
    Route("/api/v1/teams/{team}/leave", leave_team, methods=["POST"]),
    Route("/api/v1/teams/{team}/invitations", list_invitations, methods=["GET"]),
    Route("/api/v1/teams/{team}/invitations", create_invitation, methods=["POST"]),
    Route("/api/v1/teams/{team}/invitations/{invitation_id}", revoke_invitation, methods=["DELETE"]),
    Route("/api/v1/invitations/accept", accept_invitation, methods=["POST"]),
    Route("/api/v1/keys", list_keys, methods=["GET"]),
    Route("/api/v1/keys", create_key, methods=["POST"]),
    Route("/api/v1/keys/{key_id}", revoke_key, methods=["DELETE"]),
]
