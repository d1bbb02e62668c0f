"""A real Keras 3 model (torch backend, CPU) with RunyardMetricsLogger and RunyardModelCheckpoint."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import runyard
from runyard.runlog import find_run_dirs, read

from .test_wandb_shim import run_script, shim_dir  # noqa: F401  (fixture)

# Keras picks its backend once, at import: torch is the one installed here (no TensorFlow)
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

pytestmark = [
    # Keras and torch warn about their own internals (not runyard's) while fitting
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def fit(work: Path) -> None:
    from runyard.integration.keras import RunyardMetricsLogger, RunyardModelCheckpoint

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x, y = np.random.rand(16, 3).astype("float32"), np.random.rand(16, 1).astype("float32")
    model.fit(
        x,
        y,
        epochs=3,
        batch_size=8,
        validation_data=(x, y),
        verbose=0,
        callbacks=[RunyardMetricsLogger(log_freq="batch"), RunyardModelCheckpoint(str(work / "m.keras"))],
    )


def test_keras_callbacks_offline(offline):
    run = runyard.init(project="k", config={"units": 4})
    fit(offline)
    run.finish()
    rd = read(run.sync_dir)
    rows = rd.history()
    epochs = [r for r in rows if "epoch/loss" in r]
    assert [r["epoch/epoch"] for r in epochs] == [0, 1, 2]
    assert all("epoch/val_loss" in r and r["epoch/learning_rate"] == pytest.approx(0.05) for r in epochs)
    assert [r["batch/batch_step"] for r in rows if "batch/loss" in r] == [1, 2, 3, 4, 5, 6]
    staged = [json.loads(p.read_text()) for p in (Path(run.sync_dir) / "artifacts").glob("*.json")]
    assert len(staged) == 3 and {s["name"] for s in staged} == {f"run_{run.id}_model"}


def test_keras_checkpoint_online(online):
    run = runyard.init(project="k")
    fit(online)
    run.finish()
    api = runyard.Api()
    art = api.artifact(f"{api.default_entity}/k/run_{run.id}_model:epoch_2")
    assert art.type == "model" and [f.path for f in art.files()] == ["m.keras"]
    r = api.run(f"{api.default_entity}/k/{run.id}")
    assert [x["epoch/epoch"] for x in r.scan_history() if "epoch/loss" in x] == [0, 1, 2]


SHIM_SCRIPT = """
import numpy as np, keras, wandb
from wandb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint
keras.utils.set_random_seed(0)
wandb.init(project="k", config={"units": 4})
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
x, y = np.random.rand(16, 3).astype("float32"), np.random.rand(16, 1).astype("float32")
model.fit(x, y, epochs=3, batch_size=8, validation_data=(x, y), verbose=0,
    callbacks=[WandbMetricsLogger(log_freq="batch"), WandbModelCheckpoint("m.keras")])
wandb.finish()
"""


def test_keras_through_the_shim_offline(shim_dir, tmp_path):  # noqa: F811
    """An unchanged Keras script with wandb's callbacks (`wandb.integration.keras`) writes a runyard run."""
    run_script(SHIM_SCRIPT, shim_dir, tmp_path, KERAS_BACKEND="torch")
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["units"] == 4
    rows = rd.history()
    assert [r["epoch/epoch"] for r in rows if "epoch/val_loss" in r] == [0, 1, 2]
    assert [r["batch/batch_step"] for r in rows if "batch/loss" in r] == [1, 2, 3, 4, 5, 6]
    staged = [json.loads(p.read_text()) for p in (run_dir / "artifacts").glob("*.json")]
    assert len(staged) == 3 and {s["type"] for s in staged} == {"model"}


def test_keras_through_the_shim_online(shim_dir, online, home):  # noqa: F811
    run_script(
        SHIM_SCRIPT, shim_dir, online, KERAS_BACKEND="torch", RUNYARD_MODE="online", RUNYARD_HOME=str(home)
    )
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/k"))
    assert r.config["units"] == 4
    assert [x["epoch/epoch"] for x in r.scan_history() if "epoch/val_loss" in x] == [0, 1, 2]
    art = api.artifact(f"{api.default_entity}/k/run_{r.id}_model:epoch_2")
    assert art.type == "model" and [f.path for f in art.files()] == ["m.keras"]
