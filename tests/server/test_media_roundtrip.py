"""Media round-trip through a real server: what the SDK wrote is what the server serves back.

One run logs every media type (Image with masks and boxes, a list of images, a Table with image
cells, Histogram, Audio, Video from a file and from frames, Html, Object3D, a `runyard.plot` chart,
a matplotlib figure, a plotly figure) at two steps, and an image in the summary, online (streamed during the run) or offline and then
`runyard sync`. Then, on SQLite and PostgreSQL:

* every file under the run's `files/media/` is served by `GET .../files/{path}` byte for byte,
  and the server lists no media file the run does not have;
* every file a history value (or a table cell) points at is one of them, with its sha256 and size;
* each media key's history read back through the server (`history/raw` and
  `runyard.Api().run(...).history()`) equals the local one (`runyard.runlog.read(run_dir)`).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

import runyard
from runyard.runlog import read
from runyard.sdk.http_client import Client

from .conftest import cli

pytest.importorskip("numpy")
pytest.importorskip("PIL")
pytest.importorskip("matplotlib")

LOG_ALL = textwrap.dedent("""
    import os, sys
    import numpy as np
    import runyard

    rng = np.random.default_rng(7)
    run = runyard.init(project="media", mode=sys.argv[1], config={"k": 1},
                       settings=runyard.Settings(x_disable_stats=True, silent=True))

    def img(h=32, w=48):
        return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)

    from PIL import Image as PILImage
    gif = os.path.abspath("clip.gif")
    frames = [PILImage.fromarray(img(24, 24)) for _ in range(4)]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100, loop=0)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    ax.plot([0, 1, 2], [1, 0, 2])

    try:
        import imageio_ffmpeg  # noqa: F401
        has_ffmpeg = True
    except ImportError:
        has_ffmpeg = False

    try:
        import plotly.graph_objects as go
        plotly_fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 1, 3]))
        has_plotly = True
    except ImportError:
        has_plotly = False

    mask = rng.integers(0, 3, size=(32, 48)).astype(np.uint8)
    boxes = {"pred": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
                                    "class_id": 1, "box_caption": "cat", "scores": {"p": 0.9}},
                                   {"position": {"middle": [0.5, 0.5], "width": 0.2, "height": 0.3},
                                    "class_id": 2}],
                      "class_labels": {1: "cat", 2: "dog"}}}
    table = runyard.Table(columns=["id", "img", "score", "note"])
    chart_rows = runyard.Table(columns=["epoch", "loss"], data=[[i, 1.0 / (i + 1)] for i in range(10)])
    for step in range(2):
        table.add_data(step, runyard.Image(img(16, 16), caption=f"cell {step}"), 0.5 * step, "é ✓")
        d = {
            "img/plain": runyard.Image(img(), caption=f"step {step}"),
            "img/annotated": runyard.Image(
                img(), masks={"seg": {"mask_data": mask, "class_labels": {0: "bg", 1: "a", 2: "b"}}},
                boxes=boxes),
            "img/gallery": [runyard.Image(img(), caption=f"g{j}") for j in range(3)],
            "table": table,
            "hist": runyard.Histogram(rng.normal(size=1000)),
            "audio": runyard.Audio(rng.uniform(-0.5, 0.5, size=4000).astype(np.float32),
                                   sample_rate=8000, caption="noise"),
            "video/file": runyard.Video(gif, caption="gif"),
            "html": runyard.Html(f"<h1>step {step}</h1>"),
            "cloud": runyard.Object3D(rng.normal(size=(100, 3))),
            "chart": runyard.plot.line(chart_rows, "epoch", "loss", title="Loss"),
            "fig": fig,
            "odd key #1 (50%) é+ü": runyard.Image(img(8, 8)),  # a file name that needs URL quoting
            "loss": 1.0 / (step + 1),
        }
        if has_ffmpeg:
            d["video/frames"] = runyard.Video(
                rng.integers(0, 256, size=(4, 3, 32, 32), dtype=np.uint8), fps=4, format="mp4")
        if has_plotly:
            d["plotly"] = plotly_fig
        run.log(d)
    run.summary["best"] = runyard.Image(img(8, 8), caption="best")
    print("RESULT", run.id, run.sync_dir, int(has_ffmpeg), int(has_plotly), flush=True)
    runyard.finish()
""")

# key -> the `_type` its history value must have (checked so that a type silently logged as
# something else fails here rather than "round-tripping" the wrong thing)
EXPECTED_TYPES = {
    "img/plain": "image-file",
    "img/annotated": "image-file",
    "img/gallery": "images/separated",
    "table": "table-file",
    "hist": "histogram",
    "audio": "audio-file",
    "video/file": "video-file",
    "video/frames": "video-file",
    "html": "html-file",
    "cloud": "object3D-file",
    "chart": "table-file",
    "fig": "image-file",
    "plotly": "plotly-file",
    "odd key #1 (50%) é+ü": "image-file",
}


def _log_all(env: dict, cwd: Path, mode: str) -> tuple[str, Path, set[str]]:
    cwd.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [sys.executable, "-c", LOG_ALL, mode], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stdout + p.stderr
    line = next(x for x in p.stdout.splitlines() if x.startswith("RESULT "))
    _, run_id, run_dir, ffmpeg, plotly = line.split()
    missing = {k for k, flag in (("video/frames", ffmpeg), ("plotly", plotly)) if flag != "1"}
    return run_id, Path(run_dir), missing


def _media_refs(v, out: set[str]) -> None:
    """Every run-file path a history value points at (tables: also their cells, read from disk)."""
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "path" and isinstance(x, str):
                out.add(x)
            else:
                _media_refs(x, out)
    elif isinstance(v, list):
        for x in v:
            _media_refs(x, out)


def _same(a, b) -> bool:
    """Exact equality of JSON values (types included: 1 != 1.0 here), with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _check_roundtrip(server, run_id: str, run_dir: Path, missing: set[str]) -> None:
    rd = read(run_dir)
    assert rd.state == "finished"
    keys = [k for k in EXPECTED_TYPES if k not in missing]  # video from frames needs imageio-ffmpeg
    base = f"/api/v1/runs/admin/media/{run_id}"
    files_dir = run_dir / "files"
    local = {
        p.relative_to(files_dir).as_posix(): p.read_bytes()
        for p in (files_dir / "media").rglob("*")
        if p.is_file()
    }
    c = Client(server.url, server.api_key)
    try:
        # -- files: the same set, byte for byte -----------------------------------------------
        listed = {f["path"]: f for f in c.get_json(base + "/files")["files"]}
        remote_media = {p for p in listed if p.startswith("media/")}
        assert remote_media == set(local), (
            f"missing on the server: {sorted(set(local) - remote_media)}; "
            f"extra: {sorted(remote_media - set(local))}"
        )
        for rel, data in local.items():
            status, body = _get_bytes(server, f"{base}/files/{quote(rel)}")
            assert status == 200, (rel, status)
            assert body == data, f"{rel}: {len(body)} bytes served, {len(data)} on disk"
            if "sha256" in listed[rel]:
                assert listed[rel]["sha256"] == hashlib.sha256(data).hexdigest(), rel

        # -- history values: what the server returns equals the run log ----------------------
        # the summary's image (a media value outside the history)
        best = rd.summary["best"]
        assert best["_type"] == "image-file" and best["path"] in local
        assert _same(c.get_json(base)["summary"]["best"], best)
        refs: set[str] = {best["path"]}

        raw = c.get_json(base + "/history/raw", {"keys": ",".join(keys)})["series"]
        by_key = {s["key"]: s for s in raw}
        for k in keys:
            steps, values = rd.series(k)
            assert steps == [0, 1], (k, steps)
            assert all(isinstance(v, dict) and v.get("_type") == EXPECTED_TYPES[k] for v in values), (
                k,
                values,
            )
            assert k in by_key, f"history/raw has no series {k!r}"
            assert by_key[k]["step"] == steps, k
            assert _same(by_key[k]["value"], values), f"{k}: server {by_key[k]['value']} != local {values}"
            for v in values:
                _media_refs(v, refs)
                for name in v.get("filenames", ()):  # images/separated: paths are in `filenames`
                    refs.add(name)
                if v.get("path"):
                    data = local[v["path"]]
                    assert v["sha256"] == hashlib.sha256(data).hexdigest() and v["size"] == len(data), k
    finally:
        c.close()
    # table files point at their cell images: those are run files too
    for rel in [r for r in refs if r.endswith(".table.json")]:
        _media_refs(json.loads(local[rel]), refs)
    assert refs <= set(local), (
        f"history values point at files that are not there: {sorted(refs - set(local))}"
    )
    assert any(r.startswith("media/images/table_") for r in refs), "the table's image cells"
    assert len(local) >= 30, sorted(local)  # every type at two steps: a sanity floor, not an exact count

    # -- the public API reads the same rows ---------------------------------------------------
    api = runyard.Api(overrides={"base_url": server.url}, api_key=server.api_key)
    rows = api.run(f"admin/media/{run_id}").history(pandas=False)
    local_rows = rd.history()
    assert len(rows) == len(local_rows) == 2
    for got, want in zip(rows, local_rows):
        for k in keys + ["loss", "_step"]:
            assert k in want and k in got, (k, sorted(got), sorted(want))
            assert _same(got.get(k), want.get(k)), f"Api history {k!r}: {got.get(k)} != {want.get(k)}"


def _get_bytes(server, path: str) -> tuple[int, bytes]:
    """GET a run file as raw bytes (plain urllib: nothing between the wire and the comparison)."""
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {server.api_key}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def test_media_roundtrip_online(server, client_env, tmp_path):
    run_id, run_dir, missing = _log_all(client_env, tmp_path / "w", "online")
    assert (run_dir / ".synced").exists()
    _check_roundtrip(server, run_id, run_dir, missing)
    # nothing was left for a later sync
    assert "nothing to sync" in cli(["sync", str(tmp_path / "w")], client_env).stdout


def test_media_roundtrip_offline_sync(server, client_env, tmp_path):
    run_id, run_dir, missing = _log_all(client_env, tmp_path / "w", "offline")
    assert not (run_dir / ".synced").exists()
    cli(["sync", str(run_dir)], client_env)
    assert (run_dir / ".synced").exists()
    _check_roundtrip(server, run_id, run_dir, missing)
