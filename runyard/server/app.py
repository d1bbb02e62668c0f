"""The ASGI application: `create_app(config)` for uvicorn, tests and the launcher.

At start it opens the store, runs the migrations and, on an empty store, creates the admin user and
its API key, writing them to `RUNYARD_HOME/credentials` (mode 600) so local clients log in without
ceremony (see sdk/http_client.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import mimetypes
import os
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from ..store import Store
from ..wire.home import private_dir, write_private_json
from . import jobs, logs, metrics
from .auth import AuthMiddleware
from .config import ServerConfig
from .contract import ContractCheck
from .errors import HANDLERS
from .headers import SecurityHeaders
from .memory import limit_arenas
from .pubsub import Broker, make_broker
from .routes import ROUTES

log = logging.getLogger("runyard.server")


def bootstrap(store: Store, config: ServerConfig, announce: bool = True) -> str | None:
    """Migrate; on an empty store create the admin and its key. Returns the new key (first start only)."""
    store.migrate()

    def admin(c: Any) -> Any:
        store.db.xact_lock(c, "bootstrap")  # replicas starting at once: one creates the admin
        return store.entities.bootstrap_admin(c, config.admin_name)

    made = store.db.write(admin)
    if made is None:
        return None
    user, key = made
    if config.write_credentials:
        write_private_json(
            config.credentials_path, {"base_url": config.public_url, "api_key": key, "user": user.name}
        )
    if announce:
        where = f" (saved to {config.credentials_path}, mode 600)" if config.write_credentials else ""
        print(
            f"runyard: first start: created admin user {user.name!r} with API key {key}{where}",
            file=sys.stderr,
        )
    return key


def setup_link(store: Store, config: ServerConfig, announce: bool = True) -> str | None:
    """While no user has a password (a first start, or an upgrade from a server that had none), each
    start prints a new one-time link that lets the admin set one (earlier links stop working)."""

    def q(c: Any) -> str | None:
        admin = store.entities.first_admin(c)
        if admin is None or store.entities.any_password(c):
            return None
        return store.links.create(c, "password", config.link_seconds, user_id=admin.id)[1]

    token = store.db.write(q)
    if token is None:
        return None
    url = f"{config.public_url}/setup?token={token}"
    if announce:
        print(
            f"runyard: set the admin's password for browser sign-in (link works once): {url}", file=sys.stderr
        )
    return url


def create_app(config: ServerConfig, store: Store | None = None, announce: bool = True) -> Starlette:
    limit_arenas()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started = time.time()
        private_dir(config.home)
        s = store or Store.open(config.db_url, config.blob_dir, config.limits, config.open_blobs())
        app.state.store = s
        app.state.bootstrap_key = await run_in_threadpool(bootstrap, s, config, announce)
        app.state.setup_url = await run_in_threadpool(setup_link, s, config, announce)
        # uploads cut off by a previous process's end; a live one (another process) holds a lock
        swept = await run_in_threadpool(s.blobs.sweep_tmp, started)
        if swept:
            log.info("removed %d partial upload(s) left by an earlier server", swept)
        if not mimetypes.inited:
            # the system's MIME tables, read once per process here: the first file upload's guess_type
            # read them (~0.1 s of CPU) inside its write transaction, holding up every other write
            await run_in_threadpool(mimetypes.init)
        broker: Broker = app.state.broker
        await broker.start()
        jobs_task = asyncio.create_task(jobs.run_periodically(app))
        try:
            yield
        finally:
            jobs_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await jobs_task
            await broker.stop()
            if store is None:
                await run_in_threadpool(s.close)

    from starlette.routing import Mount, Route

    from ..webui import ui_app
    from .wandb import server_routes as wandb_routes

    # the API first, then the wandb protocol (docs/wandb-server.md); everything else is the web UI
    routes = [
        *ROUTES,
        *wandb_routes(),
        Route(metrics.PATH, metrics.endpoint, methods=["GET"]),
        Mount("/", app=ui_app()),
    ]
    app = Starlette(routes=routes, exception_handlers=HANDLERS, lifespan=lifespan)  # type: ignore[arg-type]
    app.state.config = config
    app.state.broker = make_broker(config.bus, config.db_url, config.bus_channel)
    app.state.metrics = metrics.Metrics(app)
    app.add_middleware(AuthMiddleware, store_ref=app)
    logs.install(config.json_logs)
    app.add_middleware(SecurityHeaders)  # the auth middleware's 401s carry the headers too
    app.add_middleware(metrics.MetricsMiddleware, app_ref=app)  # outermost: every answer is counted
    if config.check_responses:  # outside the auth layer, so it also sees its errors
        app.add_middleware(ContractCheck, routes=ROUTES)
    return app


def app_from_env() -> Starlette:
    """The app of one `runyard server --workers N` process: uvicorn imports this factory in each
    worker, and the command passed its settings through the environment (RUNYARD_HOME, ...)."""
    host = os.environ.get("RUNYARD_HOST", "127.0.0.1")
    port = int(os.environ.get("RUNYARD_PORT", "8080"))
    app = create_app(ServerConfig.resolve(host=host, port=port), announce=False)
    freeze_loaded()
    return app


def freeze_loaded() -> None:
    """Called once a server process has built its app: what is loaded by then (modules, tables, the
    routes; ~100k objects) lives as long as the process, and frozen, the cyclic collector no longer
    walks it at each full collection (half its CPU during bench_ingest's 20 uploads at once). Not in
    create_app: a process that builds several apps (the tests) would keep the earlier ones forever."""
    gc.freeze()
