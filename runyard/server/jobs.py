"""Background jobs of the server: plain functions over the store, run on timers by the app.

- `crash_silent_runs`: a `running` run whose client sent nothing (data or heartbeat, see
  routes/ingest.py) for `heartbeat_timeout` seconds is marked `crashed`.
- `collect_garbage`: every `gc_interval` seconds (off by default), the blobs that no artifact and no
  run file references and that are older than `gc_grace` are deleted, as `runyard gc --delete` does.

Several replicas (or `--workers`) run the timers each. A heartbeat round runs in one write
transaction that first takes the job's PostgreSQL advisory lock without waiting
(`Database.xact_lock`): while one process holds it the others skip their round, so one process does
the work and reports it (the "marked crashed" log line, the run's live event). SQLite serialises
write transactions anyway. Repeating it is harmless (a second round finds nothing), but a gc round
lists the whole blob store, so it must run once per period, not once per replica: its round is
claimed in the database (store/job_runs.py, under the same lock) and the work runs after the claim.

`run_periodically` is the app's timer (started in its lifespan); `python -m runyard.server.jobs`
runs every job once against the configured database (cron, or a one-off after an outage).
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.engine import Connection
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from ..store import Store
from . import live_events
from .config import ServerConfig
from .pubsub import Broker

log = logging.getLogger("runyard.server")

GC = "gc"  # the job's name in job_runs and in its advisory lock


def crash_silent_runs(store: Store, heartbeat_timeout: float) -> list[tuple[str, str, str]]:
    """Mark `crashed` the running runs silent for longer than `heartbeat_timeout`; returns them."""
    since = time.time() - heartbeat_timeout

    def job(c: Connection) -> list[tuple[str, str, str]]:
        if not store.db.xact_lock(c, "job:crash_silent_runs", wait=False):
            return []  # another replica is doing this round
        return store.runs.crash_silent(c, since)

    crashed = store.db.write(job)
    for entity, project, run_id in crashed:
        log.info(
            "run %s/%s/%s marked crashed: no news for %.0f s", entity, project, run_id, heartbeat_timeout
        )
    return crashed


def collect_garbage(store: Store, period: float, grace: float) -> dict | None:
    """Run the gc round due now if no process started one within `period` seconds: delete the
    unreferenced blobs older than `grace`. Returns the round's summary, or None when skipped."""
    started = time.time()
    if not store.db.write(lambda c: store.job_runs.claim(c, GC, period, started)):
        return None
    out = store.collect_garbage(delete=True, grace_seconds=grace)
    summary = {k: v for k, v in out.items() if k != "sha256"}
    store.db.write(lambda c: store.job_runs.finish(c, GC, started, time.time(), summary))
    log.info(
        "gc round started at %.3f: %d unreferenced blob(s) older than %.0f s deleted (%.1f MB), "
        "%d partial upload(s) removed",
        started,
        out["deleted"],
        grace,
        out["bytes_unreferenced"] / 1e6,
        out["partial_uploads_deleted"],
    )
    return summary


def interval(config: ServerConfig) -> float:
    """How often the heartbeat job runs: often enough that a run is marked within ~10% past its timeout."""
    return min(60.0, max(0.05, config.heartbeat_timeout / 10))


def gc_tick(config: ServerConfig) -> float:
    """How often a process looks whether a gc round is due: a round starts within ~10% of its period."""
    return min(60.0, max(0.05, config.gc_interval / 10))


async def _crash_loop(app: Starlette) -> None:
    config: ServerConfig = app.state.config
    while True:
        await asyncio.sleep(interval(config))
        try:
            crashed = await run_in_threadpool(crash_silent_runs, app.state.store, config.heartbeat_timeout)
        except Exception:  # a failed round (database briefly away) is retried at the next one
            log.exception("background job failed")
            continue
        broker: Broker = app.state.broker
        for entity, project, run_id in crashed:
            broker.publish(live_events.run_state(entity, project, run_id, "crashed"))


async def _gc_loop(app: Starlette) -> None:
    config: ServerConfig = app.state.config
    if config.gc_interval <= 0:
        return
    while True:
        await asyncio.sleep(gc_tick(config))
        try:
            await run_in_threadpool(collect_garbage, app.state.store, config.gc_interval, config.gc_grace)
        except Exception:  # the database or the blob store briefly away: the next period retries
            log.exception("gc round failed")


async def run_periodically(app: Starlette) -> None:
    """The app's timers (each job on its own, so a long gc round never delays the heartbeat job),
    until cancelled at shutdown."""
    await asyncio.gather(_crash_loop(app), _gc_loop(app))


def main() -> None:
    config = ServerConfig.resolve()
    store = Store.open(config.db_url, config.blob_dir, config.limits, config.open_blobs())
    try:
        store.migrate()
        crashed = crash_silent_runs(store, config.heartbeat_timeout)
        print(f"runyard: {len(crashed)} silent run(s) marked crashed")
        if config.gc_interval > 0:
            done = collect_garbage(store, config.gc_interval, config.gc_grace)
            print(
                "runyard: gc skipped (a round ran within RUNYARD_GC_INTERVAL)"
                if done is None
                else f"runyard: gc deleted {done['deleted']} unreferenced blob(s)"
            )
    finally:
        store.close()


if __name__ == "__main__":
    main()
