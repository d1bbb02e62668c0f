"""Start a real server without blocking: uvicorn in a thread on a free port (tests, notebooks, browsers).

with ServerThread(ServerConfig.resolve(home=tmp)) as srv:
    srv.url, srv.api_key
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from .app import create_app
from .config import ServerConfig


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerThread:
    def __init__(self, config: ServerConfig, log_level: str = "warning", **app_kw: Any):
        if not config.port:
            config.port = free_port(config.host)
        self.config = config
        self.app = create_app(config, announce=False, **app_kw)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=config.host,
                port=config.port,
                log_level=log_level,
                lifespan="on",
                timeout_keep_alive=30,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="runyard-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    @property
    def store(self) -> Any:
        return self.app.state.store

    @property
    def api_key(self) -> str | None:
        return getattr(self.app.state, "bootstrap_key", None)

    def start(self, timeout: float = 30.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"runyard server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(15)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
