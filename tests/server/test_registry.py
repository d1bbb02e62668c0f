"""The model registry over HTTP (SQLite and PostgreSQL): linking artifact versions into a collection,
resolving by version and alias, moving `production` (audited, answered as the collection's history),
unlinking, what a team's roles may do, and client mistakes answered as 4xx naming the problem."""

from __future__ import annotations

import hashlib

from .test_teams import as_key, new_user

R = "/api/v1/registries/lab/model"


def commit(client, key: str, project: str, name: str, content: bytes, typ: str = "model") -> dict:
    sha = hashlib.sha256(content).hexdigest()
    assert client.put(f"/api/v1/blobs/{sha}", content=content, headers=as_key(key)).status_code == 200
    manifest = [{"path": "model.bin", "sha256": sha, "size": len(content)}]
    r = client.post(
        f"/api/v1/artifacts/lab/{project}/{name}",
        json={"type": typ, "manifest": manifest},
        headers=as_key(key),
    )
    assert r.status_code == 200, r.text
    return r.json()


def team(client) -> dict[str, str]:
    keys = {n: new_user(client, n) for n in ("ann", "mia", "vic", "otto")}
    assert client.post("/api/v1/teams", json={"name": "lab"}, headers=as_key(keys["ann"])).status_code == 201
    for n, role in (("mia", "member"), ("vic", "viewer")):
        r = client.post(
            "/api/v1/teams/lab/members", json={"user": n, "role": role}, headers=as_key(keys["ann"])
        )
        assert r.status_code in (200, 201), r.text
    return keys


def test_link_resolve_move_production_and_history(client):
    k = team(client)
    mia = as_key(k["mia"])
    commit(client, k["mia"], "train", "clf", b"weights one")
    commit(client, k["mia"], "train", "clf", b"weights two")

    r = client.post(
        f"{R}/classifier", json={"artifact": "lab/train/clf:v0", "aliases": ["staging"]}, headers=mia
    )
    assert r.status_code == 200, r.text
    v0 = r.json()
    assert (v0["version"], v0["created"], v0["aliases"]) == ("v0", True, ["staging"])
    assert v0["path"] == "lab/wandb-registry-model/classifier:v0"
    assert v0["artifact"]["qualified_name"] == "lab/train/clf:v0" and v0["linked_by"] == "mia"

    # linking the same artifact version again keeps its number; a new one is v1
    again = client.post(f"{R}/classifier", json={"artifact": "lab/train/clf:v0"}, headers=mia).json()
    assert (again["version"], again["created"]) == ("v0", False)
    v1 = client.post(
        f"{R}/classifier", json={"artifact": "lab/train/clf:latest", "aliases": ["production"]}, headers=mia
    ).json()
    assert (v1["version"], v1["artifact"]["version"]) == ("v1", "v1")

    # resolve by alias, by vN and by latest: the artifact version it links to, with its manifest
    prod = client.get(f"{R}/classifier/production", headers=mia).json()
    assert prod["version"] == "v1" and prod["artifact"]["manifest"][0]["path"] == "model.bin"
    assert client.get(f"{R}/classifier/latest", headers=mia).json()["version"] == "v1"
    assert client.get(f"{R}/classifier/v0", headers=mia).json()["aliases"] == ["staging"]

    # move production back to v0: the alias leaves v1, and the move is in the history (who, from where)
    r = client.post(f"{R}/classifier/v0/aliases", json={"add": ["production"]}, headers=mia)
    assert r.status_code == 200 and r.json()["aliases"] == ["production", "staging"]
    assert client.get(f"{R}/classifier/production", headers=mia).json()["version"] == "v0"
    col = client.get(f"{R}/classifier", headers=mia).json()
    assert col["type"] == "model" and [v["version"] for v in col["versions"]] == ["v1", "v0"]
    assert col["versions"][0]["aliases"] == []
    newest = col["history"][0]
    assert newest["actor"] == "mia" and newest["action"] == "registry.alias"
    assert newest["detail"] == {"alias": "production", "version": "v0", "was": "v1"}
    assert [h["action"] for h in col["history"]][-1] == "registry.link"

    reg = client.get(R, headers=mia).json()
    assert reg["collections"][0]["aliases"] == {"production": "v0", "staging": "v0"}
    regs = client.get("/api/v1/registries/lab", headers=mia).json()["registries"]
    assert [(x["name"], x["collection_count"]) for x in regs] == [("model", 1)]

    # the audit log (admin) has the same entries
    audit = client.get("/api/v1/admin/audit", params={"action": "registry."}).json()["entries"]
    assert {e["action"] for e in audit} == {"registry.link", "registry.alias"}

    # removing an alias, unlinking a version (its aliases go too); the artifact itself stays
    r = client.post(f"{R}/classifier/v0/aliases", json={"remove": ["staging"]}, headers=mia)
    assert r.json()["aliases"] == ["production"]
    assert client.delete(f"{R}/classifier/v0", headers=mia).json() == {
        "unlinked": "lab/wandb-registry-model/classifier:v0"
    }
    assert client.get(f"{R}/classifier/production", headers=mia).status_code == 404
    assert client.get("/api/v1/artifacts/lab/train/clf/v0", headers=mia).status_code == 200
    assert client.get(f"{R}/classifier", headers=mia).json()["history"][0]["detail"]["aliases"] == [
        "production"
    ]


def test_roles_and_private_sources(client):
    k = team(client)
    commit(client, k["mia"], "train", "clf", b"weights")
    mia, vic, otto = as_key(k["mia"]), as_key(k["vic"]), as_key(k["otto"])
    link = {"artifact": "lab/train/clf:v0", "aliases": ["production"]}
    # a viewer reads the registry but neither links nor moves aliases; an outsider sees nothing
    assert client.post(f"{R}/classifier", json=link, headers=vic).status_code == 403
    assert client.post(f"{R}/classifier", json=link, headers=otto).status_code == 403
    assert client.post(f"{R}/classifier", json=link, headers=mia).status_code == 200
    assert client.get(f"{R}/classifier/production", headers=vic).status_code == 200
    assert client.post(f"{R}/classifier/v0/aliases", json={"add": ["x"]}, headers=vic).status_code == 403
    assert client.delete(f"{R}/classifier/v0", headers=vic).status_code == 403
    assert client.get(R, headers=otto).status_code == 403
    # an outsider cannot link a team's artifact into its own registry (it cannot read it)
    r = client.post("/api/v1/registries/otto/model/stolen", json=link, headers=otto)
    assert r.status_code == 403, r.text
    # a private source project: the viewer sees that a version exists, not what it links to
    assert client.patch("/api/v1/projects/lab/train", json={"visibility": "private"}).status_code == 200
    col = client.get(f"{R}/classifier", headers=vic).json()
    assert col["versions"][0]["artifact"] is None and col["versions"][0]["aliases"] == ["production"]
    r = client.get(f"{R}/classifier/production", headers=vic)
    assert r.status_code == 403 and "lab/train" in r.json()["error"]["message"]


def test_mistakes_are_4xx_and_registered_versions_are_kept(client):
    k = team(client)
    mia = as_key(k["mia"])
    commit(client, k["mia"], "train", "clf", b"weights")
    commit(client, k["mia"], "train", "data", b"rows", typ="dataset")

    def code(r) -> tuple[int, str]:
        return r.status_code, r.json()["error"]["code"]

    assert code(client.post(f"{R}/c", json={"artifact": "clf:v0"}, headers=mia)) == (422, "bad_value")
    assert code(client.post(f"{R}/c", json={"artifact": "lab/train/nope:v0"}, headers=mia)) == (
        404,
        "unknown_artifact",
    )
    link = {"artifact": "lab/train/clf:v0"}
    assert code(client.post(f"{R}/c", json=link | {"aliases": ["latest"]}, headers=mia)) == (422, "bad_value")
    assert code(client.post(f"{R}/c", json=link | {"aliases": ["v3"]}, headers=mia)) == (422, "bad_value")
    assert code(client.post(f"{R}/c", json=link | {"aliases": ["a"] * 101}, headers=mia)) == (422, "too_many")
    assert code(client.post(f"{R}/c", json=link | {"aliases": "prod"}, headers=mia)) == (422, "wrong_type")
    assert code(client.post("/api/v1/registries/lab/bad%20name/c", json=link, headers=mia)) == (
        400,
        "bad_name",
    )
    assert client.post(f"{R}/c", json=link, headers=mia).status_code == 200
    # a collection keeps the type of its first artifact
    assert code(client.post(f"{R}/c", json={"artifact": "lab/train/data:v0"}, headers=mia)) == (
        409,
        "type_mismatch",
    )
    assert code(client.get(f"{R}/c/v7", headers=mia)) == (404, "unknown_version")
    assert code(client.get(f"{R}/nope", headers=mia)) == (404, "unknown_collection")
    assert code(client.get("/api/v1/registries/lab/nope", headers=mia)) == (404, "unknown_registry")
    # deleting a registered artifact version needs delete_aliases=true (it leaves the registry with it)
    r = client.delete("/api/v1/artifacts/lab/train/clf/v0", headers=mia)
    assert code(r) == (409, "registered") and "lab/wandb-registry-model/c:v0" in r.json()["error"]["message"]
    r = client.delete("/api/v1/artifacts/lab/train/clf/v0", params={"delete_aliases": "true"}, headers=mia)
    assert r.status_code == 200, r.text
    assert client.get(f"{R}/c", headers=mia).json()["versions"] == []
