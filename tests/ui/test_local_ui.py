"""`runyard ui DIR` in real Chromium (see conftest.py): the UI over offline runs with no server setup
and no sign-in step (the printed link signs in), including a run still logging: it shows as running,
and when it logs more and finishes the open workspace follows. The run directories are not marked
synced (a later `runyard sync` still uploads them)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from .conftest import shot

RUN = textwrap.dedent("""
    import os, sys, time, runyard
    run = runyard.init(project="local", mode="offline", name=sys.argv[1], config={"lr": 0.01},
                       settings={"silent": True, "x_disable_stats": True})
    for i in range(50):
        run.log({"loss": 1 / (i + 1)})
    if sys.argv[2] != "-":
        print("LOGGING", flush=True)
        while not os.path.exists(sys.argv[2]):  # the test says when to go on
            time.sleep(0.05)
        for i in range(50, 100):
            run.log({"loss": 1 / (i + 1)})
    run.finish()
""")


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}


def _wait_line(proc: subprocess.Popen, marker: str) -> str:
    deadline = time.monotonic() + 60
    stream = proc.stderr if marker.startswith("runyard ui") else proc.stdout
    while time.monotonic() < deadline:
        line = stream.readline()
        if marker in line:
            return line
        assert line or proc.poll() is None, f"exited {proc.returncode}: {stream.read()}"
    raise AssertionError(f"no {marker!r} within 60 s")


@pytest.fixture
def local_page(browser, ui_built):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, errors


def test_runyard_ui_over_offline_runs_with_one_still_logging(tmp_path, local_page):
    env = _env()
    subprocess.run(
        [sys.executable, "-c", RUN, "done-run", "-"], cwd=tmp_path, env=env, check=True, timeout=120
    )
    go = tmp_path / "go"
    writer = subprocess.Popen(
        [sys.executable, "-c", RUN, "live-run", str(go)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ui = subprocess.Popen(
        [sys.executable, "-m", "runyard", "ui", "runyard", "--no-browser"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_line(writer, "LOGGING")
        link = _wait_line(ui, "runyard ui over").split(": ", 1)[1].split()[0]
        page = local_page
        page.goto(link)
        page.get_by_role("link", name="local").click()
        live = page.locator(".rt-row", has_text="live-run")
        live.wait_for(timeout=30_000)
        page.locator(".rt-row", has_text="done-run").wait_for()
        live.get_by_text("running").wait_for()
        page.locator("section.panel[data-metric='loss']").wait_for()
        shot(page, "local-ui-live")
        go.write_text("")
        assert writer.wait(timeout=120) == 0
        live.get_by_text("finished").wait_for(timeout=30_000)
        assert not list((tmp_path / "runyard").glob("*/.synced"))
    finally:
        for p in (writer, ui):
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
