"""Artifacts of wandb offline runs: staged into the imported run dir, uploaded by `runyard sync`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from runyard.compat.wandb_import import describe, import_file  # noqa: E402
from runyard.wire.reader import read  # noqa: E402
from tests.server.conftest import cli as ry  # noqa: E402

from .conftest import run_wandb, wandb_file  # noqa: E402

A_TXT = b"hello a\n"
B_BIN = bytes(range(256)) * 40

SCRIPT = r"""
import wandb
run = wandb.init(project="imp", entity="alice", name="art-run", mode="offline")
open("a.txt", "wb").write(b"hello a\n")
open("b.bin", "wb").write(bytes(range(256)) * 40)
art = wandb.Artifact("data", "dataset", description="two files", metadata={"k": 1})
art.add_file("a.txt")
art.add_file("b.bin", name="sub/b.bin")
run.log_artifact(art, aliases=["best"])
wandb.log({"x": 1})
wandb.finish()
"""


@pytest.fixture(scope="module")
def art_root(wandb_python, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wandb-art")
    run_wandb(wandb_python, SCRIPT, root, "art.py")
    (root / "a.txt").write_bytes(b"changed after logging")  # wandb logged its own staging copy
    return root


@pytest.fixture(autouse=True)
def wandb_data_dir(art_root, monkeypatch) -> str:
    """The importer reads artifact files only from wandb's staging folder: the one the runs used."""
    d = str(art_root / ".wandb-data")
    monkeypatch.setenv("WANDB_DATA_DIR", d)
    return d


def _run_dir(root: Path) -> Path:
    (d,) = (root / "wandb").glob("offline-run-*")
    return d


def test_import_stages_artifacts_deterministically(art_root, tmp_path):
    src = wandb_file(_run_dir(art_root))
    res = import_file(src, tmp_path / "a")
    assert res.conversion is not None and res.conversion.converted["ARTIFACT"] == 1
    staged = list((res.run_dir / "artifacts").glob("*.json"))
    assert len(staged) == 1 and res.artifacts_staged == 1
    doc = json.loads(staged[0].read_text())
    assert doc["name"] == "data" and doc["type"] == "dataset" and doc["aliases"] == ["best"]
    assert doc["metadata"] == {"k": 1} and doc["description"] == "two files"
    assert sorted(e["path"] for e in doc["manifest"]) == ["a.txt", "sub/b.bin"]
    blobs = res.run_dir / "artifacts" / "blobs"
    assert sorted(p.read_bytes() for p in blobs.iterdir()) == sorted([A_TXT, B_BIN])
    assert any("'data'" in line and "imported" in line for line in describe(res))
    # same input, same bytes: a second import elsewhere gives the identical log and staging
    res2 = import_file(src, tmp_path / "b")
    log = next(res.run_dir.glob("*.rylog")).read_bytes()
    assert next(res2.run_dir.glob("*.rylog")).read_bytes() == log
    (staged2,) = (res2.run_dir / "artifacts").glob("*.json")
    assert staged2.name == staged[0].name and staged2.read_bytes() == staged[0].read_bytes()
    assert import_file(src, tmp_path / "a").status == "unchanged"


def test_artifact_whose_files_are_gone_is_reported_skipped(art_root, tmp_path):
    staging = art_root / ".wandb-data" / "artifacts" / "staging"  # where wandb kept its copies
    assert len(list(staging.iterdir())) == 2
    hidden = staging.with_name("staging-gone")
    staging.rename(hidden)
    try:
        res = import_file(wandb_file(_run_dir(art_root)), tmp_path)
    finally:
        hidden.rename(staging)
    assert res.ok and res.artifacts_staged == 0
    assert not (res.run_dir / "artifacts").exists()
    assert res.conversion is not None and res.conversion.converted["ARTIFACT"] == 0
    (line,) = [a for a in res.conversion.artifacts if "'data'" in a]
    assert "skipped" in line and "missing" in line and "a.txt" in line


def test_imported_artifact_synced_to_the_server(
    server, client_env, art_root, tmp_path, monkeypatch, wandb_data_dir
):
    src = tmp_path / "w" / "wandb"
    shutil.copytree(art_root / "wandb", src, symlinks=True)
    out = ry(["import", "wandb", "--sync", str(src)], dict(client_env, WANDB_DATA_DIR=wandb_data_dir)).stdout
    assert "1 run(s) uploaded" in out, out
    (d,) = (tmp_path / "w" / "runyard").glob("offline-run-*")
    rid = read(d).run["run_id"]

    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RUNYARD_HOME", client_env["RUNYARD_HOME"])
    monkeypatch.setenv("RUNYARD_CACHE_DIR", str(tmp_path / "cache"))
    from runyard.api import Api

    a = Api().artifact("alice/imp/data:v0")
    assert a.version == "v0" and a.type == "dataset" and "best" in a.aliases
    assert Api().artifact("alice/imp/data:best").digest == a.digest
    assert a.metadata == {"k": 1} and a.logged_by().id == rid
    root = Path(a.download(tmp_path / "dl"))
    assert (root / "a.txt").read_bytes() == A_TXT and (root / "sub" / "b.bin").read_bytes() == B_BIN

    again = ry(["sync", "--include-synced", str(tmp_path / "w")], client_env).stdout
    assert "already up to date" in again
    assert [v.version for v in Api().artifact_versions("dataset", "alice/imp/data")] == ["v0"]
