"""OpenID Connect single sign-on against a real provider on loopback (tests/oidc_provider.py), driven
over HTTP as a browser would (cookies, redirects), on SQLite and PostgreSQL: users are created by
subject, never matched to an existing account by name, teams are joined from the claim, and a token
the provider's keys did not sign is refused. The flow in Chromium is tests/ui/test_oidc.py."""

from __future__ import annotations

import httpx
import pytest

from runyard.server import ServerThread

from ..oidc_provider import Provider

USERS = {
    "ada": {"sub": "u-1", "preferred_username": "ada", "email": "ada@example.com", "groups": ["lab", "nope"]},
    "bo": {"sub": "u-2", "email": "bo@example.com"},  # no name claim: the e-mail's local part
}


@pytest.fixture
def clients():
    """httpx clients made by `sign_in`, closed after the test."""
    made: list[httpx.Client] = []
    yield made
    for c in made:
        c.close()


@pytest.fixture
def sso(config):
    with Provider("runyard", "secret", USERS) as idp:
        config.oidc_issuer, config.oidc_client_id, config.oidc_client_secret = idp.issuer, "runyard", "secret"
        config.oidc_team_claim = "groups"
        with ServerThread(config) as srv:
            yield idp, srv


def sign_in(srv, account: str, clients: list, nxt: str = "/") -> tuple[httpx.Client, httpx.Response]:
    """The browser's trip: runyard -> the provider (the account picked there) -> runyard's callback."""
    c = httpx.Client(base_url=srv.url, timeout=60)
    clients.append(c)
    to_idp = c.get("/api/v1/oidc/login", params={"next": nxt})
    assert to_idp.status_code == 302, to_idp.text
    back = httpx.post(to_idp.headers["location"], data={"user": account}, timeout=60)
    assert back.status_code == 302, back.text
    return c, c.get(back.headers["location"])


def test_users_are_created_by_subject_and_join_teams_from_the_claim(sso, clients):
    idp, srv = sso
    admin = {"Authorization": f"Bearer {srv.api_key}"}
    httpx.post(srv.url + "/api/v1/users", json={"name": "ada"}, headers=admin, timeout=60).raise_for_status()
    httpx.post(srv.url + "/api/v1/teams", json={"name": "lab"}, headers=admin, timeout=60).raise_for_status()

    c, r = sign_in(srv, "ada", clients, "/lab")
    assert r.status_code == 303 and r.headers["location"] == "/lab"
    me = c.get("/api/v1/viewer").json()
    # the local user "ada" is someone else: a claim never signs in as an existing account
    assert (me["user"], me["auth"], me["teams"]) == ("ada-2", "session", [{"name": "lab", "role": "member"}])
    again, _ = sign_in(srv, "ada", clients)
    assert again.get("/api/v1/viewer").json()["user"] == "ada-2"
    bo, _ = sign_in(srv, "bo", clients)
    assert bo.get("/api/v1/viewer").json()["user"] == "bo"
    users = httpx.get(srv.url + "/api/v1/users", headers=admin, timeout=60).json()["users"]
    assert sorted(u["name"] for u in users) == ["ada", "ada-2", "admin", "bo"]
    # a session from single sign-on changes things like any other (CSRF token included)
    csrf = c.cookies["runyard_csrf"]
    made = c.post("/api/v1/keys", json={"name": "mine"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text


def test_a_token_not_signed_by_the_providers_keys_is_refused(sso, clients):
    idp, srv = sso
    idp.forge = True
    c, r = sign_in(srv, "ada", clients)
    assert r.status_code == 401 and r.json()["error"]["code"] == "oidc_token"
    assert c.get("/api/v1/viewer").status_code == 401
    # and a callback replayed without this browser's flow cookie is refused before the code is used
    idp.forge = False
    to_idp = httpx.get(srv.url + "/api/v1/oidc/login", follow_redirects=False, timeout=60)
    back = httpx.post(to_idp.headers["location"], data={"user": "ada"}, timeout=60)
    r = httpx.get(back.headers["location"], timeout=60)
    assert r.status_code == 400 and r.json()["error"]["code"] == "oidc_state"
