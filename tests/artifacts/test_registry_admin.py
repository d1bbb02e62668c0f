"""Registry administration as wandb 0.31 has it: `api.create_registry(...)`, `api.registries()`,
`api.registry(name)` with `collections()`, `versions()` and `save()`, as a user's script with
`runyard.Api()` against a real server on SQLite and PostgreSQL. A registry accepts only the types it
names; wandb's "restricted" visibility is refused, naming why."""

from __future__ import annotations

import httpx
import pytest

import runyard as wandb
from runyard.api import Api, ApiError
from runyard.errors import UsageError

from .conftest import write


def _log(run, env, name: str, typ: str, content: str):
    write(env / name / "f.txt", content)
    return run.log_artifact(str(env / name), name=name, type=typ).wait(30)


def test_create_list_and_edit_registries(env, settings, server):
    api = Api()
    e = api.default_entity
    made = api.create_registry(
        "models", visibility="organization", description="tuned models", artifact_types=["model"]
    )
    assert (made.name, made.full_name, made.organization, made.visibility) == (
        "models",
        "wandb-registry-models",
        e,
        "organization",
    )
    assert made.artifact_types == ["model"] and not made.allow_all_artifact_types
    with pytest.raises(ApiError) as twice:
        api.create_registry("models", visibility="organization")
    assert twice.value.status == 409 and "exists already" in twice.value.message
    with pytest.raises(ApiError) as restricted:
        api.create_registry("secret", visibility="restricted")
    assert restricted.value.status == 422 and "invited-members-only" in restricted.value.message

    run = wandb.init(project="train", settings=settings, reinit="create_new")
    clf = _log(run, env, "clf", "model", "weights")
    rows = _log(run, env, "rows", "dataset", "x,y")
    run.link_artifact(clf, "wandb-registry-models/classifier", aliases=["production"])
    with pytest.raises(wandb.Error, match="accepts artifacts of types \\['model'\\], not 'dataset'"):
        run.link_artifact(rows, "wandb-registry-models/tables")
    run.link_artifact(rows, "wandb-registry-data/tables")  # created on first link: every type
    run.finish()

    assert [r.name for r in api.registries()] == ["data", "models"]
    assert [r.name for r in api.registries(filter={"name": {"$regex": "^mod"}})] == ["models"]
    assert [r.name for r in api.registries(filter={"description": "tuned models"})] == ["models"]
    with pytest.raises(UsageError, match="filters on name and description"):
        api.registries(filter={"created_at": 1})
    data = api.registry("data")
    assert data.allow_all_artifact_types and data.description is None

    reg = api.registry("models")
    (coll,) = reg.collections()
    assert (coll.name, coll.type, coll.aliases) == ("classifier", "model", ["production"])
    assert [(a.qualified_name, a.is_link) for a in reg.versions()] == [(f"{e}/train/clf:v0", True)]

    reg.description = "production models"
    reg.artifact_types.append("dataset")
    reg.save()
    again = api.registry("models")
    assert (again.description, again.artifact_types) == ("production models", ["model", "dataset"])
    again.artifact_types.remove("model")
    with pytest.raises(UsageError, match="cannot be removed"):
        again.save()
    linked = Api().artifact(f"{e}/train/rows:v0").link("wandb-registry-models/tables")
    assert linked.qualified_name == f"{e}/train/rows:v0"

    # the audit log has who created and changed it
    audit = api.client.call("GET", "/api/v1/admin/audit", params={"action": "registry."})["entries"]
    mine = [
        (x["action"], x["target"]) for x in audit if x["action"] in ("registry.create", "registry.update")
    ]
    assert sorted(mine) == [
        ("registry.create", f"{e}/wandb-registry-models"),
        ("registry.update", f"{e}/wandb-registry-models"),
    ]
    # a client mistake is a 4xx naming the field
    r = httpx.post(
        f"{server.url}/api/v1/registries/{e}",
        json={"name": "x", "artifact_types": ["no/slash"]},
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=60,
    )
    assert r.status_code == 422 and "artifact_types" in r.text, r.text
