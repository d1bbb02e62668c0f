"""`wandb sync` into runyard's wandb-compatible endpoint vs runyard's own importer, same offline run.

    python bench/bench_wandb_sync.py [--db URL] [--steps 20000] [--keys 10] [--repeat 3]

The offline run (steps x keys scalars, no system metrics, no console) is written once by the official
client (wandb 0.31.0 in ~/.cache/peer-venvs/v_wandb, or WANDB_PYTHON). Then, against one runyard server
(SQLite in a temporary home, or a temporary PostgreSQL database with --db):

- `wandb sync <dir>` (the official client, through /graphql + file_stream + uploads), into project `wb`;
- `runyard import wandb <dir> --sync` (decode the `.wandb` log, write a runyard run dir, `runyard sync`),
  into project `imp`.

Each is a fresh CLI process, timed from start to exit (the data is queryable then); both results are
checked to hold steps x keys points. Repeats sync into fresh projects; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import temporary_database  # noqa: E402

from runyard.sdk.http_client import Client  # noqa: E402
from runyard.server import ServerConfig, ServerThread  # noqa: E402

WRITE = """
import sys, wandb
steps, keys = int(sys.argv[1]), int(sys.argv[2])
names = [f"m{j:02d}" for j in range(keys)]
run = wandb.init(project="bench", mode="offline",
                 settings=wandb.Settings(x_disable_stats=True, console="off", silent=True))
for s in range(steps):
    run.log({k: s * 0.001 + j for j, k in enumerate(names)})
run.finish()
print(run.id)
"""


def wandb_python() -> Path:
    env = os.environ.get("WANDB_PYTHON")
    p = Path(env) if env else Path.home() / ".cache" / "peer-venvs" / "v_wandb" / "bin" / "python"
    if not p.exists():
        sys.exit(f"the official wandb client is needed: {p} (set WANDB_PYTHON)")
    return p


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def points(srv: ServerThread, project: str, run_id: str) -> int:
    c = Client(srv.url, srv.api_key)
    try:
        return int(c.get_json(f"/api/v1/runs/admin/{project}/{run_id}")["history_points"])
    finally:
        c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary home)")
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--keys", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    py = wandb_python()
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.db) as db_url:
        home, work = Path(tmp) / "home", Path(tmp) / "work"
        home.mkdir()
        work.mkdir()
        t = time.perf_counter()
        p = subprocess.run(
            [str(py), "-c", WRITE, str(args.steps), str(args.keys)],
            cwd=work,
            env=clean_env(WANDB_MODE="offline", WANDB_DIR=str(work), HOME=str(Path(tmp))),
            capture_output=True,
            text=True,
            check=True,
        )
        write_s = time.perf_counter() - t
        run_id = p.stdout.strip().splitlines()[-1]
        (run_dir,) = (work / "wandb").glob(f"offline-run-*-{run_id}")
        expect = args.steps * args.keys
        cfg = ServerConfig.resolve(home=home, db_url=db_url, port=0)
        wb_times, imp_times = [], []
        with ServerThread(cfg) as srv:
            for i in range(args.repeat):
                # `wandb sync` marks a directory synced and skips it after: each repetition a fresh copy
                src = work / f"copy{i}" / run_dir.name
                shutil.copytree(run_dir, src)
                proj = f"wb{i}"
                env = clean_env(
                    HOME=str(Path(tmp)),
                    WANDB_BASE_URL=srv.url,
                    WANDB_API_KEY=srv.api_key,
                    WANDB_PROJECT=proj,
                    WANDB_SILENT="true",
                )
                t = time.perf_counter()
                subprocess.run(
                    [str(py), "-m", "wandb", "sync", "-p", proj, str(src)],
                    cwd=work,
                    env=env,
                    check=True,
                    capture_output=True,
                )
                wb_times.append(time.perf_counter() - t)
                got = points(srv, proj, run_id)
                assert got == expect, ("wandb sync", got, expect)

                proj = f"imp{i}"
                out = work / f"imported{i}"
                env = clean_env(PYTHONPATH=str(ROOT), RUNYARD_HOME=str(home))
                t = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "runyard.cli.main",
                        "import",
                        "wandb",
                        str(src),
                        "--project",
                        proj,
                        "--out",
                        str(out),
                        "--sync",
                    ],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                imp_times.append(time.perf_counter() - t)
                got = points(srv, proj, run_id)
                assert got == expect, ("import --sync", got, expect)
    wb, imp = statistics.median(wb_times), statistics.median(imp_times)
    db = "PostgreSQL" if args.db else "SQLite"
    print(
        f"offline run: {args.steps:,} steps x {args.keys} metrics ({expect:,} points), written by wandb in {write_s:.1f} s"
    )
    print(
        f"server DB: {db}; {args.repeat} repetitions, medians (all: wandb {[round(x, 2) for x in wb_times]}, "
        f"import {[round(x, 2) for x in imp_times]})"
    )
    print(f"wandb sync -> runyard /graphql + file_stream: {wb:.2f} s")
    print(f"runyard import wandb --sync:                  {imp:.2f} s")
    print(f"ratio wandb sync / importer: {wb / imp:.2f}")


if __name__ == "__main__":
    main()
