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
UI_PAGES = ("api", "assets", "signin", "setup", "invite", "settings", "shared")


def _admin(caller: User) -> None:
    if not caller.is_admin:
        raise ApiError(403, "forbidden", "only the server admin can do this")


def _new_name(conn: Any, repos: Any, name: str) -> None:
    if not valid_entity_name(name):
        raise ApiError(400, "bad_name", f"invalid name {name!r}: {ENTITY_RULE}")
    if name.lower() in UI_PAGES:
        raise ApiError(400, "bad_name", f"{name!r} names a page of the web UI: pick another name")
    if repos.entities.get(conn, name) is not None:
        raise ApiError(409, "name_taken", f"a user or team named {name!r} exists")


def _entity(conn: Any, repos: Any, name: str, kind: str) -> Any:
    ent = repos.entities.get(conn, name)
    if ent is None or ent.kind != kind:
        raise ApiError(404, f"unknown_{kind}", f"{kind} {name!r} does not exist")
    return ent


# -- users ----------------------------------------------------------------------------------------
@endpoint("Every user (the server admin)", answer=m.Users)
async def list_users(request: Request) -> Response:
    _admin(signed_in(request))
    repos = store(request)
    return JSON({"users": await read(request, lambda conn: repos.entities.listing(conn, "user"))})


@endpoint(
    "Create a user and its first API key (the server admin)", body=m.NewUser, answer=m.CreatedUser, status=201
)
async def create_user(request: Request, new: m.NewUser) -> Response:
    caller = signed_in(request)
    _admin(caller)
    is_admin = bool(new.is_admin)
    repos = store(request)

    def in_txn(conn: Any) -> str:
        _new_name(conn, repos, new.name)
        uid = repos.entities.create(conn, new.name, "user", is_admin=is_admin, email=new.email)
        repos.audit.record(conn, caller, "user.create", new.name, is_admin=is_admin)
        return repos.entities.create_key(conn, uid, f"created by {caller.name}")

    key = await write(request, in_txn)
    return JSON(m.CreatedUser(name=new.name, is_admin=is_admin, api_key=key), status_code=201)


# -- teams ----------------------------------------------------------------------------------------
@endpoint("Create a team; the caller becomes its admin", body=m.NewTeam, answer=m.Team, status=201)
async def create_team(request: Request, new: m.NewTeam) -> Response:
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> None:
        _new_name(conn, repos, new.name)
        tid = repos.entities.create(conn, new.name, "team")
        repos.entities.add_member(conn, tid, caller.id, "admin")
        repos.audit.record(conn, caller, "team.create", new.name)

    await write(request, in_txn)
    return JSON({"name": new.name, "members": [{"user": caller.name, "role": "admin"}]}, status_code=201)


def _team_admin(conn: Any, repos: Any, caller: User, team: str) -> Any:
    team_row = _entity(conn, repos, team, "team")
    if not caller.is_admin and repos.entities.role(conn, team_row.id, caller.id) != "admin":
        raise ApiError(403, "forbidden", f"only admins of team {team!r} can do this")
    if caller.key_id is not None and (
        caller.scope != "write" or caller.scope_entity not in (None, team_row.id)
    ):
        raise ApiError(403, "forbidden", "this API key cannot administer the team")
    return team_row


def _keep_an_admin(conn: Any, repos: Any, team_id: int, user_id: int, team: str) -> None:
    """A team keeps at least one admin (else nobody could manage it but the server admin)."""
    if repos.entities.role(conn, team_id, user_id) == "admin" and repos.entities.admins(conn, team_id) <= 1:
        raise ApiError(409, "last_admin", f"{team!r} needs another admin first")


@endpoint("A team and its members (its members and the server admin)", answer=m.Team)
async def get_team(request: Request) -> Response:
    team = name_param(request, "team")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> list[dict]:
        team_row = _entity(conn, repos, team, "team")
        if not caller.is_admin and repos.entities.role(conn, team_row.id, caller.id) is None:
            raise ApiError(403, "forbidden", f"user {caller.name!r} is not a member of team {team!r}")
        return repos.entities.members(conn, team_row.id)

    return JSON({"name": team, "members": await read(request, in_txn)})


@endpoint("Add a member or change a member's role (team admins)", body=m.MemberChange, answer=m.Team)
async def add_member(request: Request, change: m.MemberChange) -> Response:
    team = name_param(request, "team")
    role = change.role or "member"
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> list[dict]:
        team_row = _team_admin(conn, repos, caller, team)
        member = _entity(conn, repos, change.user, "user").id
        before = repos.entities.role(conn, team_row.id, member)
        if before is not None and role != "admin":
            _keep_an_admin(conn, repos, team_row.id, member, team)
        repos.entities.add_member(conn, team_row.id, member, role)
        repos.audit.record(
            conn,
            caller,
            "member.add" if before is None else "member.role",
            f"{team}/{change.user}",
            role=role,
            was=before,
        )
        return repos.entities.members(conn, team_row.id)

    return JSON({"name": team, "members": await write(request, in_txn)})


@endpoint("Remove a member (team admins; not the last admin)", answer=m.Team)
async def remove_member(request: Request) -> Response:
    team, member = name_param(request, "team"), name_param(request, "user")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> list[dict]:
        team_row = _team_admin(conn, repos, caller, team)
        mid = _entity(conn, repos, member, "user").id
        _keep_an_admin(conn, repos, team_row.id, mid, team)
        if not repos.entities.remove_member(conn, team_row.id, mid):
            raise ApiError(404, "unknown_member", f"user {member!r} is not a member of team {team!r}")
        repos.audit.record(conn, caller, "member.remove", f"{team}/{member}")
        return repos.entities.members(conn, team_row.id)

    members = await write(request, in_txn)
    request.app.state.broker.access_changed()  # the removed member's live streams end
    return JSON({"name": team, "members": members})


@endpoint("Leave a team (not as its last admin)", answer=m.LeftTeam)
async def leave_team(request: Request) -> Response:
    team = name_param(request, "team")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> None:
        team_row = _entity(conn, repos, team, "team")
        _keep_an_admin(conn, repos, team_row.id, caller.id, team)
        if not repos.entities.remove_member(conn, team_row.id, caller.id):
            raise ApiError(404, "unknown_member", f"you are not a member of team {team!r}")
        repos.audit.record(conn, caller, "member.leave", f"{team}/{caller.name}")

    await write(request, in_txn)
    request.app.state.broker.access_changed()
    return JSON({"left": team})


@endpoint("Delete a team and everything it owns (team admins)", answer=m.TeamDeleted)
async def delete_team(request: Request) -> Response:
    """The team and everything it owns (projects, runs, artifacts; blobs are freed by `runyard gc`)."""
    team = name_param(request, "team")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> None:
        team_row = _team_admin(conn, repos, caller, team)
        repos.entities.delete(conn, team_row.id)
        repos.audit.record(conn, caller, "team.delete", team)

    await write(request, in_txn)
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
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> tuple[int, str]:
        team_row = _team_admin(conn, repos, caller, team)
        made = repos.links.create(
            conn, "invite", lifetime, team_id=team_row.id, role=role, created_by=caller.id
        )
        repos.audit.record(conn, caller, "invitation.create", team, role=role, invitation=made[0])
        return made

    iid, token = await write(request, in_txn)
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
    repos, caller = store(request), signed_in(request)
    return JSON(
        {
            "invitations": await read(
                request, lambda conn: repos.links.invitations(conn, _team_admin(conn, repos, caller, team).id)
            )
        }
    )


@endpoint("Revoke an open invitation (team admins)", answer=m.Revoked)
async def revoke_invitation(request: Request) -> Response:
    team, invitation = name_param(request, "team"), id_param(request, "invitation_id", "invitation")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> None:
        team_row = _team_admin(conn, repos, caller, team)
        if not repos.links.revoke_invitation(conn, team_row.id, invitation):
            raise ApiError(404, "unknown_invitation", f"no open invitation {invitation} of team {team!r}")
        repos.audit.record(conn, caller, "invitation.revoke", team, invitation=invitation)

    await write(request, in_txn)
    return JSON({"revoked": invitation})


@endpoint("Join the team an invitation is for", body=m.InvitationAccept, answer=m.Joined)
async def accept_invitation(request: Request, accept: m.InvitationAccept) -> Response:
    repos, caller = store(request), signed_in(request)
    if caller.key_id is not None and caller.scope != "write":
        raise ApiError(403, "forbidden", "a read-only key cannot accept invitations")

    def in_txn(conn: Any) -> dict:
        link = repos.links.peek(conn, "invite", accept.token)
        team = (
            conn.execute(sa.select(entities.c.name).where(entities.c.id == link.team_id)).scalar()
            if link
            else None
        )
        if link is None or team is None or repos.links.use(conn, "invite", accept.token, caller.id) is None:
            raise ApiError(404, "bad_link", "this invitation is invalid, used, revoked or expired")
        before = repos.entities.role(conn, link.team_id, caller.id)
        if before is None or (before != "admin" and link.role == "admin"):  # never a demotion
            repos.entities.add_member(conn, link.team_id, caller.id, link.role)
        repos.audit.record(conn, caller, "invitation.accept", team, role=link.role, invitation=link.id)
        return {"team": team, "role": repos.entities.role(conn, link.team_id, caller.id)}

    out = await write(request, in_txn)
    request.app.state.broker.access_changed()
    return JSON(out)


# -- keys -----------------------------------------------------------------------------------------
def _key_user(conn: Any, repos: Any, caller: User, name: str | None) -> int:
    if name is None or name == caller.name:
        return caller.id
    _admin(caller)
    return _entity(conn, repos, name, "user").id


@endpoint("The caller's API keys (or a user's, for the server admin)", query=m.KeysQuery, answer=m.ApiKeys)
async def list_keys(request: Request, query: m.KeysQuery) -> Response:
    repos, caller = store(request), signed_in(request)
    keys = await read(
        request, lambda conn: repos.entities.keys(conn, _key_user(conn, repos, caller, query.user))
    )
    return JSON({"keys": keys})


@endpoint(
    "Create an API key (read or write, optionally limited to one entity)",
    body=m.NewKey,
    answer=m.CreatedKey,
    status=201,
)
async def create_key(request: Request, new: m.NewKey) -> Response:
    scope = new.scope or "write"
    repos, caller = store(request), signed_in(request)
    if caller.key_id is not None and (caller.scope != "write" or caller.scope_entity is not None):
        raise ApiError(403, "forbidden", "a read-only or entity-limited key cannot create keys")

    def in_txn(conn: Any) -> str:
        owner = _key_user(conn, repos, caller, new.user)
        ent = repos.entities.get(conn, new.entity) if new.entity else None
        if new.entity and ent is None:
            raise ApiError(404, "unknown_entity", f"entity {new.entity!r} does not exist")
        key = repos.entities.create_key(conn, owner, new.name, scope, ent.id if ent is not None else None)
        repos.audit.record(
            conn,
            caller,
            "key.create",
            key[:8],
            owner=new.user or caller.name,
            scope=scope,
            entity=new.entity,
        )
        return key

    key = await write(request, in_txn)
    return JSON(
        m.CreatedKey(api_key=key, prefix=key[:8], name=new.name, scope=scope, entity=new.entity),
        status_code=201,
    )


@endpoint("Revoke an API key (its owner or the server admin)", answer=m.Revoked)
async def revoke_key(request: Request) -> Response:
    key_id = id_param(request, "key_id", "key")
    repos, caller = store(request), signed_in(request)

    def in_txn(conn: Any) -> None:
        owner = repos.entities.key_owner(conn, key_id)
        if owner is None or (owner != caller.id and not caller.is_admin):
            raise ApiError(404, "unknown_key", f"no key {key_id} of yours")
        if not repos.entities.revoke_key_id(conn, key_id):
            raise ApiError(409, "already_revoked", f"key {key_id} is already revoked")
        repos.audit.record(conn, caller, "key.revoke", str(key_id))

    try:
        await write(request, in_txn)
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
