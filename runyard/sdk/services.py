"""What a run works with, built by `init()` and handed to the Run.

The parts that act for a run (the stream uploader, the artifact saver, the media writer, the
background threads stopped at finish) get what they need here, explicitly, instead of reaching into
the Run's private attributes. The Run binds `record` and `finished` to itself when it is created.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .output import Printer


@dataclass
class ServerLink:
    """What init learnt about the server: a client for the uploads, and who we are there."""

    client: Any  # http_client.Client
    base_url: str
    default_entity: str | None = None


def _unbound(*_args: Any) -> Any:
    raise RuntimeError("RunServices used before its Run bound it")


@dataclass
class RunServices:
    settings: Any  # settings.Settings
    printer: Printer
    run_dir: str | None  # None: the run is kept in memory only
    server: ServerLink | None = None  # online mode
    # parts stopped by finish() before the EXIT record, last started first: console capture,
    # system monitor, sweep stop watcher, the media store
    background: list[Any] = field(default_factory=list)
    uploader: Any = None  # online: stream_uploader.Uploader, started by the Run
    artifact_saver: Any = None  # online: artifacts/saver.ArtifactSaver, at the first log_artifact
    artifact_transport: Any = None  # online: artifacts/transfer.Transport, shared by saver and downloads
    media_store: Any = None  # media/_store.MediaStore, at the first media value
    env_thread: Any = None  # the environment capture, joined (bounded) at finish
    # bound by the Run: append a record to its run log; whether finish() has begun
    record: Callable[[int, dict], None] = _unbound
    finished: Callable[[], bool] = _unbound

    @property
    def files_dir(self) -> str | None:
        return os.path.join(self.run_dir, "files") if self.run_dir else None
