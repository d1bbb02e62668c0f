"""`api.artifact_collection(type, name).artifacts()` as wandb 0.31 has it: a user's script with
`runyard.Api()` against a real server on SQLite and PostgreSQL, for a project's artifact name and
for a registry collection (the official client's side: tests/compat_server/test_deleted_official.py)."""

from __future__ import annotations

import pytest

import runyard as wandb
from runyard.api import Api
from runyard.errors import CommError, UsageError

from .conftest import write


def _log(run, env, content: str, **kw):
    write(env / "clf" / "f.txt", content)
    return run.log_artifact(str(env / "clf"), name="clf", type="model", **kw).wait(30)


def test_collection_artifacts(env, settings):
    run = wandb.init(project="train", settings=settings, reinit="create_new")
    first = _log(run, env, "a")
    _log(run, env, "b", aliases=["best"])
    third = _log(run, env, "c")
    run.link_artifact(third, "wandb-registry-model/clf-reg", aliases=["production"])
    run.link_artifact(first, "wandb-registry-model/clf-reg")
    run.finish()

    api, e = Api(), run.entity
    (listed,) = api.artifact_collections(f"{e}/train", "model")
    assert (listed.name, listed.version_count, listed.aliases) == ("clf", 3, ["best"])
    coll = api.artifact_collection("model", f"{e}/train/clf")
    assert (coll.name, coll.type, coll.entity, coll.project, coll.aliases) == (
        "clf",
        "model",
        e,
        "train",
        ["best"],
    )
    assert coll.is_sequence()
    arts = coll.artifacts()
    assert [a.version for a in arts] == ["v2", "v1", "v0"]
    assert arts[1].aliases == ["best"] and arts[0].digest == third.digest
    arts[2].download(root=env / "dl")
    assert (env / "dl" / "f.txt").read_text() == "a"

    api.artifact(f"{e}/train/clf:v1").delete(delete_aliases=True)
    assert [a.version for a in api.artifact_collection("model", "train/clf").artifacts()] == ["v2", "v0"]

    reg = api.artifact_collection("model", f"{e}/wandb-registry-model/clf-reg")
    assert not reg.is_sequence() and reg.aliases == ["production"]
    linked = reg.artifacts()  # the registry's v1 then v0: the artifact versions they link to
    assert [(a.version, a.is_link) for a in linked] == [("v0", True), ("v2", True)]
    assert [a.digest for a in linked] == [first.digest, third.digest]

    with pytest.raises(UsageError, match="has type 'model', not 'dataset'"):
        api.artifact_collection("dataset", f"{e}/wandb-registry-model/clf-reg")
    with pytest.raises(CommError, match="not found"):
        api.artifact_collection("dataset", f"{e}/train/clf")
    with pytest.raises(CommError, match="not found"):
        api.artifact_collection("model", f"{e}/train/nothing")
