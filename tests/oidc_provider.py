"""A small but real OpenID Connect provider for tests, on loopback: discovery, a sign-in page that
asks which of its users to be, the authorization code flow with PKCE (S256, checked with authlib's
helper), client authentication, and RS256-signed ID tokens (joserfc, authlib's JOSE library) with a
nonce, a user name, an e-mail and a `groups` claim. Codes work once and expire after a minute.
With `forge` set it signs ID tokens with a key it does not publish (what a forger would hold)."""

from __future__ import annotations

import base64
import html
import secrets
import threading
import time
import urllib.parse
from typing import Any

import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from runyard.server.launcher import free_port


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form body (Starlette's own parser needs python-multipart)."""
    return {k: v[0] for k, v in urllib.parse.parse_qs((await request.body()).decode()).items()}


class Provider:
    def __init__(self, client_id: str, client_secret: str, users: dict[str, dict[str, Any]]):
        self.client_id, self.client_secret, self.users = client_id, client_secret, users
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.keys = KeySet(
            [RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})]
        )
        self.codes: dict[str, dict[str, Any]] = {}
        self.forge = False
        self._rogue = KeySet(
            [RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})]
        )
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
            ]
        )
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "the OIDC provider did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.should_exit = True
        self._thread.join(15)

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.keys.as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        ok = (
            q.get("client_id") == self.client_id
            and q.get("response_type") == "code"
            and q.get("code_challenge_method") == "S256"
            and "openid" in q.get("scope", "").split()
            and q.get("redirect_uri", "").endswith("/api/v1/oidc/callback")
        )
        if not ok:
            return JSONResponse({"error": "invalid_request", "query": q}, status_code=400)
        if request.method == "GET":  # the provider's own sign-in page: pick a user
            options = "".join(
                f'<option value="{html.escape(u)}">{html.escape(u)}</option>' for u in self.users
            )
            return HTMLResponse(
                f"<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1><form method=post>"
                f"<label>Account <select name=user>{options}</select></label><button>Continue</button></form>"
            )
        user = (await _form(request)).get("user")
        if user not in self.users:
            return JSONResponse({"error": "access_denied"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "user": user,
            "nonce": q.get("nonce"),
            "challenge": q["code_challenge"],
            "redirect_uri": q["redirect_uri"],
            "at": time.monotonic(),
        }
        sep = "&" if "?" in q["redirect_uri"] else "?"
        back = urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{q['redirect_uri']}{sep}{back}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await _form(request)
        auth = request.headers.get("authorization", "")
        basic = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else ""
        who = (
            [urllib.parse.unquote(x) for x in basic.split(":", 1)]
            if basic
            else [form.get("client_id"), form.get("client_secret")]
        )
        if who != [self.client_id, self.client_secret]:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)  # a code works once
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or time.monotonic() - grant["at"] > 60
            or form.get("redirect_uri") != grant["redirect_uri"]
            or create_s256_code_challenge(str(form.get("code_verifier"))) != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        user = self.users[grant["user"]]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user["sub"],
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **{k: v for k, v in user.items() if k != "sub"},
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self._rogue if self.forge else self.keys)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )
