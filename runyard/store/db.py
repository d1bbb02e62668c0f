"""The connection and transaction helper every repository shares.

SQLite is run the way it is meant to be served: WAL, one writer connection on a dedicated thread fed
by a queue (each task one `BEGIN IMMEDIATE` transaction, so writers never meet a busy lock), readers
from a pool with deferred `BEGIN` (a consistent snapshot while the writer carries on). PostgreSQL
gets one writer thread per server process too (`pg_writers`); repositories lock the rows they
advance (`FOR UPDATE`), which keeps the writers of several processes (replicas, `--workers`) apart
and is a no-op on SQLite. One, not more: a write task is mostly Python and numpy under one GIL, and
each numpy call or statement lets the GIL go, so more writers hand it to each other more often
without doing more. With 20 syncs at once four writers made 2-3x the context switches of two, for
15-50 % more server CPU (docs/benchmarks.md, session 11); once PostgreSQL's own part of a write had
shrunk (lz4, values as byte planes) two still cost 15-30 % more server CPU than one, and fewer
points/s (session 12).

Reads are bounded in time (`query_timeout_s`): a statement still running after it is cancelled and
raises `QueryTimeout` (PostgreSQL's `statement_timeout`; on SQLite a progress handler that
interrupts the statement). Writes are not: they are the server's own bookkeeping.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import functools
import math
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..wire.home import private_dir, private_file
from .regex import regexp

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """An INSERT of `dialect` ("sqlite" or "postgresql") that supports `.on_conflict_do_*()`."""
    from sqlalchemy.dialects import postgresql, sqlite

    return sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)


def pg_has_lz4(conn: Connection) -> bool:
    """Whether this PostgreSQL server can TOAST-compress with lz4 (a build option of PostgreSQL 14 and
    later; the official images and Debian's have it)."""
    q = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
    return conn.exec_driver_sql(q).first() is not None


def sqlite_url(path: str | os.PathLike) -> str:
    return f"sqlite:///{os.fspath(path)}"


class QueryTimeout(Exception):
    """A read ran longer than the query time limit and was cancelled."""

    def __init__(self, seconds: float):
        super().__init__(f"the query ran longer than the server's limit of {seconds:g} s and was cancelled")
        self.seconds = seconds


def is_query_timeout(e: BaseException) -> bool:
    """SQLite's interrupted statement or PostgreSQL's statement_timeout (SQLSTATE 57014), wrapped by
    SQLAlchemy or raised by the driver itself (`fetch_binary` and blob reads use driver cursors)."""
    orig = e.orig if isinstance(e, sa.exc.DBAPIError) else e
    return getattr(orig, "sqlstate", None) == "57014" or (
        type(orig).__name__ == "OperationalError" and str(orig) == "interrupted"
    )


class Database:
    """Engine plus the write executor. `read(fn)` / `write(fn)` run `fn(conn)` in one transaction."""

    def __init__(self, url: str, *, pg_writers: int = 1, echo: bool = False, query_timeout_s: float = 0.0):
        self.url = url
        if url.startswith("postgresql://"):  # plain URLs mean psycopg 3, the driver we ship
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        self.query_timeout_s = query_timeout_s
        self.engine: Engine = _make_engine(url, echo, query_timeout_s)
        self.dialect = self.engine.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        writers = 1 if self.is_sqlite else max(1, pg_writers)
        self._writer = cf.ThreadPoolExecutor(max_workers=writers, thread_name_prefix="runyard-db-writer")
        self._local = threading.local()
        self._closed = False
        self._queued = 0
        self._count_lock = threading.Lock()

    # -- transactions ---------------------------------------------------------------------------
    def read(self, fn: Callable[[Connection], T]) -> T:
        try:
            with self.engine.connect() as conn, conn.begin():
                return fn(conn)
        except Exception as e:
            if self.query_timeout_s and is_query_timeout(e):
                raise QueryTimeout(self.query_timeout_s) from None
            raise

    def submit_write(self, fn: Callable[[Connection], T]) -> cf.Future[T]:
        """Queue `fn(conn)` for the writer; it runs in its own transaction, committed when it returns."""
        with self._count_lock:
            self._queued += 1
        fut = self._writer.submit(self._run_write, fn)
        fut.add_done_callback(self._done)
        return fut

    def _done(self, _fut: cf.Future) -> None:
        with self._count_lock:
            self._queued -= 1

    def write(self, fn: Callable[[Connection], T]) -> T:
        if getattr(self._local, "in_writer", False):  # already on a writer thread: run inline
            return self._run_write(fn)
        return self.submit_write(fn).result()

    def _run_write(self, fn: Callable[[Connection], T]) -> T:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            conn.info["writer"] = True
            if not self.is_sqlite and self.query_timeout_s:  # the time limit is for reads
                conn.exec_driver_sql("SET statement_timeout = 0")
                conn.commit()
            self._local.conn = conn
        self._local.in_writer = True
        try:
            with conn.begin():
                return fn(conn)
        except sa.exc.DBAPIError as e:
            if e.connection_invalidated:
                self._local.conn = None
            raise
        finally:
            self._local.in_writer = False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        # Each writer thread closes its own connection. A thread that finished one close task could take
        # the next and leave another thread's connection checked out, which dispose() does not close (a
        # psycopg "deleted while still open" later): the barrier holds each task until every writer
        # thread has one (the pool starts the missing threads).
        n = self._writer._max_workers
        barrier = threading.Barrier(n)

        def _close_conn() -> None:
            try:
                barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass  # a writer still busy after 5 s: close what this thread holds anyway
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                conn.close()

        futs = [self._writer.submit(_close_conn) for _ in range(n)]
        cf.wait(futs, timeout=5)
        self._writer.shutdown(wait=True)
        self.engine.dispose()

    # -- dialect helpers ------------------------------------------------------------------------
    def insert(self, table: sa.Table) -> Any:
        """An INSERT that supports `.on_conflict_do_nothing()` on both dialects."""
        return dialect_insert(self.engine.dialect.name, table)

    def for_update(self, stmt: Any) -> Any:
        return stmt if self.is_sqlite else stmt.with_for_update()

    def xact_lock(self, conn: Connection, name: str, wait: bool = True, shared: bool = False) -> bool:
        """Hold the lock `name` until `conn`'s transaction ends, across every process on the database
        (PostgreSQL advisory lock); `wait=False` answers False at once when another holds it; `shared`
        holders do not exclude each other, only the exclusive one. SQLite needs none: its write
        transactions are already serialised (BEGIN IMMEDIATE)."""
        if self.is_sqlite:
            return True
        key = zlib.crc32(name.encode())  # a stable 32-bit key per name
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        if wait:
            conn.execute(sa.text(f"SELECT {fn}(1919, :k)"), {"k": key - (1 << 31)})
            return True
        try_fn = fn.replace("pg_", "pg_try_", 1)
        got = conn.execute(sa.text(f"SELECT {try_fn}(1919, :k)"), {"k": key - (1 << 31)})
        return bool(got.scalar())

    @property
    def queued_writes(self) -> int:
        """Write tasks submitted and not yet finished (the /metrics queue depth)."""
        return self._queued

    def id_in(self, col: Any, ids: list[int]) -> Any:
        """`col IN (ids)`; on PostgreSQL `col = ANY(CAST(:ids AS BIGINT[]))`, one parameter instead of
        thousands (psycopg parses every placeholder of a query: ~50 ms for 2,000 of them)."""
        return self.any_of(col, ids, sa.BigInteger)

    def any_of(self, col: Any, values: list[Any], type_: Any = sa.Text) -> Any:
        """`col IN (values)`, as one array parameter on PostgreSQL (see `id_in`)."""
        if self.is_sqlite:
            return col.in_(values)
        from sqlalchemy.dialects.postgresql import ARRAY

        return col == sa.any_(sa.cast(sa.bindparam(None, list(values), type_=ARRAY(type_)), ARRAY(type_)))

    def ids_param(self, col: Any) -> Any:
        """`col` in the ids of the bound parameter `ids` (its value from `ids_arg`): one text parameter
        whatever the count, for statements built once and run with many ids (SQLite: a JSON array
        read by json_each; PostgreSQL: an array literal)."""
        p = sa.bindparam("ids", type_=sa.Text)
        if self.is_sqlite:
            return col.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(p)))
        from sqlalchemy.dialects.postgresql import ARRAY

        return col == sa.any_(sa.cast(p, ARRAY(sa.BigInteger)))

    def ids_arg(self, ids: list[int]) -> str:
        text = ",".join(map(str, ids))
        return f"[{text}]" if self.is_sqlite else "{" + text + "}"

    def fetch_binary(
        self, conn: Connection, stmt: sa.Select | sa.TextClause, params: dict | None = None
    ) -> list[Any]:
        """All rows of `stmt` (attribute access by column name) for bulk reads of `bytea` columns.

        psycopg asks PostgreSQL for results in text format by default, where `bytea` travels as hex
        (twice the bytes) and is decoded client-side: reading the metric chunks of a large chart
        query took ~270 ms that way and ~85 ms in binary format (measured, docs/architecture.md).
        So on PostgreSQL the statement runs on a binary cursor of the same connection (same
        transaction); SQLite returns blobs as they are stored anyway.
        """
        if self.is_sqlite and params is None:
            return list(conn.execute(stmt))
        # statements run with `params` are built once (module constants): their compiled form is kept
        compiled = (
            _compile(stmt, conn.dialect)
            if params is not None
            else stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        )
        driver = conn.connection.driver_connection
        assert driver is not None
        if self.is_sqlite:
            # the driver's cursor directly: SQLAlchemy's result rows cost ~40 µs each here, a fifth
            # of a 1M-point series' chart query (values come as stored; no type processing needed)
            args = {**compiled.params, **(params or {})}
            scur = driver.execute(compiled.string, [args[k] for k in compiled.positiontup or ()])
            row_type = _row_type(tuple(d[0] for d in scur.description))
            return [row_type(*r) for r in scur.fetchall()]
        with driver.cursor(binary=True) as cur:
            cur.execute(compiled.string, {**compiled.params, **(params or {})})
            names = tuple(d.name for d in cur.description or ())
            row_type = _row_type(names)
            return [row_type(*r) for r in cur.fetchall()]

    @contextlib.contextmanager
    def copy_started(
        self, conn: Connection, sql: str, params: dict, types: list[str]
    ) -> Iterator[Iterator[tuple]]:
        """PostgreSQL: start `sql`, a `COPY (...) TO STDOUT (FORMAT BINARY)` with client-side
        parameters, on the connection of `conn` (same transaction), and hand over an iterator of its
        rows, typed `types`, read from the socket as they are taken: until then the server works on
        the statement and fills the socket while the caller does something else. For large `bytea`
        answers: libpq hands COPY data over in large reads, where a result set wakes the driver's
        generators for every ~30 KB (measured in `store/metrics.py`). Leaving the block with an
        exception cancels the statement; leaving it otherwise reads the rows not taken."""
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cur, cur.copy(sql, params) as cp:
            cp.set_types(types)
            rows = cp.rows()
            yield rows
            for _ in rows:  # rows the caller did not take, and the end of the COPY
                pass


@functools.lru_cache(maxsize=64)
def _row_type(names: tuple[str, ...]) -> Any:
    return collections.namedtuple("BinaryRow", names)  # type: ignore[misc]


def _make_engine(url: str, echo: bool, query_timeout_s: float) -> Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            private_dir(Path(path).parent)
            private_file(path)  # before SQLite would create it 0644: it holds every team's runs
        engine = sa.create_engine(
            url,
            echo=echo,
            pool_size=8,
            max_overflow=8,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            # regexp() in linear time (SQLAlchemy's default is Python's backtracking `re`)
            dbapi_conn.create_function("regexp", 2, regexp, deterministic=True)
            if query_timeout_s:
                deadline = rec.info["deadline"] = [math.inf]
                dbapi_conn.set_progress_handler(lambda: time.monotonic() > deadline[0], 10_000)
            cur = dbapi_conn.cursor()
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                "foreign_keys=ON",
                "busy_timeout=30000",
                "cache_size=-65536",
                "mmap_size=1073741824",
                "temp_store=MEMORY",
            ):
                cur.execute("PRAGMA " + pragma)
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

        if query_timeout_s:

            @event.listens_for(engine, "before_cursor_execute")
            def _arm(conn: Connection, *_a: Any) -> None:
                deadline = conn.info.get("deadline")
                if deadline is not None:
                    unbounded = conn.info.get("writer") or conn.info.get("migrating")
                    deadline[0] = math.inf if unbounded else time.monotonic() + query_timeout_s

        return engine
    args = {"options": f"-c statement_timeout={int(query_timeout_s * 1000)}"} if query_timeout_s else {}
    return sa.create_engine(
        url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=args
    )


@functools.lru_cache(maxsize=64)
def _compile(stmt: Any, dialect: Any) -> Any:
    """Compiling a select took ~2 ms, as much as running it, in per-series chart queries."""
    return stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})


class SchemaTooNew(RuntimeError):
    """The database is at a migration this runyard does not have: a newer runyard wrote it (its rows
    may use layouts this one cannot read, migrations/versions/0025 for one)."""


def _refuse_newer(at: str | None) -> None:
    """Raise SchemaTooNew if revision `at` (None: an empty database) is not one of this runyard's."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if at is None:
        return
    script = ScriptDirectory.from_config(_alembic_config())
    try:
        script.get_revision(at)
    except CommandError:
        raise SchemaTooNew(
            f"the database is at schema revision {at}, written by a newer runyard; this one knows "
            f"revisions up to {script.get_current_head()}: upgrade runyard (pip install -U runyard)"
        ) from None


def check_schema(url: str) -> None:
    """Raise SchemaTooNew if the database at `url` was migrated by a newer runyard (the server's start,
    before anything else opens it)."""
    db = Database(url)
    try:
        _refuse_newer(current_revision(db))
    finally:
        db.close()


def migrate(db: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` with the in-package Alembic migrations."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    cfg = _alembic_config()

    def _run(conn: Connection) -> None:
        _refuse_newer(MigrationContext.configure(conn).get_current_revision())
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    if db.is_sqlite:
        # Alembic manages its own transaction; give it a plain connection outside the writer's BEGIN.
        with db.engine.connect() as conn:
            conn.info["migrating"] = True  # no time limit (the info lives on with the pooled connection)
            try:
                _run(conn)
                conn.commit()
            finally:
                conn.info.pop("migrating", None)
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")  # a migration may take long
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(724385)")  # two servers starting at once
            _run(conn)


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration of this runyard."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_alembic_config()).get_current_head())


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None: an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
