"""Users, teams and API keys."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from .base import Answer, Query, Request


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
    is_admin: bool = False


class CreatedUser(Answer):
    name: str
    is_admin: bool
    api_key: str


class NewTeam(Request):
    name: str


class Member(Answer):
    user: str
    role: Literal["member", "admin"]


class Team(Answer):
    name: str
    members: list[Member]


class MemberChange(Request):
    user: str
    role: Literal["member", "admin"] = "member"


class KeysQuery(Query):
    user: Annotated[str | None, Meta(description="another user's keys (admin only)")] = None


class ApiKeyRow(Answer):
    id: int
    prefix: str
    name: str | None
    created_at: float
    last_used_at: float | None
    revoked_at: float | None


class ApiKeys(Answer):
    keys: list[ApiKeyRow]


class NewKey(Request):
    name: str | None = None
    user: str | None = None


class CreatedKey(Answer):
    api_key: str
    prefix: str
    name: str | None


class Revoked(Answer):
    revoked: int
