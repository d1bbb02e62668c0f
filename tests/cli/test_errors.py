"""Every `runyard` command fails with one line naming the problem (and a hint), never a traceback;
`runyard --debug` shows the traceback. Run as a user would: the installed command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from runyard.server.launcher import free_port
from tests.conftest import REPO


def _runyard(args: list[str], home, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}
    e.update(PYTHONPATH=str(REPO), RUNYARD_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "runyard", *args], env=e, capture_output=True, text=True, timeout=120
    )


def _one_line(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    return lines[0]


def test_server_down_is_one_line_with_a_hint(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    (tmp_path / "f.txt").write_text("data")
    with_host = tmp_path / "with_host"
    with_host.mkdir()
    # the server named by the saved credentials, for the commands that talk to one
    (tmp_path / "credentials").write_text(json.dumps({"base_url": dead, "api_key": "k" * 40, "user": "me"}))
    put = ["artifact", "put", str(tmp_path / "f.txt"), "--name", "x"]
    cases = [
        ([*put, "--host", dead], with_host),
        (put, tmp_path),
        (["artifact", "ls", "p"], tmp_path),
        (["gc"], tmp_path),
    ]
    # at once: each retries for a few seconds (a restarting server) before it gives up
    with ThreadPoolExecutor(len(cases)) as pool:
        done = list(pool.map(lambda c: _runyard(*c), cases))
    line = _one_line(done[0])
    assert line.startswith(f"Error: cannot reach {dead}") and "is the server running?" in line
    for (args, _home), p in zip(cases[1:], done[1:]):
        assert "is the server running?" in _one_line(p), args


def test_bad_input_is_one_line_and_debug_shows_the_traceback(tmp_path):
    (tmp_path / "f.txt").write_text("data")
    args = ["artifact", "put", str(tmp_path / "f.txt"), "--name", "x", "--host", "not-a-url"]
    assert (
        _one_line(_runyard(args, tmp_path))
        == "Error: server URL must look like http://host:port, got 'not-a-url'"
    )
    p = _runyard(["--debug", *args], tmp_path)
    assert p.returncode == 1 and "Traceback" in p.stderr and "server URL must look like" in p.stderr


def test_port_in_use_is_one_line_with_a_hint(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_line(_runyard(["server", "--port", str(port)], tmp_path))
    assert f"port {port} on 127.0.0.1 is already in use" in line and "--port" in line
