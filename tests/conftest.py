"""Shared fixtures: every test runs in its own working directory with no tracker env vars set."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# every server a test starts (in-process or a subprocess) checks its answers against their models
os.environ["RUNYARD_CHECK_RESPONSES"] = "1"


@pytest.fixture(autouse=True)
def api_contract():
    """Fails a test during which a server of this process answered outside its declared models."""
    seen = len(_contract_violations())
    yield
    new = _contract_violations()[seen:]
    if new:
        pytest.fail("API answers broke their declared models:\n" + "\n".join(new))


def _contract_violations() -> list[str]:
    mod = sys.modules.get("runyard.server.contract")
    return mod.violations if mod is not None else []


def isolated_sdk(monkeypatch, home: Path, work: Path, cache: Path | None = None) -> Iterator[Path]:
    """The SDK's surroundings for one test: cwd = `work`, RUNYARD_HOME = `home` (and the client cache in
    `cache`), every WANDB_*/RUNYARD_* variable of the outer environment removed except the suite's
    response check; a run the test left open is finished afterwards. Fixtures `yield from` it."""
    for k in list(os.environ):
        if k.startswith(("WANDB_", "RUNYARD_")) and k != "RUNYARD_CHECK_RESPONSES":
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RUNYARD_HOME", str(home))
    if cache is not None:
        monkeypatch.setenv("RUNYARD_CACHE_DIR", str(cache))
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    from runyard.sdk import state

    run = state.current()
    if run is not None:
        run.finish(quiet=True)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A clean cwd and RUNYARD_HOME, with WANDB_*/RUNYARD_* env vars removed."""
    home = tmp_path / "home"
    home.mkdir()
    yield from isolated_sdk(monkeypatch, home, tmp_path / "work")


@pytest.fixture
def quiet_settings():
    """Settings that keep in-process tests deterministic: no console/system threads."""
    import runyard

    return runyard.Settings(console="off", x_disable_stats=True, silent=True)


def run_script(
    code: str, cwd: Path, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run a Python script in a fresh interpreter with the repo importable."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env or {})
    script = cwd / "script.py"
    script.write_text(code)
    return subprocess.run(
        [sys.executable, str(script)], cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout
    )


# Syscalls a blocked main thread sleeps in: futex (a lock or queue wait) and clock_nanosleep (sleep).
_WAITS = {"x86_64": (202, 230), "aarch64": (98, 115)}  # futex, clock_nanosleep
_FUTEX_WAIT_BITSET = 9  # the futex operation of a semaphore wait (Python's locks), without its flags


def wait_until_blocked(pid: int, deadline: float = 60.0) -> None:
    """Return once the main thread of `pid` sleeps in `time.sleep()` or an untimed lock/queue wait.

    CPython acts on a signal between bytecodes. One that lands after its last check and before the
    blocking call has started is noticed only when that call returns: a race inside CPython, with or
    without runyard, that a busy machine widens. Tests that check a blocked program is interrupted
    send the signal once it is blocked. Where /proc/PID/syscall cannot tell, this returns at once.

    Only the program's own wait counts: `clock_nanosleep`, or a futex wait on a semaphore with no
    timeout (a Python lock, as in `queue.get()`). Waits with a timeout are the GIL's hand-over, and a
    plain FUTEX_WAIT is a contended mutex, such as the one guarding the GIL, which a preempted thread
    can hold for a whole time slice on a busy machine: a signal that lands there can be consumed
    before the program reaches its blocking call.
    """
    import platform
    import time

    waits = _WAITS.get(platform.machine())
    end = time.monotonic() + deadline
    while waits and time.monotonic() < end:
        try:
            fields = Path(f"/proc/{pid}/syscall").read_text().split()
        except OSError:
            return
        if not fields or not fields[0].isdigit():  # "running": not in a system call
            time.sleep(0.01)
            continue
        nr = int(fields[0])
        if nr == waits[1]:
            return
        if nr == waits[0] and int(fields[2], 16) & 0x7F == _FUTEX_WAIT_BITSET and int(fields[4], 16) == 0:
            return
        time.sleep(0.01)


@contextlib.contextmanager
def rss_growth(procs: list) -> Iterator[list[int]]:
    """Sample the resident memory of `procs` (psutil processes) while the block runs; the list handed
    over holds, once it has run, each one's peak growth in bytes over its size on entry."""
    base = [p.memory_info().rss for p in procs]
    peak = list(base)
    grown = [0] * len(procs)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            for i, p in enumerate(procs):
                peak[i] = max(peak[i], p.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield grown
    finally:
        stop.set()
        sampler.join()
        grown[:] = [p - b for p, b in zip(peak, base)]


def only_run_dir(root: Path) -> Path:
    dirs = [p for p in (root / "runyard").iterdir() if p.name != "latest-run"]
    assert len(dirs) == 1, dirs
    return dirs[0]


# -- the browser: one Chromium for the whole session (Playwright's sync API allows one per thread), so
# every directory's browser tests (tests/ui, tests/security) share this fixture and its instance
CHROMIUM = os.environ.get("RUNYARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in(ctx, server, key: str | None = None) -> None:
    """Sign a browser context in as `key`'s user (the server's admin by default), as the UI does: a
    one-time sign-in link made with the key and spent through the context's own request client, which
    shares the context's cookies, so the browser holds the HttpOnly session cookie and never the key."""
    r = ctx.request.post(
        server.url + "/api/v1/session/links", headers={"Authorization": f"Bearer {key or server.api_key}"}
    )
    assert r.status == 201, r.text()
    token = r.json()["url"].split("token=", 1)[1]
    r = ctx.request.post(server.url + "/api/v1/session", data={"token": token})
    assert r.status == 200, r.text()


def _need(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="session")
def ui_built() -> Path:
    from runyard.webui import DIST

    _need((DIST / "index.html").is_file(), "web UI not built: run scripts/build-web.sh")
    return DIST


@pytest.fixture(scope="session")
def browser():
    _need(
        shutil.which(CHROMIUM) is not None or Path(CHROMIUM).is_file(),
        f"no Chromium at {CHROMIUM}: apt-get install -y chromium",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "pip install playwright (the Python package; no browser download is needed)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
