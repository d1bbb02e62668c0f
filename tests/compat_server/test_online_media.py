"""Media from the official wandb client (0.31.0), online, into a real runyard server.

One run logs scalars, a `wandb.Image` (16x16x3 uint8 numpy, with a caption), a `wandb.Histogram`
(from a sequence), a `wandb.Table`, console output, and exits non-zero. Checked through runyard's own
API: the image file under `media/images/...` is byte-identical to the one the client wrote in its run
directory and the history value is wandb's `image-file` reference to it; the histogram value keeps
`values`/`bins`; the table's JSON is a media file of the run and the `run-<id>-<key>` `run_table`
artifact; state `failed` with the exit code.
"""

from __future__ import annotations

import hashlib
import json
import sys
import textwrap
from pathlib import Path

import pytest

from tests.compat_server.test_official_client import (  # noqa: F401
    api,
    check_summary_matches_wandb,
    client_run,
    console,
    wandb_env,
)

MEDIA = textwrap.dedent("""
    import json, sys, numpy as np, wandb
    run = wandb.init(project="wb")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    seq = [float(x) for x in rng.normal(size=200)]
    rows = [[1, "one", 0.5], [2, "two", 1.5], [3, "three", 2.5]]
    print("media run starts", flush=True)
    for i in range(3):
        run.log({"loss": 1.0 / (i + 1), "lr": 0.1 * i})
    run.log({"img": wandb.Image(pixels, caption="random pixels"),
             "hist": wandb.Histogram(seq),
             "tbl": wandb.Table(columns=["i", "name", "v"], data=rows),
             "loss": 0.2})
    print("media logged", flush=True)
    h = wandb.Histogram(seq)
    out = {"id": run.id, "dir": run.dir, "rows": rows, "counts": h.histogram, "bins": h.bins}
    print("EXPECT " + json.dumps(out), flush=True)
    sys.exit(5)
""")


def _local_files(run_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run_dir)): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}


def test_online_media(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    pytest.importorskip("numpy")
    exp = client_run(wandb_python, wandb_env, tmp_path, MEDIA, rc=5)
    local = {k: v for k, v in _local_files(Path(exp["dir"])).items() if k.startswith("media/")}
    run = api(server).run(f"admin/wb/{exp['id']}")
    assert run.state == "failed" and run.raw["exit_code"] == 5

    rows = list(run.scan_history())
    assert [r["_step"] for r in rows] == [0, 1, 2, 3]
    assert [(r["loss"], r.get("lr")) for r in rows[:3]] == [(1.0, 0.0), (0.5, 0.1), (1 / 3, 0.2)]
    last = rows[3]
    assert last["loss"] == 0.2 and "lr" not in last
    names = {f.name: f for f in run.files()}

    # the image: wandb's reference, the file at its path, byte for byte what the client wrote
    img = last["img"]
    assert img["_type"] == "image-file" and img["format"] == "png" and img["caption"] == "random pixels"
    assert (img["width"], img["height"]) == (16, 16) and img["path"].startswith("media/images/")
    data = local[img["path"]]
    assert img["sha256"] == hashlib.sha256(data).hexdigest() and img["size"] == len(data)
    assert names[img["path"]].kind == "media" and names[img["path"]].sha256 == img["sha256"]
    assert _download(names[img["path"]], tmp_path / "dl") == data

    # the histogram: counts and bin edges in the history value, exactly as the client computed them
    hist = last["hist"]
    assert hist == {"_type": "histogram", "values": exp["counts"], "bins": exp["bins"]}
    assert len(hist["bins"]) == len(hist["values"]) + 1 == 65 and sum(hist["values"]) == 200

    # the table: wandb's table-file reference, its JSON as a media file and as the run_table artifact
    tbl = last["tbl"]
    assert tbl["_type"] == "table-file" and (tbl["nrows"], tbl["ncols"]) == (3, 3)
    doc = local[tbl["path"]]
    assert _download(names[tbl["path"]], tmp_path / "dl") == doc
    assert json.loads(doc) == {"columns": ["i", "name", "v"], "data": exp["rows"]}
    art = api(server).artifact(f"admin/wb/run-{exp['id']}-tbl:latest")
    assert art.type == "run_table" and art.logged_by().id == exp["id"]
    root = Path(art.download(root=str(tmp_path / "art")))
    (art_file,) = [p for p in root.rglob("*") if p.is_file()]
    assert art_file.relative_to(root).as_posix() == "tbl.table.json"  # the client's typed table JSON
    art_doc = json.loads(art_file.read_bytes())
    assert art_doc["_type"] == "table" and art_doc["columns"] == ["i", "name", "v"]
    assert art_doc["data"] == exp["rows"]
    assert set(local) == {img["path"], tbl["path"]} <= set(names)

    # summary (last values of media keys included), console
    check_summary_matches_wandb(run, tmp_path / "dl")
    assert run.summary["img"]["path"] == img["path"] and run.summary["hist"]["_type"] == "histogram"
    lines = [x[1] for x in console(server, exp["id"])]
    assert lines[:2] == ["media run starts", "media logged"]


def _download(f, root: Path) -> bytes:
    f.download(root, replace=True).close()
    return (root / f.name).read_bytes()


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the wandb client venv fixture is POSIX-only")
