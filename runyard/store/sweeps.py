"""Sweeps on the server: the controller (runyard/sweeps/controller.py) applied to the database.

An agent's calls are kept short and apart, so fifty agents polling one sweep do not queue behind each
other (bench/bench_sweeps.py):
- `next` first claims a re-queued trial, if any, locking only that row (`FOR UPDATE SKIP LOCKED`:
  two agents never take the same one, neither waits for the other); otherwise it takes the sweep's
  lock (its row `FOR UPDATE` on PostgreSQL; SQLite's single writer already serialises) for the
  decisions that need the whole sweep: reap silent trials, count, insert the new trial, whose index
  the unique (sweep, index) constraint guards as a last resort;
- a heartbeat is answered from a read while the stored beat is recent enough (controller
  `beat_slack`: a quarter of the timeout), so most beats take no writer at all; the others, and a
  report, write their own trial's row only. Hyperband beats still judge every trial;
- locks are taken in one order, the sweep before its trials: a call holding a trial's row never waits
  for the sweep (wandb's agent protocol, which may move from its trials to a new one in one call,
  takes the sweep first), so two calls never wait on each other.

A trial's metric values are not copied into the trials table: they are read from its run (the
summary, and for hyperband the sweep metric's history in log order), so they are current however the
run's data arrived (online, or synced later).
"""

from __future__ import annotations

import math
import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..sweeps.config import SweepConfig, parse, replacement, with_seed
from ..sweeps.controller import (
    SWEEP_STATES,
    Assignment,
    TrialRecord,
    beat_slack,
    claim,
    finish,
    fresh,
    gate,
    overdue,
    reap,
    request_stops,
)
from ..sweeps.errors import SweepConfigError
from .db import Database
from .metrics import Metrics
from .tables import entities, metric_keys, projects, runs, sweep_trials, sweeps

# The statements of the agent round trip, built once (building one costs more than running it).
_LOCATE = (
    sa.select(sweeps, projects.c.entity_id, projects.c.visibility)
    .join(projects, projects.c.id == sweeps.c.project_id)
    .join(entities, entities.c.id == projects.c.entity_id)
    .where(
        entities.c.name == sa.bindparam("e"),
        projects.c.name == sa.bindparam("p"),
        sweeps.c.sweep_id == sa.bindparam("s"),
    )
)
_LOCKED = _LOCATE.with_for_update(of=sweeps)
_PK = sweep_trials.c.sweep_pk == sa.bindparam("pk")
_TRIALS = sa.select(sweep_trials).where(_PK).order_by(sweep_trials.c.idx)
_ONE_TRIAL = sa.select(sweep_trials).where(_PK, sweep_trials.c.idx == sa.bindparam("idx"))
# no ORDER BY in SQL here: SQLite would then walk the (sweep, index) index over every trial to avoid
# a sort, instead of seeking the few unfinished ones through (sweep, state)
_UNFINISHED = sa.select(sweep_trials).where(_PK, sweep_trials.c.state.in_(("running", "pending")))
# a re-queued trial no other transaction holds (any one: they are all handed out before new ones)
_PENDING = (
    sa.select(sweep_trials)
    .where(_PK, sweep_trials.c.state == "pending")
    .limit(1)
    .with_for_update(skip_locked=True)
)
_OVERDUE = sa.select(sweep_trials).where(
    _PK, sweep_trials.c.state == "running", sweep_trials.c.heartbeat_at < sa.bindparam("cutoff")
)
_MINE = sa.select(sweep_trials).where(
    _PK, sweep_trials.c.state == "running", sweep_trials.c.agent == sa.bindparam("agent")
)
_ONE_LOCKED = _ONE_TRIAL.with_for_update()
_MINE_LOCKED = _MINE.with_for_update()
_UNFINISHED_LOCKED = _UNFINISHED.with_for_update()
_LOCK_SWEEP = sa.select(sweeps.c.state).where(sweeps.c.id == sa.bindparam("pk")).with_for_update()
_LAST_INDEX = sa.select(sweep_trials.c.idx).where(_PK).order_by(sweep_trials.c.idx.desc()).limit(1)
_INSERT_TRIAL = sa.insert(sweep_trials)  # the values come with each call
_UPDATE_TRIAL = sa.update(sweep_trials).where(
    sweep_trials.c.sweep_pk == sa.bindparam("b_pk"), sweep_trials.c.idx == sa.bindparam("b_idx")
)
# one-column updates of a row the caller has not locked: they change only what they mean to, and only
# while the trial still runs (its attempt's agent for a beat), whatever else happened to the row
_RUNNING = (
    sweep_trials.c.sweep_pk == sa.bindparam("b_pk"),
    sweep_trials.c.idx == sa.bindparam("b_idx"),
    sweep_trials.c.state == "running",
)
_BEAT = (
    sa.update(sweep_trials)
    .where(*_RUNNING, sweep_trials.c.agent == sa.bindparam("b_agent"))
    .values(heartbeat_at=sa.bindparam("b_at"))
)
_STOP = sa.update(sweep_trials).where(*_RUNNING).values(stop_requested=True)
_RUNS = sa.select(runs.c.id, runs.c.run_id, runs.c.state, runs.c.summary).where(
    runs.c.project_id == sa.bindparam("project"), runs.c.run_id.in_(sa.bindparam("ids", expanding=True))
)
SELF_ENDED = ("finished", "failed", "stopped")  # run states a trial's run reaches on its own
_TRIAL_COLS = ("params", "state", "run_id", "run_ids", "agent", "attempts", "heartbeat_at", "stop_requested")


class Sweeps:
    def __init__(self, db: Database, metrics: Metrics):
        self.db = db
        self.metrics = metrics

    # -- sweeps ---------------------------------------------------------------------------------------
    def create(
        self,
        conn: Connection,
        project_id: int,
        config: dict,
        created_by: int | None,
        sweep_id: str | None = None,
        state: str = "running",
    ) -> sa.Row:
        """A new sweep (config validated and seeded); `sweep_id` keeps a local sweep's id on sync."""
        parse(config)
        if state not in SWEEP_STATES:
            raise SweepConfigError("state", f"{state!r} is not one of: {', '.join(SWEEP_STATES)}")
        now = time.time()
        sweep_id = sweep_id or secrets.token_hex(4)
        conn.execute(
            sa.insert(sweeps).values(
                project_id=project_id,
                sweep_id=sweep_id,
                config=with_seed(config),
                state=state,
                created_at=now,
                updated_at=now,
                created_by=created_by,
            )
        )
        row = self.get(conn, project_id, sweep_id)
        assert row is not None
        return row

    def get(self, conn: Connection, project_id: int, sweep_id: str, lock: bool = False) -> sa.Row | None:
        q = sa.select(sweeps).where(sweeps.c.project_id == project_id, sweeps.c.sweep_id == sweep_id)
        return conn.execute(q.with_for_update() if lock else q).first()

    def locate(
        self, conn: Connection, entity: str, project: str, sweep_id: str, lock: bool = False
    ) -> sa.Row | None:
        """The sweep's row plus its project's `entity_id` and `visibility` (what the access policy
        weighs), in one query: what every agent call starts with. `lock` locks the sweep's row only."""
        return conn.execute(_LOCKED if lock else _LOCATE, {"e": entity, "p": project, "s": sweep_id}).first()

    def in_project(self, conn: Connection, project_id: int) -> list[dict]:
        counts = (
            sa.select(
                sweep_trials.c.sweep_pk,
                sa.func.count().label("trials"),
                sa.func.sum(sa.case((sweep_trials.c.state == "running", 1), else_=0)).label("running"),
            )
            .group_by(sweep_trials.c.sweep_pk)
            .subquery()
        )
        q = (
            sa.select(sweeps, counts.c.trials, counts.c.running)
            .outerjoin(counts, counts.c.sweep_pk == sweeps.c.id)
            .where(sweeps.c.project_id == project_id)
            .order_by(sweeps.c.created_at.desc())
        )
        return [
            _sweep_dict(r) | {"trial_count": int(r.trials or 0), "running": int(r.running or 0)}
            for r in conn.execute(q)
        ]

    def set_state(self, conn: Connection, row: sa.Row, state: str, stop: bool = True) -> None:
        """Change the state; stopping or canceling tells running trials to stop (unless `stop` is False:
        a synced local sweep's trials already ran)."""
        if state not in SWEEP_STATES:
            raise SweepConfigError("state", f"{state!r} is not one of: {', '.join(SWEEP_STATES)}")
        conn.execute(
            sa.update(sweeps).where(sweeps.c.id == row.id).values(state=state, updated_at=time.time())
        )
        if stop and state != "running":
            cfg = parse(row.config)
            self._stop(conn, row, request_stops(cfg, state, self.trials(conn, row, cfg)))

    def update_config(self, conn: Connection, row: sa.Row, config: dict) -> None:
        """A new configuration by the rule of `sweeps.config.replacement` (none once a trial ran)."""
        new = replacement(row.config, config, self.count(conn, row))
        conn.execute(
            sa.update(sweeps).where(sweeps.c.id == row.id).values(config=new, updated_at=time.time())
        )

    # -- trials ---------------------------------------------------------------------------------------
    def trials(
        self,
        conn: Connection,
        row: sa.Row,
        cfg: SweepConfig | None = None,
        metrics: bool = True,
        index: int | None = None,
        unfinished: bool = False,
        lock: bool = False,
    ) -> list[TrialRecord]:
        """The sweep's trials (only trial `index` if given, only the running and re-queued ones with
        `unfinished`, through the (sweep, state) index) with their runs' summaries (and metric
        histories when hyperband needs them); `metrics=False` skips the runs (grid and random
        search, and bookkeeping, need none of it: the assignment round trip stays cheap). `lock`
        locks the rows read (trial `index`, or the unfinished ones) until the transaction ends."""
        cfg = cfg or parse(row.config)
        if index is not None:
            q = _ONE_LOCKED if lock else _ONE_TRIAL
        else:
            q = (_UNFINISHED_LOCKED if lock else _UNFINISHED) if unfinished else _TRIALS
        return self._records(conn, row, cfg, conn.execute(q, {"pk": row.id, "idx": index}), metrics)

    def _records(
        self, conn: Connection, row: sa.Row, cfg: SweepConfig, rows: Any, metrics: bool = False
    ) -> list[TrialRecord]:
        out = [
            TrialRecord(
                index=r.idx,
                params=r.params,
                run_id=r.run_id,
                state=r.state,
                agent=r.agent,
                attempts=r.attempts,
                run_ids=list(r.run_ids),
                heartbeat_at=r.heartbeat_at,
                stop_requested=r.stop_requested,
            )
            for r in rows
        ]
        out.sort(key=lambda t: t.index)
        if not metrics:
            return out
        by_run = self._runs(conn, row.project_id, [t.run_id for t in out])
        metric = cfg.metric.name if cfg.early_terminate and cfg.metric else None
        histories = self._histories(conn, [r["pk"] for r in by_run.values()], metric) if metric else {}
        for t in out:
            r = by_run.get(t.run_id)
            if r is not None:
                t.summary = r["summary"]
                if metric and r["pk"] in histories:
                    t.history = {metric: histories[r["pk"]]}
        return out

    def _runs(self, conn: Connection, project_id: int, run_ids: list[str]) -> dict[str, dict]:
        if not run_ids:
            return {}
        found = conn.execute(_RUNS, {"project": project_id, "ids": run_ids})
        return {r.run_id: {"pk": r.id, "state": r.state, "summary": r.summary or {}} for r in found}

    def _histories(self, conn: Connection, run_pks: list[int], metric: str) -> dict[int, list[float]]:
        q = sa.select(metric_keys.c.id, metric_keys.c.run_pk).where(
            metric_keys.c.run_pk.in_(run_pks), metric_keys.c.kind == "history", metric_keys.c.key == metric
        )
        out = {}
        for key_id, run_pk in conn.execute(q).all():
            vals = self.metrics.raw(conn, key_id).val
            out[run_pk] = [
                float(v)
                for v in vals
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            ]
        return out

    def _save(self, conn: Connection, sweep_pk: int, t: TrialRecord, new: bool = False) -> None:
        values = {c: getattr(t, c) for c in _TRIAL_COLS}
        if new:
            conn.execute(_INSERT_TRIAL, {"sweep_pk": sweep_pk, "idx": t.index, **values})
        else:
            conn.execute(_UPDATE_TRIAL, {"b_pk": sweep_pk, "b_idx": t.index, **values})

    def _stop(self, conn: Connection, row: sa.Row, trials: list[TrialRecord]) -> None:
        """Stop requests for running trials (hyperband, a cancel), whoever holds their rows."""
        for t in trials:
            conn.execute(_STOP, {"b_pk": row.id, "b_idx": t.index})

    def put_trials(self, conn: Connection, row: sa.Row, records: list[TrialRecord]) -> None:
        """Trials decided elsewhere (a local sweep being synced, whose directory is their truth):
        new ones inserted, known ones updated."""
        have = set(
            conn.execute(sa.select(sweep_trials.c.idx).where(sweep_trials.c.sweep_pk == row.id)).scalars()
        )
        for t in records:
            self._save(conn, row.id, t, new=t.index not in have)

    def settle(self, conn: Connection, row: sa.Row, trials: list[TrialRecord], save: bool = True) -> None:
        """Running trials whose run already ended by itself (finished, failed, stopped) take that state:
        an agent may exit without a last word (wandb's agent stops heart-beating once its `count` is
        done), and the run's own end is the better witness than the agent's silence. A run that
        crashed is left to the heartbeat rule, which re-queues its trial."""
        running = [t for t in trials if t.state == "running"]
        ended = self._runs(conn, row.project_id, [t.run_id for t in running])
        for t in running:
            state = ended.get(t.run_id, {}).get("state")
            if state in SELF_ENDED:
                finish(t, state)
                if save:
                    self._save(conn, row.id, t)

    # -- what agents call (each in one write transaction unless said otherwise) ---------------------
    def count(self, conn: Connection, row: sa.Row) -> int:
        """How many trials the sweep has: they are numbered 0..n-1, so the unique (sweep, index)
        index answers with its last entry."""
        last = conn.execute(_LAST_INDEX, {"pk": row.id}).scalar()
        return 0 if last is None else int(last) + 1

    def _lock(self, conn: Connection, row: sa.Row) -> str:
        """Take the sweep's lock (PostgreSQL: its row; SQLite's one writer already excludes the
        others) and answer its state as of now."""
        if self.db.is_sqlite:
            return str(row.state)
        return str(conn.execute(_LOCK_SWEEP, {"pk": row.id}).scalar())

    def next(
        self, conn: Connection, row: sa.Row, agent: str, heartbeat_timeout: float, locked: bool = False
    ) -> Assignment:
        """The agent's next assignment (`locked`: the caller holds the sweep's lock already).

        A re-queued trial is claimed without the sweep's lock (its row alone, skipping any another
        agent is claiming). Otherwise, under the sweep's lock: the overdue trials are settled from
        their runs or reaped (a reaped trial re-queued is this agent's), then a new trial. Grid and
        random search read only the trial count and, once nothing new may start, the unfinished
        trials (both through indexes), so the round trip does not grow with the sweep; bayes fits its
        model on every finished trial and reads them all."""
        now = time.time()
        closed = gate(row.state)
        if closed is not None:
            return closed
        cfg = parse(row.config)
        pending = self._records(conn, row, cfg, conn.execute(_PENDING, {"pk": row.id}))
        if pending:
            return self._claim(conn, row, pending[0], agent, now)
        if not locked:
            closed = gate(self._lock(conn, row))
            if closed is not None:
                return closed
        for t in self._reap(conn, row, cfg, now, heartbeat_timeout):
            if t.state == "pending":
                return self._claim(conn, row, t, agent, now)
        if cfg.method == "bayes":
            trials, total = self.trials(conn, row, cfg), None
            self.settle(conn, row, trials)
            decision, record, exhausted = fresh(cfg, trials, agent, now)
        else:
            total = self.count(conn, row)
            decision, record, exhausted = fresh(cfg, [], agent, now, total)
            if record is None:  # nothing new may start: wait while trials run, else the sweep is done
                trials = self.trials(conn, row, cfg, metrics=False, unfinished=True, lock=True)
                self.settle(conn, row, trials)
                decision, record, exhausted = fresh(cfg, trials, agent, now, total)
        if record is not None:
            self._save(conn, row.id, record, new=True)
        if exhausted:
            conn.execute(
                sa.update(sweeps).where(sweeps.c.id == row.id).values(state="finished", updated_at=now)
            )
        return decision

    def _claim(self, conn: Connection, row: sa.Row, t: TrialRecord, agent: str, now: float) -> Assignment:
        a = claim(t, agent, now)
        self._save(conn, row.id, t)
        return a

    def _reap(
        self, conn: Connection, row: sa.Row, cfg: SweepConfig, now: float, heartbeat_timeout: float
    ) -> list[TrialRecord]:
        """Overdue trials (sweep locked): those whose run ended by itself take its state, the others
        are crashed and re-queued by the controller's rule. Returns the reaped ones."""
        cutoff = now - heartbeat_timeout - beat_slack(heartbeat_timeout)
        late = self._records(conn, row, cfg, conn.execute(_OVERDUE, {"pk": row.id, "cutoff": cutoff}))
        if not late:
            return []
        late = self.trials(conn, row, cfg, metrics=False, unfinished=True, lock=True)
        late = [t for t in late if overdue(t, now, heartbeat_timeout)]
        self.settle(conn, row, late)
        reaped = reap(late, now, heartbeat_timeout)
        for t in reaped:
            self._save(conn, row.id, t)
        return reaped

    def heartbeat_answer(
        self, conn: Connection, row: sa.Row, agent: str, index: int, heartbeat_timeout: float
    ) -> bool | None:
        """A heartbeat answered from a read (any transaction): whether to stop the trial, or None
        when the beat must be written (`heartbeat`): the stored beat is older than the controller's
        slack, or hyperband judges the trials at each beat."""
        cfg = parse(row.config)
        if cfg.early_terminate is not None:
            return None
        t = _trial(self.trials(conn, row, cfg, metrics=False, index=index), index)
        if t.agent != agent or t.stop_requested:
            return True
        if t.state == "running" and time.time() - t.heartbeat_at > beat_slack(heartbeat_timeout):
            return None
        return False

    def heartbeat(self, conn: Connection, row: sa.Row, agent: str, index: int) -> bool:
        """True when the agent should stop trial `index` (hyperband, a canceled sweep, or reaped).
        Writes the beat (its row alone) and, for hyperband, the stop requests it decides."""
        cfg = parse(row.config)
        judge = cfg.early_terminate is not None  # hyperband weighs every trial's history at each beat
        state = row.state
        if judge:  # judges run one at a time: each may stop others' trials (sweep, then rows)
            state = self._lock(conn, row)
            trials = self.trials(conn, row, cfg)
            t = _trial(trials, index)
        else:
            t = _trial(self.trials(conn, row, cfg, metrics=False, index=index, lock=True), index)
        if t.agent == agent and t.state == "running":
            conn.execute(_BEAT, {"b_pk": row.id, "b_idx": index, "b_agent": agent, "b_at": time.time()})
            if judge:
                self._stop(conn, row, request_stops(cfg, state, trials))  # marks `t` too
        return t.stop_requested or t.agent != agent

    def agent_beat_answer(
        self, conn: Connection, row: sa.Row, agent: str, alive: set[str], heartbeat_timeout: float
    ) -> list[str] | None:
        """wandb's agent heartbeat answered from a read: the runs to stop while every trial of the
        agent still runs and its stored beat is recent; None when the beat must be written
        (`agent_beat`): a trial ended, the agent needs a new one, a beat is due, or hyperband."""
        cfg = parse(row.config)
        if cfg.early_terminate is not None:
            return None
        mine = self._records(conn, row, cfg, conn.execute(_MINE, {"pk": row.id, "agent": agent}))
        slack, now = beat_slack(heartbeat_timeout), time.time()
        if not mine or any(t.run_id not in alive or now - t.heartbeat_at > slack for t in mine):
            return None
        return [t.run_id for t in mine if t.stop_requested]

    def agent_beat(
        self, conn: Connection, row: sa.Row, agent: str, alive: set[str], heartbeat_timeout: float
    ) -> tuple[list[str], Assignment | None]:
        """wandb's agent protocol in one call: the agent names the runs it still has (`alive`); its
        other trials ended (with their runs' states: no run at all is `failed`, a run that never said
        it ended is `crashed`). Returns the alive runs to stop, and a new assignment when the agent
        has nothing left running (None while it has).

        When the agent will need a new trial (or hyperband judges), the sweep is locked before its
        trials (the order every call keeps); should its last trial turn out gone only once its rows
        are locked, the new trial waits for the agent's next beat instead."""
        now = time.time()
        cfg = parse(row.config)
        judge = cfg.early_terminate is not None  # hyperband weighs every trial's history
        seen = self._records(conn, row, cfg, conn.execute(_MINE, {"pk": row.id, "agent": agent}))
        locked = judge or not any(t.run_id in alive for t in seen)
        if locked:
            self._lock(conn, row)
        mine = self._records(conn, row, cfg, conn.execute(_MINE_LOCKED, {"pk": row.id, "agent": agent}))
        ended = self._runs(conn, row.project_id, [t.run_id for t in mine if t.run_id not in alive])
        for t in mine:
            if t.run_id in alive:
                t.heartbeat_at = now
            else:
                state = ended.get(t.run_id, {}).get("state")
                final = "failed" if state is None else state if state in SELF_ENDED else "crashed"
                finish(t, "stopped" if t.stop_requested and final != "finished" else final)
            self._save(conn, row.id, t)
        if judge:
            stops = request_stops(cfg, row.state, self.trials(conn, row, cfg))
            self._stop(conn, row, stops)
            stopped = {t.index for t in stops}
            for t in mine:
                t.stop_requested = t.stop_requested or t.index in stopped
        running = [t for t in mine if t.state == "running"]
        stops_now = [t.run_id for t in running if t.stop_requested]
        if running or not locked:
            return stops_now, None
        return stops_now, self.next(conn, row, agent, heartbeat_timeout, locked=True)

    def report(self, conn: Connection, row: sa.Row, agent: str, index: int, state: str) -> None:
        """The attempt's end (its row alone)."""
        t = _trial(self.trials(conn, row, metrics=False, index=index, lock=True), index)
        if t.agent != agent:  # reaped meanwhile: the controller's word stands
            return
        finish(t, "stopped" if t.stop_requested and state != "finished" else state)
        self._save(conn, row.id, t)

    # -- what a sweep page shows ------------------------------------------------------------------------
    def detail(self, conn: Connection, row: sa.Row) -> dict:
        from ..sweeps.insight import insight

        cfg = parse(row.config)
        trials = self.trials(conn, row, cfg)
        self.settle(conn, row, trials, save=False)  # a read: shown as the next agent call will record it
        states = {
            k: v["state"] for k, v in self._runs(conn, row.project_id, [t.run_id for t in trials]).items()
        }
        return _sweep_dict(row) | {
            "trials": [
                {
                    "index": t.index,
                    "params": t.params,
                    "state": t.state,
                    "run_id": t.run_id,
                    "run_ids": t.run_ids,
                    "run_state": states.get(t.run_id),
                    "attempts": t.attempts,
                    "agent": t.agent,
                    "stop_requested": t.stop_requested,
                    "metrics": {m.name: t.view().objective(m) for m in cfg.metrics},
                }
                for t in trials
            ],
            **insight(cfg, [t.view() for t in trials]),
        }


def _trial(trials: list[TrialRecord], index: int) -> TrialRecord:
    for t in trials:
        if t.index == index:
            return t
    raise SweepConfigError("index", f"the sweep has no trial {index}")


def _sweep_dict(r: Any) -> dict:
    cfg = r.config
    return {
        "id": r.sweep_id,
        "state": r.state,
        "config": cfg,
        "method": cfg.get("method"),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }
