"""The small per-run state of the wandb protocol, kept in a JSON sidecar (no schema change).

One file per wandb run under `RUNYARD_HOME/compat/wandb/<sha256 of entity/project/run>.json`. It holds
what the protocol needs between requests and the store does not: the synthetic run log's segment,
byte offset and next seq, the next expected line offset of each file_stream file, the held (still
overwritable) console line, the last config and summary as wandb sent them (for diffs and for
`RunResumeStatus`), and `pending`: frames written here *before* they are applied to the database.

`pending` makes the pair (sidecar, database) crash-safe without a shared transaction: a request first
computes its frames, saves them as `pending` together with the advanced offsets (atomic rename), then
applies them through `store.ingest` (exactly once by byte offset), then clears `pending`. A crash
between the two leaves `pending` to be applied by the next request; a retried request finds its lines
below the saved offsets and adds nothing. Requests of one run are serialised by a thread lock plus an
`flock` on the sidecar's lock file (several server processes may share a home).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock alone (one server process)
    fcntl = None  # type: ignore[assignment]

STATE_VERSION = 1


@dataclass(frozen=True)
class RunKey:
    entity: str
    project: str
    run_id: str

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.project}/{self.run_id}"


def new_state(key: RunKey) -> dict[str, Any]:
    return {
        "v": STATE_VERSION,
        "entity": key.entity,
        "project": key.project,
        "run_id": key.run_id,
        "nonce": secrets.token_hex(4),  # in segment ids: a lost sidecar never reuses one
        "segment_no": 0,  # segments started so far (0: the run is not in the store yet)
        "segment": None,
        "log_end": 0,  # bytes of the current segment's run log (applied or pending)
        "seq": 0,
        "pending": None,  # {"offset": int, "data": hex} not yet acknowledged by the store
        "start_time": None,
        "last_ts": None,
        "last_step": None,
        "meta": {},  # RUN record fields as last sent by UpsertBucket
        "sent_meta": {},  # name/notes/tags as the store has them
        "config": {},  # runyard form {key: value}, "_wandb" included
        "summary": {},  # wandb's last full summary (internal keys included)
        "shown": {},  # what runyard's summary shows per top-level key (last logged or set value)
        "lines": {},  # file name -> next expected line offset
        "console_held": {},  # str(offset) -> [ts, stream, text]: the last, still overwritable lines
        "console_count": 0,  # lines seen (max offset + 1)
        "history_tail": [],
        "events_tail": [],
        "metrics": [],  # digests of the define_metric entries already written
        "resume_pending": False,
        "resume_history_offset": 0,
        "finished": False,
    }


class StateStore:
    def __init__(self, root: Path):
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _file(self, key: RunKey) -> Path:
        digest = hashlib.sha256(f"{key.entity}\0{key.project}\0{key.run_id}".encode()).hexdigest()[:40]
        return self.root / f"{digest}.json"

    def load(self, key: RunKey) -> dict[str, Any] | None:
        try:
            doc = json.loads(self._file(key).read_text())
        except FileNotFoundError:
            return None
        if not isinstance(doc, dict) or doc.get("v") != STATE_VERSION:
            return None
        base = new_state(key)
        base.update(doc)
        return base

    def save(self, key: RunKey, st: dict[str, Any], durable: bool = True) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        dest = self._file(key)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=dest.stem, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(st, f, separators=(",", ":"), allow_nan=True)
                if durable:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def locked(self, key: RunKey) -> Iterator[None]:
        """Serialise the requests of one run (threads of this process, and other processes)."""
        name = self._file(key).name
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if fcntl is None:
                yield
                return
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / (name + ".lock"), "a") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def snapshot(st: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(st)
