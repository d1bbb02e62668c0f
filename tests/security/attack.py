"""What the bounds tests share: a keep-alive HTTP client on a real server, run logs built by hand
(so a test can declare what a well-behaved SDK never would), and the server process's memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from runyard.server.launcher import free_port
from runyard.wire.framing import file_header, frame
from runyard.wire.history_codec import encode_history
from runyard.wire.records import RT, packb

REPO = Path(__file__).resolve().parents[2]
SEGMENT = "seg1"


def http(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def run_log(run_id: str, *records: tuple[int, dict], name: str | None = None) -> bytes:
    """A run log: header, the RUN record, then `records` as (type, payload)."""
    run = {"run_id": run_id, "segment": SEGMENT, "start_time": 1.0e9, "name": name, "seq": 0}
    out = [file_header(), frame(RT.RUN, packb(run))]
    out += [frame(rt, packb(p)) for rt, p in records]
    return b"".join(out)


def history(*steps: int) -> dict:
    """A HISTORY payload of one `loss` fragment per step (sequence numbers with gaps, as the SDK's
    are when other records come between, so they travel as a packed column)."""
    return encode_history([(0, 2 * i + 1, s, 1.0e9 + i, 1, ("loss",), (0.5,)) for i, s in enumerate(steps)])


def ingest(c: httpx.Client, run_id: str, data: bytes, project: str = "p") -> httpx.Response:
    return c.post(
        f"/api/v1/ingest/admin/{project}/{run_id}", params={"segment": SEGMENT, "offset": 0}, content=data
    )


def assert_client_error(r: httpx.Response, status: int | None = None) -> dict:
    """A 4xx in the error envelope (never a 500, never a dropped connection)."""
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
    if status is not None:
        assert r.status_code == status, r.text[:500]
    err = r.json()["error"]
    assert err["code"] and err["message"], err
    return err


def assert_alive(c: httpx.Client) -> None:
    """The same keep-alive client still gets answers."""
    assert c.get("/api/v1/health").status_code == 200


class ServerProcess:
    """`runyard server` in its own process, so its memory can be read from /proc."""

    def __init__(self, home: Path, db_url: str, prefix: list[str] | None = None):
        """`prefix`: a command the server runs under (it `exec`s the rest of its arguments)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        e = dict(os.environ, PYTHONPATH=str(REPO), RUNYARD_HOME=str(home))
        self.log = home / "server.log"  # a file, not a pipe: a full pipe would block the server
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "runyard.cli.main", "server", "--port", str(self.port)]
            + ["--db", db_url, "--home", str(home), "--log-level", "warning"],
            env=e,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.home = home

    def start(self) -> ServerProcess:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("server did not start")
        import json

        self.key = json.loads((self.home / "credentials").read_text())["api_key"]
        return self

    def rss_bytes(self) -> int:
        """Resident memory now (VmRSS of /proc/<pid>/status)."""
        return _status_kib(self.proc.pid, "VmRSS") * 1024

    def peak_rss_bytes(self) -> int:
        """The high-water mark of resident memory since the process started (VmHWM)."""
        return _status_kib(self.proc.pid, "VmHWM") * 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")
