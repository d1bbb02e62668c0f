"""The ASGI application: `create_app(config)` for uvicorn, tests and the launcher.

At start it opens the store, runs the migrations and, on an empty store, creates the admin user and
its API key, writing them to `RUNYARD_HOME/credentials` (mode 600) so local clients log in without
ceremony (see sdk/http_client.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from ..store import Store
from ..wire.home import write_private_json
from . import jobs, logs
from .auth import AuthMiddleware
from .config import ServerConfig
from .contract import ContractCheck
from .errors import HANDLERS
from .pubsub import Broker
from .routes import ROUTES

log = logging.getLogger("runyard.server")


def bootstrap(store: Store, config: ServerConfig, announce: bool = True) -> str | None:
    """Migrate; on an empty store create the admin and its key. Returns the new key (first start only)."""
    store.migrate()
    made = store.db.write(lambda c: store.entities.bootstrap_admin(c, config.admin_name))
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


def create_app(config: ServerConfig, store: Store | None = None, announce: bool = True) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        s = store or Store.open(config.db_url, config.blob_dir)
        app.state.store = s
        app.state.bootstrap_key = await run_in_threadpool(bootstrap, s, config, announce)
        jobs_task = asyncio.create_task(jobs.run_periodically(app))
        try:
            yield
        finally:
            jobs_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await jobs_task
            if store is None:
                await run_in_threadpool(s.close)

    from starlette.routing import Mount

    from ..webui import ui_app
    from .wandb import server_routes as wandb_routes

    # the API first, then the wandb protocol (docs/wandb-server.md); everything else is the web UI
    routes = [*ROUTES, *wandb_routes(), Mount("/", app=ui_app())]
    app = Starlette(routes=routes, exception_handlers=HANDLERS, lifespan=lifespan)  # type: ignore[arg-type]
    app.state.config = config
    app.state.broker = Broker()
    app.add_middleware(AuthMiddleware, store_ref=app)
    logs.install()
    if config.check_responses:  # outermost, so it also sees the authentication layer's errors
        app.add_middleware(ContractCheck, routes=ROUTES)
    return app
