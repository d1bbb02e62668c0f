"""A cluster on loopback: PostgreSQL (a fresh database), Redis, an S3-compatible store (moto's
server, tests/storage), two `runyard server` replicas (real processes of the CLI) and nginx in front
of them, started from a config written to a tmp directory and run as the current user.

Each replica has a RUNYARD_HOME of its own: nothing a request needs may live there. (Without an
object store, as in bench/bench_scaleout.py, `blobs/` of each home links to one shared directory,
as a shared volume would.) Needs nginx (Debian's `nginx-light`), PostgreSQL and Redis; without them
the suite skips, unless CI is set.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from runyard.server.launcher import free_port
from tests.server.conftest import PG_URL, REPO, pg_database  # noqa: F401
from tests.storage.conftest import S3_ENV, s3_endpoint, s3_recording  # noqa: F401

REDIS_URL = os.environ.get("RUNYARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BUS_CHANNEL = "runyard_test_" + secrets.token_hex(6)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEARTBEAT_TIMEOUT = 4.0  # short, so the heartbeat job test is quick; live clients beat within it
GC_INTERVAL = (
    2.0  # a gc round every 2 s across the replicas (the default grace, a day, spares every blob here)
)


def need(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def wait_for(cond, timeout: float = 60.0, what: str = "condition", every: float = 0.05):
    """Poll `cond` until it returns something truthy; fail naming `what` after `timeout` s."""
    end = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Replica:
    def __init__(self, n: int, root: Path, db_url: str, blobs: Path | dict[str, str]):
        self.n = n
        self.home = root / f"replica{n}"
        self.home.mkdir()
        self.blob_env: dict[str, str] = {}
        if isinstance(blobs, dict):  # the object store's settings
            self.blob_env = blobs
        else:
            (self.home / "blobs").symlink_to(blobs, target_is_directory=True)
        self.port = free_port()
        self.db_url = db_url
        self.log_path = root / f"replica{n}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
        env.update(
            PYTHONPATH=str(REPO),
            RUNYARD_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            RUNYARD_GC_INTERVAL=str(GC_INTERVAL),
            RUNYARD_BUS_CHANNEL=BUS_CHANNEL,  # another suite may share this Redis
            **self.blob_env,
        )
        args = [sys.executable, "-m", "runyard.cli.main", "server", "--port", str(self.port)]
        args += ["--home", str(self.home), "--db", self.db_url, "--bus", REDIS_URL, "--json-logs"]
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.ready, 90, f"replica {self.n} to be ready")

    def ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"replica {self.n} exited: {self.log_path.read_text()[-3000:]}")
        try:
            return httpx.get(self.url + "/api/v1/ready", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log_records(self) -> list[dict]:
        out = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out


NGINX_CONF = """
worker_processes 1;
{user}
pid {root}/nginx.pid;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {root}/client_body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  client_max_body_size 0;
  upstream runyard {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://runyard;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 3600s;
      proxy_connect_timeout 2s;
      # a replica that died mid-request: the request goes to another one (ingest is idempotent)
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 4;
    }}
  }}
}}
"""


class Balancer:
    def __init__(self, root: Path, replicas: list[Replica]):
        self.root = root / "nginx"
        self.root.mkdir()
        self.port = free_port()
        servers = "\n".join(f"    server 127.0.0.1:{r.port} max_fails=1 fail_timeout=1s;" for r in replicas)
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        conf = NGINX_CONF.format(user=user, root=self.root, servers=servers, port=self.port)
        (self.root / "nginx.conf").write_text(conf)
        self.proc = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(self.root),
                "-c",
                str(self.root / "nginx.conf"),
                "-e",
                str(self.root / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._up, 30, "nginx to answer")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError("nginx exited: " + (self.root / "error.log").read_text()[-2000:])
        try:
            return httpx.get(self.url + "/api/v1/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


class Cluster:
    def __init__(self, root: Path, db_url: str, n: int = 2, blob_env: dict[str, str] | None = None):
        blobs: Path | dict[str, str]
        if blob_env is None:
            blobs = root / "shared-blobs"
            blobs.mkdir()
        else:
            blobs = blob_env
        self.replicas = [Replica(i, root, db_url, blobs) for i in range(n)]
        self.replicas[0].start()  # the first creates the admin and writes its key to its home
        self.api_key = json.loads((self.replicas[0].home / "credentials").read_text())["api_key"]
        for r in self.replicas[1:]:
            r.start()
        self.lb = Balancer(root, self.replicas)

    @property
    def url(self) -> str:
        return self.lb.url

    def stop(self) -> None:
        self.lb.stop()
        for r in self.replicas:
            r.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_database, s3_endpoint):  # noqa: F811
    need(os.path.exists(NGINX), "nginx is not installed (apt-get install nginx-light)")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as e:
        need(False, f"Redis is unreachable at {REDIS_URL}: {e}")
    import sqlalchemy as sa

    from runyard.store.tables import metadata

    eng = sa.create_engine(pg_database)
    with eng.begin() as c:
        if c.exec_driver_sql("SELECT to_regclass('public.runs')").scalar():
            names = ", ".join(t.name for t in metadata.sorted_tables)
            c.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    eng.dispose()
    import boto3

    bucket = f"runyard-scaleout-{secrets.token_hex(4)}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_aws(S3_ENV))
    s3.create_bucket(Bucket=bucket)
    blob_env = dict(
        S3_ENV,
        RUNYARD_BLOB_URL=f"s3://{bucket}/blobs",
        RUNYARD_S3_ENDPOINT_URL=s3_endpoint,
        RUNYARD_S3_REGION="us-east-1",
    )
    cl = Cluster(tmp_path_factory.mktemp("cluster"), pg_database, blob_env=blob_env)
    yield cl
    cl.stop()


def _aws(env: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
    }
