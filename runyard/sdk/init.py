"""`runyard.init()`: resolve settings, create the run directory and log, start the background parts."""

from __future__ import annotations

import os
import random
import string
import sys
import threading
import time
from typing import Any

from .. import __version__
from ..errors import CommError, UsageError
from ..wire import rundir
from ..wire.names import ENTITY_RULE, PROJECT_RULE, valid_entity_name, valid_project_name
from . import hooks, state, threads
from .config import config_from
from .noop import NoopRun
from .output import Printer
from .run import Run, program_path
from .services import RunServices, ServerLink
from .settings import Settings, from_env, merged

_ID_CHARS = string.ascii_lowercase + string.digits


class InitArgumentError(UsageError, TypeError):
    """init() was called with keyword arguments it does not know."""


def generate_id(n: int = 8) -> str:
    return "".join(random.SystemRandom().choice(_ID_CHARS) for _ in range(n))


def init(
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    config: Any = None,
    notes: str | None = None,
    tags: Any = None,
    group: str | None = None,
    job_type: str | None = None,
    dir: str | os.PathLike | None = None,
    mode: str | None = None,
    resume: bool | str | None = None,
    reinit: bool | str | None = None,
    settings: Settings | dict | None = None,
    save_code: bool | None = None,
    config_exclude_keys: list[str] | None = None,
    config_include_keys: list[str] | None = None,
    allow_val_change: bool | None = None,
    resume_from: str | None = None,
    fork_from: str | None = None,
    tensorboard: bool | None = None,
    sync_tensorboard: bool | None = None,
    monitor_gym: bool | None = None,
    force: bool | None = None,
    anonymous: str | None = None,
    **unknown: Any,
) -> Run | NoopRun:
    """Start a run; see docs/sdk.md. Takes wandb.init's arguments; unknown ones raise naming them."""
    if unknown:
        raise InitArgumentError(f"init() got unknown keyword argument(s): {', '.join(sorted(unknown))}")
    if isinstance(settings, dict):
        settings = Settings(**settings)
    elif settings is not None and not isinstance(settings, Settings):
        raise UsageError(
            f"init(settings=...) takes runyard.Settings or a dict, not {type(settings).__name__}"
        )
    kw = Settings()
    for field, value in (
        ("project", project),
        ("entity", entity),
        ("run_name", name),
        ("run_id", id),
        ("run_notes", notes),
        ("run_tags", tags),
        ("run_group", group),
        ("run_job_type", job_type),
        ("root_dir", os.fspath(dir) if dir is not None else None),
        ("mode", mode),
        ("save_code", save_code),
    ):
        if value is not None:
            kw.update({field: value})
    if resume is not None:
        kw.update(
            resume={True: "auto", False: "never"}.get(resume, resume) if isinstance(resume, bool) else resume
        )
    if reinit is not None:
        kw.update(
            reinit={True: "finish_previous", False: "return_previous"}.get(reinit, reinit)
            if isinstance(reinit, bool)
            else reinit
        )
    s = merged(from_env(), state.setup_settings, settings, kw)
    printer = Printer(s.silent, s.quiet, s.show_warnings)
    if s.ignored:
        printer.warn(
            f"these settings have no effect in runyard and are ignored: {', '.join(sorted(set(s.ignored)))}"
        )
    unsupported = [
        n
        for n, v in (
            ("resume_from", resume_from),
            ("fork_from", fork_from),
            ("tensorboard", tensorboard),
            ("sync_tensorboard", sync_tensorboard),
            ("monitor_gym", monitor_gym),
        )
        if v
    ]
    if unsupported:
        printer.warn(f"init({', '.join(unsupported)}) is not supported by runyard yet and is ignored")

    if s.mode == "disabled":
        run: Any = NoopRun(project=s.project, name=s.run_name, config=config_from(config))
        state.bind(run)
        return run

    active = state.current()
    if active is not None:
        policy = s.reinit or "default"
        if policy in ("default", "return_previous"):
            printer.warn(
                f"init() called while run {active.id} is active; returning it (pass reinit='finish_previous' "
                "or 'create_new' for a new run)"
            )
            return active
        if policy == "finish_previous":
            active.finish()
        elif policy != "create_new":
            raise UsageError(
                f"reinit must be 'default', 'return_previous', 'finish_previous' or 'create_new', got {policy!r}"
            )
    return _start_run(s, printer, config, config_include_keys, config_exclude_keys, allow_val_change)


def _connect(s: Settings, printer: Printer) -> tuple[str, ServerLink | None]:
    """Decide the mode: online needs a server and key (env, `runyard login`, or a local server's credentials)."""
    if s.mode == "offline":
        return "offline", None
    from .http_client import ApiError, Client, resolve_credentials

    env = from_env()  # values that came from env vars are found (and named) by resolve_credentials itself
    creds = resolve_credentials(
        s.base_url if s.base_url != env.base_url else None, s.api_key if s.api_key != env.api_key else None
    )
    if not creds.api_key:
        printer.info(
            "no runyard server configured (RUNYARD_BASE_URL + RUNYARD_API_KEY, or `runyard login`); logging "
            "offline. Upload later with `runyard sync`."
        )
        return "offline", None
    try:
        client = Client(creds.base_url, creds.api_key, timeout=max(0.1, s.init_timeout), retries=0)
    except ValueError as e:
        raise UsageError(str(e)) from None
    try:
        viewer = client.viewer()
    except ApiError as e:
        if e.status in (401, 403):
            raise CommError(
                f"the server at {creds.base_url} refused the API key from {creds.source}: {e.message}"
            ) from None
        if s.init_timeout_raises:
            raise CommError(f"cannot reach the runyard server at {creds.base_url}: {e.message}") from None
        printer.warn(
            f"cannot reach the runyard server at {creds.base_url} ({e.message}); logging locally, the upload "
            "starts when the server answers"
        )
        viewer = {}
    client.timeout = 60.0  # init's bound is over; uploads of big chunks may take longer
    return "online", ServerLink(client, creds.base_url, viewer.get("default_entity"))


def _server_run(conn: ServerLink | None, entity: str | None, project: str, run_id: str) -> dict | None | bool:
    """The run as the server has it; None when it does not exist; False when the server cannot tell."""
    if conn is None or conn.client is None or not (entity or conn.default_entity):
        return False
    from .http_client import ApiError, _run_path

    try:
        return conn.client.get_json(_run_path(entity or conn.default_entity or "", project, run_id))
    except ApiError as e:
        return None if e.status == 404 else False


def _make_run_dir(s: Settings, offline: bool, run_id: str, printer: Printer) -> str | None:
    stamp = time.strftime("%Y%m%d_%H%M%S")
    name = rundir.run_dir_name(offline, stamp, run_id)
    roots = [os.path.abspath(s.root_dir or os.getcwd())]
    import tempfile

    roots.append(
        os.path.join(tempfile.gettempdir(), f"runyard-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    )
    for i, root in enumerate(roots):
        parent = os.path.join(root, rundir.RUNS_FOLDER)
        path = os.path.join(parent, name)
        try:
            os.makedirs(os.path.join(path, "files"), exist_ok=False)
        except FileExistsError:
            path = os.path.join(parent, name + "-" + generate_id(4))
            try:
                os.makedirs(os.path.join(path, "files"))
            except OSError:
                continue
        except OSError as e:
            printer.warn(
                f"cannot create the run directory under {root} ({e.strerror}); "
                + ("trying a temporary directory" if i == 0 else "the run is kept in memory only")
            )
            continue
        _link_latest(parent, os.path.basename(path))
        return path
    return None


def _link_latest(parent: str, name: str) -> None:
    link = os.path.join(parent, "latest-run")
    tmp = link + f".tmp{os.getpid()}"
    try:
        os.symlink(name, tmp)
        os.replace(tmp, link)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _find_local_run(root: str, run_id: str) -> str | None:
    found = [
        p
        for p in rundir.find_run_dirs(os.path.join(root, rundir.RUNS_FOLDER))
        if p.name.endswith("-" + run_id)
    ]
    return str(found[-1]) if found else None


def _start_run(
    s: Settings, printer: Printer, config: Any, include: Any, exclude: Any, allow_val_change: Any
) -> Run:
    run_id = s.run_id or generate_id()
    if not valid_project_name(run_id):
        raise UsageError(f"run id {run_id!r} must be {PROJECT_RULE}")
    if s.project is not None and not valid_project_name(s.project):
        raise UsageError(f"project name {s.project!r} must be {PROJECT_RULE}")
    if s.entity is not None and not valid_entity_name(s.entity):
        raise UsageError(f"entity name {s.entity!r} must be {ENTITY_RULE}")
    mode, conn = _connect(s, printer)
    entity = s.entity or (conn.default_entity if conn else None)
    project = s.project or "uncategorized"
    root = os.path.abspath(s.root_dir or os.getcwd())

    starting_step, resumed = 0, False
    prev_config: dict = {}
    if s.resume:
        if s.resume not in ("allow", "must", "never", "auto"):
            raise UsageError(f"resume must be 'allow', 'must', 'never' or 'auto', got {s.resume!r}")
        remote = _server_run(conn, entity, project, run_id)
        prev = _find_local_run(root, run_id)
        found = bool(remote) or prev is not None
        where = f"{entity}/{project}/{run_id} on the server" if remote else str(prev)
        if found and s.resume == "never":
            raise UsageError(f"resume='never' but a run with id {run_id!r} already exists ({where})")
        if not found and s.resume == "must":
            raise UsageError(
                f"resume='must' but no run with id {run_id!r} was found on the server or under {root}"
            )
        if isinstance(remote, dict):  # the server knows the whole run, every segment of it
            last = remote.get("last_step")
            starting_step = last + 1 if isinstance(last, int) else 0
            prev_config = remote.get("config") or {}
            resumed = True
        elif prev:
            from ..wire.reader import read

            old = read(prev)
            starting_step = (old.summary.get("_step", -1) or 0) + 1 if old.batches else 0
            prev_config = old.config
            resumed = True

    run_dir = _make_run_dir(s, mode == "offline", run_id, printer)
    log_path = os.path.join(run_dir, rundir.log_name(run_id)) if run_dir else None
    cfg = dict(prev_config)
    cfg.update(_load_config_defaults(printer))
    for path in s.config_paths or ():
        cfg.update(config_from(path))
    cfg.update(config_from(config))
    if s.sweep_param_path:  # started by a sweep agent: the sampled values win
        from .sweep_trial import sweep_params

        cfg.update(sweep_params(s.sweep_param_path))
    if include:
        cfg = {k: v for k, v in cfg.items() if k in set(include)}
    if exclude:
        cfg = {k: v for k, v in cfg.items() if k not in set(exclude)}

    services = RunServices(settings=s, printer=printer, run_dir=run_dir, server=conn if run_dir else None)
    run = Run(
        services=services,
        run_id=run_id,
        name=s.run_name,
        project=project,
        entity=entity,
        group=s.run_group,
        job_type=s.run_job_type,
        tags=s.run_tags or (),
        notes=s.run_notes,
        mode=mode,
        run_dir=run_dir,
        log_path=log_path,
        resumed=resumed,
        starting_step=starting_step,
        allow_val_change=bool(allow_val_change),
    )
    program = s.program or program_path()
    run._start(
        cfg,
        {
            "run_id": run_id,
            "project": run.project,
            "entity": entity,
            "name": s.run_name,
            "group": s.run_group,
            "job_type": s.run_job_type,
            "tags": list(s.run_tags or ()),
            "notes": s.run_notes,
            "start_time": run.start_time,
            "mode": mode,
            "resumed": resumed,
            "starting_step": starting_step,
            "sweep_id": s.sweep_id,
            "sdk": f"runyard {__version__}",
            "program": program,
            "host": _hostname(),
        },
    )
    _start_background(run, services, program, root)
    hooks.register(run)
    if s.reinit != "create_new":  # as in wandb, a "create_new" run never becomes runyard.run
        state.bind(run)
    if not s.silent:
        printer.info(
            f"{'offline ' if mode == 'offline' else ''}run {run.name or run_id} ({run_id}) logging to "
            f"{run_dir or '(memory only)'}" + (f"; streaming to {run.url}" if conn and run.url else "")
        )
    return run


def _hostname() -> str:
    import socket

    try:
        return socket.gethostname()
    except OSError:
        return ""


def _load_config_defaults(printer: Printer) -> dict:
    path = os.path.join(os.getcwd(), "config-defaults.yaml")
    if not os.path.isfile(path):
        return {}
    try:
        return config_from(path)
    except UsageError as e:
        printer.warn(f"config-defaults.yaml not loaded: {e}")
        return {}


def _start_background(run: Run, services: RunServices, program: str | None, root: str) -> None:
    s, printer = services.settings, services.printer
    if s.console != "off":
        try:
            from .console import ConsoleCapture

            cap = ConsoleCapture(run.emit_console, mode="redirect" if s.console == "redirect" else "wrap")
            cap.start()
            services.background.append(cap)
        except Exception as e:
            printer.warn(f"console capture unavailable: {e!r}")
    if s.sweep_stop_file:
        from .sweep_trial import StopWatcher

        services.background.append(StopWatcher(s.sweep_stop_file, run).start())
    if not s.x_disable_stats:
        try:
            from .system_metrics import SystemMonitor

            mon = SystemMonitor(
                run.emit_system, interval=max(0.05, s.x_stats_sampling_interval), disk_paths=("/",)
            )
            mon.start()
            services.background.append(mon)
        except Exception as e:
            printer.warn(f"system metrics unavailable: {e!r}")
    if run.dir:
        key = _env_key(s, program, root)
        if key in _env_cache:  # a later run of this process: copying the cached capture is cheap
            _capture_environment(services, program, root, key)
            return
        t = threading.Thread(
            target=_capture_environment, args=(services, program, root, key), name="runyard-env", daemon=True
        )
        services.env_thread = t
        threads.start(t)


# Machine facts, git state and installed packages rarely change between the runs of one process
# (sweeps and notebooks start many): capture them once and copy them for later runs, until the
# repository's HEAD or index changes (a commit, a checkout, `git add`).
_env_cache: dict[tuple, tuple[dict, str | None, str | None]] = {}


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _env_key(s: Settings, program: str | None, root: str) -> tuple:
    from .environment import find_git_dir

    git_dir = find_git_dir(root) if not s.disable_git else None
    stamp = (
        (_mtime(os.path.join(git_dir, "HEAD")), _mtime(os.path.join(git_dir, "index"))) if git_dir else None
    )
    return (program, root, not s.disable_git, not s.disable_meta, git_dir, stamp)


def _capture_environment(services: RunServices, program: str | None, root: str, key: tuple) -> None:
    import shutil
    from datetime import datetime, timezone

    from ..wire.records import RT

    s, files_dir = services.settings, services.files_dir or ""
    try:
        from . import environment as env

        cached = _env_cache.get(key)
        if cached is None:
            meta = env.collect_metadata(
                program=program,
                args=sys.argv[1:],
                root=root,
                git=not s.disable_git,
                machine=not s.disable_meta,
            )
            req_path = patch_path = None
        else:
            meta = dict(cached[0])
            meta["started_at"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            req_path, patch_path = cached[1], cached[2]
        files = []
        if s.save_requirements:
            dest = os.path.join(files_dir, "requirements.txt")
            if req_path and os.path.exists(req_path):
                shutil.copyfile(req_path, dest)
            else:
                env.write_requirements(files_dir)
            req_path = dest
            files.append({"path": "requirements.txt", "policy": "now", "kind": "environment"})
        git = meta.get("git")
        if git and git.get("dirty"):
            dest = os.path.join(files_dir, "diff.patch")
            if patch_path and os.path.exists(patch_path):
                shutil.copyfile(patch_path, dest)
                patch_path = dest
            else:
                patch_path = env.write_git_patch(git.get("root") or root, files_dir)
            if patch_path:
                files.append({"path": "diff.patch", "policy": "now", "kind": "environment"})
        _env_cache[key] = (meta, req_path, patch_path)
        if s.save_code and not s.disable_code and program:
            rel = env.save_code(program, files_dir, git.get("root") if git else None)
            if rel:
                meta = {**meta, "code_path": rel}
                files.append({"path": rel, "policy": "now", "kind": "code"})
        services.record(RT.ENVIRONMENT, {"metadata": meta})
        if files:
            services.record(RT.FILES, {"files": files})
    except Exception as e:
        services.printer.warn(f"environment capture failed: {e!r}")
