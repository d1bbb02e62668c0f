"""Runs that used a deleted artifact version still name it: a user's script (`import runyard as
wandb`, `runyard.Api()`) against a real server on SQLite and PostgreSQL.

A deleted version stays as a tombstone: `run.logged_artifacts()` / `used_artifacts()` list it with
state "DELETED" (its files are gone: reading them raises, naming it), fetching it answers 410 naming
it, version lists and `latest` skip it, its blobs go to gc, its registry versions go with it, its
index is never reused, and logging the same content again brings it back under its old index."""

from __future__ import annotations

import httpx
import pytest

import runyard as wandb
from runyard.api import Api
from runyard.errors import CommError

from .conftest import sha256_of, write


def _log(run, env, name: str, content: str, **kw):
    write(env / name / "f.txt", content)
    return run.log_artifact(str(env / name), name=name, type="model", **kw).wait(30)


def _states(arts) -> list[tuple[str, str]]:
    return [(a.name, a.state) for a in arts]


def test_runs_name_a_deleted_version(env, settings, server):
    trainer = wandb.init(project="train", settings=settings, reinit="create_new")
    _log(trainer, env, "clf", "first weights")
    v1 = _log(trainer, env, "clf", "second weights", aliases=["best"])
    trainer.link_artifact(v1, "wandb-registry-model/things", aliases=["production"])
    trainer.finish()
    user = wandb.init(project="train", settings=settings, reinit="create_new")
    user.use_artifact("clf:v0")
    user.use_artifact("clf:best")
    user.finish()

    api, e = Api(), trainer.entity
    api.artifact(f"{e}/train/clf:v0").delete()
    used = api.run(f"{e}/train/{user.id}").used_artifacts()
    assert _states(used) == [("clf:v0", "DELETED"), ("clf:v1", "COMMITTED")]
    assert (used[0].type, used[0].qualified_name) == ("model", f"{e}/train/clf:v0")
    assert _states(api.run(f"{e}/train/{trainer.id}").logged_artifacts()) == _states(used)
    with pytest.raises(CommError, match=f"{e}/train/clf:v0 was deleted"):
        used[0].download(root=env / "dl")
    with pytest.raises(CommError, match=f"artifact {e}/train/clf:v0 was deleted"):
        api.artifact(f"{e}/train/clf:v0")
    assert [a.version for a in api.artifact_versions("model", f"{e}/train/clf")] == ["v1"]
    assert [(c.name, c.version_count) for c in api.artifact_collections(f"{e}/train")] == [("clf", 1)]

    # the REST answer: 410 naming the version, also when asked by digest; an unknown one stays 404
    h = {"Authorization": f"Bearer {server.api_key}"}
    base = f"{server.url}/api/v1/artifacts/{e}/train/clf"
    for ref in ("v0", used[0].digest):
        r = httpx.get(f"{base}/{ref}", headers=h, timeout=60)
        assert r.status_code == 410 and r.json()["error"]["code"] == "artifact_deleted", r.text
        assert f"{e}/train/clf:v0" in r.json()["error"]["message"]
    assert httpx.get(f"{base}/v7", headers=h, timeout=60).status_code == 404
    assert httpx.delete(f"{base}/v0", headers=h, timeout=60).status_code == 410

    # the first version's blob is released to gc (no other version holds it)
    report = api.client.call("POST", "/api/v1/admin/gc", body={"delete": False, "grace_seconds": 0})
    assert sha256_of("first weights") in report["sha256"]
    assert sha256_of("second weights") not in report["sha256"]

    # deleting the registered latest version takes its registry version with it; latest leaves
    api.artifact(f"{e}/train/clf:v1").delete(delete_aliases=True)
    with pytest.raises(CommError, match="not found"):
        api.artifact(f"{e}/wandb-registry-model/things:production")
    with pytest.raises(CommError, match="not found"):
        api.artifact(f"{e}/train/clf:latest")
    assert api.artifact_collections(f"{e}/train") == []
    assert _states(api.run(f"{e}/train/{user.id}").used_artifacts()) == [
        ("clf:v0", "DELETED"),
        ("clf:v1", "DELETED"),
    ]

    # the name keeps its type while tombstones carry it
    write(env / "tbl" / "f.txt", "rows")
    other = wandb.init(project="train", settings=settings, reinit="create_new")
    with pytest.raises(CommError, match="has type 'model', not 'dataset' \\(its versions were deleted"):
        other.log_artifact(str(env / "tbl"), name="clf", type="dataset").wait(30)
    other.finish()

    # a new content takes a new index; the deleted content logged again comes back as v0
    again = wandb.init(project="train", settings=settings, reinit="create_new")
    assert _log(again, env, "clf", "third weights").version == "v2"
    back = _log(again, env, "clf", "first weights")
    again.finish()
    assert back.version == "v0"
    assert api.artifact(f"{e}/train/clf:latest").version == "v2"
    assert _states(api.run(f"{e}/train/{user.id}").used_artifacts()) == [
        ("clf:v0", "COMMITTED"),
        ("clf:v1", "DELETED"),
    ]
    root = api.artifact(f"{e}/train/clf:v0").download(root=env / "back")
    assert (env / "back" / "f.txt").read_text() == "first weights" and str(root) == str(env / "back")
