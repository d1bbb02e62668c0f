"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium, driven by the Python
`playwright` package -- no browser download) against a real `runyard` server on a free port, filled
by the real SDK in offline mode and uploaded with `runyard sync`. Screenshots go to
test-output/ui/.

Needs: the built UI (scripts/build-web.sh), `pip install playwright`, `apt-get install chromium`.
Missing pieces skip these tests locally and fail them when CI is set. The `browser` and `ui_built`
fixtures live in tests/conftest.py (one Chromium per session, shared with tests/security).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ..conftest import sign_in
from ..server.conftest import pg_database  # noqa: F401 (a fixture: PostgreSQL for pg_server)

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "ui"
WRITER = textwrap.dedent("""
    import json, math, random, sys, runyard
    spec = json.loads(sys.argv[1])
    out = []
    opts = ["adam", "sgd"]
    for i in range(spec["runs"]):
        random.seed(i)
        lr = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2][i % 6]
        run = runyard.init(project=spec["project"], mode="offline", name=f"run-{i:02d}",
                           tags=["grpo"] if i % 2 == 0 else ["ppo"],
                           config={"lr": lr, "seed": i, "optimizer": {"name": opts[i % 2], "beta": 0.9}},
                           settings={"silent": True, "x_disable_stats": True})
        print(f"\\x1b[32mINFO\\x1b[0m starting run {i}", flush=True)
        print(f"\\x1b[1;31mWARN\\x1b[0m lr={lr}", flush=True)
        for s in range(spec["steps"]):
            loss = 2.0 * math.exp(-s * lr * 5) + 0.1 * random.random()
            if s == 777 and i == 0:
                loss = 50.0  # a spike that bucketing must never hide
            row = {"train/loss": loss, "train/acc": 1 - loss / 3}
            if s % 10 == 0:
                row["eval/acc"] = 1 - loss / 2.5
            runyard.log(row)
        run.summary["best"] = 42 + i
        runyard.finish()
        out.append({"dir": run.sync_dir, "id": run.id})
    print("RESULT " + json.dumps(out))
""")


def client_env(home) -> dict:
    """Environment for SDK/CLI subprocesses that talk to the session server (credentials from its home)."""
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    return env


def runyard_cli(args: list[str], cwd, env: dict) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, "-m", "runyard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return p


def write_runs(script: str, args: list[str], cwd, env: dict):
    """Run a writer script with the real SDK; returns the JSON it printed after "RESULT "."""
    p = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.split("RESULT ", 1)[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory, ui_built):
    """The session's server on SQLite, with project "demo" (8 runs x 2,000 steps)."""
    home = tmp_path_factory.mktemp("home")
    yield from _demo_server(tmp_path_factory, home, f"sqlite:///{home / 'runyard.db'}")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory, ui_built, request):
    """The same on PostgreSQL (its own database): for the flows whose browser tests run on both."""
    url = request.getfixturevalue("pg_database")
    yield from _demo_server(tmp_path_factory, tmp_path_factory.mktemp("pghome"), url)


def _demo_server(tmp_path_factory, home, db_url):
    pytest.importorskip("starlette")
    from runyard.server import ServerConfig, ServerThread

    cfg = ServerConfig.resolve(home=home, db_url=db_url, port=0)
    srv = ServerThread(cfg)
    srv.start()
    work = tmp_path_factory.mktemp("runs")
    env = client_env(home)
    runs = write_runs(WRITER, [json.dumps({"project": "demo", "runs": 8, "steps": 2000})], work, env)
    runyard_cli(["sync", *[r["dir"] for r in runs]], work, env)
    srv.runs = runs
    srv.entity = cfg.admin_name
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def context(browser, server):
    ctx = browser.new_context(viewport={"width": 1500, "height": 950})
    sign_in(ctx, server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def watch_errors(pg, errors: list[str]) -> None:
    """Collect uncaught errors and Content-Security-Policy violations (the app must run under its CSP).
    Under that policy `wait_for_function` needs a function (`"() => ..."`): Playwright evaluates a
    bare expression with eval in the page, which the CSP refuses."""
    pg.on("pageerror", lambda e: errors.append(f"{e} {getattr(e, 'stack', '')}"[:1500]))
    pg.on("console", lambda m: errors.append(m.text[:1500]) if "Content Security Policy" in m.text else None)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def drag(page, target, path, steps: int = 6) -> None:
    """Drag over `target` along `path(box)`, a list of (x, y) offsets from the target's top-left corner:
    pressed at the first, moved through the others, released at the last.

    Coordinates read from bounding_box() before the drag go stale when panels above are still laying out
    (a busy CI machine), and the drag lands beside its target. hover() waits until the target is visible,
    stable and not covered at the first point, and the box is read again right after it, before pressing."""
    target.wait_for()
    first = path(target.bounding_box())[0]
    target.hover(position={"x": first[0], "y": first[1]})
    box = target.bounding_box()
    (x0, y0), *rest = path(box)
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
    page.mouse.up()


SHOWCASE = "showcase"


@pytest.fixture(scope="session")
def showcase(server, tmp_path_factory) -> str:
    """Project "showcase" of the session server, filled by the demo's own training script
    (examples/train_demo.py, as `make demo` runs it, with fewer steps), online: a dataset artifact,
    two training runs with metrics, images, a table, histograms, audio and model artifacts."""
    pytest.importorskip("numpy")
    work = tmp_path_factory.mktemp("showcase")
    env = dict(
        os.environ,
        RUNYARD_HOME=str(server.config.home),
        PYTHONPATH=str(REPO),
        RUNYARD_SILENT="true",
        RUNYARD_API_KEY=server.api_key,
        RUNYARD_BASE_URL=server.url,
        RUNYARD_CACHE_DIR=str(work / "cache"),
        DEMO_PROJECT=SHOWCASE,
        DEMO_STEPS="30",
    )
    for k in ("WANDB_API_KEY", "WANDB_BASE_URL", "RUNYARD_MODE", "WANDB_MODE"):
        env.pop(k, None)
    for extra in ({"DEMO_PREP": "1"}, {"DEMO_LR": "0.001"}, {"DEMO_LR": "0.0003"}):
        p = subprocess.run(
            [sys.executable, str(REPO / "examples" / "train_demo.py")],
            cwd=work,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert p.returncode == 0, p.stdout + p.stderr
    return SHOWCASE
