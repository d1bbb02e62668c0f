"""The official client (0.31.0) deletes an artifact version on a runyard server (`artifact.delete()`:
DeleteArtifact), and the runs that logged or used it still name it: `run.used_artifacts()` /
`logged_artifacts()` list it with state DELETED, `api.artifact()` of it fails naming it deleted, the
version list and `artifact_collection(...).artifacts()` skip it; the same through runyard's own API
(tests/artifacts/test_deleted_versions.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import textwrap

import pytest

from runyard.errors import CommError
from tests.compat_server.test_official_client import api, client_run, wandb_env  # noqa: F401

SCRIPT = textwrap.dedent("""
    import json, os, wandb
    os.makedirs("d", exist_ok=True)
    train = wandb.init(project="gone")
    open("d/w.bin", "wb").write(b"first")
    train.log_artifact("d/w.bin", name="clf", type="model").wait()
    open("d/w.bin", "wb").write(b"second")
    second = train.log_artifact("d/w.bin", name="clf", type="model", aliases=["best"])
    second.wait()
    train.link_artifact(second, "wandb-registry-model/gone-reg", aliases=["production"])
    open("d/w.bin", "wb").write(b"third")
    train.log_artifact("d/w.bin", name="clf", type="model").wait()
    train.finish()
    user = wandb.init(project="gone")
    user.use_artifact("clf:v0")
    user.use_artifact("clf:best")
    user.finish()

    api = wandb.Api()
    api.artifact("admin/gone/clf:v0").delete()
    def states(arts):
        return [[a.name, a.state] for a in arts]
    out = {
        "ids": [train.id, user.id],
        "used": states(api.run(f"admin/gone/{user.id}").used_artifacts()),
        "logged": states(api.run(f"admin/gone/{train.id}").logged_artifacts()),
        "versions": [a.version for a in api.artifacts("model", "admin/gone/clf")],
        "collection": [a.version for a in api.artifact_collection("model", "admin/gone/clf").artifacts()],
        "registry": [
            [a.version, a.source_version, a.is_link]
            for a in api.artifact_collection("model", "admin/wandb-registry-model/gone-reg").artifacts()
        ],
    }
    try:
        api.artifact("admin/gone/clf:v0")
        out["fetch"] = "found"
    except Exception as e:
        out["fetch"] = str(e)
    try:
        api.artifact("admin/gone/clf:best").delete()
        out["aliased"] = "deleted"
    except Exception as e:
        out["aliased"] = str(e)
    print("EXPECT " + json.dumps(out), flush=True)
""")


def test_delete_keeps_the_runs_naming_it(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    out = client_run(wandb_python, wandb_env, tmp_path, SCRIPT)
    both = [["clf:v0", "DELETED"], ["clf:v1", "COMMITTED"]]
    assert out["used"] == both and out["logged"] == both + [["clf:v2", "COMMITTED"]]
    assert (
        out["versions"] == out["collection"] == ["v2", "v1"]
        and "admin/gone/clf:v0 was deleted" in out["fetch"]
    )
    # the registry's v0 links clf:v1; wandb 0.31 reads `version` from the artifact node (the source's
    # index), the edge's "v0" only goes into the path it fetches by
    assert out["registry"] == [["v1", "v1", True]]
    assert "has aliases" in out["aliased"]  # as REST: delete_aliases=True is needed

    ry, (train, user) = api(server), out["ids"]
    used = ry.run(f"admin/gone/{user}").used_artifacts()
    assert [(a.name, a.state) for a in used] == [tuple(x) for x in both]
    assert [(a.name, a.state) for a in ry.run(f"admin/gone/{train}").logged_artifacts()] == [
        *(tuple(x) for x in both),
        ("clf:v2", "COMMITTED"),
    ]
    assert [a.version for a in ry.artifact_collection("model", "admin/gone/clf").artifacts()] == ["v2", "v1"]
    with pytest.raises(CommError, match="admin/gone/clf:v0 was deleted"):
        ry.artifact("admin/gone/clf:v0")
    audit = ry.client.call("GET", "/api/v1/admin/audit", params={"action": "artifact.delete"})
    assert [x["target"] for x in audit["entries"]] == ["admin/gone/clf:v0"]
