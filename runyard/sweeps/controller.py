"""The sweep controller: which trial an agent runs next, which trials crashed, which to stop.

It is pure: it reads a sweep's trials and returns the changes to make, and a store (the server's
database, or a sweep directory on a shared filesystem) applies them atomically, so two agents never
get the same trial and a grid runs every combination once.

A *trial* is one suggested configuration; each time it runs is an *attempt* with its own run id.
Rules:
- a trial whose agent stops heart-beating for `heartbeat_timeout` seconds (noticed at most a quarter
  of it later, see `overdue`) is marked `crashed`; it is re-queued (a new attempt with the same
  parameters) while it has had fewer than `1 + max_requeues` attempts — once by default — and
  re-queued trials are handed out before any new suggestion;
- `run_cap` counts trials, not attempts: a re-queued trial does not take a second place;
- hyperband (see hyperband.py) and `cancel` mark running trials `stop_requested`; their agent tells
  the run, whose next `log()` ends it `stopped`;
- sweep states: running → paused (no new trials until resumed) | stopped (running trials finish, no
  new ones) | canceled (running trials are stopped too) | finished (nothing left to run).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import SweepConfig
from .hyperband import to_stop
from .search import Trial, suggest

ACTIVE = ("running",)
DONE = ("finished", "failed", "crashed", "stopped")
SWEEP_STATES = ("running", "paused", "stopped", "canceled", "finished")


def new_run_id() -> str:
    return secrets.token_hex(4)


@dataclass
class TrialRecord:
    """A trial as stored."""

    index: int
    params: dict
    run_id: str
    state: str = "running"  # running | pending (re-queued) | finished | failed | crashed | stopped
    agent: str | None = None
    attempts: int = 1
    run_ids: list[str] = field(default_factory=list)
    heartbeat_at: float = 0.0
    stop_requested: bool = False
    summary: dict = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrialRecord:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def view(self) -> Trial:
        state = "running" if self.state == "pending" else self.state
        return Trial(self.index, self.params, state, self.summary, self.history)


@dataclass
class Assignment:
    """What an agent is told: run `params` as run `run_id` (trial `index`), wait, or exit."""

    kind: str  # run | wait | exit
    index: int = -1
    run_id: str = ""
    params: dict = field(default_factory=dict)
    reason: str = ""


def gate(sweep_state: str) -> Assignment | None:
    """What an agent is told while the sweep does not hand out trials (None: it does)."""
    if sweep_state in ("stopped", "canceled", "finished"):
        return Assignment("exit", reason=f"the sweep is {sweep_state}")
    if sweep_state == "paused":
        return Assignment("wait", reason="the sweep is paused")
    return None


def claim(t: TrialRecord, agent: str, now: float) -> Assignment:
    """A re-queued trial's next attempt goes to `agent` (`t` is updated in place)."""
    run_id = new_run_id()
    t.state, t.agent, t.run_id, t.heartbeat_at, t.stop_requested = "running", agent, run_id, now, False
    t.attempts += 1
    t.run_ids.append(run_id)
    return Assignment("run", t.index, run_id, t.params)


def fresh(
    cfg: SweepConfig, trials: list[TrialRecord], agent: str, now: float, total: int | None = None
) -> tuple[Assignment, TrialRecord | None, bool]:
    """A new trial for `agent` (the assignment and the record to insert), or, when `run_cap` or the
    grid allows none, wait (trials still run: one may be re-queued) or exit; the flag says the sweep
    has nothing left to run. `trials` and `total` as in `assign` (with `total`, `trials` only need
    to hold the unfinished ones when no new trial is possible)."""
    n = len(trials) if total is None else total
    capped = cfg.run_cap is not None and n >= cfg.run_cap
    params = None if capped else suggest(cfg, [t.view() for t in trials], total)
    if params is None:
        busy = any(t.state in ACTIVE for t in trials)
        reason = "run_cap reached" if capped else "every grid combination has run"
        return Assignment("wait" if busy else "exit", reason=reason), None, not busy
    run_id = new_run_id()
    rec = TrialRecord(n, params, run_id, agent=agent, run_ids=[run_id], heartbeat_at=now)
    return Assignment("run", rec.index, run_id, params), rec, False


def assign(
    cfg: SweepConfig,
    sweep_state: str,
    trials: list[TrialRecord],
    agent: str,
    now: float,
    total: int | None = None,
) -> tuple[Assignment, TrialRecord | None, bool]:
    """The next assignment for `agent`, the trial record to write (new or updated), and whether the
    sweep has nothing left to run (the store then marks it finished): re-queued trials first, then
    a new one (`fresh`).

    `trials` is every trial, or (grid and random search, given `total`, the number of trials) only
    the unfinished ones: what assignment needs, read through an index whatever the sweep's size."""
    closed = gate(sweep_state)
    if closed is not None:
        return closed, None, False
    for t in trials:
        if t.state == "pending":  # a crashed trial's re-run
            return claim(t, agent, now), t, False
    return fresh(cfg, trials, agent, now, total)


def overdue(t: TrialRecord, now: float, heartbeat_timeout: float) -> bool:
    """The trial's agent has been silent too long. A store may record heartbeats lazily, at most
    `beat_slack(timeout)` apart (server: a beat that would change little writes nothing), so the
    stored time may lag the agent's last beat by that much: it is added here, and an agent is never
    thought dead before `heartbeat_timeout` of silence (at most a quarter of it later)."""
    return t.state in ACTIVE and now - t.heartbeat_at > heartbeat_timeout + beat_slack(heartbeat_timeout)


def beat_slack(heartbeat_timeout: float) -> float:
    """How stale a stored heartbeat may be before a new beat must be written (see `overdue`)."""
    return heartbeat_timeout / 4


def reap(
    trials: list[TrialRecord], now: float, heartbeat_timeout: float, max_requeues: int = 1
) -> list[TrialRecord]:
    """Trials whose agent went silent: crashed, and re-queued while attempts remain. Returns the changed ones."""
    changed = []
    for t in trials:
        if overdue(t, now, heartbeat_timeout):
            t.state = "pending" if t.attempts < 1 + max_requeues and not t.stop_requested else "crashed"
            t.agent = None
            changed.append(t)
    return changed


def request_stops(cfg: SweepConfig, sweep_state: str, trials: list[TrialRecord]) -> list[TrialRecord]:
    """Running trials that hyperband (or a canceled sweep) stops now. Returns the changed ones."""
    running = [t for t in trials if t.state in ACTIVE and not t.stop_requested]
    if sweep_state == "canceled":
        victims = {t.index for t in running}
    else:
        victims = set(to_stop(cfg, [t.view() for t in trials]))
    changed = []
    for t in running:
        if t.index in victims:
            t.stop_requested = True
            changed.append(t)
    return changed


def finish(trial: TrialRecord, state: str, summary: dict[str, Any] | None = None) -> None:
    """An attempt ended with the run's final state (finished, failed, crashed or stopped)."""
    trial.state = state if state in DONE else "failed"
    trial.agent = None
    if summary is not None:
        trial.summary = summary
