"""`runyard runs ls/show` inspect offline runs with no server."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

import runyard
from runyard.cli.main import cli
from tests.conftest import REPO


def _make_runs(workdir, quiet_settings):
    a = runyard.init(project="p", name="alpha", mode="offline", settings=quiet_settings, config={"lr": 0.5})
    for i in range(12):
        a.log({"train/loss": 1.0 / (i + 1)})
    a.finish()
    b = runyard.init(project="p", name="beta", mode="offline", settings=quiet_settings, reinit="create_new")
    b.log({"x": 1})
    b.finish(exit_code=2)
    return a, b


def test_runs_ls_lists_each_run(workdir, quiet_settings):
    a, b = _make_runs(workdir, quiet_settings)
    res = CliRunner().invoke(cli, ["runs", "ls"])
    assert res.exit_code == 0, res.output
    assert (
        "alpha" in res.output and "beta" in res.output and "finished" in res.output and "failed" in res.output
    )
    res = CliRunner().invoke(cli, ["runs", "ls", "--json"])
    rows = {r["name"]: r for r in map(json.loads, res.output.splitlines())}
    assert (
        rows["alpha"]["steps"] == 12
        and rows["alpha"]["state"] == "finished"
        and rows["beta"]["state"] == "failed"
    )


def test_runs_show_prints_config_summary_and_last_rows(workdir, quiet_settings):
    a, _ = _make_runs(workdir, quiet_settings)
    res = CliRunner().invoke(cli, ["runs", "show", a.sync_dir, "--history", "2"])
    assert res.exit_code == 0, res.output
    assert "lr = 0.5" in res.output and "train/loss = 0.0833333" in res.output
    assert "history: 12 rows; last 2" in res.output and "_step=11" in res.output
    doc = json.loads(CliRunner().invoke(cli, ["runs", "show", a.sync_dir, "--json"]).output)
    assert doc["config"] == {"lr": 0.5} and doc["history_rows"] == 12 and doc["state"] == "finished"


def test_runs_show_reports_a_torn_tail(workdir, quiet_settings):
    a, _ = _make_runs(workdir, quiet_settings)
    log = next(p for p in __import__("pathlib").Path(a.sync_dir).glob("*.rylog"))
    data = log.read_bytes()
    log.write_bytes(data[:-5])
    res = CliRunner().invoke(cli, ["runs", "show", a.sync_dir])
    assert res.exit_code == 0 and "bytes skipped" in res.output and "crashed" in res.output


def test_runs_show_bad_path_is_a_clear_error(workdir):
    (workdir / "junk.rylog").write_bytes(b"junk, certainly not a run log")
    res = CliRunner().invoke(cli, ["runs", "show", str(workdir / "junk.rylog")])
    assert res.exit_code != 0 and "not a runyard run log" in res.output


def test_python_dash_m_entry_point(workdir, quiet_settings):
    _make_runs(workdir, quiet_settings)
    res = subprocess.run(
        [sys.executable, "-m", "runyard", "runs", "ls"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert res.returncode == 0 and "alpha" in res.stdout
