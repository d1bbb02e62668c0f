"""Publish/subscribe for live updates: one `Broker` per server process, chosen by `ServerConfig.bus`.

- `memory` (default): subscribers of this process only (one server process, the embedded default).
- `postgres`: PostgreSQL `LISTEN/NOTIFY` on the server's own database (no new service).
- `redis://host:port/db`: Redis pub/sub (redis-py's asyncio client).

Every implementation delivers an event to this process's subscribers at once and, for the shared ones,
sends it to the others too; an event that comes back from the bus with this process's own `origin` is
not delivered twice. Events are small JSON objects: what changed and where (`run.updated` carries the
run's `last_step` and point count, so a page that already has that step fetches nothing). A lost
event costs only freshness: pages refetch from the database, which every replica shares. The bus is
never on the ingest path: a publish that cannot be sent (bus down, send queue full) is counted and
dropped, and the listener reconnects on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

MAX_QUEUE = 1000
SEND_QUEUE = 10_000
ACCESS_CHANGED = "access.changed"  # internal: every live stream re-checks its caller's access
PG_MAX_PAYLOAD = 7900  # NOTIFY payloads must stay under 8000 bytes
RECONNECT_S = 0.5
# the fields an event keeps when it is too large for the bus (its subscribers refetch the rest)
_ESSENTIAL = ("type", "entity", "project", "run_id", "state", "last_step", "points", "origin", "ts")

log = logging.getLogger("runyard.server.bus")


class BusStats:
    """Counters the /metrics endpoint reads (server/metrics.py); plain numbers, no dependency here."""

    def __init__(self) -> None:
        self.published = 0
        self.received = 0
        self.dropped = 0
        self.points = 0  # every ingest publishes its run event with its point count: counted here
        self.lag: Callable[[float], None] = lambda seconds: None


class Broker:
    """The in-process broker; the shared ones below add a sender and a listener to it."""

    kind = "memory"

    def __init__(self) -> None:
        self._subs: set[tuple[asyncio.Queue, str | None]] = set()
        self.origin = secrets.token_hex(8)
        self.stats = BusStats()

    # -- subscribers (the live streams of this process) ---------------------------------------
    def subscribe(self, project: str | None) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(MAX_QUEUE)
        self._subs.add((q, project))
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self._subs = {s for s in self._subs if s[0] is not q}

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def _deliver(self, event: dict[str, Any]) -> None:
        """A subscriber that does not keep up loses events, never blocks others."""
        where = f"{event.get('entity')}/{event.get('project')}"
        for q, project in list(self._subs):
            if project is None or project == where or event["type"] == ACCESS_CHANGED:
                try:
                    q.put_nowait(event)
                except asyncio.QueueFull:
                    pass

    # -- publishing ------------------------------------------------------------------------------
    def publish(self, event: dict[str, Any]) -> None:
        """Call on the event loop."""
        event = {**event, "origin": self.origin, "ts": time.time()}
        self.stats.published += 1
        if isinstance(event.get("points"), int):
            self.stats.points += event["points"]
        self._deliver(event)
        self._send(event)

    def access_changed(self) -> None:
        """A membership or key changed: every subscriber (of every process) re-checks its access."""
        self.publish({"type": ACCESS_CHANGED})

    def _send(self, event: dict[str, Any]) -> None:
        """To the other processes: nothing to do in memory."""

    def _received(self, raw: str | bytes) -> None:
        """An event from the bus: delivered here unless this process sent it."""
        try:
            event = json.loads(raw)
        except ValueError:
            return
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return
        if event.get("origin") == self.origin:
            return
        self.stats.received += 1
        if isinstance(event.get("ts"), (int, float)):
            self.stats.lag(max(0.0, time.time() - float(event["ts"])))
        self._deliver(event)

    # -- lifecycle (the app's lifespan) ---------------------------------------------------------
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def ping(self) -> None:
        """Raise when the bus cannot be reached (/api/v1/ready)."""

    @property
    def send_queue(self) -> int:
        return 0


class _SharedBroker(Broker):
    """A sender task fed by a bounded queue and a listener task that reconnects until stopped."""

    def __init__(self) -> None:
        super().__init__()
        self._out: asyncio.Queue[str] | None = None
        self._tasks: list[asyncio.Task] = []
        self._listening: asyncio.Event | None = None

    def _encode(self, event: dict[str, Any]) -> str:
        return json.dumps(event, separators=(",", ":"), default=str)

    def _send(self, event: dict[str, Any]) -> None:
        if self._out is None:
            return
        try:
            self._out.put_nowait(self._encode(event))
        except asyncio.QueueFull:
            self.stats.dropped += 1

    @property
    def send_queue(self) -> int:
        return self._out.qsize() if self._out is not None else 0

    async def start(self) -> None:
        self._out = asyncio.Queue(SEND_QUEUE)
        self._listening = asyncio.Event()
        self._tasks = [asyncio.create_task(self._sender()), asyncio.create_task(self._listener())]
        # live streams opened right after start should hear what other processes publish
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._listening.wait(), 10)

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks = []
        await self._close()

    async def _sender(self) -> None:
        assert self._out is not None
        while True:
            payload = await self._out.get()
            try:
                await self._send_raw(payload)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the bus is away: this event is lost, the next one retries
                self.stats.dropped += 1
                log.warning("bus: could not publish (%s: %s)", type(e).__name__, e)
                await self._reset_sender()
                await asyncio.sleep(RECONNECT_S)

    async def _listener(self) -> None:
        assert self._listening is not None
        while True:
            try:
                await self._listen(self._listening.set)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("bus: listener lost (%s: %s); reconnecting", type(e).__name__, e)
            await asyncio.sleep(RECONNECT_S)

    async def _send_raw(self, payload: str) -> None:
        raise NotImplementedError

    async def _reset_sender(self) -> None:
        pass

    async def _listen(self, ready: Callable[[], None]) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        pass


class RedisBroker(_SharedBroker):
    kind = "redis"

    def __init__(self, url: str, channel: str):
        super().__init__()
        self.url = url
        self.channel = channel
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            try:
                import redis.asyncio as aioredis
            except ImportError:  # pragma: no cover - redis is in the server extra
                raise RuntimeError("the Redis bus needs redis-py: pip install 'runyard[server]'") from None
            self._client = aioredis.from_url(self.url, socket_connect_timeout=5, health_check_interval=15)
        return self._client

    async def _send_raw(self, payload: str) -> None:
        await self._redis().publish(self.channel, payload)

    async def _listen(self, ready: Callable[[], None]) -> None:
        ps = self._redis().pubsub(ignore_subscribe_messages=True)
        try:
            await ps.subscribe(self.channel)
            ready()
            while True:
                msg = await ps.get_message(timeout=None)
                if msg is not None and msg.get("type") == "message":
                    self._received(msg["data"])
        finally:
            with contextlib.suppress(Exception):
                await ps.aclose()

    async def ping(self) -> None:
        await asyncio.wait_for(self._redis().ping(), 5)

    async def _close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
            self._client = None


class PostgresBroker(_SharedBroker):
    """LISTEN on one connection, NOTIFY on another (both autocommit, psycopg's asyncio API)."""

    kind = "postgres"

    def __init__(self, url: str, channel: str):
        super().__init__()
        self.channel = channel
        # the store's SQLAlchemy URL names the driver; libpq wants the plain form
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._conn: Any = None

    async def _connect(self) -> Any:
        import psycopg

        return await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=5)

    def _encode(self, event: dict[str, Any]) -> str:
        payload = super()._encode(event)
        if len(payload.encode()) > PG_MAX_PAYLOAD:
            payload = super()._encode({k: v for k, v in event.items() if k in _ESSENTIAL})
        return payload

    async def _send_raw(self, payload: str) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connect()
        await self._conn.execute("SELECT pg_notify(%s, %s)", (self.channel, payload))

    async def _reset_sender(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def _listen(self, ready: Callable[[], None]) -> None:
        conn = await self._connect()
        try:
            await conn.execute(f"LISTEN {self.channel}")
            ready()
            async for note in conn.notifies():
                self._received(note.payload)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def ping(self) -> None:
        conn = await self._connect()
        try:
            await conn.execute("SELECT 1")
        finally:
            await conn.close()

    async def _close(self) -> None:
        await self._reset_sender()


def make_broker(bus: str, db_url: str, channel: str = "runyard_events") -> Broker:
    """`memory`, `postgres` (the server's database, which must be PostgreSQL) or `redis://...`.

    `channel` separates deployments that share one Redis.
    """
    if bus in ("", "memory"):
        return Broker()
    if bus in ("postgres", "postgresql"):
        if not db_url.startswith("postgresql"):
            raise ValueError("--bus postgres needs a PostgreSQL database (--db postgresql://...)")
        return PostgresBroker(db_url, channel)
    if bus.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(bus, channel)
    raise ValueError(f"unknown bus {bus!r}: use memory, postgres or redis://host:port/db")
