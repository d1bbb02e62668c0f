"""The SDK never loads server-side code (and stays light to import)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import run_script

SERVER_MODULES = (
    "runyard.server",
    "runyard.store",
    "runyard.compat",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "psycopg",
)


def test_sdk_does_not_import_server_code(tmp_path):
    res = run_script(
        "import sys, json, runyard\n"
        "run = runyard.init(project='p', mode='offline')\n"
        "for i in range(10): runyard.log({'a': i})\n"
        "runyard.finish()\n"
        "import runyard.runlog\n"
        "print(json.dumps(sorted(sys.modules)))\n",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    loaded = json.loads(res.stdout.strip().splitlines()[-1])
    bad = [m for m in loaded if m.startswith(SERVER_MODULES)]
    assert bad == []
    assert "numpy" not in loaded  # numpy is imported only when the user logs numpy values


def test_import_works_from_a_directory_holding_run_folders(tmp_path):
    """The SDK creates ./runyard/ in the working directory; it must never shadow the package."""
    (tmp_path / "runyard" / "offline-run-20260101_000000-abc").mkdir(parents=True)
    res = subprocess.run(
        [sys.executable, "-c", "import runyard; print(runyard.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and res.stdout.strip().endswith("__init__.py"), res.stdout + res.stderr


def _modules_after_import(module: str) -> set[str]:
    """The modules a fresh interpreter holds once it has imported `module`."""
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


def test_import_runyard_leaves_the_heavy_modules_for_later():
    # `import runyard` is on every training script's start-up path (wandb's costs ~1 s): the HTTP
    # client (http.client + ssl, ~15 ms) and msgspec (~20 ms) load only when a run needs them
    loaded = _modules_after_import("runyard")
    assert {"http.client", "ssl", "msgspec", "numpy"} & loaded == set()


def test_sync_command_leaves_the_sweep_code_for_sweeps():
    # `runyard sync` of runs alone is one process per upload on clusters: the sweep code and YAML
    # (~30 ms of CPU) load only when a local sweep is found (tests/server/test_sweeps_online.py)
    loaded = _modules_after_import("runyard.cli.sync")
    assert sorted(m for m in loaded if m.startswith(("runyard.sweeps", "yaml"))) == []


def test_the_writer_loads_msgspec_once_a_run_logs_wide_rows(tmp_path):
    # rows of WIDE (64) values or more are checked with msgspec's encoder, imported by the writer
    # thread when it first meets one; narrower runs never pay its import
    script = (
        "import sys, runyard\n"
        "for width in (63, 64):\n"
        "    runyard.init(project='p', mode='offline', settings={'x_disable_stats': True})\n"
        "    runyard.log({f'k{i}': 0.5 for i in range(width)})\n"
        "    runyard.finish()\n"
        "    print(width, 'msgspec' in sys.modules)\n"
    )
    res = run_script(script, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["63", "False", "64", "True"]
