"""Background jobs of the server: plain functions over the store, run on a timer by the app.

- `crash_silent_runs`: a `running` run whose client sent nothing (data or heartbeat, see
  routes/ingest.py) for `heartbeat_timeout` seconds is marked `crashed`.

Several replicas (or `--workers`) run the timer each; a job's round runs in one write transaction that
first takes the job's PostgreSQL advisory lock without waiting (`Database.xact_lock`): while one
process holds it the others skip their round, so one process does the work and reports it (the
"marked crashed" log line, the run's live event). SQLite serialises write transactions anyway.

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
from .config import ServerConfig
from .pubsub import Broker

log = logging.getLogger("runyard.server")


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


def interval(config: ServerConfig) -> float:
    """How often the jobs run: often enough that a run is marked within ~10% past its timeout."""
    return min(60.0, max(0.05, config.heartbeat_timeout / 10))


async def run_periodically(app: Starlette) -> None:
    """The app's timer: every job, every `interval`, until cancelled at shutdown."""
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
            broker.publish(
                {
                    "type": "run.updated",
                    "entity": entity,
                    "project": project,
                    "run_id": run_id,
                    "state": "crashed",
                }
            )


def main() -> None:
    config = ServerConfig.resolve()
    store = Store.open(config.db_url, config.blob_dir)
    try:
        store.migrate()
        crashed = crash_silent_runs(store, config.heartbeat_timeout)
        print(f"runyard: {len(crashed)} silent run(s) marked crashed")
    finally:
        store.close()


if __name__ == "__main__":
    main()
