"""The artifact flows a user goes through (log, use, download, alias), against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import runyard
from runyard.api import Api

from .conftest import blob_count, sha256_of, stored_blobs, write


def _run(settings, **kw):
    return runyard.init(project="p", settings=settings, reinit="create_new", **kw)


def test_seed_flow_log_then_use_latest(env, settings, home):
    write(env / "ckpt" / "model.bin", os.urandom(300_000))
    write(env / "ckpt" / "config.json", '{"layers": 4}')
    run = _run(settings)
    art = runyard.Artifact("mnist-model", type="model", description="d", metadata={"acc": 0.9})
    art.add_dir(env / "ckpt")
    logged = run.log_artifact(art, aliases=["best"])
    assert logged.wait(30) is art
    assert art.version == "v0" and art.name == "mnist-model:v0"
    assert set(art.aliases) == {"latest", "best"}
    run.finish()

    run2 = _run(settings, job_type="eval")
    used = run2.use_artifact("mnist-model:latest", type="model")
    assert used.version == "v0" and used.metadata == {"acc": 0.9} and used.digest == art.digest
    root = used.download()
    assert root == os.path.join("artifacts", "mnist-model:v0")
    assert (Path(root) / "model.bin").read_bytes() == (env / "ckpt" / "model.bin").read_bytes()
    assert sorted(f.name for f in used.files()) == ["config.json", "model.bin"]
    assert used.stats.downloaded_blobs == 2
    p = used.get_path("config.json").download(root=env / "one")
    assert Path(p).read_text() == '{"layers": 4}'
    run2.finish()

    api = Api()
    a = api.artifact(f"{run.entity}/p/mnist-model:best")
    assert a.version == "v0" and a.type == "model"
    logged_by = a.logged_by()
    assert (logged_by.id, logged_by.state, logged_by.path) == (run.id, "finished", [run.entity, "p", run.id])
    assert [r.id for r in a.used_by()] == [run2.id] and a.used_by()[0].job_type == "eval"
    versions = api.artifact_versions("model", f"{run.entity}/p/mnist-model")
    assert [v.version for v in versions] == ["v0"]
    links = api.client.call("GET", f"/api/v1/runs/{run.entity}/p/{run2.id}/artifacts")
    assert [u["version"] for u in links["used"]] == ["v0"] and links["logged"] == []
    api_run2 = api.run(f"{run.entity}/p/{run2.id}")
    (used_v,) = api_run2.used_artifacts()
    assert used_v.name == "mnist-model:v0" and api_run2.logged_artifacts() == []
    assert sorted(f.name for f in used_v.files()) == ["config.json", "model.bin"]
    (logged_v,) = api.run(f"{run.entity}/p/{run.id}").logged_artifacts()
    assert (logged_v.qualified_name, set(logged_v.aliases)) == (
        f"{run.entity}/p/mnist-model:v0",
        {"latest", "best"},
    )
    assert blob_count(home) >= 2


def test_dedup_and_incremental(env, settings, home):
    contents = {i: f"content {i}" * 100 for i in range(5)}
    for i, text in contents.items():
        write(env / "data" / f"f{i}.txt", text)
    ours = {sha256_of(t) for t in contents.values()} | {sha256_of("changed")}
    run = _run(settings)
    a0 = runyard.Artifact("ds", "dataset")
    a0.add_dir(env / "data")
    run.log_artifact(a0).wait(30)
    assert a0.version == "v0" and a0.stats.uploaded_blobs == 5
    assert stored_blobs(home) & ours == ours - {sha256_of("changed")}

    a1 = runyard.Artifact("ds", "dataset")  # identical content: same version, nothing uploaded
    a1.add_dir(env / "data")
    run.log_artifact(a1).wait(30)
    assert a1.version == "v0" and a1.stats.uploaded_bytes == 0
    assert stored_blobs(home) & ours == ours - {sha256_of("changed")}

    write(env / "data" / "f3.txt", "changed")
    a2 = runyard.Artifact("ds", "dataset")
    a2.add_dir(env / "data")
    run.log_artifact(a2).wait(30)
    assert a2.version == "v1" and a2.stats.uploaded_blobs == 1 and a2.stats.uploaded_bytes == len("changed")
    assert stored_blobs(home) & ours == ours  # the one new content, each stored once by its sha256
    run.finish()
    versions = Api().artifact_versions("dataset", f"{run.entity}/p/ds")
    assert [(v.version, v.aliases) for v in versions] == [("v1", ["latest"]), ("v0", [])]


def test_aliases_move(env, settings):
    run = _run(settings)
    for i in range(3):
        write(env / "m.txt", f"model {i}")
        a = runyard.Artifact("m", "model")
        a.add_file(env / "m.txt")
        run.log_artifact(a, aliases=["best"] if i != 1 else ["prod"]).wait(30)
    run.finish()
    api = Api()
    by_version = {v.version: set(v.aliases) for v in api.artifact_versions("model", f"{run.entity}/p/m")}
    assert by_version == {"v2": {"latest", "best"}, "v1": {"prod"}, "v0": set()}
    assert api.artifact(f"{run.entity}/p/m:best").version == "v2"
    assert api.artifact(f"{run.entity}/p/m:v0").version == "v0"
    # edits of a logged version, saved as wandb's artifact.save() does
    v0 = api.artifact(f"{run.entity}/p/m:v0")
    v0.aliases.append("production")
    v0.metadata["acc"] = 0.75
    v0.description = "first model"
    assert v0.save() is v0 and set(v0.aliases) == {"production"}
    v1 = api.artifact(f"{run.entity}/p/m:prod")
    v1.aliases.remove("prod")
    v1.save()
    again = api.artifact(f"{run.entity}/p/m:production")
    assert (again.version, again.metadata, again.description) == ("v0", {"acc": 0.75}, "first model")
    assert set(api.artifact(f"{run.entity}/p/m:v1").aliases) == set()
    with pytest.raises(runyard.Error):
        api.artifact(f"{run.entity}/p/m:prod")
    with pytest.raises(runyard.Error):
        api.artifact(f"{run.entity}/p/m:nope")
