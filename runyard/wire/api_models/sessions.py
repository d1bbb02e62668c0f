"""Browser sessions, passwords and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from .base import Answer, Json, Query, Request


class SignIn(Request):
    """A user name and password, or the token of a one-time sign-in link."""

    username: str | None = None
    password: Annotated[
        str | None, Meta(description="characters beyond the longest password are ignored")
    ] = None
    token: Annotated[str | None, Meta(description="of a one-time sign-in link")] = None


class SignedIn(Answer):
    user: str
    session: int
    expires_at: float
    csrf_token: Annotated[str, Meta(description="send as X-CSRF-Token on state-changing requests")]


class SigninLink(Answer):
    user: str
    url: Annotated[str, Meta(description="opens the web UI signed in, once")]
    expires_at: float


class SigninOptions(Answer):
    password: bool
    oidc: Annotated[bool, Meta(description="single sign-on through OpenID Connect is set up")]


class SignedOut(Answer):
    signed_out: Annotated[bool, Meta(description="false when the caller had no session (an API key)")]


class SessionsQuery(Query):
    user: Annotated[str | None, Meta(description="another user's sessions (admin only)")] = None


class SessionRow(Answer):
    id: int
    created_at: float
    last_seen_at: float
    expires_at: float
    ip: str | None
    user_agent: str | None
    current: Annotated[bool, Meta(description="the session of this request")]


class Sessions(Answer):
    sessions: list[SessionRow]


class PasswordChange(Request):
    password: str
    old_password: Annotated[str | None, Meta(description="required when a password is set")] = None


class PasswordChanged(Answer):
    user: str
    sessions_ended: int


class PasswordLinkUse(Request):
    token: str
    password: str


class PasswordSet(Answer):
    user: str


class PasswordLink(Answer):
    user: str
    url: Annotated[str, Meta(description="the one-time link to set a new password")]
    expires_at: float


class AuditQuery(Query):
    before: Annotated[int, Meta(ge=1, le=2**63 - 1, description="entries older than this id")] | None = None
    limit: Annotated[int, Meta(ge=1, le=1000, description="1..1000 (default 100; jsonl 1000)")] | None = None
    action: (
        Annotated[str, Meta(max_length=64, description="actions starting with this, e.g. project.")] | None
    ) = None
    actor: Annotated[str, Meta(max_length=128, description="a user name")] | None = None
    format: Annotated[Literal["json", "jsonl"], Meta(description="jsonl: one entry a line")] = "json"


class AuditEntry(Answer):
    id: int
    at: float
    actor_id: int | None
    actor: str
    action: str
    target: str
    detail: Json


class AuditPage(Answer):
    entries: list[AuditEntry]
    next_before: Annotated[int | None, Meta(description="pass as `before` for older entries")]
