"""Artifacts side by side with the official wandb client (0.31.0): small files offline, a large file online.

    python bench/bench_artifacts_wandb.py [--size-mb 1024] [--files 10000] [--file-kib 1]

1. Offline, 10,000 small files (1 KiB each, 100 folders): in a fresh process per client, the wall time of
   `Artifact(...)`, `add_dir`, `log_artifact`, `finish()` with `mode="offline"` (init and import excluded,
   printed separately): wandb (~/.cache/peer-venvs/v_wandb, or WANDB_PYTHON) vs runyard.
2. Online, one large random file against one runyard server (SQLite, in this process, loopback): the wandb
   client through runyard's wandb-compatible endpoint vs the runyard SDK. Upload is `log_artifact` +
   `wait()` (the hash in `add_file` is printed apart: MD5 for wandb, sha256 for runyard); download is
   `use_artifact(...).download()` from a second process with an empty cache. MB/s each way and ratios.

Each client runs in its own subprocess (wandb is never imported here); the server is the same for both.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runyard.server import ServerConfig, ServerThread  # noqa: E402

# one template for both clients: `lib` is `wandb` or `runyard`; prints one JSON line of timings
SMALL = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import {lib} as lib
    t1 = time.perf_counter()
    run = lib.init(project="bench", mode="offline",
                   settings=lib.Settings(x_disable_stats=True, console="off", silent=True))
    t2 = time.perf_counter()
    art = lib.Artifact("small", type="dataset")
    art.add_dir(sys.argv[1])
    run.log_artifact(art)
    run.finish()
    t3 = time.perf_counter()
    print("RESULT " + json.dumps({{"import": t1 - t0, "init": t2 - t1, "log": t3 - t2}}), flush=True)
""")

UPLOAD = textwrap.dedent("""
    import json, sys, time
    import {lib} as lib
    run = lib.init(project=sys.argv[2], settings=lib.Settings(x_disable_stats=True, console="off", silent=True))
    t0 = time.perf_counter()
    art = lib.Artifact("big", type="model")
    art.add_file(sys.argv[1])
    t1 = time.perf_counter()
    run.log_artifact(art).wait()
    t2 = time.perf_counter()
    run.finish()
    print("RESULT " + json.dumps({{"hash": t1 - t0, "upload": t2 - t1}}), flush=True)
""")

DOWNLOAD = textwrap.dedent("""
    import json, os, sys, time
    import {lib} as lib
    run = lib.init(project=sys.argv[2], settings=lib.Settings(x_disable_stats=True, console="off", silent=True))
    t0 = time.perf_counter()
    used = run.use_artifact("big:latest")
    t1 = time.perf_counter()
    path = used.download(root=sys.argv[1])
    t2 = time.perf_counter()
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    run.finish()
    print("RESULT " + json.dumps({{"resolve": t1 - t0, "download": t2 - t1, "size": size}}), flush=True)
""")


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


def child(lib: str, py: Path, template: str, args: list[str], cwd: Path, **env: str) -> dict:
    """Run one client section in a fresh process (own HOME, cache and run dirs under `cwd`)."""
    cwd.mkdir(parents=True, exist_ok=True)
    if lib == "wandb":
        e = clean_env(HOME=str(cwd), WANDB_DIR=str(cwd), WANDB_SILENT="true", **env)
    else:
        e = clean_env(
            HOME=str(cwd),
            PYTHONPATH=str(ROOT),
            RUNYARD_HOME=str(cwd / "ryhome"),
            RUNYARD_CACHE_DIR=str(cwd / "cache"),
            RUNYARD_DIR=str(cwd),
            **env,
        )
    p = subprocess.run(
        [str(py), "-c", template.format(lib=lib), *args], cwd=cwd, env=e, capture_output=True, text=True
    )
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    if p.returncode or not lines:
        sys.exit(f"{lib} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=1024, help="large file, MiB (default 1024)")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--file-kib", type=int, default=1, help="size of each small file (default 1 KiB)")
    args = ap.parse_args()
    wpy, rpy = wandb_python(), Path(sys.executable)
    tmp = Path(tempfile.mkdtemp(prefix="runyard-bench-artwb-"))
    try:
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        small = tmp / "small"
        for i in range(args.files):
            d = small / f"d{i % 100:02d}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"f{i}.txt").write_bytes(os.urandom(args.file_kib * 1024))
        s = {
            lib: child(lib, py, SMALL, [str(small)], tmp / f"small-{lib}")
            for lib, py in (("wandb", wpy), ("runyard", rpy))
        }
        print(
            f"\n1. offline log_artifact of {args.files:,} files x {args.file_kib} KiB (add_dir + log_artifact + finish)"
        )
        for lib, r in s.items():
            print(f"   {lib:8s} {r['log']:6.2f} s   (import {r['import']:.2f} s, init {r['init']:.2f} s)")
        print(f"   ratio wandb / runyard: {s['wandb']['log'] / s['runyard']['log']:.2f}")

        big = tmp / "big.bin"
        size = args.size_mb << 20
        mb = size / 1e6
        cfg = ServerConfig.resolve(home=tmp / "server", port=0)
        up, down = {}, {}
        with ServerThread(cfg) as srv:
            for lib, py in (("wandb", wpy), ("runyard", rpy)):
                # fresh random content per client: the server's blob store is shared and deduplicates
                block = os.urandom(1 << 20)
                with open(big, "wb") as f:
                    for i in range(args.size_mb):
                        f.write(i.to_bytes(8, "little") + block[8:])
                prefix = "WANDB" if lib == "wandb" else "RUNYARD"
                env = {f"{prefix}_BASE_URL": srv.url, f"{prefix}_API_KEY": srv.api_key}
                proj = f"big-{lib}"
                up[lib] = child(lib, py, UPLOAD, [str(big), proj], tmp / f"up-{lib}", **env)
                out = tmp / f"down-{lib}" / "out"
                down[lib] = child(lib, py, DOWNLOAD, [str(out), proj], tmp / f"down-{lib}", **env)
                assert down[lib]["size"] == size, (lib, down[lib]["size"], size)
                big.unlink()
                shutil.rmtree(tmp / f"up-{lib}", ignore_errors=True)
                shutil.rmtree(tmp / f"down-{lib}", ignore_errors=True)
        print(f"\n2. one {mb:,.0f} MB file against one runyard server (loopback, SQLite)")
        print(f"   {'':8s} {'hash':>14s} {'upload':>20s} {'download':>20s}")
        for lib in ("wandb", "runyard"):
            h, u, d = up[lib]["hash"], up[lib]["upload"], down[lib]["download"]
            print(
                f"   {lib:8s} {h:5.2f} s {mb / h:5.0f} MB/s {u:6.2f} s {mb / u:6.0f} MB/s {d:6.2f} s {mb / d:6.0f} MB/s"
            )
        ru = up["runyard"]["upload"] / up["wandb"]["upload"]
        rd = down["runyard"]["download"] / down["wandb"]["download"]
        print(f"   throughput ratio wandb / runyard: upload {ru:.2f}, download {rd:.2f}")
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
