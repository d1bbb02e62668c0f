"""The official wandb client (0.31.0) links into runyard's model registry: `run.link_model` (wandb's
`model-registry` target: runyard's "model" registry) and `run.link_artifact` into
"wandb-registry-model/<collection>" with aliases, then `use_artifact` of the registered `production`
version from another run; checked through runyard's own API and registry history."""

from __future__ import annotations

import textwrap

import httpx

from tests.compat_server.test_official_client import api, client_run, wandb_env  # noqa: F401

LINK = textwrap.dedent("""
    import json, os, wandb
    os.makedirs("model", exist_ok=True)
    open("model/w.bin", "wb").write(b"v0")
    run = wandb.init(project="train", config={"lr": 0.1})
    first = run.link_model("model", "classifier", name="clf", aliases=["staging"])
    open("model/w.bin", "wb").write(b"v1")
    art = run.log_artifact("model", name="clf", type="model")
    art.wait()
    second = run.link_artifact(art, "model-registry/classifier", aliases=["production"])
    third = run.link_artifact(art, "wandb-registry-model/classifier", aliases=["canary"])
    out = {"id": run.id, "first": [first.version, sorted(first.aliases)] if first else None,
           "second": [second.version, sorted(second.aliases)] if second else None,
           "third": [third.version, sorted(third.aliases)] if third else None}
    run.finish()
    print("EXPECT " + json.dumps(out), flush=True)
""")

USE = textwrap.dedent("""
    import json, wandb
    run = wandb.init(project="serve")
    art = run.use_artifact("admin/model-registry/classifier:production")
    path = art.download(root="dl")
    canary = run.use_artifact("wandb-registry-model/classifier:canary")
    out = {"id": run.id, "version": art.version, "bytes": open(path + "/w.bin").read(),
           "canary": [canary.version, open(canary.download(root="dl2") + "/w.bin").read()]}
    run.finish()
    print("EXPECT " + json.dumps(out), flush=True)
""")


def test_link_model_and_link_artifact(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    linked = client_run(wandb_python, wandb_env, tmp_path, LINK)
    # the versions the client got back are the registry's: numbers and aliases of the collection
    assert linked["first"] == ["v0", ["staging"]] and linked["second"] == ["v1", ["production"]]
    assert linked["third"] == ["v1", ["canary", "production"]]  # the same artifact: the same version
    ry = api(server)
    prod = ry.artifact("admin/wandb-registry-model/classifier:production")
    assert prod.qualified_name == "admin/train/clf:v1" and prod.logged_by().id == linked["id"]
    assert ry.artifact("admin/model-registry/classifier:staging").qualified_name == "admin/train/clf:v0"
    col = ry.client.call("GET", "/api/v1/registries/admin/model/classifier")
    assert [(h["actor"], h["action"]) for h in col["history"]][-1] == ("admin", "registry.link")

    used = client_run(wandb_python, wandb_env, tmp_path, USE)
    assert (used["version"], used["bytes"], used["canary"]) == ("v1", "v1", ["v1", "v1"])
    assert [r.id for r in prod.used_by()] == [used["id"]]


MANAGE = textwrap.dedent("""
    import json, wandb
    api = wandb.Api()
    v0 = api.artifact("admin/wandb-registry-model/classifier:v0")
    out = {"is_link": v0.is_link, "aliases": sorted(v0.aliases)}
    v0.aliases.append("production")  # moved here from v1
    v0.aliases.remove("staging")
    v0.save()
    out["production"] = api.artifact("admin/wandb-registry-model/classifier:production").version
    source = api.artifact("admin/train/clf:v1")
    try:
        source.unlink()
    except ValueError as e:
        out["source"] = str(e)
    linked = api.artifact("admin/wandb-registry-model/classifier:canary")
    linked.unlink()
    try:
        api.artifact("admin/wandb-registry-model/classifier:canary")
    except Exception as e:
        out["gone"] = type(e).__name__
    again = api.artifact("admin/train/clf:v1").link("admin/wandb-registry-model/classifier", aliases=["staging"])
    out["again"] = [again.version, sorted(again.aliases)]
    api.artifact("admin/wandb-registry-model/classifier:staging").delete()  # of a link: unlinks it
    out["left"] = [api.artifact(f"admin/train/clf:{v}").version for v in ("v0", "v1")]
    print("EXPECT " + json.dumps(out), flush=True)
""")


IDS = textwrap.dedent("""
    import json, wandb
    canary = wandb.Api().artifact("admin/wandb-registry-model/classifier:canary")
    source = wandb.Api().artifact("admin/train/clf:v1").collection.id
    print("EXPECT " + json.dumps({"artifact": canary.id, "collection": canary.collection.id, "source": source}))
""")

UNLINK = "mutation U($input: UnlinkArtifactInput!) { result: unlinkArtifact(input: $input) { success } }"


def test_alias_moves_unlink_and_link_from_the_api(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    """The official client's registry management: artifact.save() moving aliases in the registry
    collection, artifact.unlink() of a registered version (the source version stays), and
    Api().artifact(...).link(...); each audited as runyard's own registry calls are. A user who may
    only read the registry cannot unlink."""
    client_run(wandb_python, wandb_env, tmp_path, LINK)
    ry = api(server)
    bob = ry.client.call("POST", "/api/v1/users", body={"name": "bob"})["api_key"]
    ids = client_run(wandb_python, wandb_env, tmp_path, IDS)
    inp = {"artifactID": ids["artifact"], "artifactPortfolioID": ids["collection"]}

    def unlink(key: str, inp: dict) -> str:
        body = {"query": UNLINK, "variables": {"input": inp}}
        r = httpx.post(f"{server.url}/graphql", json=body, auth=("api", key))
        assert r.status_code == 200, r.text
        return r.json()["errors"][0]["message"]

    assert "does not exist" in unlink(bob, inp)  # bob cannot even see admin's artifact
    assert "not a registry collection" in unlink(server.api_key, inp | {"artifactPortfolioID": ids["source"]})
    assert ry.artifact("admin/wandb-registry-model/classifier:canary").version == "v1"  # still there
    got = client_run(wandb_python, wandb_env, tmp_path, MANAGE)
    assert got["is_link"] is True and got["aliases"] == ["staging"]
    assert got["production"] == "v0"
    assert "not a linked artifact" in got["source"]
    assert got["gone"] == "CommError"
    assert got["again"] == ["v2", ["staging"]]
    assert got["left"] == ["v0", "v1"]  # the source versions stay
    assert ry.artifact("admin/train/clf:v1").qualified_name == "admin/train/clf:v1"  # the source stays
    col = ry.client.call("GET", "/api/v1/registries/admin/model/classifier")
    actions = [h["action"] for h in col["history"]]
    assert actions.count("registry.unlink") == 2 and "registry.unalias" in actions
    assert [v["version"] for v in col["versions"]] == ["v0"]
