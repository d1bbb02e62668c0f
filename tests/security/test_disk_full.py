"""A full disk answers 507 with a message, for blob uploads and database writes.

The server runs in its own user and mount namespace (`unshare`) where its blob directory (and, on
SQLite, its database directory) are small tmpfs mounts: the disk really fills, nothing is mocked,
and the mounts vanish with the process.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

import numpy as np
import pytest

from runyard.wire.history_codec import encode_history
from runyard.wire.records import RT

from .attack import ServerProcess, assert_alive, http, ingest, run_log


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    cmd = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"]
    return subprocess.run(cmd, capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs unshare with user and mount namespaces")


def _small_disk(dirs: list, size: str) -> list[str]:
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    mounts = " && ".join(f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(d))}" for d in dirs)
    script = mounts + ' && exec "$@"'
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh"]


def test_disk_full_is_507(home, db_url, tmp_path):
    on_sqlite = db_url.startswith("sqlite")
    small = [home / "blobs"]
    if on_sqlite:
        small.append(tmp_path / "db")
        db_url = f"sqlite:///{tmp_path / 'db' / 'runyard.db'}"
    with ServerProcess(home, db_url, prefix=_small_disk(small, "3m")) as srv, http(srv.url, srv.key) as c:
        assert ingest(c, "r", run_log("r")).status_code == 200
        r = c.put("/api/v1/runs/admin/p/r/files/big.bin", content=b"x" * (4 * 1024 * 1024))
        err = assert_client_error_507(r)
        assert "disk is full" in err["message"]
        assert_alive(c)
        small_file = c.put("/api/v1/runs/admin/p/r/files/small.txt", content=b"hello")
        assert small_file.status_code == 200, small_file.text  # the failed upload left no partial file
        if on_sqlite:  # ~6 MB of points into a 3 MB database directory
            rng = np.random.default_rng(0)
            keys = tuple(f"k{i}" for i in range(100))
            frags = [(0, i + 1, i, 1.0e9 + i, 1, keys, tuple(rng.random(100).tolist())) for i in range(8000)]
            big = run_log("big", (RT.HISTORY, encode_history(frags)))
            err = assert_client_error_507(ingest(c, "big", big))
            assert "disk is full" in err["message"]
            assert_alive(c)


def assert_client_error_507(r) -> dict:
    assert r.status_code == 507, (r.status_code, r.text[:500])
    err = r.json()["error"]
    assert err["code"] == "disk_full", err
    return err
