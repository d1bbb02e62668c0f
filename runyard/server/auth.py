"""Who is calling: every /api/ request is authenticated here and `scope["user"]` set.

- An API key (`Authorization: Bearer <key>`, or wandb's `Basic base64("api:<key>")`): the SDK, CLI and
  wandb client. Requests carrying one are exempt from CSRF checks: a browser never attaches it on
  its own, so a cross-site page cannot make one. A read-only key is refused (403) on every
  state-changing route before it runs.
- A browser session (the HttpOnly `runyard_session` cookie). A browser does attach cookies to
  requests other sites make, so every state-changing request (not GET/HEAD/OPTIONS) must also carry
  the session's CSRF token in `X-CSRF-Token` (a token bound to the session: a cross-site page can
  neither read it nor derive it, OWASP's "signed double-submit"), and, when the browser sends an
  `Origin`, that origin must be this server's. The UI reads the token from the `runyard_csrf` cookie
  (readable by scripts of this origin only) or from the sign-in answer.
- A report's share link (`X-Runyard-Share: <token>`, sent by the UI of the link, `/shared/<token>`):
  the link's grant (`ShareGrant`: its report and the projects its blocks show), resolved from the
  token on each lookup, so a revoked link or a block removed from the report ends what it reads. It
  only reads (any other call is 403 `read_only_share`) and wins over a session cookie sent along: the
  page of a link shows what the link shows, to anyone. No CSRF question: it changes nothing.
- Nothing: 401, except for reads where the server lets anonymous viewers see public projects
  (`ServerConfig.public_anonymous`), which get the anonymous principal; the policy does the rest.

Key last-used and session last-seen times are written at most once a minute per key or session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store import Store, User
from ..store.entities import ANONYMOUS, ShareGrant, hash_key
from . import access
from .errors import envelope

# no credentials needed (the handlers check what they need): probes, sign-in (a password, a link, single
# sign-on), a one-time password link
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/password/link"),
    ("GET", "/api/v1/session/options"),
    ("GET", "/api/v1/oidc/login"),
    ("GET", "/api/v1/oidc/callback"),
}
CACHE_SECONDS = 10.0
TOUCH_SECONDS = 60.0
SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "runyard_session", "runyard_csrf", "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SHARE_HEADER = access.SHARE_HEADER.lower().encode()  # as ASGI spells header names


def key_from_header(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, cred = value.strip().partition(" ")
    scheme = scheme.lower()
    cred = cred.strip()
    if scheme == "bearer" and cred:
        return cred
    if scheme == "basic" and cred:
        try:
            user, _, pw = base64.b64decode(cred, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return pw or None
    return None


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from the (secret, HttpOnly) session token."""
    return hashlib.sha256(b"runyard-csrf:" + session_token.encode()).hexdigest()[:40]


def cookies(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header is as good as none
        return {}
    return {k: m.value for k, m in jar.items()}


class Usage:
    """Batches last-used/last-seen writes: at most one per key or session per TOUCH_SECONDS."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, int], float] = {}

    def note(self, store: Store, user: User) -> None:
        now = time.monotonic()
        what = ("key", user.key_id) if user.key_id is not None else ("session", user.session_id)
        if what[1] is None or now - self._seen.get(what, -TOUCH_SECONDS) < TOUCH_SECONDS:  # type: ignore[arg-type]
            return
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[what] = now  # type: ignore[index]
        kind, ident, at = what[0], int(what[1]), time.time()
        try:  # fire and forget: a lost last-used time is not worth failing the request
            if kind == "key":
                store.db.submit_write(lambda c: store.entities.touch_keys(c, [ident], at))
            else:
                store.db.submit_write(lambda c: store.sessions.touch(c, [ident], at))
        except RuntimeError:  # the store is closing
            pass


class AuthMiddleware:
    """Resolves the caller of every /api/ request (401/403 envelope when it may not call); sets scope["user"]."""

    def __init__(self, app: ASGIApp, store_ref: Any):
        self.app = app
        self.store_ref = store_ref  # the Starlette app: the store exists only once the lifespan ran
        self._cache: dict[str, tuple[User | None, float, int]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not (scope["path"].startswith("/api/") or self._guarded_metrics(scope["path"]))
            or (scope["method"], scope["path"]) in PUBLIC
        ):
            await self.app(scope, receive, send)
            return
        user, refusal = await self.principal(scope)
        if user is None:
            assert refusal is not None
            await refusal(scope, receive, send)
            return
        scope["user"] = user
        await self.app(scope, receive, send)

    def _guarded_metrics(self, path: str) -> bool:
        """/metrics (server/metrics.py) takes the caller from here unless it is open to anyone."""
        return path == "/metrics" and self.store_ref.state.config.metrics == "admin"

    async def principal(self, scope: Scope) -> tuple[User | None, Any]:
        """(the caller, None) or (None, the refusal to answer with)."""
        headers = dict(scope["headers"])
        share = headers.get(SHARE_HEADER)
        if share is not None:
            token = share.decode("latin-1").strip()
            user = await self._lookup("h" + token) if 0 < len(token) <= 64 else None
            if user is None:
                return None, _unauthorized("this share link does not exist or was revoked", "unknown_share")
            if scope["method"] not in SAFE_METHODS and not _reads(scope["path"]):
                return None, envelope(403, "read_only_share", "a share link only reads")
            return user, None
        raw = headers.get(b"authorization")
        if raw is not None:
            key = key_from_header(raw.decode("latin-1"))
            if key is None:
                return None, _unauthorized("malformed Authorization header")
            user = await self._lookup("k" + key)
            if user is None:
                return None, _unauthorized("the API key is not valid (unknown or revoked)", "bad_key")
            path = scope["path"]
            if user.scope == "read" and scope["method"] not in SAFE_METHODS and not _reads(path, True):
                return None, envelope(403, "read_only_key", "this API key may only read")
            return user, None
        token = cookies(scope).get(SESSION_COOKIE)
        if token:
            user = await self._lookup("s" + token)
            if user is None:
                return None, _unauthorized("the session has ended: sign in again", "session_expired")
            if scope["method"] not in SAFE_METHODS:
                why = _csrf_problem(scope, headers, token)
                if why:
                    return None, envelope(403, "csrf", why)
            return user, None
        config = self.store_ref.state.config
        if config.public_anonymous and (scope["method"] in ("GET", "HEAD") or _reads(scope["path"])):
            return ANONYMOUS, None
        return None, _unauthorized(
            "missing API key: send 'Authorization: Bearer <key>' (the key is in RUNYARD_HOME/credentials "
            "on the server's machine, or run `runyard login`), or sign in"
        )

    async def _lookup(self, cred: str) -> User | None:
        now = time.monotonic()
        app = self.store_ref
        epoch = getattr(app.state, "auth_epoch", 0)  # bumped when a key or session is revoked
        hit = self._cache.get(cred)
        if hit and hit[1] > now and hit[2] == epoch:
            user = hit[0]
        else:
            store: Store = app.state.store
            if cred[0] == "k":
                fn = lambda c: store.entities.user_for_key(c, cred[1:])  # noqa: E731
            elif cred[0] == "h":
                fn = lambda c: share_user(store.reports.share_grant(c, hash_key(cred[1:])))  # noqa: E731
            else:
                fn = lambda c: store.sessions.user_for_token(c, cred[1:])  # noqa: E731
            user = await run_in_threadpool(store.db.read, fn)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[cred] = (user, now + CACHE_SECONDS, epoch)
        if user is not None:
            usage(app).note(app.state.store, user)
        return user

    def forget(self) -> None:
        self._cache.clear()


def share_user(grant: ShareGrant | None) -> User | None:
    """The principal of a share link (anonymous: no account, no key; `share` says what it reads)."""
    return None if grant is None else User(0, "share link", False, scope="read", share=grant)


def _reads(path: str, signed_in: bool = False) -> bool:
    """POST routes that only read (a query in the body): a read-only key may call them, and the
    anonymous viewer those about a project."""
    return path.endswith(("/runs/query", "/runs/columns", "/blobs")) or (
        signed_in and path == "/api/v1/blobs/missing"
    )


def usage(app: Any) -> Usage:
    if not hasattr(app.state, "usage"):
        app.state.usage = Usage()
    return app.state.usage


def _unauthorized(msg: str, code: str = "unauthorized") -> Any:
    return envelope(401, code, msg, {"WWW-Authenticate": "Bearer"})


def _csrf_problem(scope: Scope, headers: dict[bytes, bytes], session_token: str) -> str | None:
    origin = headers.get(b"origin")
    # the host, not the scheme: behind a TLS-terminating proxy the server itself sees http
    if origin is not None and origin.decode("latin-1").partition("://")[2] != headers.get(
        b"host", b""
    ).decode("latin-1"):
        return "cross-origin request refused: the Origin is not this server"
    sent = headers.get(CSRF_HEADER.encode(), b"").decode("latin-1")
    if not sent or not hmac.compare_digest(sent, csrf_token(session_token)):
        return f"missing or wrong CSRF token: send the {CSRF_COOKIE} cookie's value in X-CSRF-Token"
    return None
