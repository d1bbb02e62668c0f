"""log(): step and commit semantics as wandb, except that no point is ever dropped."""

from __future__ import annotations

import math

import numpy as np
import pytest

import runyard
from runyard.runlog import read


def _rows(run):
    run.finish()
    return read(run.sync_dir).history()


def strip(rows):
    return [{k: v for k, v in r.items() if k not in ("_timestamp", "_runtime")} for r in rows]


def test_step_and_commit_sequence_matches_wandb_except_no_drop(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"a": 1})
    run.log({"b": 2}, commit=False)
    run.log({"c": 3})
    run.log({"d": 4}, step=5)
    run.log({"e": 5}, step=5)
    run.log({"f": 6}, step=3)  # wandb drops this one; runyard keeps it as its own row
    run.log({"g": 7})
    assert run.step == 6
    rows = strip(_rows(run))
    # wandb would have dropped f; runyard keeps it as a row of its own and g still joins row 5
    assert rows == [
        {"a": 1, "_step": 0},
        {"b": 2, "c": 3, "_step": 1},
        {"f": 6, "_step": 3},
        {"d": 4, "e": 5, "g": 7, "_step": 5},
    ]


def test_non_increasing_step_is_kept_flagged_and_warned_once(workdir, capsys):
    run = runyard.init(
        project="p", mode="offline", settings=runyard.Settings(console="off", x_disable_stats=True)
    )
    for s in (0, 1, 2, 10):
        run.log({"loss": float(s)}, step=s)
    run.log({"loss": 99.0}, step=4)
    run.log({"loss": 98.0}, step=3)
    run.finish()
    err = capsys.readouterr().err
    assert err.count("lower than the current step") == 1
    rd = read(run.sync_dir)
    assert rd.series("loss") == ([0, 1, 2, 10, 4, 3], [0.0, 1.0, 2.0, 10.0, 99.0, 98.0])
    assert rd.flags == {"non_monotonic_steps": True}


def test_repeated_key_at_same_step_is_kept_not_overwritten(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"x": 1.0}, step=7)
    run.log({"x": 2.0}, step=7)
    rows = strip(_rows(run))
    assert rows == [{"x": 1.0, "_step": 7}, {"x": 2.0, "_step": 7}]


def test_nan_and_inf_are_stored_as_such(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"v": float("nan")})
    run.log({"v": float("inf")})
    run.log({"v": float("-inf")})
    run.log({"v": 1.5})
    run.finish()
    vals = read(run.sync_dir).series("v")[1]
    assert math.isnan(vals[0]) and vals[1] == math.inf and vals[2] == -math.inf and vals[3] == 1.5


def test_values_of_every_kind_round_trip(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log(
        {
            "i": 3,
            "f": 0.5,
            "b": True,
            "s": "text",
            "none": None,
            "nested": {"a": 1, "b": {"c": 2.0}},
            "np_f": np.float32(0.25),
            "np_i": np.int64(7),
            "np_scalar_arr": np.array(2.5),
            "small": np.arange(4),
            "lst": [1, 2, 3],
            "big": np.arange(1000, dtype=float),
        }
    )
    row = strip(_rows(run))[0]
    assert row["i"] == 3 and isinstance(row["i"], int)
    assert row["f"] == 0.5 and row["b"] is True and row["s"] == "text" and row["none"] is None
    assert row["nested"] == {"a": 1, "b": {"c": 2.0}}
    assert row["np_f"] == 0.25 and row["np_i"] == 7 and row["np_scalar_arr"] == 2.5
    assert row["small"] == [0, 1, 2, 3] and row["lst"] == [1, 2, 3]
    assert row["big"]["_type"] == "histogram" and sum(row["big"]["values"]) == 1000
    assert len(row["big"]["bins"]) == len(row["big"]["values"]) + 1


def test_bad_input_raises_clear_error_at_the_call(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    with pytest.raises(TypeError, match="'obj'.*cannot store"):
        run.log({"obj": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        run.log({1: 2.0})
    with pytest.raises(TypeError, match="reserved"):
        run.log({"_step": 3})
    with pytest.raises(runyard.UsageError, match="takes a dict"):
        run.log([1, 2])
    with pytest.raises(runyard.UsageError, match="non-negative integer"):
        run.log({"a": 1}, step=-1)
    with pytest.raises(runyard.UsageError, match="non-negative integer"):
        run.log({"a": 1}, step="3")
    for bad in (2**63, 2**64 + 5, -(2**63) - 1, 2.0):  # beyond int64, or not an int: never accepted locally
        with pytest.raises(ValueError, match=f"step={bad!r}"):
            run.log({"a": 1}, step=bad)
    run.log({"ok": 1.0})  # the run is unharmed
    rows = strip(_rows(run))
    assert rows == [{"ok": 1.0, "_step": 0}]


def test_step_up_to_the_largest_int64_and_no_further(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"a": 1.0}, step=2**63 - 1)
    run.log({"b": 2.0})  # commits the row at the largest step
    with pytest.raises(ValueError, match=f"step={2**63}"):  # the next implicit step would overflow
        run.log({"c": 3.0})
    assert strip(_rows(run)) == [{"a": 1.0, "b": 2.0, "_step": 2**63 - 1}]


def test_step_accepts_numpy_ints(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"a": 1.0}, step=np.int64(4))
    assert strip(_rows(run)) == [{"a": 1.0, "_step": 4}]


def test_dict_mutated_after_log_does_not_change_what_was_logged(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    d = {"loss": 1.0}
    for i in range(3):
        d["loss"] = float(i)
        run.log(d)
    assert [r["loss"] for r in _rows(run)] == [0.0, 1.0, 2.0]


def test_log_after_finish_raises_as_in_wandb(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.finish()
    with pytest.raises(runyard.UsageError, match="is finished"):
        run.log({"a": 1})


def test_many_steps_read_back_exactly(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    keys = [f"train/k{j}" for j in range(10)]
    for i in range(30_000):  # more than one writer chunk
        run.log({k: i * 0.5 + j for j, k in enumerate(keys)}, step=i)
    run.finish()
    rd = read(run.sync_dir)
    steps, vals = rd.series("train/k3")
    assert steps == list(range(30_000)) and vals == [i * 0.5 + 3 for i in range(30_000)]
    assert len(rd.history()) == 30_000
