"""Pages follow runs that are still logging, with the real SDK logging online to the session server."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import httpx
import pytest

from .conftest import client_env, shot

LIVE_WRITER = r"""
import sys, numpy as np, runyard
stats = float(sys.argv[3])  # seconds between system-metric samples; 0: none
run = runyard.init(project="live", name=sys.argv[1], id=sys.argv[2] or None,
                   settings={"silent": True, "x_disable_stats": not stats, "x_stats_sampling_interval": stats or 10})
print("ID " + run.id, flush=True)
s = 0
# log until told to stop on stdin (a line), at the pace the test reads it
for line in sys.stdin:
    if line.strip() == "stop":
        break
    for _ in range(int(line)):
        img = np.full((8, 8, 3), (s * 20) % 255, np.uint8)
        runyard.log({"train/loss": 1.0 / (s + 1), "frames": runyard.Image(img)}, step=s)
        s += 1
    print("LOGGED " + str(s), flush=True)
runyard.finish()
print("DONE", flush=True)
"""


class Writer:
    """A run logging online; `log(n)` logs n more steps (returns once the SDK has them)."""

    def __init__(self, server, tmp_path, name: str, run_id: str = "", stats: float = 0):
        pytest.importorskip("numpy")
        env = dict(
            client_env(server.config.home), RUNYARD_BASE_URL=server.url, RUNYARD_API_KEY=server.api_key
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-c", LIVE_WRITER, name, run_id, str(stats)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.id = self._read("ID ")

    def _read(self, prefix: str) -> str:
        line = self.proc.stdout.readline()
        assert line.startswith(prefix), line
        return line[len(prefix) :].strip()

    def log(self, n: int) -> int:
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        return int(self._read("LOGGED "))

    def finish(self) -> None:
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        self._read("DONE")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


def _wait_for_run(server, run_id: str, deadline: float = 60.0) -> None:
    """Return once the server knows run `run_id` of project `live`."""
    url = f"{server.url}/api/v1/runs/{server.entity}/live/{run_id}"
    auth = {"Authorization": f"Bearer {server.api_key}"}
    end = time.monotonic() + deadline
    while httpx.get(url, headers=auth, timeout=30).status_code != 200:
        assert time.monotonic() < end, f"run {run_id} never reached the server"
        time.sleep(0.05)


@pytest.fixture
def writer(server, tmp_path):
    made: list[Writer] = []

    def make(name: str, run_id: str = "", stats: float = 0) -> Writer:
        made.append(Writer(server, tmp_path, name, run_id, stats))
        return made[-1]

    yield make
    for w in made:
        w.close()


def test_run_link_opened_before_the_run_exists(page, server, writer):
    run_id = "early" + uuid.uuid4().hex[:8]
    page.goto(f"{server.url}/{server.entity}/live/runs/{run_id}")
    page.get_by_role("heading", name="Not found").wait_for()
    w = writer("early-run", run_id)
    w.log(3)
    page.get_by_role("heading", name="early-run").wait_for(timeout=20_000)


def test_run_page_follows_a_live_run(page, server, writer):
    w = writer("live-page")
    w.log(5)
    page.goto(f"{server.url}/{server.entity}/live/runs/{w.id}")
    badge = page.locator(".run-head .state")
    badge.filter(has_text="running").wait_for()
    duration = page.locator("tr", has=page.get_by_role("rowheader", name="Duration")).locator("td")
    first = duration.inner_text()
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[duration.element_handle(), first], timeout=10_000
    )

    page.get_by_role("tab", name="Charts").click()
    chart = page.locator('section.panel[data-metric="train/loss"] .chart[data-draws]')
    chart.wait_for()
    draws = int(chart.get_attribute("data-draws"))
    w.log(5)
    page.wait_for_function(
        "([el, n]) => Number(el.dataset.draws) > n", arg=[chart.element_handle(), draws], timeout=20_000
    )

    page.get_by_role("tab", name="Media").click()
    label = page.locator('section[aria-label="Media frames"] .step-label')
    label.wait_for()
    w.log(5)
    page.wait_for_function("el => Number(el.dataset.step) >= 14", arg=label.element_handle(), timeout=20_000)
    w.finish()
    badge.filter(has_text="finished").wait_for(timeout=20_000)
    shot(page, "live-run-page")


def test_workspace_media_panel_follows_a_live_run(page, server, writer):
    w = writer("live-media")
    w.log(2)
    page.goto(f"{server.url}/{server.entity}/live?q=" + "name%20%3D%20live-media")
    label = page.locator('section[aria-label="Media frames"] .step-label')
    label.wait_for()
    assert int(label.get_attribute("data-step")) <= 1
    w.log(4)
    page.wait_for_function("el => Number(el.dataset.step) >= 5", arg=label.element_handle(), timeout=20_000)
    page.locator('section[aria-label="Media frames"] img').first.wait_for()


def test_run_page_system_tab_follows_a_live_run(page, server, writer):
    w = writer("live-system", stats=0.5)
    w.log(2)
    asked: list[str] = []
    page.on(
        "request", lambda r: asked.append(r.url) if "/system?" in r.url and "system%2Fcpu" in r.url else None
    )
    page.goto(f"{server.url}/{server.entity}/live/runs/{w.id}/system")
    page.locator('section.panel[data-metric="system/cpu"] .chart[data-draws]').wait_for(timeout=20_000)
    first = len(asked)
    deadline = time.monotonic() + 30
    while len(asked) == first:  # the run keeps logging and sampling: the panel is asked again
        assert time.monotonic() < deadline, "the system panel never asked for the new samples"
        w.log(1)
        page.wait_for_timeout(500)


def test_a_new_run_joins_the_workspace_without_reloading_every_row(page, server, writer):
    """A run created while the workspace is open comes alone, by its id: in a project of 100k runs a
    reload of every row for each new run took seconds (and a sweep makes one every few)."""
    first = writer("joins-first")
    first.log(2)
    _wait_for_run(server, first.id)  # the SDK streams: the run reaches the server a moment later
    with page.expect_response(lambda r: "/runs/query" in r.url):  # the sample of whole runs, at load
        page.goto(f"{server.url}/{server.entity}/live")
    page.get_by_role("row").filter(has_text="joins-first").wait_for()
    listed: list[str] = []
    page.on(
        "request",
        lambda r: (
            listed.append(r.post_data or "") if "/runs/columns" in r.url or "/runs/query" in r.url else None
        ),
    )
    second = writer("joins-second")
    second.log(1)
    page.get_by_role("row").filter(has_text="joins-second").wait_for(timeout=20_000)
    assert listed and all(second.id in body and "$in" in body for body in listed), listed
    page.get_by_role("row").filter(has_text="joins-first").wait_for()  # the rows held stay
