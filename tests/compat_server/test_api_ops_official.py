"""`wandb.Api()` calls of the official client (0.31.0) that read lineage and edit artifacts and runs on
a runyard server: `artifact.logged_by()` (ArtifactCreatedBy), `api.artifact_collection()` (ProjectArtifactCollection), `run.logged_artifacts()` /
`used_artifacts()` (RunOutputArtifacts / RunInputArtifacts), `artifact.save()` with an alias added and
removed, a new description and metadata (AddAliases, DeleteAliases, UpdateArtifact; also moving an
alias of a registered version), and `run.delete(delete_artifacts=True)` (DeleteRun: the run and the
artifact versions it created), after which a new run may take the deleted run's id; checked through
runyard's own API, on SQLite and PostgreSQL."""

from __future__ import annotations

import textwrap

import pytest

from runyard.errors import CommError
from tests.compat_server.test_official_client import api, client_run, wandb_env  # noqa: F401

LOG = textwrap.dedent("""
    import json, os, wandb
    os.makedirs("d", exist_ok=True)
    open("d/rows.csv", "w").write("x\\n1\\n")
    prep = wandb.init(project="ops", name="prep")
    prep.log_artifact("d/rows.csv", name="rows", type="dataset").wait()
    prep.finish()
    train = wandb.init(project="ops", name="train")
    train.use_artifact("rows:latest")
    open("d/w.bin", "wb").write(b"weights")
    model = train.log_artifact("d/w.bin", name="clf", type="model", aliases=["candidate"])
    model.wait()
    train.link_artifact(model, "model-registry/classifier")
    train.finish()
    doomed = wandb.init(project="ops", name="doomed")
    doomed.log_artifact("d/rows.csv", name="scratch", type="dataset").wait()
    doomed.finish()
    print("EXPECT " + json.dumps({"prep": prep.id, "train": train.id, "doomed": doomed.id}), flush=True)
""")

OPS = textwrap.dedent("""
    import json, sys, wandb
    ids = json.loads(sys.argv[1])
    api = wandb.Api()
    clf = api.artifact("admin/ops/clf:v0")
    made_by = clf.logged_by()
    train = api.run(f"admin/ops/{ids['train']}")
    out = {
        "logged_by": [made_by.id, made_by.project],
        "outputs": sorted(a.name for a in train.logged_artifacts()),
        "inputs": sorted(a.name for a in train.used_artifacts()),
        "rows_by": api.artifact("admin/ops/rows:v0").logged_by().id,
    }
    coll = api.artifact_collection("model", "admin/ops/clf")
    out["collection"] = [coll.name, coll.type, coll.project, coll.entity]
    clf.aliases.append("best")
    clf.aliases.remove("candidate")
    clf.description = "tuned"
    clf.metadata = {"acc": 0.9}
    clf.save()
    registered = api.artifact("admin/model-registry/classifier:v0")
    registered.aliases.append("production")
    registered.save()
    api.run(f"admin/ops/{ids['doomed']}").delete(delete_artifacts=True)
    print("EXPECT " + json.dumps(out), flush=True)
""")


def test_lineage_edits_and_delete(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    ids = client_run(wandb_python, wandb_env, tmp_path, LOG)
    import json

    out = client_run(wandb_python, wandb_env, tmp_path, OPS, json.dumps(ids))
    assert out["logged_by"] == [ids["train"], "ops"] and out["rows_by"] == ids["prep"]
    assert out["outputs"] == ["clf:v0"] and out["inputs"] == ["rows:v0"]
    assert out["collection"] == ["clf", "model", "ops", "admin"]
    ry = api(server)
    clf = ry.artifact("admin/ops/clf:v0")
    assert sorted(clf.aliases) == ["best", "latest"]
    assert (clf.description, clf.metadata) == ("tuned", {"acc": 0.9})
    assert (
        ry.artifact("admin/wandb-registry-model/classifier:production").qualified_name == "admin/ops/clf:v0"
    )
    history = ry.client.call("GET", "/api/v1/registries/admin/model/classifier")["history"]
    assert history[0]["action"] == "registry.alias" and history[0]["detail"]["alias"] == "production"
    with pytest.raises(CommError, match="does not exist"):
        ry.run(f"admin/ops/{ids['doomed']}")
    with pytest.raises(CommError, match="admin/ops/scratch:v0 was deleted"):
        ry.artifact("admin/ops/scratch:v0")
    assert ry.run(f"admin/ops/{ids['train']}").id == ids["train"]


AGAIN = textwrap.dedent("""
    import json, wandb
    first = wandb.init(project="again", id="fixed-id", config={"lr": 0.1})
    for s in range(5):
        first.log({"loss": float(s)}, step=s)
    first.finish()
    wandb.Api().run("admin/again/fixed-id").delete()
    second = wandb.init(project="again", id="fixed-id", config={"lr": 0.2})
    for s in range(3):
        second.log({"acc": 10.0 + s}, step=s)
    second.finish()
    print("EXPECT " + json.dumps({"id": second.id}), flush=True)
""")


def test_a_deleted_runs_id_can_be_used_again(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    """A script with a fixed run id, run again after its run was deleted, makes a new run (the old one
    left no protocol state behind that the new one would continue)."""
    assert client_run(wandb_python, wandb_env, tmp_path, AGAIN) == {"id": "fixed-id"}
    run = api(server).run("admin/again/fixed-id")
    assert run.state == "finished" and run.config["lr"] == 0.2
    assert [r["acc"] for r in run.scan_history(keys=["acc"])] == [10.0, 11.0, 12.0]
    assert "loss" not in run.summary
