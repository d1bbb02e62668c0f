"""Imported wandb runs uploaded to a real server: `import --sync`, re-import, `runyard sync`, exactly once."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("starlette")

from runyard.sdk.http_client import Client  # noqa: E402
from runyard.wire.reader import read  # noqa: E402
from tests.server.conftest import cli as ry  # noqa: E402

from .conftest import wandb_file  # noqa: E402


def api(server, path, **params):
    c = Client(server.url, server.api_key)
    try:
        return c.get_json(path, params or None)
    finally:
        c.close()


def test_import_twice_and_sync_twice_is_exactly_once(server, client_env, wandb_root, good_run, tmp_path):
    src = tmp_path / "a" / "wandb"
    shutil.copytree(wandb_root / "wandb", src, symlinks=True)
    out = ry(["import", "wandb", "--sync", str(src / good_run.name)], client_env).stdout
    assert "1 run(s) uploaded" in out
    (d,) = (tmp_path / "a" / "runyard").glob("offline-run-*")
    assert (d / ".synced").exists()
    rd = read(d)
    rid = rd.run["run_id"]
    base = f"/api/v1/runs/alice/imp/{rid}"
    doc = api(server, base)
    assert doc["state"] == "finished" and doc["name"] == "good-run"
    assert doc["config"] == rd.config and doc["summary"]["best"] == 0.99
    points = doc["history_points"]
    raw = {s["key"]: s for s in api(server, base + "/history/raw", keys="train/loss,extra/x")["series"]}
    assert raw["train/loss"]["step"] == list(range(50))
    assert raw["train/loss"]["value"] == [1.0 / (i + 1) for i in range(50)]
    assert raw["extra/x"]["step"] == [0, 10, 20, 30, 40]
    lines = [x["line"] for x in api(server, base + "/console")["lines"]]
    assert "hello from the run" in lines and "done" in lines
    files = {f["path"] for f in api(server, base + "/files")["files"]}
    assert rd.history()[-1]["img"]["path"] in files and "output.log" in files

    # the same wandb run imported again elsewhere (same segment, same bytes) and synced: nothing new
    ry(["import", "wandb", "--out", str(tmp_path / "b"), str(src / good_run.name)], client_env)
    out = ry(["sync", str(tmp_path / "b")], client_env).stdout
    assert "1 already up to date" in out
    out = ry(["sync", "--include-synced", str(tmp_path / "a")], client_env).stdout
    assert "1 already up to date" in out
    doc = api(server, base)
    assert doc["history_points"] == points
    raw = api(server, base + "/history/raw", keys="train/loss")["series"][0]
    assert raw["step"] == list(range(50))
    assert len([x for x in api(server, base + "/console")["lines"] if x["line"] == "done"]) == 1


def test_a_torn_import_synced_then_the_whole_file_only_appends(server, client_env, failed_run, tmp_path):
    d = tmp_path / "wandb" / failed_run.name
    shutil.copytree(failed_run, d, symlinks=True)
    f = wandb_file(d)
    data = f.read_bytes()
    f.write_bytes(data[: int(len(data) * 0.6)])
    ry(["import", "wandb", "--sync", str(d)], client_env)
    (rdir,) = (tmp_path / "runyard").glob("offline-run-*")
    rid = read(rdir).run["run_id"]
    base = f"/api/v1/runs/alice/imp/{rid}"
    first = api(server, base + "/history/raw", keys="loss")["series"][0]["step"]
    assert len(first) < 5
    f.write_bytes(data)  # the rest of the file arrives (e.g. the run was still being written)
    out = ry(["import", "wandb", str(d)], client_env).stdout
    assert "updated: " in out
    assert "1 run(s) uploaded" in ry(["sync", str(tmp_path)], client_env).stdout
    raw = api(server, base + "/history/raw", keys="loss")["series"][0]
    assert raw["step"] == [0, 1, 2, 3, 4] and raw["value"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    doc = api(server, base)
    assert doc["state"] == "failed" and doc["exit_code"] == 1
