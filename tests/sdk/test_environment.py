"""Environment capture against real git repositories and the real interpreter."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runyard.sdk.environment import (
    collect_metadata,
    git_info,
    save_code,
    strip_url_credentials,
    write_git_patch,
    write_requirements,
)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REMOTE = "https://alice:s3cret-token@example.com/team/proj.git"
BINARY = bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    # The user's git config (signing, hooks, default branch) must not leak into the tests, and a
    # temp dir that happens to sit inside some repository must not count as "in a repo".
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }.items():
        monkeypatch.setenv(var, value)


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository with a script in a subfolder and a binary file."""
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text("print('v1')\n")
    (root / "weights.bin").write_bytes(BINARY)
    git(root, "init", "-q")
    git(root, "symbolic-ref", "HEAD", "refs/heads/main")  # independent of init.defaultBranch
    git(root, "remote", "add", "origin", REMOTE)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


# ---- git -----------------------------------------------------------------------------------------


@needs_git
def test_git_info_of_a_clean_then_edited_repo(repo):
    info = git_info(str(repo / "src"))  # any path inside the repo will do
    assert info == {
        "commit": git(repo, "rev-parse", "HEAD"),
        "branch": "main",
        "remote": "https://example.com/team/proj.git",  # credentials stripped
        "dirty": False,
        "root": os.path.realpath(repo),
    }

    (repo / "untracked.txt").write_text("scratch")  # untracked files are not in the patch: not dirty
    assert git_info(str(repo))["dirty"] is False

    (repo / "src" / "train.py").write_text("print('v2')\n")
    assert git_info(str(repo / "src" / "train.py"))["dirty"] is True


@needs_git
def test_git_info_detached_head_and_no_remote(repo):
    git(repo, "remote", "remove", "origin")
    git(repo, "checkout", "-q", "--detach")
    info = git_info(str(repo))
    assert info["branch"] is None and info["remote"] is None
    assert info["commit"] == git(repo, "rev-parse", "HEAD")


@needs_git
def test_git_info_before_the_first_commit(tmp_path):
    git(tmp_path, "init", "-q")
    git(tmp_path, "symbolic-ref", "HEAD", "refs/heads/dev")
    info = git_info(str(tmp_path))
    assert info is not None
    assert info["commit"] is None and info["branch"] == "dev"


def test_no_git_info_outside_a_repository(tmp_path):
    (tmp_path / "train.py").write_text("print(1)\n")
    assert git_info(str(tmp_path)) is None
    assert git_info(str(tmp_path / "does-not-exist")) is None
    assert write_git_patch(str(tmp_path), str(tmp_path / "out")) is None
    assert not (tmp_path / "out" / "diff.patch").exists()
    meta = collect_metadata(program=str(tmp_path / "train.py"), args=[], root=str(tmp_path))
    assert "git" not in meta
    assert meta["program_relpath"] == "train.py"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:token@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://ghp_abc123@github.com/o/r", "https://github.com/o/r"),  # token as the user name
        ("http://u:p@host:8080/r.git", "http://host:8080/r.git"),
        ("ssh://git:pw@host:2222/r.git", "ssh://git@host:2222/r.git"),  # keep the account, drop the password
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),  # scp-like: no secret in it
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("/srv/git/r.git", "/srv/git/r.git"),
    ],
)
def test_strip_url_credentials(url, expected):
    assert strip_url_credentials(url) == expected


@needs_git
def test_patch_captures_text_and_binary_changes_and_applies(repo, tmp_path):
    out = tmp_path / "run"
    assert write_git_patch(str(repo), str(out)) is None  # clean tree
    assert not (out / "diff.patch").exists()

    (repo / "src" / "train.py").write_text("print('v2')\nprint('more')\n")
    changed_binary = BINARY[::-1]
    (repo / "weights.bin").write_bytes(changed_binary)
    patch = write_git_patch(str(repo), str(out))

    assert patch == str(out / "diff.patch")
    text = Path(patch).read_bytes()
    assert b"diff --git a/src/train.py b/src/train.py" in text
    assert b"+print('more')" in text
    assert b"GIT binary patch" in text

    # The patch recreates the edited tree from the commit.
    git(repo, "checkout", "--", ".")
    assert (repo / "weights.bin").read_bytes() == BINARY
    git(repo, "apply", patch)
    assert (repo / "src" / "train.py").read_text() == "print('v2')\nprint('more')\n"
    assert (repo / "weights.bin").read_bytes() == changed_binary


# ---- packages and code ---------------------------------------------------------------------------


def test_requirements_lists_installed_distributions(tmp_path):
    path = write_requirements(str(tmp_path / "files"))
    assert path == str(tmp_path / "files" / "requirements.txt")
    lines = Path(path).read_text().splitlines()
    assert f"msgpack=={importlib.metadata.version('msgpack')}" in lines
    assert f"psutil=={importlib.metadata.version('psutil')}" in lines
    assert all("==" in line for line in lines)
    names = [line.split("==")[0].lower().replace("_", "-") for line in lines]
    assert names == sorted(names) and len(names) == len(set(names))


@needs_git
def test_save_code_keeps_the_path_inside_the_repo(repo, tmp_path):
    dest = tmp_path / "run" / "files"
    rel = save_code(str(repo / "src" / "train.py"), str(dest))
    assert rel == "code/src/train.py"
    assert (dest / "code" / "src" / "train.py").read_text() == "print('v1')\n"


def test_save_code_outside_a_repo(tmp_path):
    proj = tmp_path / "proj"
    (proj / "scripts").mkdir(parents=True)
    script = proj / "scripts" / "run.py"
    script.write_text("print(1)\n")
    dest = tmp_path / "files"

    assert save_code(str(script), str(dest), root=str(proj)) == "code/scripts/run.py"
    assert (dest / "code" / "scripts" / "run.py").read_text() == "print(1)\n"
    # Not under `root`: just the file name, never a path that climbs out of code/.
    assert save_code(str(script), str(dest), root=str(tmp_path / "elsewhere")) == "code/run.py"
    assert save_code(str(script), str(dest)) == "code/run.py"
    assert save_code(str(tmp_path / "missing.py"), str(dest)) is None
    assert save_code("", str(dest)) is None


# ---- collect_metadata ----------------------------------------------------------------------------


@needs_git
def test_collect_metadata_in_a_repo(repo, tmp_path):
    program = str(repo / "src" / "train.py")
    meta = collect_metadata(program=program, args=["--lr", "0.1"], root=str(repo))

    assert meta["program"] == program
    assert meta["program_relpath"] == "src/train.py"
    assert meta["args"] == ["--lr", "0.1"]
    assert meta["executable"] == sys.executable
    assert meta["python"] == ".".join(map(str, sys.version_info[:3]))
    assert meta["python_implementation"]
    assert meta["os"] and meta["host"]
    assert meta["cwd"] == os.getcwd()
    started = datetime.fromisoformat(meta["started_at"])
    assert started.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - started) < timedelta(minutes=10)  # now, not a stale value

    assert meta["git"]["remote"] == "https://example.com/team/proj.git"
    assert meta["git"]["commit"] == git(repo, "rev-parse", "HEAD")
    assert meta["git"]["dirty"] is False

    assert meta["cpu_count_logical"] == os.cpu_count()
    assert meta["cpu_count"] is None or 1 <= meta["cpu_count"] <= meta["cpu_count_logical"]
    assert meta["memory_total_bytes"] > 0 and meta["disk_total_bytes"] > 0
    assert isinstance(meta["gpu"], list)
    assert meta["cuda_visible_devices"] == os.environ.get("CUDA_VISIBLE_DEVICES")


@needs_git
def test_collect_metadata_script_repo_when_run_from_elsewhere(repo, tmp_path):
    # `python ~/proj/src/train.py` started from a directory that is not a repository.
    elsewhere = tmp_path / "runs"
    elsewhere.mkdir()
    meta = collect_metadata(program=str(repo / "src" / "train.py"), args=[], root=str(elsewhere))
    assert meta["git"]["root"] == os.path.realpath(repo)
    assert meta["program_relpath"] == "src/train.py"


def test_collect_metadata_parts_switch_off(tmp_path):
    meta = collect_metadata(program=None, args=[], root=str(tmp_path / "not-yet"), git=False, machine=False)
    assert meta["program"] is None and meta["program_relpath"] is None
    for key in ("git", "cpu_count", "cpu_model", "memory_total_bytes", "gpu", "cuda_visible_devices"):
        assert key not in meta


def test_disk_total_of_a_root_that_does_not_exist_yet(tmp_path):
    meta = collect_metadata(program=None, args=[], root=str(tmp_path / "a" / "b"), git=False)
    assert meta["disk_total_bytes"] > 0
