"""The environment a run starts in: program, Python, host, hardware, git state, packages, code.

Everything here is best effort and side-effect free apart from the files the ``write_*``/``save_code``
functions are asked to write: a missing ``git``, an odd platform or an unreadable file means "that
part is absent", never an exception in the user's training script.
"""

from __future__ import annotations

import getpass
import importlib.metadata
import logging
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

from runyard.sdk.system_metrics import gpu_inventory

__all__ = [
    "collect_metadata",
    "git_info",
    "save_code",
    "strip_url_credentials",
    "write_git_patch",
    "write_requirements",
]

logger = logging.getLogger(__name__)

# git answers these in milliseconds; a hung git (network filesystem, huge repo) must not hold up init.
_GIT_TIMEOUT_S = 2.0
# `git diff` output grows with the size of the change, so it alone gets more time.
_PATCH_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------------------------------
# git
# --------------------------------------------------------------------------------------------------


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password prompt
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not take the index lock from the user's git
    return env


def _git_popen_kwargs() -> dict[str, Any]:
    kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL, "env": _git_env()}
    if os.name == "nt":  # no console window flashing up for each git call
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    return kwargs


def _git(args: list[str], cwd: str, timeout: float = _GIT_TIMEOUT_S) -> str | None:
    """stdout of ``git <args>`` run in `cwd`, or None on any failure (no git, not a repo, timeout)."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            **_git_popen_kwargs(),
        )
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        logger.debug("git %s failed: %s", " ".join(args[:2]), exc)
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip()


def strip_url_credentials(url: str) -> str:
    """Remove credentials from a remote URL: ``https://user:token@host/x`` -> ``https://host/x``.

    For http(s) the whole user part goes (tokens are often passed as the user name); for ssh-style
    URLs only a password is removed, since ``git@host`` names an account, not a secret.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host: fall back to cutting out any user part
        return re.sub(r"//[^/@]*@", "//", url)
    if not parts.scheme or "@" not in parts.netloc:
        return url  # scp-like `git@host:path`, a local path, or nothing to strip
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if parts.scheme.lower() in ("http", "https", "ftp", "ftps"):
        netloc = hostport
    else:
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{hostport}" if user else hostport
    return urlunsplit(parts._replace(netloc=netloc))


def find_git_dir(path: str) -> str | None:
    """The `.git` entry of the repository containing `path`, found without running git (None if none).

    Honours GIT_DIR (then any answer is left to git itself) and GIT_CEILING_DIRECTORIES.
    """
    if os.environ.get("GIT_DIR"):
        return os.environ["GIT_DIR"]
    ceilings = {
        os.path.abspath(c) for c in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep) if c
    }
    cur = os.path.abspath(path)
    while True:
        cand = os.path.join(cur, ".git")
        if os.path.exists(cand):  # a directory, or a file pointing elsewhere (worktrees, submodules)
            return cand
        parent = os.path.dirname(cur)
        if parent == cur or parent in ceilings:
            return None
        cur = parent


def git_info(path: str) -> dict | None:
    """Git state of the repository containing `path` (a directory or file), or None when there is none (or no git).

    Returns ``{"commit", "branch", "remote", "dirty", "root"}``: `commit` is None before the first
    commit, `branch` None on a detached HEAD, `remote` the ``origin`` URL without credentials (or
    None), `dirty` whether tracked files differ from HEAD (None if `git status` itself failed).
    """
    if os.path.isfile(path):
        path = os.path.dirname(path) or os.curdir
    if not os.path.isdir(path):
        return None
    if find_git_dir(path) is None:
        return None  # not a repository: spare the git spawns that would only fail
    out = _git(["rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD"], path)
    if out is not None and len(out.splitlines()) == 3:
        root, commit, branch = out.splitlines()
    else:  # a repository without commits has no HEAD to parse
        root_out = _git(["rev-parse", "--show-toplevel"], path)
        if not root_out:
            return None
        root, commit = root_out, None
        branch = _git(["symbolic-ref", "--quiet", "--short", "HEAD"], path) or "HEAD"
    remote = _git(["remote", "get-url", "origin"], path)
    status = _git(["status", "--porcelain", "--untracked-files=no"], path)
    return {
        "commit": commit,
        "branch": None if branch == "HEAD" else branch,
        "remote": strip_url_credentials(remote) if remote else None,
        "dirty": None if status is None else bool(status),
        "root": os.path.normpath(root),
    }


def write_git_patch(repo_root: str, dest_dir: str) -> str | None:
    """Write ``dest_dir/diff.patch`` (``git diff HEAD``, binary-safe) if the tree has uncommitted changes.

    Returns the patch path, or None when the tree is clean, `repo_root` is not a repository, or git
    failed. The patch applies with ``git apply`` on a checkout of the commit.
    """
    path = os.path.join(dest_dir, "diff.patch")
    args = [
        "git",
        "diff",
        "--binary",  # binary files as applicable deltas instead of "Binary files differ"
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",  # the user's config must not turn the patch into something unappliable
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "HEAD",
    ]
    try:
        os.makedirs(dest_dir, exist_ok=True)
        with open(path, "wb") as fh:  # streamed: a big diff never sits in memory
            proc = subprocess.run(
                args,
                cwd=repo_root,
                stdout=fh,
                stderr=subprocess.DEVNULL,
                timeout=_PATCH_TIMEOUT_S,
                check=False,
                **_git_popen_kwargs(),
            )
        if proc.returncode == 0 and os.path.getsize(path) > 0:
            return path
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        logger.debug("git diff failed: %s", exc)
    try:
        os.remove(path)
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------------------------------
# installed packages
# --------------------------------------------------------------------------------------------------


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_version(dist: importlib.metadata.Distribution) -> tuple[str | None, str | None]:
    # Reading two header lines is ~10x faster than `dist.metadata`, which parses the whole file
    # (long descriptions included) with the email parser.
    name = version = None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if text:
        for line in text.split("\n\n", 1)[0].splitlines():
            if name is None and line.startswith("Name:"):
                name = line[5:].strip()
            elif version is None and line.startswith("Version:"):
                version = line[8:].strip()
    if not name or not version:
        try:
            name, version = name or dist.metadata["Name"], version or dist.version
        except Exception:
            return None, None
    return name, version


def write_requirements(dest_dir: str) -> str:
    """Write ``dest_dir/requirements.txt``: ``name==version`` per installed distribution.

    Sorted by normalised name; a distribution installed twice (e.g. user site and venv) is listed
    once, as the copy that comes first on sys.path, i.e. the one imports get.
    """
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        try:
            name, version = _name_version(dist)
        except Exception:
            continue  # a broken install must not stop the rest
        if name and version:
            found.setdefault(_canonical(name), f"{name}=={version}")
    os.makedirs(dest_dir, exist_ok=True)
    path = os.path.join(dest_dir, "requirements.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("".join(found[key] + "\n" for key in sorted(found)))
    return path


# --------------------------------------------------------------------------------------------------
# code
# --------------------------------------------------------------------------------------------------


def _relpath_inside(path: str, base: str | None) -> str | None:
    """`path` relative to `base` (posix separators), or None when it is not inside `base`."""
    if not base:
        return None
    try:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(base))
    except ValueError:  # different drives on Windows
        return None
    if rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def save_code(program: str, dest_dir: str, root: str | None = None) -> str | None:
    """Copy the main script to ``dest_dir/code/<relpath>``; returns ``"code/<relpath>"``.

    `relpath` is relative to the script's git root, else to `root`, else just the file name. Returns
    None if there is no script file (REPL, ``-c``) or it cannot be copied.
    """
    if not program or not os.path.isfile(program):
        return None
    program = os.path.abspath(program)
    script_dir = os.path.dirname(program)
    rel = (
        _relpath_inside(program, _git(["rev-parse", "--show-toplevel"], script_dir))
        or _relpath_inside(program, root)
        or os.path.basename(program)
    )
    target = os.path.join(dest_dir, "code", *rel.split("/"))
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(program, target)
    except OSError as exc:
        logger.debug("could not save code %s: %s", program, exc)
        return None
    return "code/" + rel


# --------------------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------------------


def _username() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # a container uid with no passwd entry and no $USER
        return None


def _cpu_model() -> str | None:
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
    elif sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                timeout=_GIT_TIMEOUT_S,
                check=False,
            )
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.decode("utf-8", "replace").strip()
        except (OSError, subprocess.SubprocessError):
            pass
    # Windows names the CPU here; elsewhere (e.g. ARM Linux without "model name") the architecture.
    return platform.processor() or platform.machine() or None


def _disk_total(path: str) -> int | None:
    # The run directory may not exist yet: measure the closest existing ancestor.
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    try:
        return int(psutil.disk_usage(path).total)
    except Exception:
        return None


def _machine_info(root: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    try:
        info["cpu_count"] = psutil.cpu_count(logical=False)
    except Exception:
        info["cpu_count"] = None
    info["cpu_count_logical"] = os.cpu_count()
    info["cpu_model"] = _cpu_model()
    try:
        info["memory_total_bytes"] = int(psutil.virtual_memory().total)
    except Exception:
        info["memory_total_bytes"] = None
    info["disk_total_bytes"] = _disk_total(root)
    info["gpu"] = gpu_inventory()
    info["cuda_visible_devices"] = os.environ.get("CUDA_VISIBLE_DEVICES")
    return info


def collect_metadata(
    *, program: str | None, args: list[str], root: str, git: bool = True, machine: bool = True
) -> dict:
    """The run's environment at init, as a JSON-ready dict.

    `program` is the main script (None in a REPL or with ``python -c``), `args` the script's
    arguments (``sys.argv[1:]``), `root` the directory the run writes under. `git` adds ``"git"``
    (omitted when not in a repository); `machine` adds CPU, memory, disk and GPU facts.
    """
    try:
        cwd: str | None = os.getcwd()
    except OSError:  # the working directory was deleted under us
        cwd = None
    program = os.path.abspath(program) if program else None
    meta: dict[str, Any] = {
        "program": program,
        "program_relpath": None,
        "args": list(args),
        "executable": sys.executable,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "os": platform.platform(),
        "host": socket.gethostname(),
        "username": _username(),
        "cwd": cwd,
        "root": root,
        "started_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
    }
    repo = None
    if git:
        repo = git_info(root)
        if repo is None and program and os.path.dirname(program) != os.path.abspath(root):
            # Run from outside the project (`python ~/proj/train.py`): the script's repo is the one.
            repo = git_info(os.path.dirname(program))
        if repo is not None:
            meta["git"] = repo
    if program:
        meta["program_relpath"] = (
            _relpath_inside(program, repo["root"] if repo else None)
            or _relpath_inside(program, cwd)
            or os.path.basename(program)
        )
    if machine:
        meta.update(_machine_info(root))
    return meta
