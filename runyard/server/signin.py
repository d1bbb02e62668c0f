"""Browser sign-in rules: failed-attempt limiting, cookies, one-time password links.

Failed sign-ins are counted per (user name, client address) in a bounded in-memory table: after
`MAX_FAILURES` within `WINDOW` seconds further attempts answer 429 until the window passes. Memory
is enough: a restart forgets the counts, but the attacker gains a handful of guesses against an
argon2id hash, and a table in the database would let the attacker fill it.
"""

from __future__ import annotations

import collections
import time

from starlette.requests import Request
from starlette.responses import Response

from .auth import CSRF_COOKIE, SESSION_COOKIE, csrf_token

MAX_FAILURES = 5
WINDOW = 15 * 60.0
MAX_ENTRIES = 10_000


class Throttle:
    def __init__(self) -> None:
        self._fails: collections.OrderedDict[tuple[str, str], list[float]] = collections.OrderedDict()

    def retry_after(self, who: str, ip: str) -> float:
        """Seconds until `who` from `ip` may try again (0: now)."""
        times = [t for t in self._fails.get((who, ip), []) if t > time.monotonic() - WINDOW]
        return times[0] + WINDOW - time.monotonic() if len(times) >= MAX_FAILURES else 0.0

    def failed(self, who: str, ip: str) -> None:
        now = time.monotonic()
        key = (who, ip)
        times = [t for t in self._fails.pop(key, []) if t > now - WINDOW][-MAX_FAILURES:]
        self._fails[key] = [*times, now]
        while len(self._fails) > MAX_ENTRIES:  # the oldest entries go first
            self._fails.popitem(last=False)

    def succeeded(self, who: str, ip: str) -> None:
        self._fails.pop((who, ip), None)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or bool(request.app.state.config.secure_cookies)


def set_session_cookies(response: Response, request: Request, token: str, max_age: float) -> None:
    """The session cookie (HttpOnly: scripts never see it) and the CSRF cookie (scripts of this origin
    read it to send X-CSRF-Token); both SameSite=Lax, Secure over https."""
    for name, value, http_only in ((SESSION_COOKIE, token, True), (CSRF_COOKIE, csrf_token(token), False)):
        response.set_cookie(
            name,
            value,
            max_age=int(max_age),
            path="/",
            secure=secure(request),
            httponly=http_only,
            samesite="lax",
        )


def clear_session_cookies(response: Response, request: Request) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=secure(request), samesite="lax")


def link_url(request: Request, path: str, token: str) -> str:
    """An absolute link to a UI page with a one-time token."""
    return f"{str(request.base_url).rstrip('/')}{path}?token={token}"
