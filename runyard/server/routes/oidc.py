"""OpenID Connect single sign-on (docs/teams.md, "Single sign-on"), on when `oidc_issuer` is set.

- `GET /api/v1/oidc/login?next=/path` sends the browser to the provider: the authorization code
  flow with PKCE (authlib's OAuth 2 client builds the request), its state, nonce and code verifier
  kept for ten minutes in an HttpOnly cookie scoped to /api/v1/oidc.
- `GET /api/v1/oidc/callback` checks the state against that cookie, exchanges the code (authlib),
  checks the ID token with joserfc (signature by a key the provider publishes, issuer, audience,
  expiry, nonce) and signs the browser in with a session, as a password does. A subject
  (issuer, sub) seen for the first time becomes a new user, named from `oidc_name_claim`; on every
  sign-in the user joins, as a member, the existing teams that `oidc_team_claim` names (never a
  demotion; teams are not created from claims, and leaving one is up to the team's admins).
- `GET /api/v1/session/options` tells the sign-in page which ways to sign in there are.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...store import User
from ...wire import api_models as m
from ...wire.names import valid_entity_name
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, store, write
from ..signin import secure
from .accounts import UI_PAGES
from .sessions import open_session, session_answer

FLOW_COOKIE = "runyard_oidc"
FLOW_PATH = "/api/v1/oidc"
FLOW_SECONDS = 600
METADATA_SECONDS = 3600.0  # discovery document and keys are re-read hourly (and on an unknown key)
MAX_TEAMS = 100  # team names taken from one token's claim
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
HTTP_TIMEOUT = 10.0


class Provider:
    """The provider's discovery document and signing keys, cached."""

    def __init__(self, issuer: str):
        self.issuer = issuer.rstrip("/")
        self._meta: tuple[float, dict] | None = None
        self._keys: tuple[float, KeySet] | None = None

    async def metadata(self) -> dict:
        if self._meta is None or time.monotonic() - self._meta[0] > METADATA_SECONDS:
            doc = await _get_json(self.issuer + "/.well-known/openid-configuration")
            for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(doc.get(field), str):
                    raise ApiError(502, "oidc_provider", f"the provider's discovery document has no {field}")
            self._meta = (time.monotonic(), doc)
        return self._meta[1]

    async def keys(self, refresh: bool = False) -> KeySet:
        if refresh or self._keys is None or time.monotonic() - self._keys[0] > METADATA_SECONDS:
            doc = await _get_json((await self.metadata())["jwks_uri"])
            self._keys = (time.monotonic(), KeySet.import_key_set(doc))  # type: ignore[arg-type]
        return self._keys[1]


async def _get_json(url: str) -> dict:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            resp = await client.get(url)
            resp.raise_for_status()
            doc = resp.json()
    except (httpx.HTTPError, ValueError) as err:
        raise ApiError(502, "oidc_provider", f"cannot read {url} from the identity provider: {err}") from None
    if not isinstance(doc, dict):
        raise ApiError(502, "oidc_provider", f"{url} did not answer a JSON object")
    return doc


def _config(request: Request) -> Any:
    config = request.app.state.config
    if not config.oidc_issuer:
        raise ApiError(404, "oidc_off", "single sign-on is not configured on this server")
    return config


def _provider(request: Request) -> Provider:
    config = _config(request)
    if getattr(request.app.state, "oidc_provider", None) is None:
        request.app.state.oidc_provider = Provider(config.oidc_issuer)
    return request.app.state.oidc_provider


def _client(request: Request) -> AsyncOAuth2Client:
    config = _config(request)
    return AsyncOAuth2Client(
        client_id=config.oidc_client_id,
        client_secret=config.oidc_client_secret,
        scope=config.oidc_scopes,
        redirect_uri=f"{str(request.base_url).rstrip('/')}{FLOW_PATH}/callback",
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


def _safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site, `//host`)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or len(raw) > 2048:
        return "/"
    return raw


@endpoint(
    "How this server signs browsers in (no key needed): password, and OpenID Connect when set up",
    answer=m.SigninOptions,
)
async def options(request: Request) -> Response:
    return JSON({"password": True, "oidc": bool(request.app.state.config.oidc_issuer)})


@endpoint("Start an OpenID Connect sign-in (no key needed): a redirect to the provider", media="text/html")
async def login(request: Request) -> Response:
    meta = await _provider(request).metadata()
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    # unpadded: a cookie value with "=" gets quoted
    nxt = base64.urlsafe_b64encode(_safe_next(request.query_params.get("next")).encode()).decode().rstrip("=")
    url, _ = _client(request).create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    resp = RedirectResponse(url, status_code=302)
    resp.set_cookie(
        FLOW_COOKIE,
        f"{state}.{nonce}.{verifier}.{nxt}",
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        secure=secure(request),
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back (a top-level GET navigation)
    )
    return resp


async def _id_token_claims(provider: Provider, id_token: str, client_id: str, nonce: str) -> dict:
    try:
        try:
            token = jwt.decode(id_token, await provider.keys(), algorithms=ALGORITHMS)
        except JoseError:  # perhaps a key the provider rotated in since: read its keys once more
            token = jwt.decode(id_token, await provider.keys(refresh=True), algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as err:
        raise ApiError(401, "oidc_token", f"the identity provider's ID token was refused: {err}") from None
    return token.claims


def _user_name(conn: Any, repos: Any, claims: dict, claim: str) -> str:
    """A free user name from the claim (or the e-mail's local part, or the subject)."""
    raw = claims.get(claim) or str(claims.get("email") or "").split("@")[0] or claims["sub"]
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", str(raw)).strip(".-")[:100] or "user"
    for attempt in range(1, 1000):
        name = base if attempt == 1 else f"{base}-{attempt}"
        if (
            valid_entity_name(name)
            and name.lower() not in UI_PAGES
            and repos.entities.get(conn, name) is None
        ):
            return name
    raise ApiError(409, "name_taken", f"no free user name for {base!r}")


def _teams(claims: dict, claim: str | None) -> list[str]:
    raw = claims.get(claim) if claim else None
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [value for value in values[:MAX_TEAMS] if isinstance(value, str)]


@endpoint(
    "The provider's redirect back (no key needed): a session, then a redirect into the UI", media="text/html"
)
async def callback(request: Request) -> Response:
    config = _config(request)
    if request.query_params.get("error"):
        why = request.query_params.get("error_description") or request.query_params["error"]
        raise ApiError(401, "oidc_refused", f"the identity provider did not sign you in: {why[:300]}")
    flow = (request.cookies.get(FLOW_COOKIE) or "").split(".")
    code, state = request.query_params.get("code"), request.query_params.get("state")
    if len(flow) != 4 or not code or state != flow[0]:
        raise ApiError(400, "oidc_state", "this sign-in did not start here, or took too long: sign in again")
    _, nonce, verifier, nxt = flow
    provider = _provider(request)
    meta = await provider.metadata()
    try:
        async with _client(request) as client:
            token = await client.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)
    except (OAuthError, httpx.HTTPError) as err:
        raise ApiError(401, "oidc_refused", f"the identity provider refused the code: {err}") from None
    if not isinstance(token.get("id_token"), str):
        raise ApiError(502, "oidc_provider", "the identity provider answered no ID token")
    claims = await _id_token_claims(provider, token["id_token"], config.oidc_client_id, nonce)
    repos = store(request)

    def in_txn(conn: Any) -> tuple[str, int, str]:
        uid = repos.identities.user_for(conn, provider.issuer, claims["sub"])
        if uid is None:
            name = _user_name(conn, repos, claims, config.oidc_name_claim)
            email = claims.get("email") if isinstance(claims.get("email"), str) else None
            uid = repos.entities.create(conn, name, "user", email=email)
            repos.identities.link(conn, provider.issuer, claims["sub"], uid)
            repos.audit.record(
                conn, User(uid, name, False), "user.create", name, via="oidc", issuer=provider.issuer
            )
        user = repos.entities.user_by_id(conn, uid)
        assert user is not None  # the identity's user (deleting a user deletes its identities)
        for team in _teams(claims, config.oidc_team_claim):
            team_row = repos.entities.get(conn, team)
            if (
                team_row is not None
                and team_row.kind == "team"
                and repos.entities.role(conn, team_row.id, uid) is None
            ):
                repos.entities.add_member(conn, team_row.id, uid, "member")
                repos.audit.record(conn, user, "member.add", f"{team}/{user.name}", role="member", via="oidc")
        return (user.name, *open_session(conn, request, user.id, user.name, "oidc"))

    name, sid, session_token = await write(request, in_txn)
    resp = session_answer(request, name, sid, session_token)
    try:
        where = _safe_next(base64.urlsafe_b64decode(nxt + "=" * (-len(nxt) % 4)).decode("utf-8", "replace"))
    except ValueError:  # a mangled cookie: land on the home page
        where = "/"
    redirect = RedirectResponse(where, status_code=303)
    for key, value in resp.raw_headers:
        if key == b"set-cookie":
            redirect.raw_headers.append((key, value))
    redirect.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, secure=secure(request), samesite="lax")
    return redirect


routes = [
    Route("/api/v1/session/options", options, methods=["GET"]),
    Route(FLOW_PATH + "/login", login, methods=["GET"]),
    Route(FLOW_PATH + "/callback", callback, methods=["GET"]),
]
