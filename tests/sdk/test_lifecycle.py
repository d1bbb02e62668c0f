"""finish, exit codes, uncaught exceptions, signals, the atexit hook and SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import runyard
from runyard.runlog import read
from tests.conftest import REPO, only_run_dir, run_script, wait_until_blocked

QUIET = "settings=runyard.Settings(x_disable_stats=True)"


def test_finish_is_idempotent_and_records_exit_code(workdir, quiet_settings):
    run = runyard.init(project="p", mode="offline", settings=quiet_settings)
    run.log({"a": 1})
    run.finish(exit_code=3)
    run.finish()
    runyard.finish()
    rd = read(run.sync_dir)
    assert rd.exit["exit_code"] == 3 and rd.state == "failed"
    assert runyard.run is None


def test_context_manager_finishes_and_marks_failure(workdir, quiet_settings):
    with runyard.init(project="p", mode="offline", settings=quiet_settings) as run:
        run.log({"a": 1})
    assert read(run.sync_dir).state == "finished"
    assert runyard.run is None
    with (
        pytest.raises(ValueError),
        runyard.init(project="p", mode="offline", settings=quiet_settings) as run2,
    ):
        raise ValueError("boom")
    rd = read(run2.sync_dir)
    assert rd.state == "failed" and rd.exit["exit_code"] == 1


@pytest.mark.parametrize(
    "ending, code, state",
    [
        ("pass", 0, "finished"),  # forgot finish(): atexit finishes it
        ("raise RuntimeError('x')", 1, "failed"),
        ("import sys; sys.exit(3)", 3, "failed"),
        ("import sys; sys.exit(0)", 0, "finished"),
    ],
)
def test_process_ending_sets_run_state(tmp_path, ending, code, state):
    res = run_script(
        f"import runyard\nrunyard.init(project='p', mode='offline', {QUIET})\n"
        f"runyard.log({{'a': 1}})\n{ending}\n",
        tmp_path,
    )
    assert res.returncode == code, res.stderr
    rd = read(only_run_dir(tmp_path))
    assert rd.exit is not None and rd.exit["exit_code"] == code and rd.state == state
    assert rd.series("a") == ([0], [1])


def test_sigterm_marks_run_crashed_and_keeps_data(tmp_path):
    code = (
        f"import runyard, time, sys\nrunyard.init(project='p', mode='offline', {QUIET})\n"
        "for i in range(100): runyard.log({'a': i})\nprint('ready', flush=True)\ntime.sleep(60)\n"
    )
    (tmp_path / "s.py").write_text(code)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "s.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    ) as p:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        wait_until_blocked(p.pid)
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == -signal.SIGTERM  # the default action still happens
    rd = read(only_run_dir(tmp_path))
    assert rd.state == "crashed" and rd.exit["exit_code"] == 128 + signal.SIGTERM
    assert rd.series("a")[1] == list(range(100))


def test_sigterm_during_finish_ends_the_process(tmp_path):
    """A scheduler's SIGTERM landing while finish() stops the background parts must not deadlock."""
    res = run_script(
        f"import os, signal, runyard\nrun = runyard.init(project='p', mode='offline', {QUIET})\n"
        "for i in range(10): runyard.log({'a': i})\n"
        "class Preempted:\n"
        "    def stop(self):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, inside finish()\n"
        "run._services.background.append(Preempted())\n"
        "runyard.finish()\n",
        tmp_path,
    )
    assert res.returncode == -signal.SIGTERM, res.stderr
    assert read(only_run_dir(tmp_path)).series("a")[1] == list(range(10))


def test_sigkill_loses_at_most_the_last_flush_interval(tmp_path):
    """Everything logged more than one flush interval before SIGKILL reads back exactly."""
    code = (
        f"import runyard, time, sys\nrunyard.init(project='p', mode='offline', {QUIET})\n"
        "i = 0\n"
        "while True:\n"
        "    runyard.log({'train/loss': i * 0.5, 'train/step': i}, step=i)\n"
        "    if i % 500 == 0: print(i, flush=True)\n"
        "    i += 1\n"
        "    if i % 50 == 0: time.sleep(0.001)\n"
    )
    (tmp_path / "k.py").write_text(code)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "k.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    ) as p:
        assert p.stdout is not None
        reached = 0
        while reached < 5000:
            reached = int(p.stdout.readline())
        # the child has logged at least `reached` steps; after one flush interval (0.25 s, at most 0.5)
        # they must all be on disk, whatever happens next
        time.sleep(0.6)
        p.kill()
        p.wait(10)
    rd = read(only_run_dir(tmp_path))
    assert rd.tail.clean or rd.tail.skipped_bytes > 0  # a torn tail would be reported, never raised
    steps, vals = rd.series("train/loss")
    assert len(steps) >= reached
    assert steps == list(range(len(steps)))
    assert vals == [s * 0.5 for s in steps]
    assert rd.state == "crashed"  # no exit record and nobody holds the run's lock


def test_atexit_runs_finish_for_forgotten_run_with_console_and_stats(tmp_path):
    res = run_script(
        "import runyard\nrunyard.init(project='p', mode='offline',"
        " settings=runyard.Settings(x_stats_sampling_interval=0.05))\n"
        "print('hello from training')\nimport time; time.sleep(0.3)\nrunyard.log({'a': 1})\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "hello from training" in res.stdout
    rd = read(only_run_dir(tmp_path))
    assert rd.state == "finished"
    assert any(line == "hello from training" for _s, _t, _st, line in rd.console)
    assert rd.system and all(k.startswith("system/") for _s, _t, sample in rd.system for k in sample)
    assert [r["_step"] for r in rd.history()] == [0]  # system metrics never advance the user's step


def test_forked_child_neither_logs_nor_finishes_the_parents_run(tmp_path):
    res = run_script(
        f"import os, runyard\nrun = runyard.init(project='p', mode='offline', {QUIET})\n"
        "runyard.log({'a': 0})\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    runyard.log({'a': 999})\n"
        "    raise SystemExit(0)\n"
        "os.waitpid(pid, 0)\n"
        "runyard.log({'a': 1})\n"
        "runyard.finish()\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "forked child process" in res.stderr
    rd = read(only_run_dir(tmp_path))
    assert rd.series("a")[1] == [0, 1] and rd.state == "finished"
    assert sum(1 for r in rd.history()) == 2
