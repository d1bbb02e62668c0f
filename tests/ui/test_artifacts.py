"""Artifacts UI: the project's artifacts page, a version page (files, preview, aliases, producer and
consumers, diff), the lineage graph (click through) and a run's Artifacts tab. The fixture logs real
artifacts with the SDK, online against the session server, in a project of their own ("arts")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import REPO, shot

ARTS_WRITER = textwrap.dedent("""
    import json, pathlib, struct, sys, zlib, runyard

    def png(w, h, rgb):
        def chunk(t, d):
            return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        raw = b"".join(b"\\x00" + bytes(rgb) * w for _ in range(h))
        return (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    proj = sys.argv[1]
    S = {"silent": True, "x_disable_stats": True}
    d = pathlib.Path("files")
    d.mkdir(exist_ok=True)
    out = {}

    run = runyard.init(project=proj, name="prep", job_type="prep", settings=S)
    (d / "train.csv").write_text("x,y\\n1,2\\n3,4\\n")
    ds = runyard.Artifact("toydata", type="dataset", description="two rows", metadata={"rows": 2})
    ds.add_file(str(d / "train.csv"))
    run.log_artifact(ds).wait()
    scratch = runyard.Artifact("scratch", type="dataset")
    with scratch.new_file("rows.txt") as f:
        f.write("deleted later\\n")
    run.log_artifact(scratch).wait()
    out["prep"] = run.id
    runyard.finish()

    run = runyard.init(project=proj, name="train", job_type="train", settings=S)
    run.use_artifact("toydata:latest")
    run.use_artifact("scratch:v0")
    (d / "config.json").write_text(json.dumps({"layers": 2}))
    for i in range(2):
        (d / "weights.bin").write_bytes(bytes([i]) * 1000)
        art = runyard.Artifact("ckpt", type="model", description=f"checkpoint {i}",
                               metadata={"epoch": i, "acc": 0.5 + 0.2 * i})
        art.add_file(str(d / "config.json"))
        art.add_file(str(d / "weights.bin"))
        if i == 1:
            (d / "notes.txt").write_text("second checkpoint: better\\n")
            art.add_file(str(d / "notes.txt"))
            (d / "sample.png").write_bytes(png(8, 8, (200, 30, 30)))
            art.add_file(str(d / "sample.png"))
        run.log_artifact(art, aliases=["best"] if i == 1 else None).wait()
    out["train"] = run.id
    runyard.finish()

    run = runyard.init(project=proj, name="evaluate", job_type="eval", settings=S)
    run.use_artifact("ckpt:latest")
    rep = runyard.Artifact("report", type="eval")
    with rep.new_file("report.txt") as f:
        f.write("acc 0.9\\n")
    run.log_artifact(rep).wait()
    out["eval"] = run.id
    runyard.finish()
    runyard.Api().artifact(proj + "/scratch:v0").delete()  # train used it: its tab names it, deleted
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def arts(server, tmp_path_factory):
    """prep logs toydata:v0 (and scratch:v0) -> train uses both, logs ckpt v0 and v1 (one changed file,
    two added, alias "best") -> evaluate uses ckpt:latest and logs report:v0; scratch:v0 is deleted.
    Online, with the server's credentials."""
    work = tmp_path_factory.mktemp("arts")
    env = dict(
        os.environ,
        RUNYARD_HOME=str(server.config.home),
        PYTHONPATH=str(REPO),
        RUNYARD_SILENT="true",
        RUNYARD_API_KEY=server.api_key,
        RUNYARD_BASE_URL=server.url,
        RUNYARD_CACHE_DIR=str(work / "cache"),
    )
    for k in ("WANDB_API_KEY", "WANDB_BASE_URL", "RUNYARD_MODE", "WANDB_MODE"):
        env.pop(k, None)
    p = subprocess.run(
        [sys.executable, "-c", ARTS_WRITER, "arts"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout.split("RESULT ", 1)[1])


def url(server, rest: str) -> str:
    return f"{server.url}/{server.entity}/arts{rest}"


def test_artifacts_page_groups_by_type(page, server, arts):
    page.goto(url(server, ""))
    page.get_by_role("link", name="Artifacts", exact=True).click()
    page.get_by_role("heading", name="Artifacts", exact=True).wait_for()
    assert page.url.endswith("/arts/artifacts")
    for t in ("dataset", "eval", "model"):
        page.get_by_role("region", name=f"Type {t}").wait_for()
    row = page.locator('tr[data-artifact="ckpt"]')
    assert "2" in row.locator("td.num").inner_text()
    assert "v1" in row.inner_text()
    assert "best → v1" in row.inner_text()
    assert "train" in row.inner_text()
    shot(page, "40-artifacts")
    row.get_by_role("link", name="ckpt").click()
    page.get_by_role("heading", name="ckpt:v1").wait_for()


def test_version_page_files_aliases_runs(page, server, arts):
    page.goto(url(server, "/artifacts/ckpt/best"))
    page.get_by_role("heading", name="ckpt:v1").wait_for()
    body = page.locator(".overview-kv")
    assert "checkpoint 1" in body.inner_text()
    assert "best" in body.inner_text() and "latest" in body.inner_text()
    page.get_by_label("Used by").get_by_role("link", name="evaluate").wait_for()
    page.get_by_label("Logged by").get_by_role("link", name="train").wait_for()
    assert '"acc": 0.7' in page.get_by_role("region", name="Metadata").inner_text()
    files = page.get_by_role("region", name="Files")
    for f in ("config.json", "weights.bin", "notes.txt", "sample.png"):
        files.locator(f'tr[data-path="{f}"]').wait_for()
    # text preview
    files.locator('tr[data-path="notes.txt"]').get_by_role("button", name="Preview").click()
    page.get_by_role("region", name="Preview of notes.txt").get_by_text(
        "second checkpoint: better"
    ).wait_for()
    # image preview: decoded by the browser
    files.locator('tr[data-path="sample.png"]').get_by_role("button", name="Preview").click()
    img = page.get_by_role("region", name="Preview of sample.png").locator("img")
    img.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('.preview-img'); return i && i.naturalWidth === 8; }"
    )
    shot(page, "41-artifact-version")
    # download
    with page.expect_download() as dl:
        files.locator('tr[data-path="config.json"]').get_by_role("button", name="Download").click()
    assert dl.value.suggested_filename == "config.json"
    assert json.loads(Path(dl.value.path()).read_text()) == {"layers": 2}
    # alias edit: add, then remove
    page.get_by_label("New alias").fill("prod")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Remove alias prod").wait_for()
    page.reload()
    page.get_by_role("button", name="Remove alias prod").click()
    page.get_by_role("button", name="Remove alias prod").wait_for(state="detached")
    page.get_by_role("button", name="Remove alias best").wait_for()


def test_lineage_graph_click_through(page, server, arts):
    page.goto(url(server, "/artifacts/ckpt/v1/lineage"))
    graph = page.get_by_role("img", name="Lineage graph of ckpt:v1")
    graph.wait_for()
    for name in (
        "Run prep",
        "Artifact toydata:v0",
        "Run train",
        "Artifact ckpt:v1",
        "Run evaluate",
        "Artifact report:v0",
    ):
        page.get_by_role("link", name=name, exact=True).wait_for()
    # layers left to right: prep -> toydata -> train -> ckpt:v1 -> evaluate -> report
    xs = [
        page.get_by_role("link", name=n, exact=True).bounding_box()["x"]
        for n in (
            "Run prep",
            "Artifact toydata:v0",
            "Run train",
            "Artifact ckpt:v1",
            "Run evaluate",
            "Artifact report:v0",
        )
    ]
    assert xs == sorted(xs) and len(set(xs)) == 6, xs
    shot(page, "42-artifact-lineage")
    page.get_by_role("link", name="Artifact toydata:v0", exact=True).click()
    page.get_by_role("heading", name="toydata:v0").wait_for()
    page.get_by_role("tab", name="Lineage").click()
    page.get_by_role("link", name="Run train", exact=True).click()
    page.wait_for_url(f"**/runs/{arts['train']}")
    page.get_by_role("heading", name="train").wait_for()


def test_run_artifacts_tab(page, server, arts):
    page.goto(url(server, f"/runs/{arts['train']}"))
    page.get_by_role("tab", name="Artifacts").click()
    inputs = page.get_by_role("region", name="Inputs (used)")
    outputs = page.get_by_role("region", name="Outputs (logged)")
    inputs.get_by_role("link", name="toydata:v0").wait_for()
    deleted = inputs.locator("tr", has_text="scratch:v0")  # a tombstone: named, marked, no link
    deleted.get_by_text("deleted", exact=True).wait_for()
    assert deleted.get_by_role("link").count() == 0
    outputs.get_by_role("link", name="ckpt:v0").wait_for()
    outputs.get_by_role("link", name="ckpt:v1").wait_for()
    shot(page, "43-run-artifacts")
    outputs.get_by_role("link", name="ckpt:v0").click()
    page.get_by_role("heading", name="ckpt:v0").wait_for()


def test_diff_two_versions(page, server, arts):
    page.goto(url(server, "/artifacts/ckpt/v1/diff"))
    summary = page.get_by_label("Diff summary")
    summary.wait_for()
    assert "2 added" in summary.inner_text() and "1 changed" in summary.inner_text()
    assert "0 removed" in summary.inner_text() and "1 unchanged" in summary.inner_text()
    assert page.locator('tr[data-status="changed"]').inner_text().startswith("weights.bin")
    assert page.locator('tr[data-status="same"]').count() == 0
    page.get_by_label("show unchanged").check()
    page.locator('tr[data-status="same"]').wait_for()
    shot(page, "44-artifact-diff")
