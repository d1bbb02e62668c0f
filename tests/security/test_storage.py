"""What the server leaves on disk: owner-only modes whatever the umask, and partial uploads of a killed
server removed at the next start and by `runyard gc` (real server processes, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from runyard.server import ServerConfig, ServerThread
from runyard.server.launcher import free_port
from tests.server.conftest import REPO, cli

from .crafted import ingest, run_log

DEADLINE = 60.0


def _wait(cond, what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not cond():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _partials(home: Path) -> list[Path]:
    return sorted((home / "blobs" / "tmp").glob("*.tmp"))


class _Srv:
    """`runyard server` as a process of its own (so it can be killed), started with umask 000."""

    def __init__(self, home: Path, db_url: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(REPO))
        env.pop("RUNYARD_HOME", None)
        args = [
            "server",
            "--home",
            str(home),
            "--db",
            db_url,
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runyard.cli.main", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: os.umask(0),
        )
        _wait(self._up, "the server to answer")
        self.api_key = json.loads((home / "credentials").read_text())["api_key"]

    def _up(self) -> bool:
        assert self.proc.poll() is None, self.proc.stderr.read().decode() if self.proc.stderr else ""
        try:
            return httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def test_modes_and_partial_upload_of_a_killed_server(db_url, tmp_path):
    home = tmp_path / "new" / "home"  # created by the server
    srv = _Srv(home, db_url)
    try:
        for d in (home, home / "blobs", home / "blobs" / "tmp"):
            assert _mode(d) == 0o700, d
        assert _mode(home / "credentials") == 0o600
        if db_url.startswith("sqlite"):
            db = Path(db_url.removeprefix("sqlite:///"))
            files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
            assert all(f.exists() for f in files)
            for f in files:
                assert _mode(f) == 0o600, f  # SQLite makes -wal/-shm with the database's mode
        assert ingest(srv, "r1", run_log("r1")).status_code == 200
        r = httpx.put(
            f"{srv.url}/api/v1/runs/admin/p/r1/files/a.txt",
            content=b"hello",
            headers={"Authorization": f"Bearer {srv.api_key}"},
            timeout=60,
        )
        assert r.status_code == 200
        blob = home / "blobs" / r.json()["sha256"][:2] / r.json()["sha256"][2:]
        assert _mode(blob.parent) == 0o700 and _mode(blob) == 0o600

        # an upload in flight when the server is killed: its temporary file stays behind
        sock = socket.create_connection(("127.0.0.1", srv.port))
        head = (
            f"PUT /api/v1/runs/admin/p/r1/files/big.bin HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {srv.api_key}\r\nContent-Length: 100000000\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * 65536)
        _wait(lambda: _partials(home), "the upload's temporary file")
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(30)
        sock.close()
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait(30)
        srv.proc.stderr.close()  # type: ignore[union-attr]
    assert len(_partials(home)) == 1

    with ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=0)):
        assert _partials(home) == []  # removed at start


WRITER = """
import sys, time
from runyard.store.blobs import BlobWriter
w = BlobWriter(sys.argv[1])
w.write(b"partial")
print(w.path, flush=True)
time.sleep(600)
"""


def test_gc_removes_dead_partial_uploads_and_spares_live_ones(server, client_env, home):
    tmp = home / "blobs" / "tmp"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp)], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        dead, live = (Path(w.stdout.readline().strip()) for w in writers)  # type: ignore[union-attr]
        writers[0].kill()  # its upload will never finish; the other one is still going
        writers[0].wait(30)
        out = cli(["gc", "--delete", "--grace", "0"], client_env).stdout
        assert "and 1 partial upload(s)" in out, out
        assert not dead.exists() and live.exists()
    finally:
        for w in writers:
            w.kill()
            w.wait(30)
            w.stdout.close()  # type: ignore[union-attr]
