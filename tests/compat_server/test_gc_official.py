"""Blob gc against the official wandb client (0.31.0) at the two moments where the client cannot be
asked again: a run file sent before the run's first history line, and an artifact file whose bytes the
server already held, taken by gc between the upload and its recording. gc is run at that exact
point in the server (in-process), no sleeps."""

from __future__ import annotations

import hashlib
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from runyard.server.wandb import state
from runyard.server.wandb.runs import WandbRuns
from runyard.server.wandb.state import RunKey
from tests.compat_server.test_official_client import api, client_run

NOTES = "notes written before the first log call\n"

EARLY_FILES = (
    textwrap.dedent("""
    import json, wandb
    run = wandb.init(project="gc", settings=wandb.Settings(x_disable_stats=True))
    open("notes.txt", "w").write(%r)
    run.save("notes.txt", policy="now")
    run.log({"loss": 0.5})
    run.finish()
    print("EXPECT " + json.dumps({"id": run.id}), flush=True)
""")
    % NOTES
)


def test_files_the_client_sends_before_the_first_history_line_survive_gc(
    wandb_python, wandb_env, server, tmp_path, monkeypatch
):
    """wandb-metadata.json and requirements.txt (and notes.txt, when it comes early enough) arrive
    before the run is in the store. A gc round (grace 0: the uploads are as old as its grace) runs
    right after the first of them is accepted: every file then waiting is a readable run file at the
    end."""
    s, add_file, rounds, one = server.store, WandbRuns.add_file, [], threading.Lock()

    def add_then_gc(self: WandbRuns, user: Any, key: RunKey, *args: Any) -> None:
        add_file(self, user, key, *args)  # the client uploads several files at once: one round
        with one:
            st = s.db.read(lambda conn: state.get(s, conn, key))
            if not rounds and st is not None and st.get("files_waiting"):
                rounds.append((dict(st["files_waiting"]), s.collect_garbage(delete=True, grace_seconds=0)))

    monkeypatch.setattr(WandbRuns, "add_file", add_then_gc)
    out = client_run(wandb_python, wandb_env, tmp_path, EARLY_FILES)
    ((waiting, _gc),) = rounds
    run = api(server).run(f"admin/gc/{out['id']}")
    for path, (_size, sha) in waiting.items():
        run.file(path).download(root=str(tmp_path / "dl"), replace=True).close()
        assert hashlib.sha256((tmp_path / "dl" / path).read_bytes()).hexdigest() == sha, path
    run.file("notes.txt").download(root=str(tmp_path / "dl"), replace=True).close()
    assert (tmp_path / "dl" / "notes.txt").read_text() == NOTES


LOG_ARTIFACT = textwrap.dedent("""
    import json, wandb
    run = wandb.init(project="gc", settings=wandb.Settings(x_disable_stats=True))
    open("shard.bin", "wb").write(bytes.fromhex(%r))
    art = wandb.Artifact("shards", type="dataset")
    art.add_file("shard.bin")
    logged = run.log_artifact(art)
    logged.wait()
    run.finish()
    print("EXPECT " + json.dumps({"version": logged.version}), flush=True)
""")


def test_an_artifact_file_gc_takes_during_its_upload_is_sent_again_by_the_client(
    wandb_python,
    wandb_env,
    server,
    tmp_path,
):
    """The shard's bytes are an old orphan of the store: the client's PUT stores nothing new, and gc
    deletes the blob right after. The server answers 503, the client retries the PUT, and the
    artifact is committed with the bytes (where a refusal at commit time would have failed it)."""
    s, data = server.store, bytes(range(256)) * 40
    staged = s.blobs.staging()
    staged.write(data)
    sha = staged.finish()
    s.blobs.put_file(staged.path, sha)  # an orphan nothing references
    put_file, puts = s.blobs.put_file, []

    def put_then_gc(tmp: str, digest: str) -> Any:
        put_file(tmp, digest)  # the store has the blob the first time: it keeps its copy
        puts.append(digest)
        if digest == sha and puts.count(sha) == 1:
            assert s.delete_unreferenced([sha]) == [sha]  # what a gc round does to it

    s.blobs.put_file = put_then_gc  # type: ignore[method-assign]
    try:
        out = client_run(wandb_python, wandb_env, tmp_path, LOG_ARTIFACT % data.hex())
    finally:
        del s.blobs.put_file
    assert out["version"] == "v0" and puts.count(sha) == 2  # sent again after the 503
    art = api(server).artifact("admin/gc/shards:v0")
    root = Path(art.download(root=str(tmp_path / "dl")))
    assert (root / "shard.bin").read_bytes() == data


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the wandb client venv fixture is POSIX-only")
