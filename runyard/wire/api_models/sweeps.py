"""Sweeps and the agent protocol."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, Json, Request

SweepState = Literal["running", "paused", "stopped", "canceled", "finished"]
TrialEnd = Literal["finished", "failed", "crashed", "stopped"]
TrialState = Literal["running", "pending", "finished", "failed", "crashed", "stopped"]


class SweepMetric(Answer):
    open: ClassVar[bool] = True
    name: str
    goal: Literal["minimize", "maximize"] | UnsetType = UNSET


class SweepConfig(Answer):
    """A sweep's configuration as it was created: these fields and any others."""

    open: ClassVar[bool] = True
    name: str | UnsetType = UNSET
    method: str | UnsetType = UNSET
    metric: SweepMetric | list[SweepMetric] | UnsetType = UNSET
    parameters: Json | UnsetType = UNSET
    run_cap: int | UnsetType = UNSET


class SweepSummary(Answer):
    id: str
    state: SweepState
    config: SweepConfig
    method: str | None
    created_at: float
    updated_at: float
    trial_count: int
    running: int


class Sweeps(Answer):
    sweeps: list[SweepSummary]


class Trial(Answer):
    index: int
    params: Json
    state: TrialState
    run_id: str
    run_ids: list[str]
    run_state: Annotated[str | None, Meta(description="the state of the trial's run, when it exists")]
    attempts: int
    agent: str | None
    stop_requested: bool
    metrics: Annotated[
        dict[str, float | None], Meta(description="each metric's objective value (null: none yet)")
    ]


class Sweep(Answer):
    id: str
    state: SweepState
    config: SweepConfig
    method: str | None
    created_at: float
    updated_at: float
    entity: str
    project: str
    trials: list[Trial]
    pareto_front: list[Any]
    importance: Annotated[
        dict[str, dict[str, float]], Meta(description="{metric: {parameter: share of variance}}")
    ]
    correlation: Annotated[dict[str, dict[str, float]], Meta(description="{metric: {parameter: Pearson r}}")]


class TrialRecord(Request):
    """A trial of a local sweep being synced, as the local sweep stores it."""

    index: int
    params: Json
    run_id: str
    state: TrialState = "running"
    agent: str | None = None
    attempts: int = 1
    run_ids: list[str] = []
    heartbeat_at: float = 0.0
    stop_requested: bool = False
    summary: Json = {}
    history: dict[str, list[float | None]] = {}


class NewSweep(Request):
    """A new sweep; with `id` (a local sweep being synced) the call is idempotent: an existing sweep of
    that id takes the given state and trials (its config is kept)."""

    config: Annotated[Json, Meta(description="the sweep configuration (method, metric, parameters)")]
    id: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    state: SweepState | None | UnsetType = UNSET
    trials: list[TrialRecord] | None = None


class SweepPatch(Request):
    """A new state, a new configuration, or both (the config first)."""

    state: Annotated[
        SweepState | UnsetType, Meta(description="pause, resume (running), stop, cancel or finish")
    ] = UNSET
    config: Annotated[
        Json | UnsetType,
        Meta(
            description="a new configuration, accepted while the sweep has no trial (the sweep's seed is "
            "kept unless the new one sets its own); once one ran, 409 sweep_started with the count"
        ),
    ] = UNSET


class AgentAsk(Request):
    agent: Annotated[str, Meta(min_length=1)]


class Assignment(Answer):
    kind: Annotated[Literal["run", "wait", "exit"], Meta(description="run the params, wait, or exit")]
    index: Annotated[int, Meta(description="the trial (-1 unless kind is run)")]
    run_id: str
    params: Json
    reason: str


class AgentHeartbeat(Request):
    agent: Annotated[str, Meta(min_length=1)]
    index: int


class HeartbeatAnswer(Answer):
    stop: Annotated[bool, Meta(description="stop the trial's run")]


class AgentReport(Request):
    agent: Annotated[str, Meta(min_length=1)]
    index: int
    state: TrialEnd


class Reported(Answer):
    ok: bool
