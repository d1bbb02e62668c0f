"""Lineage answers runs, registry links come undone, runs leave with their artifacts: a user's script
(`import runyard as wandb`) against a real server on SQLite and PostgreSQL.

- `artifact.logged_by()` / `used_by()` on a version from `run.use_artifact` answer runs with wandb's
  Run fields (id, name, entity, project, config, summary, url, path), as the public API's do;
- `artifact.unlink()` on a version fetched through a registry path takes it out of the registry;
- `Api().run(path).delete(delete_artifacts=True)` deletes the versions the run created (aliases
  included, whoever used them), never one registered in a registry (409, and nothing is deleted)."""

from __future__ import annotations

import pytest

import runyard as wandb
from runyard.api import Api
from runyard.errors import ApiError, CommError, UsageError

from .conftest import write


def _init(settings, **kw):
    return wandb.init(project="train", settings=settings, reinit="create_new", **kw)


def _log(run, env, name: str, content: str, **kw):
    write(env / name / "f.txt", content)
    return run.log_artifact(str(env / name), name=name, type="model", **kw).wait(30)


def test_sdk_lineage_answers_runs_with_wandb_fields(env, settings):
    trainer = _init(settings, name="trainer", config={"lr": 0.1}, job_type="train")
    _log(trainer, env, "clf", "weights", aliases=["best"])
    trainer.log({"acc": 0.9})
    trainer.finish()

    user = _init(settings, job_type="eval")
    used = user.use_artifact("clf:best")
    by = used.logged_by()
    assert (by.id, by.name, by.entity, by.project, by.job_type) == (
        trainer.id,
        "trainer",
        trainer.entity,
        "train",
        "train",
    )
    assert by.config["lr"] == 0.1 and by.summary["acc"] == 0.9 and by.state == "finished"
    assert by.path == [trainer.entity, "train", trainer.id]
    assert by.url.endswith(f"/{trainer.entity}/train/runs/{trainer.id}")
    user.finish()  # its use of the version reaches the server with its run log
    assert [r.id for r in used.used_by()] == [user.id]


def test_unlink_a_registry_link(env, settings):
    run = _init(settings)
    art = _log(run, env, "reg", "registered")
    run.link_artifact(art, "wandb-registry-model/things", aliases=["production"])
    with pytest.raises(UsageError, match="not a registry link"):
        art.unlink()
    linked = run.use_artifact("wandb-registry-model/things:production")
    assert linked.is_link and not art.is_link
    linked.unlink()
    assert not linked.is_link
    with pytest.raises(CommError, match="not found"):
        run.use_artifact("wandb-registry-model/things:production")
    run.finish()

    api = Api()
    assert api.artifact(f"{run.entity}/train/reg:v0").digest == art.digest  # the artifact version stays
    again = api.artifact(f"{run.entity}/train/reg:v0")
    again.link("wandb-registry-model/things")
    via_api = api.artifact(f"{run.entity}/wandb-registry-model/things:v1")
    assert via_api.is_link
    via_api.unlink()
    with pytest.raises(CommError, match="not found"):
        api.artifact(f"{run.entity}/wandb-registry-model/things:v1")


def test_run_delete_with_its_artifacts(env, settings):
    a = _init(settings)
    clf = _log(a, env, "clf", "a's weights", aliases=["best"])
    _log(a, env, "tok", "a's tokenizer")
    a.finish()

    b = _init(settings)
    b.use_artifact("clf:best")  # a consumer does not keep a's version alive
    same = _log(b, env, "clf", "a's weights")  # the same content: a's version, a created it
    assert same.version == "v0"
    _log(b, env, "other", "b's own")
    b.finish()

    c = _init(settings)
    reg = _log(c, env, "reg", "registered")
    c.link_artifact(reg, "wandb-registry-model/things", aliases=["production"])
    c.finish()

    api, e = Api(), a.entity
    assert [v.version for v in api.artifacts("model", f"{e}/train/clf")] == ["v0"]
    with pytest.raises(ApiError) as refused:
        api.run(f"{e}/train/{c.id}").delete(delete_artifacts=True)
    assert refused.value.status == 409 and refused.value.code == "registered"
    assert f"{e}/wandb-registry-model/things:v0" in refused.value.message
    assert api.run(f"{e}/train/{c.id}").id == c.id  # nothing was deleted
    assert api.artifact(f"{e}/wandb-registry-model/things:production").digest == reg.digest

    api.artifact(f"{e}/wandb-registry-model/things:production").unlink()
    api.run(f"{e}/train/{c.id}").delete(delete_artifacts=True)
    with pytest.raises(CommError, match=f"{e}/train/reg:v0 was deleted"):
        api.artifact(f"{e}/train/reg:v0")

    api.run(f"{e}/train/{a.id}").delete(delete_artifacts=True)
    for gone in ("clf:v0", "tok:v0"):  # tombstones (test_deleted_versions.py)
        with pytest.raises(CommError, match=f"{e}/train/{gone} was deleted"):
            api.artifact(f"{e}/train/{gone}")
    with pytest.raises(CommError, match="not found"):  # its aliases went with it
        api.artifact(f"{e}/train/clf:best")
    assert clf.digest == same.digest
    assert api.run(f"{e}/train/{b.id}").id == b.id  # the consumer stays, and what it created
    assert api.artifact(f"{e}/train/other:v0").logged_by().id == b.id

    api.run(f"{e}/train/{b.id}").delete()  # without delete_artifacts its versions stay
    assert api.artifact(f"{e}/train/other:v0").logged_by() is None
    with pytest.raises(ApiError) as gone:
        api.run(f"{e}/train/{b.id}")
    assert gone.value.status == 404
