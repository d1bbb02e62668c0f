"""Users, teams, invitations and API keys."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from .base import Answer, Query, Request
from .meta import KeyScope, Role

# Names in these bodies are plain strings: the handlers check them against the name rule
# (wire/names.py) and answer 400 bad_name, as for names in paths.


class UserRow(Answer):
    name: str
    email: str | None
    is_admin: bool
    created_at: float


class Users(Answer):
    users: list[UserRow]


class NewUser(Request):
    name: str
    email: str | None = None
    is_admin: bool | None = None


class CreatedUser(Answer):
    name: str
    is_admin: bool
    api_key: Annotated[str, Meta(description="the user's first API key, shown this once")]


class NewTeam(Request):
    name: str


class Member(Answer):
    user: str
    role: Role


class Team(Answer):
    name: str
    members: list[Member]


class MemberChange(Request):
    user: str
    role: Annotated[Role | None, Meta(description="member when absent")] = None


class LeftTeam(Answer):
    left: str


class TeamDeleted(Answer):
    deleted: str


class NewInvitation(Request):
    role: Annotated[Role | None, Meta(description="member when absent")] = None
    expires_in: (
        Annotated[
            int, Meta(ge=1, le=30 * 24 * 3600, description="seconds (default: the server's link lifetime)")
        ]
        | None
    ) = None


class CreatedInvitation(Answer):
    id: int
    team: str
    role: Role
    token: Annotated[str, Meta(description="shown this once; only its hash is stored")]
    url: str
    expires_at: float


class Invitation(Answer):
    id: int
    role: Role
    created_at: float
    expires_at: float
    created_by: str | None


class Invitations(Answer):
    invitations: list[Invitation]


class InvitationAccept(Request):
    token: str


class Joined(Answer):
    team: str
    role: Role


class KeysQuery(Query):
    user: Annotated[str | None, Meta(description="another user's keys (admin only)")] = None


class ApiKeyRow(Answer):
    id: int
    prefix: str
    name: str | None
    created_at: float
    last_used_at: float | None
    revoked_at: float | None
    scope: KeyScope
    entity: Annotated[str | None, Meta(description="the one entity the key may act on (null: any)")]


class ApiKeys(Answer):
    keys: list[ApiKeyRow]


class NewKey(Request):
    name: str | None = None
    user: Annotated[str | None, Meta(description="another user's key (admin only)")] = None
    scope: Annotated[KeyScope | None, Meta(description="write when absent")] = None
    entity: Annotated[str | None, Meta(description="limit the key to this entity")] = None


class CreatedKey(Answer):
    api_key: Annotated[str, Meta(description="shown this once; only its hash is stored")]
    prefix: str
    name: str | None
    scope: KeyScope
    entity: str | None


class Revoked(Answer):
    revoked: int
