"""The Run: what `runyard.init()` returns, and the hot path `log()`.

`log()` validates, stamps (seq, step, wall time) and appends one tuple to a deque; a background
writer (writer.py) does the rest. Its cost per key is a few C-level passes: the key tuple is
compared with the last one (and interned), a row of floats is packed into 8 bytes per value
(history_codec.float_row), and the summary takes the row without touching each key. Rows are not
assembled here: each call is stored as a fragment carrying its step and whether it commits the
row, and readers rebuild wandb's rows from them. That keeps `log()` to a few microseconds and
means a crash loses no half-assembled row.
"""

from __future__ import annotations

import glob as _glob
import itertools
import os
import shutil
import sys
import threading
import time
from collections import deque
from typing import Any

from ..errors import UsageError
from ..wire.history_codec import float_row
from ..wire.names import LEGACY_MODEL_REGISTRY, registry_name
from ..wire.records import MAX_STEP, RT
from ..wire.rundir import RunLock
from ..wire.summary import SummaryState, parse_summary_option
from .config import Config
from .services import RunServices
from .summary import Summary
from .threads import start as start_thread
from .values import check_keys, normalize_log_value
from .writer import K_HIST, LogWriter, queued_bytes

_NUM_TYPES = frozenset({float, int})
_WAKE_AT = 1 << 20  # bytes held that wake the writer before its interval is up
_ROW_MIN = 16  # values from which a call of floats is queued packed (fewer save little memory)


class StepError(UsageError, ValueError):
    """log(step=...) is not an integer in 0..2**63-1 (steps are int64 wherever runs are read)."""


class Run:
    """A live run. Created by `runyard.init()`; its properties are those of wandb's `Run`."""

    def __init__(
        self,
        *,
        services: RunServices,
        run_id: str,
        name: str | None,
        project: str,
        entity: str | None,
        group: str | None,
        job_type: str | None,
        tags: tuple,
        notes: str | None,
        mode: str,
        run_dir: str | None,
        log_path: str | None,
        resumed: bool = False,
        starting_step: int = 0,
        allow_val_change: bool = False,
    ):
        settings = services.settings
        self._services = services
        self._settings = settings
        self._id = run_id
        self._name = name
        self._project = project
        self._entity = entity
        self._group = group
        self._job_type = job_type
        self._tags = tuple(tags or ())
        self._notes = notes
        self._mode = mode
        self._run_dir = run_dir
        self._log_path = log_path
        self._files_dir = os.path.join(run_dir, "files") if run_dir else None
        self._resumed = resumed
        self._starting_step = starting_step
        self._printer = services.printer
        self._start_time = time.time()
        self._segment = os.urandom(4).hex()
        self._finished = False
        self._watcher: Any = None  # sdk/watch.py, created by the first watch()
        self._forked_copy = False  # set in a child process forked after init (see hooks.py)
        self._stop_requested = False  # a sweep controller asked this run to stop (sweep_trial.py)
        self._finish_lock = threading.Lock()
        self._finishing_in: int | None = None  # the thread inside finish()'s locked part
        self._exit_code: int | None = None

        self._q: deque = deque()
        self._seq = itertools.count(1)
        self._step = starting_step
        # memory held before the run log is bounded in bytes: queued (by log) less drained (by the
        # writer), plus what the writer encoded but could not write yet
        self._qmax = max(1 << 20, int(settings.max_queue_bytes))
        self._wake_at = min(_WAKE_AT, self._qmax // 4)
        self._yield_at = self._qmax * 3 // 4
        self._queued_bytes = 0
        self._dropped = [0, 0]  # log() calls and values dropped at the bound (see _drop)
        self._drops_to_record = False
        self._ok_keys: dict[tuple, tuple] = {}  # checked key tuples, each kept once (interned)
        self._last_keys: tuple = ()
        self._warned: set[str] = set()
        self._non_monotonic = False

        self._summary_state = SummaryState()
        self._plain_summary = True
        self.config = Config(sink=self._config_changed, allow_val_change=allow_val_change)
        self.summary = Summary(self._summary_state, self._summary_changed, lambda: (self._start_time, 0.0))
        self._saved: list[tuple[str, str, str]] = []  # (source, dest relpath, policy)
        self._lock = RunLock(run_dir) if run_dir else None
        self._writer = LogWriter(log_path, self._q, settings.flush_interval, services.printer.warn)
        services.record = self._record
        services.finished = lambda: self._finished

    # -- identity -----------------------------------------------------------------------------
    id = property(lambda self: self._id)
    name = property(lambda self: self._name, lambda self, v: self._update_run(name=str(v)))
    display_name = name
    project = property(lambda self: self._project)
    entity = property(lambda self: self._entity)
    group = property(lambda self: self._group)
    job_type = property(lambda self: self._job_type)
    notes = property(lambda self: self._notes, lambda self, v: self._update_run(notes=str(v)))
    tags = property(lambda self: self._tags, lambda self, v: self._update_run(tags=tuple(str(t) for t in v)))
    step = property(lambda self: self._step)
    starting_step = property(lambda self: self._starting_step)
    resumed = property(lambda self: self._resumed)
    offline = property(lambda self: self._mode == "offline")
    disabled = property(lambda self: False)
    start_time = property(lambda self: self._start_time)
    settings = property(lambda self: self._settings)
    sweep_id = property(lambda self: self._settings.sweep_id)
    sync_dir = property(lambda self: self._run_dir)
    dir = property(lambda self: self._files_dir)

    @property
    def path(self) -> str:
        return f"{self._entity or ''}/{self._project}/{self._id}".lstrip("/")

    @property
    def url(self) -> str | None:
        if self._mode == "offline":
            self._printer.warn_once("url", "URL not available in offline run")
            return None
        base = self._base_url()
        return f"{base}/{self._entity}/{self._project}/runs/{self._id}" if base else None

    @property
    def project_url(self) -> str | None:
        base = self._base_url()
        return f"{base}/{self._entity}/{self._project}" if base and self._mode != "offline" else None

    def _base_url(self) -> str:
        server = self._services.server
        return server.base_url.rstrip("/") if server is not None else ""

    def __repr__(self) -> str:
        return f"<runyard.Run {self.path} name={self._name!r} mode={self._mode}>"

    # -- the hot path -------------------------------------------------------------------------
    def log(
        self, data: dict, step: int | None = None, commit: bool | None = None, sync: bool | None = None
    ) -> None:
        """Record `data` as the values of this step. Never blocks on the disk, never raises for it."""
        if self._finished or self._forked_copy or self._stop_requested:
            if self._stop_requested and not self._finished:
                self._stop_for_sweep()
            self._ignored_log()
            return
        if type(data) is not dict:
            data = self._as_dict(data)
        keys = tuple(data)
        last = self._last_keys  # read once: another thread may log other keys meanwhile
        # the usual case, the keys of the last call, costs a scan comparing identities
        keys = last if keys == last else self._intern(keys)
        vals = tuple(data.values())
        row = float_row(vals) if len(vals) >= _ROW_MIN else None
        if row is None and not set(map(type, vals)) <= _NUM_TYPES:
            vals = tuple(
                normalize_log_value(k, v, self, self._step if step is None else step)
                for k, v in zip(keys, vals)
            )
        now = time.time()
        cur = self._step
        if step is None:
            s = cur
            if s > MAX_STEP:
                self._check_step(s)
            if commit is False:
                c = 0
            else:
                c = 1
                self._step = cur + 1
        else:
            if type(step) is not int or step < 0 or step > MAX_STEP:
                step = self._check_step(step)
            s = step
            if s > cur:
                self._step = cur = s
            if s < cur:
                c = 1  # kept, in its step's row (wire/history_rows.py); wandb would drop it
                self._flag_non_monotonic(s, cur)
            elif commit:
                c = 1
                self._step = s + 1
            else:
                c = 0
        w = self._writer
        nb = queued_bytes(vals if row is None else row)
        held = self._queued_bytes - w.drained_bytes + w.unwritten_bytes + nb
        if held > self._qmax:
            self._drop(len(vals))
            return
        self._queued_bytes += nb
        self._q.append((K_HIST, next(self._seq), s, now, c, keys, vals if row is None else row))
        if self._plain_summary:
            self._summary_state.add_last(keys, vals)
        else:
            self._summary_state.add_fragment(keys, vals)
        self._summary_state.last_step = s
        self._summary_state.last_ts = now
        if held > self._wake_at:
            if not w.wake.is_set():
                w.wake.set()
            if held > self._yield_at:
                # the writer is far behind: a training thread that never blocks leaves it the
                # interpreter only once per switch interval (writer.py); before anything is dropped,
                # let it take a slice now (at most writer.SLICE_BEHIND; a writer blocked on the
                # disk holds no interpreter, and this returns at once)
                time.sleep(0)
        if self._drops_to_record and held < self._qmax // 2:
            self._record_drops()

    def _intern(self, keys: tuple) -> tuple:
        """The checked, shared copy of a key tuple: queued calls and the summary hold one tuple."""
        known = self._ok_keys.get(keys)
        if known is None:
            check_keys(keys)
            if len(self._ok_keys) < 10_000:
                self._ok_keys[keys] = keys
            known = keys
        self._last_keys = known
        return known

    def _drop(self, n_values: int) -> None:
        """The memory bound is reached: the disk has not taken what was logged for a while. log()
        never waits for it (training must not stall); the call's values are dropped instead,
        counted, announced once, and the count is written to the run log once there is room."""
        d = self._dropped
        d[0] += 1
        d[1] += n_values
        self._drops_to_record = True
        self._writer.wake.set()
        self._printer.warn_once(
            "dropped",
            f"the run log has not kept up for a while (slow or stalled disk): runyard holds max_queue_bytes="
            f"{self._qmax} bytes in memory and drops log() calls beyond that instead of stalling training; "
            "the run records how many were dropped (run flag 'dropped_log_calls')",
        )

    def _record_drops(self) -> None:
        d = self._dropped
        self._q.append(
            (
                RT.RUN_UPDATE,
                {"seq": next(self._seq), "flags": {"dropped_log_calls": d[0], "dropped_log_values": d[1]}},
            )
        )
        self._printer.warn(
            f"the run log keeps up again; {d[0]} log() calls ({d[1]} values) were dropped so far, recorded in "
            "the run (flag 'dropped_log_calls')"
        )
        self._drops_to_record = False

    def _stop_for_sweep(self) -> None:
        from ..errors import RunStopped

        self._printer.info(f"run {self._id} stopped by its sweep's controller")
        self.finish(_state="stopped")
        raise RunStopped(f"run {self._id} was stopped by its sweep's controller (early termination)")

    def _ignored_log(self) -> None:
        self._raise_if_finished("log")  # as wandb does: a finished run's data would be silently lost
        self._printer.warn_once(
            "log-in-fork",
            f"log() called in a forked child process (pid {os.getpid()}) of run {self._id}; runyard records "
            "only the process that called init(), so this call is ignored",
        )

    def _raise_if_finished(self, method: str) -> None:
        if self._finished:
            raise UsageError(
                f"Run ({self._id}) is finished. The call to `{method}` will be ignored. Please make sure "
                "that you are using an active run."
            )

    def _as_dict(self, data: Any) -> dict:
        try:
            return dict(data.items())
        except AttributeError:
            raise UsageError(f"runyard.log() takes a dict of values, not {type(data).__name__}") from None

    def _check_step(self, step: Any) -> int:
        if isinstance(step, bool) or not hasattr(step, "__index__"):
            raise StepError(f"runyard.log(step=...) must be a non-negative integer, got step={step!r}")
        step = int(step.__index__())
        if not 0 <= step <= MAX_STEP:
            raise StepError(
                f"runyard.log(step=...) must be a non-negative integer up to 2**63-1, got step={step}"
            )
        return step

    def _flag_non_monotonic(self, step: int, current: int) -> None:
        if not self._non_monotonic:
            self._non_monotonic = True
            self._q.append((RT.RUN_UPDATE, {"seq": next(self._seq), "flags": {"non_monotonic_steps": True}}))
            self._printer.warn(
                f"step {step} is lower than the current step {current}; runyard keeps the point (wandb would drop "
                "it) and flags the run 'non_monotonic_steps'. This warning is shown once."
            )

    # -- records other than history -----------------------------------------------------------
    def _record(self, rtype: int, payload: dict) -> None:
        payload["seq"] = next(self._seq)
        self._q.append((rtype, payload))

    def _config_changed(self, update: dict, remove: list) -> None:
        if not self._finished:
            self._record(RT.CONFIG, {"update": update, "remove": remove})

    def _summary_changed(self, update: dict, remove: list) -> None:
        if not self._finished:
            self._record(RT.SUMMARY, {"update": update, "remove": remove})

    def _update_run(self, **fields: Any) -> None:
        for k, v in fields.items():
            setattr(self, "_" + k, v)
        if not self._finished:
            self._record(
                RT.RUN_UPDATE, {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
            )

    def emit_console(self, stream: int, ts: float, line: str) -> None:
        self._q.append((RT.CONSOLE, next(self._seq), ts, stream, line))

    def emit_system(self, ts: float, sample: dict) -> None:
        self._q.append((RT.SYSTEM, next(self._seq), ts, sample))

    # -- wandb API beyond log ------------------------------------------------------------------
    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
    ) -> dict:
        self._raise_if_finished("define_metric")
        if not isinstance(name, str) or not name:
            raise UsageError("define_metric(name) needs a non-empty metric name or glob such as 'val/*'")
        try:
            kinds = parse_summary_option(summary)
        except ValueError as e:
            raise UsageError(str(e)) from None
        if goal is not None and str(goal).lower() not in ("min", "max", "minimize", "maximize"):
            raise UsageError(f"define_metric goal must be 'minimize' or 'maximize', got {goal!r}")
        spec: dict[str, Any] = {"glob": name} if "*" in name else {"name": name}
        if step_metric:
            spec["step_metric"] = str(step_metric)
            spec["step_sync"] = True if step_sync is None else bool(step_sync)
        if kinds:
            spec["summary"] = list(kinds)
        if hidden:
            spec["hidden"] = True
        if goal:
            spec["goal"] = str(goal).lower()
        self._summary_state.define(dict(spec))
        if kinds:
            self._plain_summary = False
        self._record(RT.METRIC, dict(spec))
        return spec

    def save(
        self, glob_str: str | os.PathLike, base_path: str | os.PathLike | None = None, policy: str = "live"
    ) -> list[str]:
        """Copy files matching `glob_str` into the run's files/ (live/end files are copied again at finish).

        As in wandb, paths keep their folders relative to `base_path` (the working directory for a
        relative glob: `ckpt/a.pt` stays `ckpt/a.pt`; the grandparent folder for an absolute one).
        Returns the paths of the copies inside the run's files/."""
        self._raise_if_finished("save")
        if policy not in ("live", "now", "end"):
            raise UsageError(f"save(policy=...) must be 'live', 'now' or 'end', got {policy!r}")
        if isinstance(glob_str, bytes):
            glob_str = glob_str.decode()
        glob_str = os.fspath(glob_str)
        pattern = os.path.abspath(glob_str)
        if base_path is not None:
            base = os.path.abspath(os.fspath(base_path))
        elif not os.path.isabs(glob_str):
            base = os.path.abspath(".")
        else:
            self._printer.warn_once(
                "save-absolute",
                "Saving files without folders. If you want to preserve subdirectories pass base_path to "
                'save, i.e. save("/mnt/folder/file.h5", base_path="/mnt")',
            )
            base = os.path.dirname(os.path.dirname(pattern))
        if os.path.relpath(pattern, base).startswith(".."):
            raise UsageError(f"save({glob_str!r}): the path is not inside base_path {base!r}")
        if self._files_dir is None:
            return []
        saved = []
        for src in sorted(_glob.glob(pattern, recursive=True)):
            if not os.path.isfile(src):
                continue
            rel = os.path.relpath(src, base)
            self._copy_into_files(src, rel)
            self._saved.append((src, rel, policy))
            saved.append(rel)
        if saved:
            self._record(RT.FILES, {"files": [{"path": r, "policy": policy, "kind": "user"} for r in saved]})
        else:
            self._printer.warn(f"save({glob_str!r}) matched no file")
        return [os.path.join(self._files_dir, r) for r in saved]

    def _copy_into_files(self, src: str, rel: str) -> None:
        dest = os.path.join(self._files_dir or ".", rel)
        try:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy2(src, dest)
        except OSError as e:
            self._printer.warn(f"could not save {src}: {e.strerror}")

    def alert(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
        self._raise_if_finished("alert")
        lvl = getattr(level, "value", level) or "INFO"
        wd = getattr(wait_duration, "total_seconds", None)
        self._record(
            RT.ALERT,
            {
                "title": str(title),
                "text": str(text),
                "level": str(lvl),
                "wait_duration": wd() if callable(wd) else wait_duration,
            },
        )
        self._printer.info(f"alert [{lvl}] {title}: {text}")

    def mark_preempting(self) -> None:
        self._raise_if_finished("mark_preempting")
        self._record(RT.RUN_UPDATE, {"flags": {"preempting": True}})

    def status(self) -> dict:
        return {
            "id": self._id,
            "step": self._step,
            "queued": len(self._q),
            "bytes_written": self._writer.bytes_written,
            "finished": self._finished,
        }

    def watch(
        self,
        models: Any = None,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: Any = None,
        log_graph: bool = False,
    ) -> None:
        """Log histograms of a torch model's gradients and/or parameters every `log_freq` steps
        (`log` = "gradients" | "parameters" | "all"); they join the next `log()` step."""
        if self._watcher is None:
            from .watch import Watcher

            self._watcher = Watcher(self)
        self._watcher.watch(models, criterion, log, log_freq)

    def _label(self, **labels: Any) -> None:
        """wandb's framework integrations tag their runs (`code="transformers_trainer"`); runyard keeps no such tag."""

    def unwatch(self, models: Any = None) -> None:
        """Remove the hooks `watch` added (of `models`, or of every watched model)."""
        if self._watcher is not None:
            self._watcher.unwatch(models)

    # -- artifacts (sdk/artifacts/, docs/artifacts.md) ---------------------------------------------
    def log_artifact(
        self,
        artifact_or_path: Any,
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> Any:
        """Log an Artifact (or a path: a file, a folder or a reference URI) as an output of this run.

        Returns the artifact; online its upload runs in the background (`artifact.wait()` blocks
        until the version is committed), offline it is staged inside the run directory."""
        self._raise_if_finished("log_artifact")
        from .artifacts.saver import log_artifact

        return log_artifact(self, artifact_or_path, name, type, aliases, tags)

    def use_artifact(
        self, artifact_or_name: Any, type: str | None = None, aliases: Any = None, use_as: Any = None
    ) -> Any:
        """Declare an artifact version ("name:alias", "entity/project/name:v3") an input of this run."""
        self._raise_if_finished("use_artifact")
        from .artifacts.saver import use_artifact

        return use_artifact(self, artifact_or_name, type, aliases, use_as)

    def log_model(self, path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
        """Log a model file or folder as an artifact of type "model"."""
        return self.log_artifact(path, name=name, type="model", aliases=aliases)

    def use_model(self, name: str) -> str:
        """Use a model artifact and download it; returns the local path."""
        return self.use_artifact(name).download()

    def link_artifact(self, artifact: Any, target_path: str, aliases: list[str] | None = None) -> Any:
        """Register a logged artifact version in a registry collection ("wandb-registry-model/clf",
        docs/registry.md); `aliases` such as ["production"] move onto it. Needs the server."""
        self._raise_if_finished("link_artifact")
        if self._services.artifact_transport is None:
            raise UsageError(
                "link_artifact() needs the server (this run is offline): after `runyard sync`, link with "
                "`runyard registry link ENTITY/PROJECT/NAME:vN wandb-registry-<registry>/<collection>`"
            )
        from .artifacts.artifact import parse_artifact_path

        entity, project, collection, _ = parse_artifact_path(target_path, None, None)
        if entity is None and registry_name(project) is not None and self.entity:
            target_path = f"{self.entity}/{project}/{collection}"
        return artifact.link(target_path, aliases)

    def link_model(
        self, path: Any, registered_model_name: str, name: str | None = None, aliases: list[str] | None = None
    ) -> Any:
        """Log `path` as a model artifact and register it as `registered_model_name` in the "model"
        registry (wandb's `model-registry`), moving `aliases` onto it."""
        if "/" in registered_model_name:
            raise UsageError(
                "Please provide only the name of the registered model. Do not append the entity or project name."
            )
        art = self.log_model(path, name=name)
        return self.link_artifact(art, f"{LEGACY_MODEL_REGISTRY}/{registered_model_name}", aliases)

    def log_code(
        self,
        root: str | None = ".",
        name: str | None = None,
        include_fn: Any = None,
        exclude_fn: Any = None,
    ) -> Any:
        """Log the source files under `root` as an artifact of type "code", as wandb does: by default
        *.py, Dockerfile* and requirements.txt outside run folders; `include_fn`/`exclude_fn` take
        (path) or (path, root). Returns the artifact, or None (with a warning) when no file matched."""
        from .artifacts import code

        self._raise_if_finished("log_code")
        art = None
        if root is not None:
            art = code.code_artifact(
                name or code.default_name(self._project, program_path()),
                root,
                include_fn or code.is_code_file,
                exclude_fn or code.in_run_dir,
            )
        if art is None:
            self._printer.warn(
                "No relevant files were detected in the specified directory. No code will be logged to your run."
            )
            return None
        return self.log_artifact(art)

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything logged so far is on disk (tests and `runs show` of a live run use it)."""
        if "runyard.sdk.media" in sys.modules:  # media files are written by their own thread
            from .media import flush as flush_media

            flush_media(self, timeout)
        return self._writer.barrier(timeout)

    # -- lifecycle ----------------------------------------------------------------------------
    def _start(self, config: dict, run_record: dict) -> None:
        if self._lock is not None:
            self._lock.acquire()
        self._record(RT.RUN, {**run_record, "segment": self._segment})
        if config:
            self.config._set_many(config, True)
        start_thread(self._writer)
        services = self._services
        if services.server is not None and self._log_path is not None:
            from .stream_uploader import Uploader

            services.uploader = Uploader(
                services, (self._entity, self._project, self._id), self._segment, self._log_path
            )
            start_thread(services.uploader)

    def finish(
        self, exit_code: int | None = None, quiet: bool | None = None, *, _state: str | None = None
    ) -> None:
        if self._finishing_in == threading.get_ident():
            # re-entered on the thread already finishing: a SIGTERM/SIGHUP handler (hooks.py) that
            # interrupted finish() and is about to end the process. Waiting for our own lock would
            # hang it; what was logged is made durable instead.
            self._writer.barrier(5.0)
            return
        with self._finish_lock:
            if self._finished:
                return
            self._finishing_in = threading.get_ident()
            try:
                services = self._services
                for b in reversed(services.background):
                    try:
                        b.stop()
                    except Exception:
                        pass
                if services.env_thread is not None:
                    services.env_thread.join(5.0)
                for src, rel, policy in self._saved:
                    if policy in ("live", "end") and os.path.exists(src):
                        self._copy_into_files(src, rel)
                code = 0 if exit_code is None else int(exit_code)
                state = _state or ("finished" if code == 0 else "failed")
                if self._drops_to_record:
                    self._record_drops()
                now = time.time()
                self._record(
                    RT.EXIT,
                    {"exit_code": code, "state": state, "end_time": now, "runtime": now - self._start_time},
                )
                self._finished = True
                self._exit_code = code
                self.unwatch()  # the model outlives the run: its hooks must not log into a finished one
            finally:
                self._finishing_in = None
        services = self._services
        if services.artifact_saver is not None or services.artifact_transport is not None:
            from .artifacts.saver import finish as finish_artifacts

            finish_artifacts(services, self._settings.finish_timeout)
        ok = self._writer.stop()
        if self._lock is not None:
            self._lock.release()
        if services.uploader is not None:
            services.uploader.finish(self._settings.finish_timeout)
        from . import state as _st

        _st.unbind(self)
        if not ok:
            self._printer.warn(
                f"the run log {self._log_path} could not be fully written (see warnings above)"
            )
        if not (quiet or self._settings.silent):
            where = self._run_dir or "(nothing kept on disk)"
            self._printer.info(f"run {self._name or self._id} ({self._id}) {state}; run directory: {where}")
            if self._mode == "offline" and self._run_dir:
                self._printer.info(f"upload it later with: runyard sync {self._run_dir}")

    join = finish

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.finish()
        else:
            import traceback

            traceback.print_exception(exc_type, exc, tb)
            self.finish(exit_code=1)

    # pickling a run into a DataLoader worker must not try to copy threads
    def __getstate__(self) -> dict:
        return {"id": self._id}


def program_path() -> str | None:
    main = sys.modules.get("__main__")
    f = getattr(main, "__file__", None)
    if f and os.path.exists(f):
        return os.path.abspath(f)
    if sys.argv and sys.argv[0] and os.path.isfile(sys.argv[0]):
        return os.path.abspath(sys.argv[0])
    return None
