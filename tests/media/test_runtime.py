"""Media in a live run: disabled and disk-less runs, write failures, unsupported names, lazy imports, speed."""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
import pytest

import runyard
from runyard.runlog import iter_records, read
from runyard.sdk.media import Image, Table, UnsupportedFeature
from runyard.wire.records import RT
from tests.conftest import run_script


def test_disabled_mode_does_not_crash_or_write(workdir):
    run = runyard.init(mode="disabled")
    img = Image(np.zeros((4, 4, 3), np.uint8))
    run.log({"img": img, "t": Table(columns=["a"], data=[[img]])})
    run.summary["img"] = img
    v = img._runyard_log_value(run, "img", 0)  # what a hook call on a disabled run returns
    assert v["_type"] == "image-file"
    run.finish()
    assert not os.path.exists(run.dir)
    assert not os.path.exists(workdir / "runyard")


def test_run_without_disk_keeps_values_and_writes_nothing(workdir, quiet_settings, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", "/proc/no-such-dir")  # the fallback directory fails too
    (workdir / "blocked").write_text("a file, not a directory")
    settings = runyard.Settings(
        console="off", x_disable_stats=True, silent=True, root_dir=str(workdir / "blocked")
    )
    run = runyard.init(project="p", mode="offline", settings=settings)
    assert run.dir is None
    run.log(
        {"img": Image(np.zeros((4, 4), np.uint8)), "t": runyard.plot.bar(Table(columns=["a", "b"]), "a", "b")}
    )
    run.summary["s"] = Image(np.ones((2, 2), np.uint8))
    assert run.summary["img"]["_type"] == "image-file" and run.summary["t"]["_type"] == "table-file"
    run.finish()


def test_media_write_failure_warns_once_and_training_goes_on(run):
    os.makedirs(run.dir, exist_ok=True)
    with open(os.path.join(run.dir, "media"), "w") as f:  # media/ cannot be created: every write fails
        f.write("x")
    for i in range(3):
        run.log({"img": Image(np.full((2, 2), i, np.uint8)), "i": i})
    run.finish()
    warnings = [w for w in run._printer.warnings if "could not write media file" in w]
    assert len(warnings) == 1
    rd = read(run.sync_dir)
    assert [r["i"] for r in rd.history()] == [0, 1, 2]
    assert not [f for f in rd.files if f["path"].startswith("media/")]  # nothing recorded that is not there


def test_finish_waits_for_files_and_records_them_before_exit(run):
    for i in range(50):
        run.log({"img": Image(np.random.default_rng(i).integers(0, 256, (32, 32, 3), dtype=np.uint8))})
    run.finish()
    types = [r.type for r in iter_records(run.sync_dir)]
    assert types[-1] == RT.EXIT
    rd = read(run.sync_dir)
    paths = [row["img"]["path"] for row in rd.history()]
    assert {f["path"] for f in rd.files} >= set(paths)
    assert all(os.path.getsize(os.path.join(run.dir, p)) > 0 for p in paths)


def test_unsupported_wandb_names_raise_one_actionable_error():
    with pytest.raises(UnsupportedFeature, match=r"runyard does not support wandb\.Molecule.*Html"):
        runyard.Molecule  # noqa: B018
    with pytest.raises(runyard.Error, match="wandb.Graph"):
        runyard.Graph  # noqa: B018
    assert not hasattr(runyard, "Classes")  # also an AttributeError: hasattr() and getattr(default) work
    assert getattr(runyard, "JoinedTable", None) is None
    with pytest.raises(AttributeError, match="no attribute 'Nonsense'"):
        runyard.Nonsense  # noqa: B018
    assert runyard.Image is Image and runyard.plot.line is not None


def test_import_runyard_loads_no_media_code_and_no_numpy(tmp_path):
    res = run_script(
        "import sys, json, runyard\n"
        "before = sorted(m for m in sys.modules if m.startswith('runyard.sdk.media.') or m in ('numpy', 'PIL'))\n"
        "runyard.Image\n"
        "after = 'runyard.sdk.media.image' in sys.modules and 'numpy' not in sys.modules\n"
        "print(json.dumps([before, after]))\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    before, after = json.loads(res.stdout.strip().splitlines()[-1])
    assert before == ["runyard.sdk.media._unsupported"] and after is True


def test_matplotlib_figure_passed_to_log(run):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    run.log({"fig": fig})
    plt.close(fig)
    run.finish()
    assert read(run.sync_dir).history()[0]["fig"]["_type"] == "image-file"


def test_w4_images_are_stored_small(run):
    """200 steps of {Image(64x64x3 uint8), scalar} (the W4 workload; its timing is in bench/)."""
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(200)]
    run.log({"media/sample": Image(frames[0]), "train/loss": 0.0})  # warm up (thread start, first mkdir)
    for i in range(200):
        run.log({"media/sample": Image(frames[i]), "train/loss": 1.0 / (i + 1)})
    run.finish()
    sizes = [
        os.path.getsize(os.path.join(run.dir, f["path"]))
        for f in read(run.sync_dir).files
        if f["kind"] == "media"
    ]
    assert len(sizes) == 201 and max(sizes) < 13_500  # wandb's 13.5 KB per image
