"""`runyard.Settings`: one object holding every knob, resolved at init from env vars and arguments.

Precedence (lowest first): defaults < `WANDB_*` env vars < `RUNYARD_*` env vars < `Settings(...)`
passed to init < init's own keyword arguments. Names follow wandb's so `wandb.Settings(...)` calls
keep working; names wandb has that runyard does not act on are accepted with a warning naming them,
and unknown names raise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import UsageError


def _bool(v: Any) -> bool:
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("1", "true", "yes", "y", "on"):
            return True
        if s in ("0", "false", "no", "n", "off", ""):
            return False
        raise ValueError(f"expected a boolean, got {v!r}")
    return bool(v)


def _float(v: Any) -> float:
    return float(v)


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def _tags(v: Any) -> tuple[str, ...] | None:
    if v is None:
        return None
    if isinstance(v, str):
        return tuple(t.strip() for t in v.split(",") if t.strip())
    return tuple(str(t) for t in v)


MODES = {
    "online": "online",
    "run": "online",
    "offline": "offline",
    "dryrun": "offline",
    "disabled": "disabled",
}


def _mode(v: Any) -> str:
    m = MODES.get(str(v).strip().lower())
    if m is None:
        raise ValueError(f"mode must be one of 'online', 'offline' or 'disabled', got {v!r}")
    return m


def _links(v: Any) -> bool:
    return False if isinstance(v, str) and v.strip().lower() == "copy" else _bool(v)


CONSOLE_MODES = ("auto", "off", "wrap", "redirect", "wrap_raw", "wrap_emu")


def _console(v: Any) -> str:
    s = str(v).strip().lower()
    if s not in CONSOLE_MODES:
        raise ValueError(f"console must be one of {', '.join(CONSOLE_MODES)}, got {v!r}")
    return s


# name: (default, converter, extra env var names besides WANDB_<NAME>/RUNYARD_<NAME>, doc)
FIELDS: dict[str, tuple[Any, Callable[[Any], Any], tuple[str, ...], str]] = {
    "mode": (
        "online",
        _mode,
        (),
        "online, offline or disabled; online without a configured server falls back to offline",
    ),
    "project": (None, _str, (), "project name (default: 'uncategorized')"),
    "entity": (None, _str, (), "user or team that owns the project"),
    "run_name": (None, _str, ("NAME",), "display name of the run"),
    "run_id": (None, _str, ("RUN_ID",), "run id (8 random [a-z0-9] characters by default)"),
    "run_tags": (None, _tags, ("TAGS",), "tags (env: comma-separated)"),
    "run_group": (None, _str, ("RUN_GROUP",), "group name"),
    "run_job_type": (None, _str, ("JOB_TYPE",), "job type"),
    "run_notes": (None, _str, ("NOTES",), "notes"),
    "root_dir": (
        None,
        _str,
        ("DIR",),
        "parent of the runyard/ folder holding run directories (default: cwd)",
    ),
    "resume": (None, _str, ("RESUME",), "allow, must, never or auto"),
    "reinit": ("default", _str, (), "what init does while a run is active"),
    "api_key": (None, _str, (), "API key for the server"),
    "base_url": (None, _str, (), "server URL"),
    "init_timeout": (90.0, _float, (), "seconds init waits for the server before carrying on locally"),
    "init_timeout_raises": (False, _bool, (), "raise CommError instead of carrying on locally"),
    "finish_timeout": (
        30.0,
        _float,
        (),
        "seconds finish() waits for the upload; `runyard sync` does the rest",
    ),
    "console": ("auto", _console, (), "console capture: auto/wrap/redirect or off"),
    "silent": (False, _bool, (), "print nothing"),
    "quiet": (False, _bool, (), "print only warnings and errors"),
    "show_warnings": (True, _bool, (), "print warnings"),
    "save_code": (False, _bool, (), "copy the main script into files/code/"),
    "disable_code": (False, _bool, (), "never save code"),
    "disable_git": (False, _bool, (), "do not record git commit/branch/diff"),
    "disable_meta": (False, _bool, (), "do not record host, OS, CPU/GPU inventory"),
    "save_requirements": (True, _bool, (), "write files/requirements.txt (installed packages)"),
    "program": (None, _str, (), "path of the main script (detected)"),
    "x_disable_stats": (False, _bool, ("DISABLE_STATS",), "do not sample system metrics"),
    "x_stats_sampling_interval": (
        10.0,
        _float,
        ("STATS_SAMPLING_INTERVAL",),
        "seconds between system-metric samples",
    ),
    "flush_interval": (0.25, _float, (), "seconds between flushes of the run log (at most 0.5 is honoured)"),
    "max_queue_bytes": (
        16 << 20,
        int,
        (),
        "bytes of log() data held in memory before the run log; beyond it log() calls are dropped, counted and recorded, never waited for",
    ),
    "allow_offline_artifacts": (True, _bool, (), "allow log_artifact in offline mode"),
    "sweep_id": (None, _str, ("SWEEP_ID",), "sweep this run belongs to"),
    "sweep_param_path": (None, _str, (), "YAML file of the sweep trial's parameters (set by the agent)"),
    "sweep_stop_file": (None, _str, (), "file whose appearance stops this sweep trial (set by the agent)"),
    "config_paths": (None, _tags, (), "YAML files loaded into the config at init (env: comma-separated)"),
    # Artifact cache knobs: read at call time through `env_value` (the cache serves every run).
    "cache_dir": (None, _str, (), "local artifact cache (default: ~/.cache/runyard)"),
    "cache_max_size": (
        None,
        _str,
        (),
        "bound on the artifact cache (e.g. 10GB), enforced after each download",
    ),
    "artifact_links": (
        True,
        _links,
        (),
        "hard-link cached artifact files into download folders; 0 (or copy) always copies",
    ),
}

ALIASES = {
    "name": "run_name",
    "id": "run_id",
    "tags": "run_tags",
    "group": "run_group",
    "job_type": "run_job_type",
    "notes": "run_notes",
    "dir": "root_dir",
    "stats_sampling_interval": "x_stats_sampling_interval",
    "_disable_stats": "x_disable_stats",
    "disable_stats": "x_disable_stats",
    "x_save_requirements": "save_requirements",
    "_stats_sample_rate_seconds": "x_stats_sampling_interval",
}

# wandb settings that are accepted (scripts pass them) but change nothing in runyard.
IGNORED = frozenset(
    {
        "start_method",
        "_disable_meta",
        "x_disable_meta",
        "disable_job_creation",
        "x_disable_machine_info",
        "_service_wait",
        "x_service_wait",
        "finish_timeout_raises",
        "show_info",
        "show_errors",
        "anonymous",
        "x_file_stream_transmit_interval",
        "_file_stream_timeout_seconds",
        "x_label",
        "x_primary",
        "sync_tensorboard",
        "heartbeat_seconds",
        "_save_requirements",
        "code_dir",
        "x_stats_gpu_device_ids",
        "notebook_name",
        "log_internal",
        "host",
        "username",
        "email",
        "x_internal_check_process",
        "x_show_operation_stats",
    }
)


class Settings:
    """Settings(**kw): every name is checked; see FIELDS for the list and `docs/settings.md`."""

    def __init__(self, **kwargs: Any):
        object.__setattr__(self, "_set", {})
        object.__setattr__(self, "ignored", [])
        self.update(kwargs)

    def update(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        for name, value in {**(values or {}), **kwargs}.items():
            self._assign(name, value)

    def _assign(self, name: str, value: Any) -> None:
        field = ALIASES.get(name, name)
        if field in FIELDS:
            if value is None:
                self._set.pop(field, None)
                return
            conv = FIELDS[field][1]
            try:
                self._set[field] = conv(value)
            except (TypeError, ValueError) as e:
                raise UsageError(f"Settings({name}=...): {e}") from None
        elif name in IGNORED or name.lstrip("_") in IGNORED:
            self.ignored.append(name)
        else:
            raise UsageError(
                f"Settings got an unknown setting {name!r}; known settings: {', '.join(sorted(FIELDS))}"
            )

    def __getattr__(self, name: str) -> Any:
        field = ALIASES.get(name, name)
        if field in FIELDS:
            return self._set.get(field, FIELDS[field][0])
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._assign(name, value)

    def is_set(self, name: str) -> bool:
        return ALIASES.get(name, name) in self._set

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in FIELDS}

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self._set.items()) + ")"

    def copy(self) -> Settings:
        s = Settings()
        s._set.update(self._set)
        s.ignored.extend(self.ignored)
        return s


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings given by WANDB_* and RUNYARD_* env vars (RUNYARD_* wins)."""
    s = Settings()
    for field in FIELDS:
        _assign_from_env(s, field, os.environ if environ is None else environ)
    return s


def env_value(field: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting as the env vars give it now (its default when none is set)."""
    s = Settings()
    _assign_from_env(s, field, os.environ if environ is None else environ)
    return getattr(s, field)


def _assign_from_env(s: Settings, field: str, env: Mapping[str, str]) -> None:
    names = (field.upper(), *FIELDS[field][2])
    if field.startswith("x_"):  # wandb spells private settings WANDB__FOO
        names = (*names, "_" + field[2:].upper())
    for prefix in ("WANDB_", "RUNYARD_"):
        for n in names:
            v = env.get(prefix + n)
            if v is not None and v != "":
                try:
                    s._assign(field, v)
                except UsageError as e:
                    raise UsageError(f"{prefix + n}={v!r}: {e}") from None


def merged(*layers: Settings | None) -> Settings:
    out = Settings()
    for layer in layers:
        if layer is not None:
            out._set.update(layer._set)
            out.ignored.extend(layer.ignored)
    return out
