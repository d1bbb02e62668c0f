"""Moving runs to another project from the workspace table (bulk action with confirmation)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import WRITER, client_env, runyard_cli, shot, write_runs


def _api(server, path: str) -> dict:
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {server.api_key}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def moving(server, tmp_path_factory):
    """Three runs in their own project ("movesrc"), so the shared demo project is untouched."""
    work = tmp_path_factory.mktemp("move-runs")
    env = client_env(server.config.home)
    runs = write_runs(WRITER, [json.dumps({"project": "movesrc", "runs": 3, "steps": 50})], work, env)
    runyard_cli(["sync", *[r["dir"] for r in runs]], work, env)
    # the last run's log also synced into project "clash" (same run id there: a move must refuse)
    runyard_cli(["sync", "--include-synced", "--project", "clash", runs[2]["dir"]], work, env)
    return runs


def test_move_runs_to_another_project(page, server, moving):
    e = server.entity
    keys_requests: list[str] = []
    page.on(
        "request",
        lambda r: keys_requests.append(r.url) if "/projects/" in r.url and "/keys?" in r.url else None,
    )
    page.goto(f"{server.url}/{e}/movesrc")
    page.get_by_text("3 runs", exact=True).wait_for()
    page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()
    # panels come from the project keys endpoint (one request for the whole project)
    assert keys_requests, "the workspace did not ask the project keys endpoint"
    keys = _api(server, f"/api/v1/projects/{e}/movesrc/keys?kind=history")["keys"]
    assert {k["key"] for k in keys} == {"train/loss", "train/acc", "eval/acc"}

    page.get_by_label("Select run-00").check()
    page.get_by_label("Select run-01").check()
    page.get_by_role("button", name="Move…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Move 2 runs to another project").wait_for()
    target = dialog.get_by_label("Target project")
    move = dialog.get_by_role("button", name="Move", exact=True)
    target.fill("movesrc")
    assert move.is_disabled()  # the project they are in
    target.fill("a/b")
    assert move.is_disabled()
    # cancel moves nothing
    dialog.get_by_role("button", name="Cancel").click()
    assert page.get_by_role("dialog").count() == 0
    assert len(_api(server, f"/api/v1/projects/{e}/movesrc/runs")["runs"]) == 3

    page.get_by_role("button", name="Move…").click()
    page.get_by_role("dialog").get_by_label("Target project").fill("moved-here")
    shot(page, "20-move-dialog")
    page.get_by_role("dialog").get_by_role("button", name="Move", exact=True).click()
    page.get_by_text("1 runs", exact=True).wait_for()
    assert page.locator(".rt-row a").all_inner_texts() == ["run-02"]

    moved = _api(server, f"/api/v1/projects/{e}/moved-here/runs")["runs"]
    assert sorted(r["name"] for r in moved) == ["run-00", "run-01"]
    assert all(r["history_points"] == 105 for r in moved)  # 50 + 50 + 5 points follow the runs

    page.goto(f"{server.url}/{e}/moved-here")
    page.get_by_text("2 runs", exact=True).wait_for()
    page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()
    shot(page, "21-moved-project")

    # a clash (the target has a run with that id) stops with the server's message, nothing moves
    page.goto(f"{server.url}/{e}/movesrc")
    page.get_by_text("1 runs", exact=True).wait_for()
    page.get_by_label("Select run-02").check()
    page.get_by_role("button", name="Move…").click()
    page.get_by_role("dialog").get_by_label("Target project").fill("clash")
    page.get_by_role("dialog").get_by_role("button", name="Move", exact=True).click()
    page.get_by_role("dialog").get_by_role("alert").filter(has_text="already has a run").wait_for()
    shot(page, "22-move-clash")
    assert [r["name"] for r in _api(server, f"/api/v1/projects/{e}/movesrc/runs")["runs"]] == ["run-02"]
