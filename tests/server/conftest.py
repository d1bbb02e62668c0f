"""Fixtures of the server suite: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from RUNYARD_TEST_PG_URL (default: postgres@127.0.0.1:5432, trust auth); a fresh
database `runyard_test_<random>` is created for the session and dropped at its end, and emptied
before each test. When PostgreSQL is unreachable its parameter is skipped, unless CI is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest.importorskip("starlette")

from runyard.server import ServerConfig, ServerThread  # noqa: E402
from runyard.store import kernels  # noqa: E402
from runyard.store.tables import metadata  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("RUNYARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:starlette")


@contextlib.contextmanager
def _new_pg_database(prefix: str) -> Iterator[str]:
    """The URL of a database made for the caller on PG_URL's server, dropped afterwards (the test is
    skipped when that server is unreachable, and fails instead under CI)."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.exec_driver_sql("SELECT 1")
    except Exception as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable at {PG_URL} and CI is set: {e}")
        pytest.skip(f"PostgreSQL unreachable ({e.__class__.__name__}); set RUNYARD_TEST_PG_URL")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database():
    with _new_pg_database("runyard_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """A database no migration has run on yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with _new_pg_database("runyard_migrate") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runyard.db'}"
    url = request.getfixturevalue("pg_database")
    eng = sa.create_engine(url)
    with eng.begin() as c:
        names = [t.name for t in metadata.sorted_tables]
        exists = c.exec_driver_sql("SELECT to_regclass('public.runs')").scalar()
        if exists:
            c.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    eng.dispose()
    return url


@pytest.fixture(params=["compiled", "numpy"])
def kernel(request, monkeypatch):
    """The metric engine's kernels (runyard/store/kernels.py) compiled, or their numpy equivalents."""
    if request.param == "numpy":
        monkeypatch.setattr(kernels, "_c", None)
    return request.param


@pytest.fixture
def store(db_url, tmp_path):
    """A migrated store on each database, for tests of the storage layer without a server."""
    from runyard.store import Store

    s = Store.open(db_url, tmp_path / "blobs")
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def config(home, db_url) -> ServerConfig:
    return ServerConfig.resolve(home=home, db_url=db_url, port=0)


@pytest.fixture
def client(config):
    """In-process ASGI client with the admin key set; `.key` holds it."""
    from starlette.testclient import TestClient

    from runyard.server import create_app

    app = create_app(config, announce=False)
    with TestClient(app) as c:
        c.key = app.state.bootstrap_key
        c.headers["Authorization"] = f"Bearer {c.key}"
        c.app_ref = app
        yield c


@pytest.fixture
def server(config):
    """A real server (uvicorn in a thread) on a free port."""
    with ServerThread(config) as srv:
        yield srv


@pytest.fixture
def client_env(server, home) -> dict:
    """Environment for SDK/CLI subprocesses that talk to `server` (credentials from its home)."""
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    return env


WRITER = textwrap.dedent("""
    import json, sys, runyard
    spec = json.loads(sys.argv[1])
    out = []
    for i in range(spec.get("runs", 1)):
        kw = dict(project=spec.get("project", "p"), mode="offline", config={"lr": 0.01 * (i + 1), "i": i},
                  settings={"silent": True, "x_disable_stats": not spec.get("stats", False),
                            "x_stats_sampling_interval": 0.05})
        if spec.get("id"):
            kw.update(id=spec["id"], resume="allow")
        run = runyard.init(**kw)
        print("line from the run", i, flush=True)
        start = run.step
        for s in range(spec.get("steps", 100)):
            runyard.log({k: (s + start) * (j + 1) + 0.5 * i for j, k in enumerate(spec.get("keys", ["loss"]))})
        if spec.get("stats"):
            import time
            time.sleep(0.4)  # let the system monitor take a few samples
        if spec.get("file"):
            with open(run.dir + "/notes.txt", "w") as f:
                f.write(spec["file"])
        run.summary["best"] = 42
        runyard.finish()
        out.append({"dir": run.sync_dir, "id": run.id})
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture
def children():
    """Start child processes with piped stdio (text unless `text=False`); when the test ends each one still
    running is killed, and every child is waited for with its pipes closed, so no test leaks either."""
    started: list[subprocess.Popen] = []

    def start(args: list[str], *, text: bool = True, **kw) -> subprocess.Popen:
        p = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text, **kw
        )
        started.append(p)
        return p

    yield start
    for p in started:
        if p.poll() is None:
            p.kill()
        with p:  # closes stdin/stdout/stderr and waits
            pass


def start_script(
    children, cwd: Path, name: str, source: str, env: dict, *args
) -> tuple[subprocess.Popen, list[str]]:
    """Write `source` to cwd/name and run it; the script's first line starts with RUN, whose fields
    (run id, run dir, ...) are returned with the process."""
    (cwd / name).write_text(source)
    p = children([sys.executable, name, *map(str, args)], cwd=cwd, env=env)
    first = p.stdout.readline().split()
    assert first and first[0] == "RUN", p.stderr.read()
    return p, first[1:]


def make_runs(cwd: Path, env: dict | None = None, **spec) -> list[dict]:
    """Write offline runs with the real SDK in a subprocess; returns [{dir, id}]."""
    env = dict(env or os.environ, PYTHONPATH=str(REPO))
    cwd.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [sys.executable, "-c", WRITER, json.dumps(spec)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    line = next(x for x in p.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def cli(
    args: list[str], env: dict, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, "-m", "runyard.cli.main", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p
