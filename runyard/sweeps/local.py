"""A sweep with no server: its state in a directory that every agent of the sweep can reach.

    <root>/sweep-<id>/
        sweep.yaml        the config as created (with its seed), plus project/entity
        state             running | paused | stopped | canceled | finished
        trials/00007.json one file per trial (controller.TrialRecord)
        lock              every read-decide-write holds a POSIX lock on this file

Agents on several nodes share the directory over a network filesystem. Each decision (next trial,
heartbeat, result) happens under an exclusive `fcntl.lockf` lock on `lock`, and files are replaced
atomically (write, fsync, rename), so two agents never take the same trial. Limit: the filesystem
must honour POSIX locks across hosts (local disks, NFSv4, NFSv3 with lockd, Lustre/BeeGFS mounted
with locking on); on one that ignores them, run the agents of a sweep on one node.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from .config import SweepConfig, parse, replacement, with_seed
from .controller import SWEEP_STATES, Assignment, TrialRecord, assign, finish, reap, request_stops
from .errors import SweepConfigError

DEFAULT_HEARTBEAT_TIMEOUT = 120.0


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class LocalSweep:
    def __init__(self, path: str | os.PathLike, heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT):
        self.path = Path(path)
        if not (self.path / "sweep.yaml").is_file():
            raise SweepConfigError("(sweep)", f"{self.path} is not a local sweep directory (no sweep.yaml)")
        self.heartbeat_timeout = heartbeat_timeout
        self.doc = yaml.safe_load((self.path / "sweep.yaml").read_text())
        self.config: SweepConfig = parse(self.doc["config"])

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def project(self) -> str | None:
        return self.doc.get("project")

    @property
    def entity(self) -> str | None:
        return self.doc.get("entity")

    @classmethod
    def create(
        cls, root: str | os.PathLike, config: dict, project: str | None = None, entity: str | None = None
    ) -> LocalSweep:
        parse(config)  # refuse an invalid config before anything is written
        sweep_id = secrets.token_hex(4)
        path = Path(root) / f"sweep-{sweep_id}"
        (path / "trials").mkdir(parents=True)
        doc = {
            "id": sweep_id,
            "project": project or config.get("project"),
            "entity": entity or config.get("entity"),
            "created_at": time.time(),
            "config": with_seed(config),
        }
        _write_atomic(path / "state", "running\n")
        (path / "lock").touch()
        _write_atomic(path / "sweep.yaml", yaml.safe_dump(doc, sort_keys=False))
        return cls(path)

    # -- the lock and the files --------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[list[TrialRecord]]:
        with open(self.path / "lock", "r+") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX)
            try:
                yield self._read_trials()
            finally:
                fcntl.lockf(lock, fcntl.LOCK_UN)

    def _read_trials(self) -> list[TrialRecord]:
        out = []
        for p in sorted((self.path / "trials").glob("*.json")):
            out.append(TrialRecord.from_dict(json.loads(p.read_text())))
        return out

    def _save(self, t: TrialRecord) -> None:
        _write_atomic(self.path / "trials" / f"{t.index:05d}.json", json.dumps(t.as_dict()))

    def state(self) -> str:
        return (self.path / "state").read_text().strip()

    def set_state(self, state: str) -> None:
        if state not in SWEEP_STATES:
            raise SweepConfigError("state", f"{state!r} is not one of: {', '.join(SWEEP_STATES)}")
        with self.locked() as trials:
            _write_atomic(self.path / "state", state + "\n")
            if state == "running":  # resumed: nothing to do but let agents ask again
                return
            for t in request_stops(self.config, state, trials):
                self._save(t)

    def update_config(self, config: dict) -> None:
        """A new configuration while the sweep has no trial (`config.replacement`'s rule)."""
        with self.locked() as trials:
            self.doc["config"] = replacement(self.doc["config"], config, len(trials))
            _write_atomic(self.path / "sweep.yaml", yaml.safe_dump(self.doc, sort_keys=False))
            self.config = parse(self.doc["config"])

    def trials(self) -> list[TrialRecord]:
        with self.locked() as trials:
            return trials

    # -- what agents call --------------------------------------------------------------------
    def next(self, agent: str, now: float | None = None) -> Assignment:
        now = time.time() if now is None else now
        with self.locked() as trials:
            for t in reap(trials, now, self.heartbeat_timeout):
                self._save(t)
            decision, record, exhausted = assign(self.config, self.state(), trials, agent, now)
            if record is not None:
                self._save(record)
            if exhausted:
                _write_atomic(self.path / "state", "finished\n")
            return decision

    def heartbeat(self, agent: str, index: int, history: dict[str, list[float]] | None = None) -> bool:
        """Record that `agent` is still running trial `index`; True when the trial should stop."""
        with self.locked() as trials:
            t = trials[index]
            if t.agent == agent and t.state == "running":
                t.heartbeat_at = time.time()
                if history is not None:
                    t.history = history
                self._save(t)
                for other in request_stops(self.config, self.state(), trials):
                    self._save(other)
            return t.stop_requested or t.agent != agent

    def report(self, agent: str, index: int, state: str, summary: dict | None = None) -> None:
        with self.locked() as trials:
            t = trials[index]
            if t.agent != agent:  # reaped meanwhile (this agent was thought dead): keep the controller's word
                return
            finish(t, "stopped" if t.stop_requested and state != "finished" else state, summary)
            self._save(t)


def find(root: str | os.PathLike, sweep_id: str) -> Path:
    """The directory of local sweep `sweep_id` under `root` (or `sweep_id` itself when it is a path)."""
    p = Path(sweep_id)
    if (p / "sweep.yaml").is_file():
        return p
    cand = Path(root) / f"sweep-{sweep_id}"
    if (cand / "sweep.yaml").is_file():
        return cand
    raise SweepConfigError("(sweep)", f"no local sweep {sweep_id!r} under {root}")
