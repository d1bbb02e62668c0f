"""Browser sessions and passwords: `/api/v1/session` (sign in, sign out), `/api/v1/session/links`
(one-time sign-in links), `/api/v1/sessions` (the caller's sessions, revocable), `/api/v1/password`
(change), `/api/v1/password/link` (set a password with a one-time link: first start, reset by an
admin) and `/api/v1/users/{user}/password-link`.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import User
from ...store.entities import check_password
from ...wire import api_models as m
from ..auth import csrf_token
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, id_param, name_param, read, signed_in, store, write
from ..signin import Throttle, clear_session_cookies, client_ip, link_url, set_session_cookies
from .accounts import _admin, _entity

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte "password" is only a way to burn CPU
SIGNIN_LINK_SECONDS = 24 * 3600.0  # opened right away by `runyard ui`; a day for a link read off a terminal


def _throttle(request: Request) -> Throttle:
    if not hasattr(request.app.state, "signin_throttle"):
        request.app.state.signin_throttle = Throttle()
    return request.app.state.signin_throttle


def _check_new(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ApiError(422, "bad_password", f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def _same_origin(request: Request) -> None:
    """Sign-in is not behind the CSRF check (there is no session yet); refuse other sites' forms
    anyway, so a page elsewhere cannot sign the browser in as the attacker."""
    origin = request.headers.get("origin")
    if origin is not None and origin.partition("://")[2] != request.headers.get("host", ""):
        raise ApiError(403, "csrf", "cross-origin sign-in refused: the Origin is not this server")


def _revoked(request: Request) -> None:
    request.app.state.auth_epoch = getattr(request.app.state, "auth_epoch", 0) + 1  # drop cached sessions
    request.app.state.broker.access_changed()  # and end their live streams


async def _password_user(request: Request, username: str, password: str) -> tuple[int, str]:
    """The user of this name and password, with failed attempts throttled."""
    repos, ip, throttle = store(request), client_ip(request), _throttle(request)
    name, password = username, password[:MAX_PASSWORD]
    wait = throttle.retry_after(name, ip)
    if wait > 0:
        raise ApiError(429, "too_many_attempts", f"too many failed sign-ins: try again in {int(wait) + 1} s")
    found = await read(request, lambda conn: repos.entities.password_hash(conn, name))
    # the hash is checked even for an unknown user, so timing does not tell which names exist
    ok = check_password(found[1] if found else None, password) and found is not None
    if not ok:
        throttle.failed(name, ip)
        raise ApiError(401, "bad_credentials", "wrong user name or password")
    throttle.succeeded(name, ip)
    assert found is not None
    return found[0], name


def open_session(conn: Any, request: Request, uid: int, name: str, via: str) -> tuple[int, str]:
    """A new browser session of the user (its id, its secret token), audited."""
    repos, ip = store(request), client_ip(request)
    lifetime = request.app.state.config.session_seconds
    sid, token = repos.sessions.create(conn, uid, lifetime, ip, request.headers.get("user-agent"))
    repos.audit.record(conn, User(uid, name, False), "session.create", name, session=sid, ip=ip, via=via)
    return sid, token


def session_answer(request: Request, name: str, sid: int, token: str) -> Response:
    """The sign-in answer with the session and CSRF cookies set."""
    lifetime = request.app.state.config.session_seconds
    resp = JSON(
        m.SignedIn(user=name, session=sid, expires_at=time.time() + lifetime, csrf_token=csrf_token(token))
    )
    set_session_cookies(resp, request, token, lifetime)
    return resp


@endpoint(
    "Sign in (no key needed) with a user name and password, or with the token of a one-time sign-in "
    "link: sets the HttpOnly session cookie and the CSRF cookie; 429 after repeated failures",
    body=m.SignIn,
    answer=m.SignedIn,
)
async def sign_in(request: Request, creds: m.SignIn) -> Response:
    _same_origin(request)
    repos = store(request)
    link = creds.token
    if link is not None and (creds.username is not None or creds.password is not None):
        raise ApiError(422, "unknown_field", "send a token or a user name and password, not both")
    if link is None:
        for field in ("username", "password"):
            if getattr(creds, field) is None:
                raise ApiError(422, "missing_field", f"field {field!r} is required", field=field)
    who = None if link is not None else await _password_user(request, creds.username, creds.password)  # type: ignore[arg-type]

    def in_txn(conn: Any) -> tuple[str, int, str]:
        if who is not None:
            uid, name = who
        else:
            assert link is not None
            row = repos.links.peek(conn, "signin", link)
            user = repos.entities.user_by_id(conn, row.user_id) if row is not None else None
            if row is None or user is None or repos.links.use(conn, "signin", link, user.id) is None:
                raise ApiError(404, "bad_link", "this sign-in link is invalid, used or expired")
            uid, name = user.id, user.name
        return (name, *open_session(conn, request, uid, name, "password" if link is None else "link"))

    return session_answer(request, *await write(request, in_txn))


@endpoint(
    "A one-time link that signs a browser in as the caller (runyard ui, make demo): the browser gets a "
    "session cookie, never the API key",
    answer=m.SigninLink,
    status=201,
)
async def create_signin_link(request: Request) -> Response:
    caller = signed_in(request)
    if caller.key_id is not None and (caller.scope != "write" or caller.scope_entity is not None):
        raise ApiError(403, "forbidden", "a read-only or entity-limited key cannot sign a browser in")
    repos = store(request)

    def in_txn(conn: Any) -> str:
        _, token = repos.links.create(
            conn, "signin", SIGNIN_LINK_SECONDS, user_id=caller.id, created_by=caller.id
        )
        repos.audit.record(conn, caller, "signin_link.create", caller.name)
        return token

    token = await write(request, in_txn)
    return JSON(
        m.SigninLink(
            user=caller.name,
            url=link_url(request, "/signin", token),
            expires_at=time.time() + SIGNIN_LINK_SECONDS,
        ),
        status_code=201,
    )


@endpoint("Sign out (ends the cookie's session)", answer=m.SignedOut)
async def sign_out(request: Request) -> Response:
    caller = signed_in(request)
    repos = store(request)
    if caller.session_id is not None:
        sid = caller.session_id
        await write(request, lambda conn: repos.sessions.revoke(conn, sid))
        _revoked(request)
    resp = JSON({"signed_out": caller.session_id is not None})
    clear_session_cookies(resp, request)
    return resp


@endpoint("The caller's live browser sessions", query=m.SessionsQuery, answer=m.Sessions)
async def list_sessions(request: Request, query: m.SessionsQuery) -> Response:
    caller = signed_in(request)
    repos = store(request)
    who = query.user

    def in_txn(conn: Any) -> list[dict]:
        uid = caller.id
        if who is not None and who != caller.name:
            _admin(caller)
            uid = _entity(conn, repos, who, "user").id
        return [
            row | {"current": row["id"] == caller.session_id} for row in repos.sessions.listing(conn, uid)
        ]

    return JSON({"sessions": await read(request, in_txn)})


@endpoint("End a session (yours; the admin any)", answer=m.Revoked)
async def revoke_session(request: Request) -> Response:
    sid = id_param(request, "session_id", "session")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> None:
        owner = repos.sessions.owner(conn, sid)
        if owner is None or (owner != caller.id and not caller.is_admin):
            raise ApiError(404, "unknown_session", f"no session {sid} of yours")
        if not repos.sessions.revoke(conn, sid):
            raise ApiError(409, "already_revoked", f"session {sid} has ended already")
        repos.audit.record(conn, caller, "session.revoke", str(sid))

    await write(request, in_txn)
    _revoked(request)
    resp = JSON({"revoked": sid})
    if sid == caller.session_id:
        clear_session_cookies(resp, request)
    return resp


@endpoint(
    "Change your password (the old one when one is set); your other sessions end",
    body=m.PasswordChange,
    answer=m.PasswordChanged,
)
async def change_password(request: Request, change: m.PasswordChange) -> Response:
    caller = signed_in(request)
    if caller.key_id is not None and caller.scope != "write":
        raise ApiError(403, "forbidden", "a read-only key cannot change the password")
    _check_new(change.password)
    repos = store(request)
    found = await read(request, lambda conn: repos.entities.password_hash(conn, caller.name))
    if found is not None and found[1] and not check_password(found[1], change.old_password or ""):
        raise ApiError(403, "bad_credentials", "the old password is wrong")

    def in_txn(conn: Any) -> int:
        repos.entities.set_password(conn, caller.id, change.password)
        repos.audit.record(conn, caller, "password.change", caller.name)
        return repos.sessions.revoke_all(
            conn, caller.id, keep=caller.session_id
        )  # other browsers sign in again

    ended = await write(request, in_txn)
    _revoked(request)
    return JSON({"user": caller.name, "sessions_ended": ended})


@endpoint(
    "Set a password with a one-time link's token (no key needed)",
    body=m.PasswordLinkUse,
    answer=m.PasswordSet,
)
async def use_password_link(request: Request, use: m.PasswordLinkUse) -> Response:
    _check_new(use.password)
    repos = store(request)

    def in_txn(conn: Any) -> str:
        link = repos.links.peek(conn, "password", use.token)
        user = repos.entities.user_by_id(conn, link.user_id) if link is not None else None
        if link is None or user is None or repos.links.use(conn, "password", use.token, user.id) is None:
            raise ApiError(
                404, "bad_link", "this link is invalid, used or expired: ask an admin for a new one"
            )
        repos.entities.set_password(conn, user.id, use.password)
        repos.sessions.revoke_all(conn, user.id)
        repos.audit.record(conn, user, "password.set", user.name, link=link.id)
        return user.name

    name = await write(request, in_txn)
    _revoked(request)
    return JSON({"user": name})


@endpoint(
    "Reset a user's password (admin): a one-time link to set a new one", answer=m.PasswordLink, status=201
)
async def password_link(request: Request) -> Response:
    """An admin resets a user's password: a one-time link (the old password keeps working until the
    link is used; the user's sessions end then)."""
    caller = signed_in(request)
    _admin(caller)
    who = name_param(request, "user")
    repos = store(request)
    lifetime = request.app.state.config.link_seconds

    def in_txn(conn: Any) -> str:
        target = _entity(conn, repos, who, "user")
        _, token = repos.links.create(conn, "password", lifetime, user_id=target.id, created_by=caller.id)
        repos.audit.record(conn, caller, "password.reset_link", who)
        return token

    token = await write(request, in_txn)
    return JSON(
        {"user": who, "url": link_url(request, "/setup", token), "expires_at": time.time() + lifetime},
        status_code=201,
    )


routes = [
    Route("/api/v1/session", sign_in, methods=["POST"]),
    Route("/api/v1/session", sign_out, methods=["DELETE"]),
    Route("/api/v1/session/links", create_signin_link, methods=["POST"]),
    Route("/api/v1/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/sessions/{session_id}", revoke_session, methods=["DELETE"]),
    Route("/api/v1/password", change_password, methods=["PUT"]),
    Route("/api/v1/password/link", use_password_link, methods=["POST"]),
    Route("/api/v1/users/{user}/password-link", password_link, methods=["POST"]),
]
