"""init(): arguments, env vars, settings, reinit, resume and the run directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import runyard
from runyard.runlog import read
from tests.conftest import only_run_dir


def test_kwargs_are_recorded(workdir, quiet_settings):
    run = runyard.init(
        project="proj",
        entity="team",
        name="nice-run",
        id="abc123",
        notes="n",
        tags=["a", "b"],
        group="g",
        job_type="train",
        mode="offline",
        settings=quiet_settings,
    )
    assert (run.id, run.name, run.project, run.entity, run.group, run.job_type, run.notes, run.tags) == (
        "abc123",
        "nice-run",
        "proj",
        "team",
        "g",
        "train",
        "n",
        ("a", "b"),
    )
    assert run.path == "team/proj/abc123" and run.offline and not run.disabled
    assert run.dir == os.path.join(run.sync_dir, "files") and os.path.isdir(run.dir)
    assert runyard.run is run
    run.finish()
    r = read(run.sync_dir).run
    assert (
        r["run_id"],
        r["name"],
        r["project"],
        r["entity"],
        r["group"],
        r["job_type"],
        r["notes"],
        r["tags"],
    ) == ("abc123", "nice-run", "proj", "team", "g", "train", "n", ["a", "b"])
    assert os.path.basename(run.sync_dir).startswith("offline-run-")
    assert os.path.realpath(workdir / "runyard" / "latest-run") == os.path.realpath(run.sync_dir)


def test_env_vars_wandb_and_runyard_twins(workdir, monkeypatch, quiet_settings):
    monkeypatch.setenv("WANDB_PROJECT", "from-wandb")
    monkeypatch.setenv("WANDB_ENTITY", "ent")
    monkeypatch.setenv("WANDB_NAME", "named")
    monkeypatch.setenv("WANDB_TAGS", "x, y")
    monkeypatch.setenv("WANDB_RUN_ID", "envid1")
    monkeypatch.setenv("WANDB_RUN_GROUP", "grp")
    monkeypatch.setenv("WANDB_JOB_TYPE", "eval")
    monkeypatch.setenv("WANDB_NOTES", "hello")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(workdir / "wdir"))
    monkeypatch.setenv("RUNYARD_PROJECT", "from-runyard")
    run = runyard.init(settings=quiet_settings)
    assert (run.project, run.entity, run.name, run.tags, run.id, run.group, run.job_type, run.notes) == (
        "from-runyard",
        "ent",
        "named",
        ("x", "y"),
        "envid1",
        "grp",
        "eval",
        "hello",
    )
    assert run.sync_dir.startswith(str(workdir / "wdir" / "runyard"))
    run.finish()
    monkeypatch.setenv("RUNYARD_DIR", str(workdir / "rdir"))
    run = runyard.init(project="kw-wins", settings=quiet_settings, id="other1")
    assert run.project == "kw-wins" and run.sync_dir.startswith(str(workdir / "rdir" / "runyard"))


def test_dir_argument(workdir, quiet_settings):
    run = runyard.init(project="p", dir=workdir / "out", mode="offline", settings=quiet_settings)
    run.finish()
    assert only_run_dir(workdir / "out").name.endswith(run.id)


def test_unknown_kwargs_and_settings_are_named(workdir):
    with pytest.raises(TypeError, match="unknown keyword argument.*bogus.*learning_rate"):
        runyard.init(project="p", learning_rate=1, bogus=2)
    with pytest.raises(runyard.UsageError, match="unknown setting 'not_a_setting'"):
        runyard.Settings(not_a_setting=1)
    with pytest.raises(runyard.UsageError, match="mode must be one of"):
        runyard.init(project="p", mode="sideways")
    with pytest.raises(runyard.UsageError, match="run id .a/b. must be"):
        runyard.init(project="p", id="a/b", mode="offline")


def test_wandb_settings_runyard_ignores_are_reported(workdir, capsys):
    run = runyard.init(
        project="p",
        mode="offline",
        settings=runyard.Settings(start_method="thread", console="off", x_disable_stats=True),
        sync_tensorboard=True,
    )
    run.finish()
    err = capsys.readouterr().err
    assert "ignored: start_method" in err and "sync_tensorboard" in err


def test_settings_dict_and_aliases(workdir):
    run = runyard.init(
        project="p", mode="offline", settings={"console": "off", "_disable_stats": True, "silent": True}
    )
    assert run.settings.x_disable_stats is True
    run.finish()


def test_reinit_policies(workdir, quiet_settings):
    a = runyard.init(project="p", mode="offline", settings=quiet_settings)
    assert runyard.init(project="p", mode="offline", settings=quiet_settings) is a  # default: return previous
    b = runyard.init(project="p", mode="offline", settings=quiet_settings, reinit="finish_previous")
    assert b is not a and read(a.sync_dir).state == "finished" and runyard.run is b
    b.finish()


def test_sequential_runs_in_one_process(workdir, quiet_settings):
    ids = []
    for i in range(5):
        run = runyard.init(project="p", mode="offline", settings=quiet_settings, config={"i": i})
        run.log({"x": i})
        run.finish()
        ids.append(run.id)
    assert len(set(ids)) == 5
    assert sorted(
        read(d).config["i"] for d in (workdir / "runyard").iterdir() if d.name != "latest-run"
    ) == list(range(5))


def test_offline_resume_continues_step_count(workdir, quiet_settings):
    run = runyard.init(project="p", id="resumeme", mode="offline", settings=quiet_settings, config={"lr": 1})
    for i in range(5):
        run.log({"x": i})
    run.finish()
    run2 = runyard.init(project="p", id="resumeme", resume="must", mode="offline", settings=quiet_settings)
    assert run2.resumed and run2.starting_step == 5 and run2.config.lr == 1
    run2.log({"x": 5})
    run2.finish()
    assert [r["_step"] for r in read(run2.sync_dir).history()] == [5]
    with pytest.raises(runyard.UsageError, match="resume='must'"):
        runyard.init(project="p", id="nothere", resume="must", mode="offline", settings=quiet_settings)
    with pytest.raises(runyard.UsageError, match="resume='never'"):
        runyard.init(project="p", id="resumeme", resume="never", mode="offline", settings=quiet_settings)


def test_unwritable_directory_warns_once_and_training_continues(workdir, capsys):
    blocker = workdir / "afile"
    blocker.write_text("not a directory")
    run = runyard.init(
        project="p",
        dir=blocker / "sub",
        mode="offline",
        settings=runyard.Settings(console="off", x_disable_stats=True),
    )
    for i in range(10):
        run.log({"a": i})
    run.finish()
    err = capsys.readouterr().err
    assert err.count("cannot create the run directory") == 1
    assert read(run.sync_dir).series("a")[1] == list(range(10))  # kept in the temporary fallback


def test_save_copies_files_and_recopies_live_ones_at_finish(workdir, quiet_settings):
    (workdir / "ckpt").mkdir()
    (workdir / "ckpt" / "a.txt").write_text("v1")
    (workdir / "ckpt" / "b.txt").write_text("b")
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    saved = runyard.save("ckpt/*.txt")
    assert sorted(saved) == [str(Path(run.dir, "ckpt", n)) for n in ("a.txt", "b.txt")]
    (workdir / "ckpt" / "a.txt").write_text("v2")
    run.finish()
    assert Path(run.dir, "ckpt", "a.txt").read_text() == "v2"
    rd = read(run.sync_dir)
    assert {f["path"] for f in rd.files if f.get("kind") == "user"} == {"ckpt/a.txt", "ckpt/b.txt"}


def test_bad_project_and_entity_names_are_refused(workdir, quiet_settings):
    with pytest.raises(runyard.UsageError, match="project name 'a/b'"):
        runyard.init(project="a/b", mode="offline", settings=quiet_settings)
    with pytest.raises(runyard.UsageError, match="entity name ''"):
        runyard.init(project="p", entity="", mode="offline", settings=quiet_settings)
