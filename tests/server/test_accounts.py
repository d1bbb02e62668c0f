"""Users, teams and API keys through the in-process client: who may do what, keys shown once."""

from __future__ import annotations

from .test_api import assert_error


def as_user(client, key):
    return {"Authorization": f"Bearer {key}"}


def test_users_teams_keys(client):
    r = client.post("/api/v1/users", json={"name": "alice", "email": "a@x"})
    assert r.status_code == 201 and len(r.json()["api_key"]) == 40
    alice = as_user(client, r.json()["api_key"])
    bob = as_user(client, client.post("/api/v1/users", json={"name": "bob"}).json()["api_key"])
    assert client.get("/api/v1/viewer", headers=alice).json()["user"] == "alice"
    assert [u["name"] for u in client.get("/api/v1/users").json()["users"]] == ["admin", "alice", "bob"]
    # admin only, names unique and valid
    assert_error(client.post("/api/v1/users", json={"name": "eve"}, headers=alice), 403, "forbidden")
    assert_error(client.get("/api/v1/users", headers=alice), 403, "forbidden")
    assert_error(client.post("/api/v1/users", json={"name": "alice"}), 409, "name_taken")
    assert_error(client.post("/api/v1/users", json={"name": "a/b"}), 400, "bad_name")
    assert_error(client.post("/api/v1/users", json={}), 422, "missing_field")
    assert_error(client.post("/api/v1/users", json={"name": "x", "admin": True}), 422, "unknown_field")
    # teams: the creator administers it; members see it; others do not
    r = client.post("/api/v1/teams", json={"name": "lab"}, headers=alice)
    assert r.status_code == 201 and r.json()["members"] == [{"user": "alice", "role": "admin"}]
    assert_error(client.get("/api/v1/teams/lab", headers=bob), 403, "forbidden")
    assert_error(client.post("/api/v1/teams/lab/members", json={"user": "bob"}, headers=bob), 403)
    doc = client.post("/api/v1/teams/lab/members", json={"user": "bob"}, headers=alice).json()
    assert {"user": "bob", "role": "member"} in doc["members"]
    assert client.get("/api/v1/teams/lab", headers=bob).status_code == 200
    assert "lab" in [e["name"] for e in client.get("/api/v1/viewer", headers=bob).json()["entities"]]
    assert_error(client.post("/api/v1/teams/lab/members", json={"user": "nobody"}, headers=alice), 404)
    assert_error(
        client.post("/api/v1/teams/lab/members", json={"user": "bob", "role": "owner"}, headers=alice), 422
    )
    assert_error(client.post("/api/v1/teams/nope/members", json={"user": "bob"}), 404, "unknown_team")
    client.post("/api/v1/teams/lab/members", json={"user": "bob", "role": "admin"}, headers=alice)
    assert client.delete("/api/v1/teams/lab/members/alice", headers=bob).status_code == 200
    assert_error(client.get("/api/v1/teams/lab", headers=alice), 403)
    assert_error(client.delete("/api/v1/teams/lab/members/alice", headers=bob), 404, "unknown_member")
    # keys: own keys, shown once; a revoked key stops working at once
    new = client.post("/api/v1/keys", json={"name": "ci"}, headers=bob).json()
    assert new["prefix"] == new["api_key"][:8]
    ci = as_user(client, new["api_key"])
    keys = client.get("/api/v1/keys", headers=ci).json()["keys"]
    assert [k["name"] for k in keys] == ["created by admin", "ci"] and "api_key" not in keys[0]
    assert client.get("/api/v1/viewer", headers=ci).json()["user"] == "bob"
    assert_error(client.delete(f"/api/v1/keys/{keys[1]['id']}", headers=alice), 404, "unknown_key")
    assert client.delete(f"/api/v1/keys/{keys[1]['id']}", headers=bob).json() == {"revoked": keys[1]["id"]}
    assert_error(client.get("/api/v1/viewer", headers=ci), 401, "bad_key")
    assert_error(client.delete(f"/api/v1/keys/{keys[1]['id']}", headers=bob), 409, "already_revoked")
    assert_error(client.get("/api/v1/keys", params={"user": "alice"}, headers=bob), 403)
    assert len(client.get("/api/v1/keys", params={"user": "alice"}).json()["keys"]) == 1
    made = client.post("/api/v1/keys", json={"user": "alice"}).json()["api_key"]
    assert client.get("/api/v1/viewer", headers=as_user(client, made)).json()["user"] == "alice"
