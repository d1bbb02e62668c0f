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
from ...store.tables import entities
from ...wire import api_models as m
from ...wire.names import ENTITY_RULE, valid_entity_name
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, id_param, name_param, read, signed_in, store, write
from ..signin import link_url

# first path segments of the web UI's own pages (web/src/router.tsx): an entity so named would have
# no page at /<name>
UI_PAGES = ("api", "assets", "signin", "setup", "invite", "settings")


def _admin(u: User) -> None:
    if not u.is_admin:
        raise ApiError(403, "forbidden", "only the server admin can do this")


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
@endpoint("Every user (the server admin)", answer=m.Users)
async def list_users(request: Request) -> Response:
    _admin(signed_in(request))
    s = store(request)
    return JSON({"users": await read(request, lambda c: s.entities.listing(c, "user"))})


@endpoint(
    "Create a user and its first API key (the server admin)", body=m.NewUser, answer=m.CreatedUser, status=201
)
async def create_user(request: Request, new: m.NewUser) -> Response:
    u = signed_in(request)
    _admin(u)
    is_admin = bool(new.is_admin)
    s = store(request)

    def q(c: Any) -> str:
        _new_name(c, s, new.name)
        uid = s.entities.create(c, new.name, "user", is_admin=is_admin, email=new.email)
        s.audit.record(c, u, "user.create", new.name, is_admin=is_admin)
        return s.entities.create_key(c, uid, f"created by {u.name}")

    key = await write(request, q)
    return JSON(m.CreatedUser(name=new.name, is_admin=is_admin, api_key=key), status_code=201)


# -- teams ----------------------------------------------------------------------------------------
@endpoint("Create a team; the caller becomes its admin", body=m.NewTeam, answer=m.Team, status=201)
async def create_team(request: Request, new: m.NewTeam) -> Response:
    u = signed_in(request)
    s = store(request)

    def q(c: Any) -> None:
        _new_name(c, s, new.name)
        tid = s.entities.create(c, new.name, "team")
        s.entities.add_member(c, tid, u.id, "admin")
        s.audit.record(c, u, "team.create", new.name)

    await write(request, q)
    return JSON({"name": new.name, "members": [{"user": u.name, "role": "admin"}]}, status_code=201)


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


@endpoint("A team and its members (its members and the server admin)", answer=m.Team)
async def get_team(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)

    def q(c: Any) -> list[dict]:
        t = _entity(c, s, team, "team")
        if not u.is_admin and s.entities.role(c, t.id, u.id) is None:
            raise ApiError(403, "forbidden", f"user {u.name!r} is not a member of team {team!r}")
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await read(request, q)})


@endpoint("Add a member or change a member's role (team admins)", body=m.MemberChange, answer=m.Team)
async def add_member(request: Request, change: m.MemberChange) -> Response:
    team = name_param(request, "team")
    role = change.role or "member"
    s, u = store(request), signed_in(request)

    def q(c: Any) -> list[dict]:
        t = _team_admin(c, s, u, team)
        member = _entity(c, s, change.user, "user").id
        before = s.entities.role(c, t.id, member)
        if before is not None and role != "admin":
            _keep_an_admin(c, s, t.id, member, team)
        s.entities.add_member(c, t.id, member, role)
        s.audit.record(
            c,
            u,
            "member.add" if before is None else "member.role",
            f"{team}/{change.user}",
            role=role,
            was=before,
        )
        return s.entities.members(c, t.id)

    return JSON({"name": team, "members": await write(request, q)})


@endpoint("Remove a member (team admins; not the last admin)", answer=m.Team)
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


@endpoint("Leave a team (not as its last admin)", answer=m.LeftTeam)
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


@endpoint("Delete a team and everything it owns (team admins)", answer=m.TeamDeleted)
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
@endpoint(
    "Invite to a team: a one-time link (team admins)",
    body=m.NewInvitation,
    answer=m.CreatedInvitation,
    status=201,
)
async def create_invitation(request: Request, new: m.NewInvitation) -> Response:
    team = name_param(request, "team")
    role = new.role or "member"
    lifetime = new.expires_in or request.app.state.config.link_seconds
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


@endpoint("A team's open invitations (team admins)", answer=m.Invitations)
async def list_invitations(request: Request) -> Response:
    team = name_param(request, "team")
    s, u = store(request), signed_in(request)
    return JSON(
        {"invitations": await read(request, lambda c: s.links.invitations(c, _team_admin(c, s, u, team).id))}
    )


@endpoint("Revoke an open invitation (team admins)", answer=m.Revoked)
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


@endpoint("Join the team an invitation is for", body=m.InvitationAccept, answer=m.Joined)
async def accept_invitation(request: Request, accept: m.InvitationAccept) -> Response:
    s, u = store(request), signed_in(request)
    if u.key_id is not None and u.scope != "write":
        raise ApiError(403, "forbidden", "a read-only key cannot accept invitations")

    def q(c: Any) -> dict:
        link = s.links.peek(c, "invite", accept.token)
        team = (
            c.execute(sa.select(entities.c.name).where(entities.c.id == link.team_id)).scalar()
            if link
            else None
        )
        if link is None or team is None or s.links.use(c, "invite", accept.token, u.id) is None:
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


@endpoint("The caller's API keys (or a user's, for the server admin)", query=m.KeysQuery, answer=m.ApiKeys)
async def list_keys(request: Request, query: m.KeysQuery) -> Response:
    s, u = store(request), signed_in(request)
    keys = await read(request, lambda c: s.entities.keys(c, _key_user(c, s, u, query.user)))
    return JSON({"keys": keys})


@endpoint(
    "Create an API key (read or write, optionally limited to one entity)",
    body=m.NewKey,
    answer=m.CreatedKey,
    status=201,
)
async def create_key(request: Request, new: m.NewKey) -> Response:
    scope = new.scope or "write"
    s, u = store(request), signed_in(request)
    if u.key_id is not None and (u.scope != "write" or u.scope_entity is not None):
        raise ApiError(403, "forbidden", "a read-only or entity-limited key cannot create keys")

    def q(c: Any) -> str:
        owner = _key_user(c, s, u, new.user)
        ent = s.entities.get(c, new.entity) if new.entity else None
        if new.entity and ent is None:
            raise ApiError(404, "unknown_entity", f"entity {new.entity!r} does not exist")
        key = s.entities.create_key(c, owner, new.name, scope, ent.id if ent is not None else None)
        s.audit.record(
            c,
            u,
            "key.create",
            key[:8],
            owner=new.user or u.name,
            scope=scope,
            entity=new.entity,
        )
        return key

    key = await write(request, q)
    return JSON(
        m.CreatedKey(api_key=key, prefix=key[:8], name=new.name, scope=scope, entity=new.entity),
        status_code=201,
    )


@endpoint("Revoke an API key (its owner or the server admin)", answer=m.Revoked)
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
