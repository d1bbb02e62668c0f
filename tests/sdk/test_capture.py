"""What init records about the environment, end to end, and the switches that turn each part off."""

from __future__ import annotations

import subprocess

from runyard.runlog import read
from tests.conftest import only_run_dir, run_script

SCRIPT = (
    "import runyard\n"
    "run = runyard.init(project='p', mode='offline', save_code={save_code},\n"
    "                   settings=runyard.Settings(x_disable_stats=True, disable_git={no_git}, disable_meta={no_meta}))\n"
    "runyard.log({{'a': 1}})\n"
    "runyard.finish()\n"
)


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@e.st", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _repo(tmp_path):
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "remote", "add", "origin", "https://user:secret@example.invalid/me/repo.git")
    (tmp_path / "model.py").write_text("x = 1\n")
    _git(tmp_path, "add", "model.py")
    _git(tmp_path, "commit", "-qm", "first")
    (tmp_path / "model.py").write_text("x = 2\n")  # dirty work tree


def test_git_code_packages_and_machine_are_recorded(tmp_path):
    _repo(tmp_path)
    res = run_script(
        SCRIPT.format(save_code=True, no_git=False, no_meta=False), tmp_path, env={"PYTHONHASHSEED": "0"}
    )
    assert res.returncode == 0, res.stderr
    d = only_run_dir(tmp_path)
    rd = read(d)
    env = rd.environment
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    assert env["git"]["commit"] == head and env["git"]["branch"] == "main" and env["git"]["dirty"] is True
    assert env["git"]["remote"] == "https://example.invalid/me/repo.git"  # credentials stripped
    assert (
        env["program"].endswith("script.py")
        and env["python"]
        and env["host"]
        and env["cpu_count_logical"] >= 1
    )
    assert "x = 2" in (d / "files" / "diff.patch").read_text()
    assert "msgpack==" in (d / "files" / "requirements.txt").read_text()
    assert (d / "files" / "code" / "script.py").read_text().startswith("import runyard")
    assert env["code_path"] == "code/script.py"
    assert {f["path"] for f in rd.files} >= {"requirements.txt", "diff.patch", "code/script.py"}


def test_each_part_can_be_switched_off(tmp_path):
    _repo(tmp_path)
    res = run_script(SCRIPT.format(save_code=False, no_git=True, no_meta=True), tmp_path)
    assert res.returncode == 0, res.stderr
    d = only_run_dir(tmp_path)
    env = read(d).environment
    assert "git" not in env and "cpu_count_logical" not in env and "code_path" not in env
    assert not (d / "files" / "diff.patch").exists() and not (d / "files" / "code").exists()


PROGRESS = (
    "import sys, runyard\n"
    "runyard.init(project='p', mode='offline', settings=runyard.Settings(x_disable_stats=True, console='{mode}'))\n"
    "print('start')\n"
    "for i in range(1, 501):\n"
    "    sys.stdout.write(f'\\rprogress {{i}}/500'); sys.stdout.flush()\n"
    "sys.stdout.write('\\n')\n"
    "print('oops', file=sys.stderr)\n"
    "runyard.finish()\n"
)


def test_console_lines_are_recorded_and_progress_bars_collapse(tmp_path):
    res = run_script(PROGRESS.format(mode="auto"), tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("progress ") == 500  # the terminal saw every redraw
    lines = [(stream, text) for _seq, _ts, stream, text in read(only_run_dir(tmp_path)).console]
    assert (1, "start") in lines and (1, "progress 500/500") in lines and (2, "oops") in lines
    assert not any(t.startswith("progress") and t != "progress 500/500" for _s, t in lines)


def test_console_off_records_nothing(tmp_path):
    res = run_script(PROGRESS.format(mode="off"), tmp_path)
    assert res.returncode == 0, res.stderr
    assert read(only_run_dir(tmp_path)).console == []


def test_later_runs_of_a_process_see_a_new_commit(tmp_path):
    _repo(tmp_path)
    res = run_script(
        "import subprocess, runyard\n"
        "s = runyard.Settings(x_disable_stats=True, console='off')\n"
        "commits = []\n"
        "for i in range(3):\n"
        "    run = runyard.init(project='p', mode='offline', settings=s, reinit='create_new')\n"
        "    run.finish()\n"
        "    if i == 1:\n"
        "        subprocess.run(['git', '-c', 'user.email=t@e.st', '-c', 'user.name=t', 'commit', '-qam', 'second'],\n"
        "                       check=True)\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    dirs = sorted(
        (p for p in (tmp_path / "runyard").iterdir() if p.name != "latest-run"),
        key=lambda p: read(p).run["start_time"],
    )
    commits = [read(d).environment["git"]["commit"] for d in dirs]
    dirty = [read(d).environment["git"]["dirty"] for d in dirs]
    assert commits[0] == commits[1] != commits[2] and dirty == [True, True, False]
    assert (dirs[1] / "files" / "diff.patch").exists() and not (dirs[2] / "files" / "diff.patch").exists()
