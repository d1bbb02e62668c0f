"""run.config behaves as wandb's: access styles, val-change protection, odd value types."""

from __future__ import annotations

import argparse
import enum
import pathlib

import numpy as np
import pytest

import runyard
from runyard.runlog import read


def test_access_styles_and_readback(workdir, quiet_settings):
    run = runyard.init(
        project="p",
        mode="offline",
        settings=quiet_settings,
        config={"lr": 0.1, "optimizer": {"name": "adam", "betas": [0.9, 0.99]}},
    )
    run.config.c = 3
    run.config["d"] = 4
    assert run.config.lr == 0.1 and run.config["c"] == 3 and run.config.get("zz", 5) == 5
    assert "d" in run.config and dict(run.config)["optimizer"]["name"] == "adam"
    assert runyard.config is run.config
    run.finish()
    assert read(run.sync_dir).config == {
        "lr": 0.1,
        "optimizer": {"name": "adam", "betas": [0.9, 0.99]},
        "c": 3,
        "d": 4,
    }


def test_changing_a_value_needs_allow_val_change(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings, config={"c": 3})
    run.config.update({"c": 3})  # same value: fine
    with pytest.raises(runyard.Error, match='change value of key "c" from 3 to 30.*allow_val_change=True'):
        run.config.update({"c": 30})
    with pytest.raises(runyard.ConfigError):
        run.config.c = 31
    run.config.update({"c": 30}, allow_val_change=True)
    run.finish()
    assert read(run.sync_dir).config["c"] == 30


def test_init_allow_val_change(workdir, quiet_settings):
    run = runyard.init(
        project="p", mode="offline", settings=quiet_settings, config={"c": 3}, allow_val_change=True
    )
    run.config.c = 4
    assert run.config.c == 4


def test_namespace_setdefaults_and_non_json_values(workdir, quiet_settings):
    class Color(enum.Enum):
        RED = "red"

    ns = argparse.Namespace(lr=0.01, epochs=3, out=pathlib.Path("/tmp/out"))
    run = runyard.init(project="p", mode="offline", settings=quiet_settings, config=ns)
    run.config.update(
        {
            "np_f": np.float32(0.5),
            "np_i": np.int64(3),
            "shape": (1, 2),
            "color": Color.RED,
            "arr": np.array([1.0, 2.0]),
            "tags": {"b", "a"},
        }
    )
    run.config.setdefaults({"epochs": 10, "new": 1})
    assert run.config.epochs == 3 and run.config.new == 1
    run.finish()
    cfg = read(run.sync_dir).config
    assert cfg == {
        "lr": 0.01,
        "epochs": 3,
        "out": "/tmp/out",
        "np_f": 0.5,
        "np_i": 3,
        "shape": [1, 2],
        "color": "red",
        "arr": [1.0, 2.0],
        "tags": ["a", "b"],
        "new": 1,
    }
    assert isinstance(cfg["np_i"], int)


def test_config_yaml_path_and_defaults_file(workdir, quiet_settings):
    (workdir / "config-defaults.yaml").write_text("epochs:\n  desc: n\n  value: 7\nlr:\n  value: 0.3\n")
    (workdir / "exp.yaml").write_text("batch_size: 16\n")
    run = runyard.init(project="p", mode="offline", settings=quiet_settings, config="exp.yaml")
    assert dict(run.config) == {"epochs": 7, "lr": 0.3, "batch_size": 16}


def test_include_exclude_and_dotted_keys(workdir, quiet_settings):
    run = runyard.init(
        project="p",
        mode="offline",
        settings=quiet_settings,
        config={"a": 1, "b": 2, "c": 3},
        config_exclude_keys=["b"],
    )
    assert dict(run.config) == {"a": 1, "c": 3}
    with pytest.raises(runyard.ConfigError, match="contains '.'"):
        run.config["x.y"] = 1
    run.finish()
    run = runyard.init(
        project="p",
        mode="offline",
        settings=quiet_settings,
        config={"a": 1, "b": 2},
        config_include_keys=["b"],
    )
    assert dict(run.config) == {"b": 2}


def test_bad_config_type_is_named(workdir, quiet_settings):
    with pytest.raises(runyard.UsageError, match="config must be a dict"):
        runyard.init(project="p", mode="offline", settings=quiet_settings, config=42)


def test_config_paths_env_loads_yaml_files(workdir, monkeypatch, quiet_settings):
    (workdir / "a.yaml").write_text("lr: 0.1\nlayers: 2\n")
    (workdir / "b.yaml").write_text("layers: 4\n")
    monkeypatch.setenv("WANDB_CONFIG_PATHS", "a.yaml,b.yaml")
    run = runyard.init(project="p", mode="offline", settings=quiet_settings, config={"extra": True})
    assert dict(run.config) == {"lr": 0.1, "layers": 4, "extra": True}
