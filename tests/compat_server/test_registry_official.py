"""The official wandb client (0.31.0) links into runyard's model registry: `run.link_model` (wandb's
`model-registry` target: runyard's "model" registry) and `run.link_artifact` into
"wandb-registry-model/<collection>" with aliases, then `use_artifact` of the registered `production`
version from another run; checked through runyard's own API and registry history."""

from __future__ import annotations

import textwrap

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
