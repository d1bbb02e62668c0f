"""Summary: last value by default, define_metric aggregations, explicit overrides; reader agrees."""

from __future__ import annotations

import pytest

import runyard
from runyard.runlog import read


def _user(summary):
    return {k: v for k, v in dict(summary).items() if not k.startswith("_")}


def test_last_value_and_internal_keys(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    for i in range(5):
        run.log({"loss": 5.0 - i, "acc": i / 10})
    assert run.summary["loss"] == 1.0 and run.summary.acc == 0.4 and runyard.summary["_step"] == 4
    run.finish()
    s = read(run.sync_dir).summary
    assert _user(s) == {"loss": 1.0, "acc": 0.4} and s["_step"] == 4 and s["_runtime"] >= 0


def test_define_metric_aggregations_match_between_sdk_and_reader(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.define_metric("loss", summary="min,last,mean")
    run.define_metric("val/*", summary="max")
    run.define_metric("noisy", summary="none")
    run.define_metric("first_one", summary="first")
    run.define_metric("eval/acc", step_metric="epoch", hidden=True)
    for i, loss in enumerate([3.0, 1.0, 2.0]):
        run.log(
            {"loss": loss, "val/acc": 0.1 * i, "val/f1": 1 - 0.1 * i, "noisy": i, "first_one": i, "epoch": i}
        )
    live = _user(run.summary)
    assert live["loss"] == {"min": 1.0, "last": 2.0, "mean": 2.0}
    assert live["val/acc"] == {"max": pytest.approx(0.2)} and live["val/f1"] == {"max": 1.0}
    assert "noisy" not in live and live["first_one"] == {"first": 0}
    run.finish()
    rd = read(run.sync_dir)
    assert _user(rd.summary) == live
    assert {
        "name": "eval/acc",
        "step_metric": "epoch",
        "step_sync": True,
        "hidden": True,
        "seq": rd.metrics[-1]["seq"],
    } == rd.metrics[-1]


def test_explicit_summary_overrides_until_logged_again(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"acc": 0.5})
    run.summary["acc"] = 0.9
    run.summary.update({"best_epoch": 3})
    assert run.summary.acc == 0.9
    run.finish()
    s = read(run.sync_dir).summary
    assert s["acc"] == 0.9 and s["best_epoch"] == 3

    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.summary["acc"] = 0.9
    run.log({"acc": 0.1})
    run.finish()
    assert read(run.sync_dir).summary["acc"] == 0.1


def test_define_metric_rejects_bad_options(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    with pytest.raises(runyard.UsageError, match="comma list"):
        run.define_metric("loss", summary="median")
    with pytest.raises(runyard.UsageError, match="non-empty"):
        run.define_metric("")
