"""The model registry from a user's script and the command line (`import runyard as wandb`), against a
real server on SQLite and PostgreSQL: a training run that used a dataset and logged its code links its
model (`link_model`, `link_artifact`), another run uses `production`, the CLI moves the alias, and the
lineage leads from the registered model back to the training run, its config, code and dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

import runyard as wandb
from runyard.api import Api
from runyard.errors import UsageError

from .conftest import cli, write


def test_link_model_use_production_and_lineage(env, settings, client_env):
    write(env / "data" / "train.csv", "x,y\n1,2\n")
    write(env / "train.py", "print('training')\n")
    ds = wandb.init(project="data", settings=settings, reinit="create_new")
    data = wandb.Artifact("mnist", type="dataset")
    data.add_dir(env / "data")
    ds.log_artifact(data).wait(30)
    ds.finish()

    run = wandb.init(
        project="train", config={"lr": 0.01, "layers": 4}, settings=settings, reinit="create_new"
    )
    run.use_artifact(f"{run.entity}/data/mnist:latest", type="dataset")
    code = run.log_code(str(env))
    assert code is not None
    write(env / "model" / "weights.bin", b"v0 weights")
    first = run.link_model(str(env / "model"), "classifier", name="clf", aliases=["staging"])
    assert first.version == "v0" and first.type == "model"
    write(env / "model" / "weights.bin", b"v1 weights")
    art = run.log_artifact(str(env / "model"), name="clf", type="model").wait(30)
    assert run.link_artifact(art, "wandb-registry-model/classifier", aliases=["production"]) is art
    with pytest.raises(UsageError, match="registry collection"):
        run.link_artifact(art, "train/elsewhere")
    with pytest.raises(UsageError, match="only the name"):
        run.link_model(str(env / "model"), "a/b")
    run.finish()

    # another script uses the production model by its registry path (model-registry is the same registry)
    infer = wandb.init(project="serve", settings=settings, reinit="create_new", job_type="inference")
    path = infer.use_model("wandb-registry-model/classifier:production")
    assert (Path(path) / "weights.bin").read_bytes() == b"v1 weights"
    staged = infer.use_artifact("model-registry/classifier:staging")
    assert staged.version == "v0" and staged.qualified_name == f"{run.entity}/train/clf:v0"
    infer.finish()

    api = Api()
    prod = api.artifact(f"{run.entity}/wandb-registry-model/classifier:production")
    assert prod.qualified_name == f"{run.entity}/train/clf:v1"
    trained_by = prod.logged_by()
    assert trained_by.id == run.id and trained_by.config["lr"] == 0.01
    assert [u.id for u in prod.used_by()] == [infer.id]
    inputs = {a.type: a.name for a in trained_by.used_artifacts()}
    outputs = {a.type for a in trained_by.logged_artifacts()}
    assert inputs == {"dataset": "mnist:v0"} and outputs == {"code", "model"}

    # the CLI moves production back to v0; the history says who moved it and from where
    e = run.entity
    out = cli(["registry", "alias", f"{e}/wandb-registry-model/classifier:v0", "production"], client_env)
    assert out.stdout.strip() == (
        f"{e}/wandb-registry-model/classifier:v0 -> {e}/train/clf:v0  [production, staging]"
    )
    assert api.artifact(f"{e}/wandb-registry-model/classifier:production").version == "v0"
    show = cli(["registry", "show", f"{e}/wandb-registry-model/classifier"], client_env).stdout
    assert "moved production to v0 (from v1)" in show and f"linked {e}/train/clf:v1 as v1" in show
    ls = cli(["registry", "ls"], client_env).stdout
    assert "classifier  (model, 2 version(s))  production=v0, staging=v0" in ls
    cli(["registry", "unalias", f"{e}/wandb-registry-model/classifier:v0", "staging"], client_env)
    out = cli(
        ["registry", "link", f"{e}/data/mnist:v0", "wandb-registry-datasets/mnist", "-a", "gold"], client_env
    )
    assert out.stdout.strip() == f"{e}/wandb-registry-datasets/mnist:v0 -> {e}/data/mnist:v0  [gold]"
    out = cli(["registry", "unlink", f"{e}/wandb-registry-datasets/mnist:gold"], client_env)
    assert out.stdout.strip() == f"unlinked {e}/wandb-registry-datasets/mnist:v0"
    bad = cli(["registry", "alias", "classifier", "production"], client_env, check=False)
    assert bad.returncode == 2 and "wandb-registry-REGISTRY/COLLECTION:VERSION" in bad.stderr
    missing = cli(["registry", "show", "wandb-registry-model/nope"], client_env, check=False)
    assert (
        missing.returncode == 1
        and f"collection {e}/wandb-registry-model/nope does not exist" in missing.stderr
    )


def test_offline_run_says_how_to_link(env, settings):
    write(env / "m.bin", b"w")
    run = wandb.init(project="p", mode="offline", settings=settings, reinit="create_new")
    with pytest.raises(UsageError, match="runyard registry link"):
        run.link_model(str(env / "m.bin"), "classifier")
    run.finish()
