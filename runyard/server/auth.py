"""API-key authentication: `Authorization: Bearer <key>` or wandb's `Basic base64("api:<key>")`."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store import Store, User
from .errors import envelope

PUBLIC = {"/api/v1/health"}
CACHE_SECONDS = 10.0


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


class AuthMiddleware:
    """Resolves the caller of every /api/ request (401 envelope without a valid key); sets scope["user"]."""

    def __init__(self, app: ASGIApp, store_ref: Any):
        self.app = app
        self.store_ref = store_ref  # the Starlette app: the store exists only once the lifespan ran
        self._cache: dict[str, tuple[User, float, int]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"] in PUBLIC:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw = headers.get(b"authorization")
        key = key_from_header(raw.decode("latin-1") if raw else None)
        if key is None:
            msg = (
                (
                    "missing API key: send 'Authorization: Bearer <key>' (the key is in RUNYARD_HOME/credentials "
                    "on the server's machine, or run `runyard login`)"
                )
                if raw is None
                else "malformed Authorization header"
            )
            await envelope(401, "unauthorized", msg, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        user = await self._user(key)
        if user is None:
            await envelope(
                401,
                "bad_key",
                "the API key is not valid (unknown or revoked)",
                {"WWW-Authenticate": "Bearer"},
            )(scope, receive, send)
            return
        scope["user"] = user
        await self.app(scope, receive, send)

    async def _user(self, key: str) -> User | None:
        now = time.monotonic()
        epoch = getattr(self.store_ref.state, "auth_epoch", 0)  # bumped when a key is revoked
        hit = self._cache.get(key)
        if hit and hit[1] > now and hit[2] == epoch:
            return hit[0]
        store: Store = self.store_ref.state.store
        user = await run_in_threadpool(store.db.read, lambda c: store.entities.user_for_key(c, key))
        if user is not None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (user, now + CACHE_SECONDS, epoch)
        return user

    def forget(self) -> None:
        self._cache.clear()
