"""Paths a client names never lead outside the place they belong to: media paths at ingest (real
server, SQLite and PostgreSQL), `runyard import wandb` on a crafted offline run, `File.download`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from runyard.api.files import File
from runyard.errors import UsageError
from runyard.wire.api_models import RunFile
from tests.compat.conftest import run_wandb, wandb_file, wandb_python  # noqa: F401
from tests.server.conftest import cli

from .crafted import ingest, run_log


# -- media paths at ingest ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        {"_type": "html-file", "path": "../../../projects"},  # the UI would fetch /api/v1/projects
        {"_type": "image-file", "path": "/etc/passwd"},
        {"_type": "images/separated", "filenames": ["media/images/a.png", "media/../../x.png"]},
        {"_type": "image-file", "path": "media/a.png", "masks": {"m": {"_type": "mask", "path": "a//b"}}},
    ],
)
def test_media_path_leaving_the_run_is_refused_at_ingest(server, value):
    for where in ("history", "summary"):
        rid = f"media-{where}"
        data = (
            run_log(rid, history=[{"page": value}])
            if where == "history"
            else run_log(rid, summary={"v": value})
        )
        r = ingest(server, rid, data)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "bad_path" and "media file path" in r.json()["error"]["message"]
        # nothing of the refused chunk is stored: the run does not exist
        got = httpx.get(
            f"{server.url}/api/v1/runs/admin/p/{rid}",
            headers={"Authorization": f"Bearer {server.api_key}"},
            timeout=60,
        )
        assert got.status_code == 404


def test_media_paths_inside_the_run_are_accepted(server):
    ok = {"_type": "image-file", "path": "media/images/a_0_123.png", "masks": {"m": {"path": "media/m.png"}}}
    r = ingest(server, "media-ok", run_log("media-ok", history=[{"img": ok}], summary={"img": ok}))
    assert r.status_code == 200, r.text
    # a plain dict that only looks like one (no `_type`) is the user's data, not a file reference
    r = ingest(server, "plain", run_log("plain", history=[{"cfg": {"path": "/data/train"}}]))
    assert r.status_code == 200, r.text


# -- runyard import wandb on a crafted offline run ----------------------------------------------------
LOG_ARTIFACT = r"""
import wandb
run = wandb.init(project="imp", entity="alice", mode="offline")
open("a.txt", "w").write("hello\n")
art = wandb.Artifact("data", "dataset")
art.add_file("a.txt")
run.log_artifact(art)
wandb.log({"x": 1})
wandb.finish()
"""

# Rewrites a real .wandb file with wandb's own protobuf classes (its venv): the run id, and copies of
# the logged artifact whose one entry names another file. Reads as tests/compat/wandb_scripts.DECODE.
CRAFT = r"""
import json, struct, sys, zlib
from wandb.proto import wandb_internal_pb2 as pb
src, dst, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
data = open(src, "rb").read()
pos, buf, records = 7, b"", []
while pos < len(data):
    room = 32768 - pos % 32768
    if room < 7:
        pos += room
        continue
    crc, n, t = struct.unpack_from("<IHB", data, pos)
    if n == 0 and t == 0:
        break
    buf += data[pos + 7 : pos + 7 + n]
    pos += 7 + n
    if t in (1, 4):
        r = pb.Record()
        r.ParseFromString(buf)
        records.append(r)
        buf = b""
out = []
for r in records:
    kind = r.WhichOneof("record_type")
    if kind == "run" and spec.get("run_id"):
        r.run.run_id = spec["run_id"]
    out.append(r)
    if kind == "artifact" and r.artifact.type != "run_table" and spec.get("steal"):
        for i, (path, digest) in enumerate(spec["steal"]):
            a = pb.Record()
            a.CopyFrom(r)
            a.artifact.name = "stolen%d" % i
            a.artifact.manifest.contents[0].local_path = path
            a.artifact.manifest.contents[0].digest = digest
            out.append(a)
w = bytearray(data[:7])
for r in out:
    p, first = r.SerializeToString(), True
    while True:
        room = 32768 - len(w) % 32768
        if room < 7:
            w.extend(b"\0" * room)
            continue
        piece, p = p[: room - 7], p[room - 7 :]
        t = (1 if not p else 2) if first else (4 if not p else 3)
        w.extend(struct.pack("<IHB", zlib.crc32(bytes([t]) + piece), len(piece), t) + piece)
        first = False
        if not p:
            break
open(dst, "wb").write(w)
"""


@pytest.fixture(scope="module")
def wandb_art_run(wandb_python, tmp_path_factory) -> Path:  # noqa: F811
    root = tmp_path_factory.mktemp("wandb-craft")
    run_wandb(wandb_python, LOG_ARTIFACT, root, "art.py")
    (d,) = (root / "wandb").glob("offline-run-*")
    return d


def craft(wandb_python: Path, run_dir: Path, dest: Path, spec: dict) -> Path:  # noqa: F811
    """A copy of the run's folder whose .wandb file is rewritten per `spec`."""
    shutil.copytree(run_dir, dest, symlinks=True)
    f = wandb_file(dest)
    p = subprocess.run(
        [str(wandb_python), "-c", CRAFT, str(wandb_file(run_dir)), str(f), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    return f


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def test_crafted_run_id_writes_nothing_outside_out(wandb_python, wandb_art_run, tmp_path, monkeypatch):  # noqa: F811
    src = craft(
        wandb_python, wandb_art_run, tmp_path / "in" / "wandb" / "offline-run-x", {"run_id": "../../x"}
    )
    out = tmp_path / "a" / "b" / "out"
    out.mkdir(parents=True)
    before = _tree(tmp_path)
    p = cli(["import", "wandb", "--out", str(out), str(src)], dict(os.environ), check=False)
    assert p.returncode == 1 and "run id '../../x'" in p.stderr, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    new = _tree(tmp_path) - before
    assert all(out in q.parents for q in new), sorted(new)


def test_crafted_artifact_never_uploads_a_local_file(
    wandb_python,  # noqa: F811
    wandb_art_run,
    server,
    client_env,
    home,
    tmp_path,
):
    secret = (home / "credentials").read_bytes()  # the server's own credentials: its admin key
    md5 = base64.b64encode(hashlib.md5(secret).digest()).decode()
    steal = [[str(home / "credentials"), ""], [str(home / "credentials"), md5]]  # no digest; right digest
    src = craft(wandb_python, wandb_art_run, tmp_path / "in" / "wandb" / "offline-run-x", {"steal": steal})
    env = dict(client_env, WANDB_DATA_DIR=str(wandb_art_run.parents[1] / ".wandb-data"))
    p = cli(["import", "wandb", "--sync", "--out", str(tmp_path / "out"), str(src)], env)
    assert "'stolen0'" in p.stdout and "no digest" in p.stdout, p.stdout
    assert "'stolen1'" in p.stdout and "outside wandb's staging folder" in p.stdout, p.stdout
    assert "'data'" in p.stdout and "imported, 1 file(s)" in p.stdout, p.stdout  # the genuine one
    # nowhere on the server, nor staged for a later sync
    stored = [f for f in (home / "blobs").rglob("*") if f.is_file()]
    assert stored and not any(secret in f.read_bytes() for f in stored)
    staged = [f for f in (tmp_path / "out").rglob("*") if f.is_file()]
    assert not any(secret in f.read_bytes() for f in staged)
    arts = httpx.get(
        f"{server.url}/api/v1/artifacts/alice/imp",
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=60,
    ).json()["artifacts"]
    assert [a["name"] for a in arts] == ["data"]


# -- runyard.Api file downloads ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../escape.txt", "/tmp/abs.txt", "a/../../b.txt", "a//b", "C:/x"])
def test_file_download_refuses_names_leaving_root(tmp_path, name):
    root = tmp_path / "root"
    # the server's answer as runyard.Api reads it; the transport is never reached
    doc = RunFile(path=name, size=1, sha256="0" * 64, content_type=None, kind=None, updated_at=0.0)
    f = File(None, "/api/v1/runs/e/p/r", doc)  # type: ignore[arg-type]
    before = _tree(tmp_path)
    with pytest.raises(UsageError, match="refusing to download"):
        f.download(root)
    assert _tree(tmp_path) == before
