"""Artifacts from the official wandb client (0.31.0) into runyard's artifact repository, and back.

`log_artifact` (files in folders, metadata, a user alias), the same content again (dedup:
`CreateArtifact` answers COMMITTED, nothing uploaded, no new version), changed content (v1), a
`wandb.Table` (artifact `run-<id>-<key>` of type `run_table`), then `use_artifact(...).download()` by
alias and version from another run. Checked byte for byte through runyard's own API.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from runyard.store.tables import protocol_state
from tests.compat_server.test_official_client import api, client_run, wandb_env  # noqa: F401

LOG = textwrap.dedent("""
    import json, os, wandb
    os.makedirs("data/sub", exist_ok=True)
    open("data/a.txt", "w").write("alpha\\n")
    open("data/sub/b.bin", "wb").write(bytes(range(256)) * 300)
    run = wandb.init(project="art")
    art = wandb.Artifact("ds", type="dataset", description="first", metadata={"k": 1})
    art.add_dir("data")
    first = run.log_artifact(art, aliases=["best"])
    first.wait()
    again = wandb.Artifact("ds", type="dataset")
    again.add_dir("data")
    dup = run.log_artifact(again)
    dup.wait()
    open("data/a.txt", "w").write("alpha changed\\n")
    third = wandb.Artifact("ds", type="dataset")
    third.add_dir("data")
    new = run.log_artifact(third)
    new.wait()
    run.log({"tbl": wandb.Table(columns=["x", "y"], data=[[1, "a"], [2, "b"]])})
    out = {"id": run.id, "versions": [first.version, dup.version, new.version],
           "digests": [first.digest, dup.digest, new.digest]}
    run.finish()
    print("EXPECT " + json.dumps(out), flush=True)
""")

USE = textwrap.dedent("""
    import json, os, wandb
    run = wandb.init(project="art")
    latest = run.use_artifact("ds:latest")
    p1 = latest.download(root="dl-latest")
    best = run.use_artifact("ds:best")
    p0 = best.download(root="dl-best")
    read = lambda root: {os.path.relpath(os.path.join(d, f), root): open(os.path.join(d, f), "rb").read().hex()
                         for d, _, fs in os.walk(root) for f in fs}
    out = {"id": run.id, "latest": [latest.version, latest.digest, sorted(latest.aliases), read(p1)],
           "best": [best.version, best.digest, sorted(best.aliases), read(p0), best.metadata, best.description]}
    run.finish()
    print("EXPECT " + json.dumps(out), flush=True)
""")


def _files(art, tmp: Path) -> dict[str, bytes]:
    root = Path(art.download(root=str(tmp)))
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_artifact_log_dedup_use_download(wandb_python, wandb_env, server, home, tmp_path):  # noqa: F811
    logged = client_run(wandb_python, wandb_env, tmp_path, LOG)
    # the identical second artifact was answered COMMITTED by CreateArtifact: never pending, no upload
    pending = server.store.db.read(
        lambda c: c.execute(sa.select(sa.func.count()).where(protocol_state.c.kind == "artifact")).scalar()
    )
    assert pending == 3
    assert logged["versions"] == ["v0", "v0", "v1"]  # identical content: the same version
    assert logged["digests"][0] == logged["digests"][1] != logged["digests"][2]
    ry = api(server)
    v0, v1 = ry.artifact("admin/art/ds:v0"), ry.artifact("admin/art/ds:v1")
    b = bytes(range(256)) * 300
    assert _files(v0, tmp_path / "r0") == {"a.txt": b"alpha\n", "sub/b.bin": b}
    assert _files(v1, tmp_path / "r1") == {"a.txt": b"alpha changed\n", "sub/b.bin": b}
    assert v0.type == "dataset" and v0.metadata == {"k": 1} and v0.description == "first"
    assert sorted(v0.aliases) == ["best"] and sorted(v1.aliases) == ["latest"]
    assert [a.version for a in ry.artifact_versions("dataset", "admin/art/ds")] in (
        ["v0", "v1"],
        ["v1", "v0"],
    )
    # the table logged with run.log arrives as its run_table artifact
    tbl = ry.artifact(f"admin/art/run-{logged['id']}-tbl:latest")
    assert tbl.type == "run_table"
    (doc,) = _files(tbl, tmp_path / "rt").values()
    assert json.loads(doc)["data"] == [[1, "a"], [2, "b"]]

    used = client_run(wandb_python, wandb_env, tmp_path, USE)
    ver, digest, aliases, files = used["latest"]
    assert ver == "v1" and digest == logged["digests"][2] and "latest" in aliases
    assert files == {"a.txt": b"alpha changed\n".hex(), "sub/b.bin": b.hex()}
    ver, digest, aliases, files, meta, desc = used["best"]
    assert ver == "v0" and digest == logged["digests"][0] and "best" in aliases
    assert files == {"a.txt": b"alpha\n".hex(), "sub/b.bin": b.hex()}
    assert meta == {"k": 1} and desc == "first"
    # lineage, through runyard's API
    assert v1.logged_by().id == logged["id"] == v0.logged_by().id
    assert [r.id for r in v1.used_by()] == [used["id"]] == [r.id for r in v0.used_by()]
    # runyard's sha256 entries, wandb's base64 MD5 kept beside
    entry = v0.get_entry("sub/b.bin")
    assert entry.sha256 == hashlib.sha256(b).hexdigest()
    assert entry.extra["md5"] == base64.b64encode(hashlib.md5(b).digest()).decode()


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the wandb client venv fixture is POSIX-only")
