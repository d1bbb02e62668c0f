"""The small per-run state of the wandb protocol, one document per run in the database.

It holds what the protocol needs between requests and the rest of the store does not: the synthetic
run log's segment, byte offset and next seq, the next expected line offset of each file_stream file,
the held (still overwritable) console line, the last config and summary as wandb sent them (for diffs
and for `RunResumeStatus`), records and files waiting for the run's start (gc keeps those files'
blobs: the document holds them, store/protocol_state.py).

The document lives in `protocol_state` (kind `run`, store/protocol_state.py) and a request changes
it in the one write transaction that also applies the frames it produced (runs.py: `WandbRuns._run`),
with its row locked: the requests of one run are serialised across replicas, and the state and the
run log it describes commit or roll back together (exactly once follows: a retried request finds its
lines below the saved offsets). Nothing of it lives on a replica's disk or in its memory.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

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
        "nonce": secrets.token_hex(4),  # in segment ids: a lost state never reuses one
        "segment_no": 0,  # segments started so far (0: the run is not in the store yet)
        "segment": None,
        "log_end": 0,  # bytes of the current segment's run log (all applied)
        "seq": 0,
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


def run_name(key: RunKey) -> str:
    """The document's name: a digest of the key (names may be long; the digest is bounded)."""
    return hashlib.sha256(f"{key.entity}\0{key.project}\0{key.run_id}".encode()).hexdigest()[:40]


def lock(store: Any, conn: Any, key: RunKey) -> dict[str, Any]:
    """The run's state with its row locked until the transaction ends: a fresh state if there is none,
    or if the run it put in the store is gone (deleted, or its project): its id is free again, as
    for a run never seen. (A started run's state holds no blobs: files wait only before the start.)"""
    doc = store.protocol.lock(conn, "run", run_name(key))
    if not isinstance(doc, dict) or doc.get("v") != STATE_VERSION:
        return new_state(key)
    if doc.get("segment_no") and store.runs.follow(conn, key.entity, key.project, key.run_id) is None:
        return new_state(key)
    base = new_state(key)
    base.update(doc)
    return base


def get(store: Any, conn: Any, key: RunKey) -> dict[str, Any] | None:
    doc = store.protocol.get(conn, "run", run_name(key))
    if not isinstance(doc, dict) or doc.get("v") != STATE_VERSION:
        return None
    base = new_state(key)
    base.update(doc)
    return base


def save(store: Any, conn: Any, key: RunKey, st: dict[str, Any]) -> None:
    store.protocol.put(conn, "run", run_name(key), st)
