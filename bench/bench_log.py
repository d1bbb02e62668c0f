#!/usr/bin/env python3
"""Fast, self-contained runyard-only benchmark of the logging path (no peers, < 60 s).

    python bench/bench_log.py                 # print the figures, the targets and PASS/MISS
    python bench/bench_log.py --json out.json # also write every figure as JSON
    python bench/bench_log.py --steps 5000    # smaller W1 (the targets still apply per step)

runyard is imported from this checkout (the repo root is put on PYTHONPATH of every child
process), so any interpreter with runyard's dependencies works, e.g. the repo's .venv or
bench/.venv-runyard.  Every workload runs in a fresh child process of the same interpreter,
in a fresh temporary directory, with runyard's defaults (system-metrics thread, console
capture, environment capture in a background thread); only `silent=True` is set.

What is measured (W1/W2/W3 follow the shared peer harness's workload contract):

* W1, 20,000 steps x the harness's 10 float scalars, explicit step:
  - per-call `runyard.log()` latency p50 / p99 / p99.9 (each call timed alone, dict
    construction excluded), and the total in-loop time (dict construction included);
  - CPU per step: process CPU time of every thread (CLOCK_PROCESS_CPUTIME_ID) plus any child
    process it waited for (git probes), from just before the loop until finish() returned,
    divided by the steps.  The dict construction's own CPU (same loop, no log call) is shown
    apart;
  - peak RSS (VmHWM of the child) minus the VmHWM of a bare `python -c pass`; VmRSS after
    10k and 20k steps, and a second child running 200,000 steps, sampling VmRSS every 10,000
    steps, to show RSS stays flat (median of the last quarter vs the second quarter);
  - run-directory bytes (every file runyard wrote) per point;
  - flush: last log() returned -> finish() returned (finish drains the writer queue, writes
    and fsyncs the run log: the data is durable when it returns).
* W2: `import runyard; init(); finish()` of an empty offline run, whole process (spawn to
  reap), 1 warm-up + 5 timed launches in fresh directories; median.
* W3: 20 sequential runs x 500 steps x 5 scalars in one process: first init to last finish
  returned, divided by 20.

Exit code is always 0: this reports, it does not gate.  Peer figures are medians measured once with
the peer harness (bench/run.sh; same 2-vCPU machine, 2026-11-28) and are context only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from array import array

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The peer harness's W1/W3 metric dicts (its common.py), copied verbatim so the figures compare.
W1_KEYS = (
    "train/loss",
    "train/lr",
    "train/grad_norm",
    "train/accuracy",
    "train/tokens_per_sec",
    "eval/loss",
    "eval/accuracy",
    "eval/f1",
    "eval/precision",
    "eval/recall",
)


def metrics_w1(i, n):
    x = i / n
    return {
        "train/loss": 2.5 * math.exp(-3.0 * x) + 0.01 * math.sin(i),
        "train/lr": 3e-4 * (1.0 - x),
        "train/grad_norm": 1.0 + 0.5 * math.cos(i * 0.1),
        "train/accuracy": 1.0 - math.exp(-4.0 * x),
        "train/tokens_per_sec": 12000.0 + (i % 97),
        "eval/loss": 2.6 * math.exp(-2.5 * x),
        "eval/accuracy": 0.9 * (1.0 - math.exp(-3.0 * x)),
        "eval/f1": 0.8 * (1.0 - math.exp(-3.0 * x)),
        "eval/precision": 0.85 * (1.0 - math.exp(-3.0 * x)),
        "eval/recall": 0.75 * (1.0 - math.exp(-3.0 * x)),
    }


def metrics_w3(i, n):
    x = i / n
    return {
        "train/loss": 2.5 * math.exp(-3.0 * x),
        "train/lr": 3e-4 * (1.0 - x),
        "train/accuracy": 1.0 - math.exp(-4.0 * x),
        "eval/loss": 2.6 * math.exp(-2.5 * x),
        "eval/accuracy": 0.9 * (1.0 - math.exp(-3.0 * x)),
    }


# ---------------------------------------------------------------------------------------
# child side: one workload per process
# ---------------------------------------------------------------------------------------


def proc_status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0]) * 1024
    return out


def children_cpu_ns():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


def pct(sorted_ns, p):
    n = len(sorted_ns)
    return sorted_ns[min(n - 1, max(0, int(math.ceil(p * n)) - 1))] / 1e3


def dir_bytes(path):
    total = 0
    files = {}
    for root, _dirs, names in os.walk(path):
        for fn in names:
            fp = os.path.join(root, fn)
            try:
                st = os.lstat(fp)
            except OSError:
                continue
            total += st.st_size
            files[os.path.relpath(fp, path)] = st.st_size
    return total, files


def _init(runyard, wd, name):
    return runyard.init(
        project="bench", name=name, dir=wd, mode="offline", settings=runyard.Settings(silent=True)
    )


def child_w1(steps, rss_at):
    wd = os.getcwd()
    pc = time.perf_counter_ns
    # dict construction alone (the harness's per-step cost that is not runyard's)
    c0 = time.process_time_ns()
    for i in range(steps):
        metrics_w1(i, steps)
    build_cpu_ns = time.process_time_ns() - c0

    t_imp = pc()
    import runyard

    t_init = pc()
    run = _init(runyard, wd, "w1")
    t_loop = pc()
    log = runyard.log
    lat = array("q", bytes(8 * steps))  # preallocated: no per-call int objects in RSS
    rss = {}
    rss_at = set(rss_at)
    cpu0, ch0 = time.process_time_ns(), children_cpu_ns()
    tl0 = pc()
    for i in range(steps):
        m = metrics_w1(i, steps)
        a = pc()
        log(m, step=i)
        lat[i] = pc() - a
        if i + 1 in rss_at:
            rss[i + 1] = proc_status()
    tl1 = pc()
    runyard.finish()
    tf = pc()
    cpu1, ch1 = time.process_time_ns(), children_cpu_ns()
    st = proc_status()
    run_dir = run.sync_dir
    total, files = dir_bytes(run_dir)
    log_bytes = sum(v for k, v in files.items() if k.endswith(".rylog"))
    lat_sorted = sorted(lat)
    k = max(1, steps // 10)
    return {
        "steps": steps,
        "import_s": (t_init - t_imp) / 1e9,
        "init_s": (t_loop - t_init) / 1e9,
        "p50_us": pct(lat_sorted, 0.50),
        "p90_us": pct(lat_sorted, 0.90),
        "p99_us": pct(lat_sorted, 0.99),
        "p999_us": pct(lat_sorted, 0.999),
        "max_us": lat_sorted[-1] / 1e3,
        "mean_us": sum(lat) / steps / 1e3,
        "first10pct_p50_us": pct(sorted(lat[:k]), 0.5),
        "last10pct_p50_us": pct(sorted(lat[-k:]), 0.5),
        "loop_s": (tl1 - tl0) / 1e9,
        "log_calls_s": sum(lat) / 1e9,
        "flush_ms": (tf - tl1) / 1e6,
        "cpu_us_per_step": ((cpu1 - cpu0) + (ch1 - ch0)) / steps / 1e3,
        "child_procs_cpu_ms": (ch1 - ch0) / 1e6,
        "build_cpu_us_per_step": build_cpu_ns / steps / 1e3,
        "vmhwm_bytes": st["VmHWM"],
        "vmrss_final_bytes": st["VmRSS"],
        "rss_at": {str(n): v for n, v in sorted(rss.items())},
        "run_dir_bytes": total,
        "rylog_bytes": log_bytes,
        "run_dir_files": files,
        "bytes_per_point": total / (steps * len(W1_KEYS)),
        "rylog_bytes_per_point": log_bytes / (steps * len(W1_KEYS)),
    }


def child_w2():
    import runyard

    _init(runyard, os.getcwd(), "w2")
    runyard.finish()
    return {}


def child_w3(runs, steps):
    import runyard

    wd = os.getcwd()
    pc = time.perf_counter_ns
    cpu = time.process_time_ns
    inits, loops, fins, walls, cpus = [], [], [], [], []
    ch0 = children_cpu_ns()
    t0 = pc()
    for r in range(runs):
        a, ca = pc(), cpu()
        _init(runyard, wd, f"w3-{r:02d}")
        b = pc()
        log = runyard.log
        for i in range(steps):
            log(metrics_w3(i, steps), step=i)
        c = pc()
        runyard.finish()
        d = pc()
        inits.append(b - a)
        loops.append(c - b)
        fins.append(d - c)
        walls.append(d - a)
        cpus.append(cpu() - ca)  # every thread of the process
    t1 = pc()
    med = lambda xs: statistics.median(xs) / 1e6  # noqa: E731
    return {
        "runs": runs,
        "steps": steps,
        "total_s": (t1 - t0) / 1e9,
        "per_run_ms": (t1 - t0) / runs / 1e6,
        "first_run_ms": walls[0] / 1e6,
        "first_run_cpu_ms": cpus[0] / 1e6,
        "later_run_median_ms": med(walls[1:]) if runs > 1 else None,
        "later_run_cpu_median_ms": med(cpus[1:]) if runs > 1 else None,
        "child_procs_cpu_ms": (children_cpu_ns() - ch0) / 1e6,
        "init_first_ms": inits[0] / 1e6,
        "finish_first_ms": fins[0] / 1e6,
        "init_median_ms": med(inits),
        "loop_median_ms": med(loops),
        "finish_median_ms": med(fins),
        "finish_max_ms": max(fins) / 1e6,
    }


def child_main(args):
    os.chdir(args.workdir)
    if args.child == "w1":
        out = child_w1(args.steps, [int(x) for x in args.rss_at.split(",") if x])
    elif args.child == "w2":
        out = child_w2()
    else:
        out = child_w3(args.runs, args.steps)
    if args.child != "w2":
        print("@@RESULT@@" + json.dumps(out), flush=True)
    return 0


# ---------------------------------------------------------------------------------------
# parent side: spawn, collect, print
# ---------------------------------------------------------------------------------------


def child_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def spawn(py, argv, cwd, env):
    """Run one child; return (wall_s, ru_maxrss_bytes, stdout, stderr, returncode)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [py] + argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = p.communicate()
    # communicate() reaped it; rusage of the last reaped child is in RUSAGE_CHILDREN's max
    wall = time.perf_counter() - t0
    return wall, p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def spawn_wait4(py, argv, cwd, env):
    """Like spawn, but reaps with wait4 to get this child's own peak RSS (ru_maxrss)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [py] + argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss * 1024, p.returncode


def tree_state():
    """HEAD and how many tracked files differ from it: the figures belong to this tree."""
    try:

        def g(*a):
            return subprocess.run(
                ["git", *a], cwd=REPO, capture_output=True, text=True, timeout=10
            ).stdout.strip()

        head = g("rev-parse", "--short", "HEAD") or "?"
        dirty = [x for x in g("status", "--porcelain", "--untracked-files=no").splitlines() if x]
        return head + (f" + {len(dirty)} modified tracked file(s)" if dirty else " (clean)")
    except Exception:
        return "?"


def run_child(py, name, extra, env):
    with tempfile.TemporaryDirectory(prefix=f"bench_log-{name}-") as wd:
        argv = [os.path.abspath(__file__), "--child", name, "--workdir", wd] + extra
        wall, rc, out, err = spawn(py, argv, wd, env)
        for line in out.splitlines():
            if line.startswith("@@RESULT@@"):
                res = json.loads(line[len("@@RESULT@@") :])
                res["process_wall_s"] = wall
                return res
        raise RuntimeError(f"child {name} failed (rc={rc}):\n{out[-2000:]}\n{err[-4000:]}")


MB = 1024 * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=20_000, help="W1 steps (default 20,000)")
    ap.add_argument(
        "--growth-steps",
        type=int,
        default=200_000,
        help="steps of the RSS-growth run (0 = skip; default 200,000)",
    )
    ap.add_argument("--w2-repeat", type=int, default=5)
    ap.add_argument("--python", default=sys.executable, help="interpreter for the child processes")
    ap.add_argument("--json", help="write all figures here")
    # child mode (internal)
    ap.add_argument("--child", choices=("w1", "w2", "w3"), help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--rss-at", default="", help=argparse.SUPPRESS)
    ap.add_argument("--runs", type=int, default=20, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_main(args)

    py = args.python
    env = child_env()
    t_all = time.perf_counter()
    print(
        f"runyard bench_log: {py} (Python {sys.version.split()[0]}), repo {REPO}, {os.cpu_count()} CPUs",
        flush=True,
    )
    try:
        ver = subprocess.run(
            [py, "-c", "import runyard; print(runyard.__version__)"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
    except Exception:
        ver = "?"
    tree = tree_state()
    print(f"runyard {ver}; tree {tree}", flush=True)

    R = {"python": py, "runyard": ver, "tree": tree, "cpus": os.cpu_count()}
    errors = []

    # bare interpreter: peak RSS and wall (same interpreter, same environment)
    bare = [spawn_wait4(py, ["-c", "pass"], tempfile.gettempdir(), env) for _ in range(3)]
    R["bare"] = {"vmhwm_bytes": min(b[1] for b in bare), "wall_s": statistics.median(b[0] for b in bare)}

    # W1
    steps = args.steps
    rss_at = sorted({n for n in (steps // 2, 10_000, 20_000, steps) if 0 < n <= steps})
    try:
        R["w1"] = run_child(py, "w1", ["--steps", str(steps), "--rss-at", ",".join(map(str, rss_at))], env)
    except Exception as e:
        errors.append(f"W1: {e}")
    if args.growth_steps:
        g = args.growth_steps
        # VmRSS every g/20 steps: the queue backlog makes single samples jitter by a few MB,
        # so "flat" compares the highest sample of the second half with that of the first half
        pts = sorted({n for n in [10_000, 20_000] + [g * k // 20 for k in range(1, 21)] if 0 < n <= g})
        try:
            R["w1_growth"] = run_child(
                py, "w1", ["--steps", str(g), "--rss-at", ",".join(map(str, pts))], env
            )
        except Exception as e:
            errors.append(f"W1 growth: {e}")

    # W2: whole process, 1 warm-up + N timed, fresh dir each
    walls = []
    for k in range(1 + args.w2_repeat):
        with tempfile.TemporaryDirectory(prefix="bench_log-w2-") as wd:
            w, rc, out, err = spawn(
                py, [os.path.abspath(__file__), "--child", "w2", "--workdir", wd], wd, env
            )
            if rc != 0:
                errors.append(f"W2 rc={rc}: {err[-2000:]}")
                break
            if k:
                walls.append(w)
    if walls:
        R["w2"] = {
            "median_s": statistics.median(walls),
            "min_s": min(walls),
            "max_s": max(walls),
            "walls_s": walls,
        }

    # W3
    try:
        R["w3"] = run_child(py, "w3", ["--runs", "20", "--steps", "500"], env)
    except Exception as e:
        errors.append(f"W3: {e}")
    R["elapsed_s"] = time.perf_counter() - t_all
    R["errors"] = errors

    report(R)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(R, f, indent=1)
        print(f"\nJSON: {args.json}")
    return 0


def report(R):
    rows = []  # (workload, figure, value text, target text, verdict, peers text)

    def add(wl, fig, val, fmt, target=None, ok=None, peers=""):
        v = "-" if val is None else fmt.format(val)
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        rows.append((wl, fig, v, target or "", verdict, peers))

    bare = R["bare"]["vmhwm_bytes"]
    w1 = R.get("w1")
    if w1:
        n = w1["steps"]
        add(
            "W1",
            "log() p50",
            w1["p50_us"],
            "{:.2f} us",
            "<= 10 us",
            w1["p50_us"] <= 10,
            "trackio 55 us, wandb 310 us",
        )
        add(
            "W1",
            "log() p99",
            w1["p99_us"],
            "{:.2f} us",
            "<= 100 us",
            w1["p99_us"] <= 100,
            "trackio 177 us, wandb 1.4 ms",
        )
        add("W1", "log() p99.9 / max", None, "")
        rows[-1] = ("W1", "log() p99.9 / max", f"{w1['p999_us']:.0f} / {w1['max_us']:.0f} us", "", "", "")
        add("W1", "log() p50, first / last 10% of run", None, "")
        rows[-1] = (
            "W1",
            "log() p50, first / last 10% of run",
            f"{w1['first10pct_p50_us']:.2f} / {w1['last10pct_p50_us']:.2f} us",
            "",
            "",
            "",
        )
        add(
            "W1",
            f"in-loop time, {n:,} steps (dict building incl.)",
            w1["loop_s"],
            "{:.3f} s",
            "",
            None,
            "trackio 1.4 s, wandb 7.6 s",
        )
        add("W1", "  of which inside log()", w1["log_calls_s"], "{:.3f} s")
        add(
            "W1",
            "CPU per step, all threads + child procs",
            w1["cpu_us_per_step"],
            "{:.2f} us",
            "< 20 us",
            w1["cpu_us_per_step"] < 20,
            "trackio 122 us, wandb 603 us",
        )
        add("W1", "  of which building the dict (not runyard)", w1["build_cpu_us_per_step"], "{:.2f} us")
        add("W1", "  of which git/pip child processes (per run)", w1["child_procs_cpu_ms"], "{:.1f} ms")
        above = (w1["vmhwm_bytes"] - bare) / MB
        add(
            "W1",
            "peak RSS above bare interpreter",
            above,
            "{:.1f} MB",
            "< 40 MB",
            above < 40,
            "trackio 137 MB, wandb 123 MB (total)",
        )
        add("W1", "  (bare `python -c pass` / run peak VmHWM)", None, "")
        rows[-1] = (
            "W1",
            "  (bare `python -c pass` / run peak VmHWM)",
            f"{bare / MB:.1f} / {w1['vmhwm_bytes'] / MB:.1f} MB",
            "",
            "",
            "",
        )
        ra = w1["rss_at"]
        txt = ", ".join(f"{int(k) // 1000}k: {v['VmRSS'] / MB:.1f}" for k, v in ra.items())
        g = R.get("w1_growth")
        flat = None
        if g:
            ga = g["rss_at"]
            ks = sorted(ga, key=int)
            gs = g["steps"]
            # The first quarter is warm-up: the allocator's arenas grow to hold the largest writer
            # backlog seen so far (a few MB, more on a loaded machine), then stay.  Flat = the median
            # of the last quarter's samples within 4 MB of the second quarter's; a leak of 40 B/step
            # would already move it by 2 MB at 200k steps.  Medians: one sample can sit on a backlog.
            first = sorted(ga[k]["VmRSS"] for k in ks if gs // 4 < int(k) <= gs // 2)
            second = sorted(ga[k]["VmRSS"] for k in ks if int(k) > 3 * gs // 4)
            growth = (statistics.median(second) - statistics.median(first)) / MB if first and second else 0.0
            show = [k for k in ks if int(k) in (10_000, 20_000, gs // 4, gs // 2, 3 * gs // 4, gs)]
            txt_g = ", ".join(f"{int(k) // 1000}k: {ga[k]['VmRSS'] / MB:.1f}" for k in show)
            txt_g += (
                f"; median 2nd quarter {statistics.median(first) / MB:.1f}, last {statistics.median(second) / MB:.1f}"
                if first and second
                else ""
            )
            flat = growth < 4.0 and (g["vmhwm_bytes"] - bare) / MB < 40
            add("W1", "RSS (VmRSS, MB) as the run grows", None, "")
            rows[-1] = ("W1", "RSS (VmRSS, MB) as the run grows", txt, "", "", "")
            add("W1", f"  {g['steps']:,}-step run, VmRSS MB", None, "")
            rows[-1] = (
                "W1",
                f"  {g['steps']:,}-step run, VmRSS MB",
                txt_g,
                "flat: last-quarter median < 2nd-quarter + 4 MB",
                "PASS" if flat else "MISS",
                "trackio +72 MB at 200k points",
            )
            add("W1", f"  {g['steps']:,}-step run: peak above bare, p99, CPU/step", None, "")
            rows[-1] = (
                "W1",
                f"  {g['steps']:,}-step run: peak above bare, p99, CPU/step",
                f"{(g['vmhwm_bytes'] - bare) / MB:.1f} MB, {g['p99_us']:.2f} us, "
                f"{g['cpu_us_per_step']:.2f} us",
                "",
                "",
                "",
            )
        else:
            add("W1", "RSS (VmRSS, MB) as the run grows", None, "")
            rows[-1] = ("W1", "RSS (VmRSS, MB) as the run grows", txt, "", "", "")
        add(
            "W1",
            "run-directory bytes per point",
            w1["bytes_per_point"],
            "{:.2f} B",
            "< 16 B",
            w1["bytes_per_point"] < 16,
            "swanlab 71, trackio 73, wandb 97 B",
        )
        add("W1", "  run log only (.rylog) per point", w1["rylog_bytes_per_point"], "{:.2f} B")
        add(
            "W1",
            "last log() -> finish() returned (fsynced)",
            w1["flush_ms"],
            "{:.1f} ms",
            "< 50 ms",
            w1["flush_ms"] < 50,
            "wandb 16 ms, trackio 0.96 s",
        )
        add("W1", "import / init", None, "")
        rows[-1] = (
            "W1",
            "import / init",
            f"{w1['import_s'] * 1e3:.1f} / {w1['init_s'] * 1e3:.1f} ms",
            "",
            "",
            "",
        )
    w2 = R.get("w2")
    if w2:
        add(
            "W2",
            "import+init+finish, whole process (median of 5)",
            w2["median_s"],
            "{:.3f} s",
            "< 0.25 s",
            w2["median_s"] < 0.25,
            "trackio 0.54 s, wandb 2.0 s",
        )
        add("W2", "  min-max; bare `python -c pass`", None, "")
        rows[-1] = (
            "W2",
            "  min-max; bare `python -c pass`",
            f"{w2['min_s']:.3f}-{w2['max_s']:.3f} s; {R['bare']['wall_s']:.3f} s",
            "",
            "",
            "",
        )
    w3 = R.get("w3")
    if w3:
        add(
            "W3",
            "per run (init + 500 x 5 scalars + finish)",
            w3["per_run_ms"],
            "{:.1f} ms",
            "< 10 ms",
            w3["per_run_ms"] < 10,
            "trackio 47 ms, wandb 350 ms",
        )
        add("W3", "  init median (first) / loop median / finish median (first)", None, "")
        rows[-1] = (
            "W3",
            "  init median (first) / loop median / finish median (first)",
            f"{w3['init_median_ms']:.1f} ({w3['init_first_ms']:.1f}) / {w3['loop_median_ms']:.1f} / "
            f"{w3['finish_median_ms']:.1f} ({w3['finish_first_ms']:.1f}) ms",
            "",
            "",
            "",
        )
        if w3.get("later_run_median_ms") is not None:
            add("W3", "  first run / later runs (median): wall, CPU of all threads", None, "")
            rows[-1] = (
                "W3",
                "  first run / later runs (median): wall, CPU of all threads",
                f"{w3['first_run_ms']:.1f} / {w3['later_run_median_ms']:.1f} ms wall, "
                f"{w3['first_run_cpu_ms']:.1f} / {w3['later_run_cpu_median_ms']:.1f} ms CPU "
                f"(+ {w3['child_procs_cpu_ms']:.1f} ms git/pip child CPU in all)",
                "",
                "",
                "",
            )

    heads = ("wl", "figure", "runyard", "target", "", "peers (median, bench/run.sh)")
    widths = [max(len(str(r[i])) for r in rows + [heads]) for i in range(len(heads))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    print()
    print(line(heads))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))
    verdicts = [r for r in rows if r[4]]
    miss = [r for r in verdicts if r[4] == "MISS"]
    print()
    print(
        f"{len(verdicts) - len(miss)}/{len(verdicts)} targets met"
        + ("" if not miss else "; MISS: " + "; ".join(f"{r[0]} {r[1].strip()} = {r[2]}" for r in miss))
    )
    for e in R.get("errors") or []:
        print("ERROR", e)
    print(f"(took {R['elapsed_s']:.1f} s)")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, never fail the caller
        print(f"bench_log: error: {e!r}", file=sys.stderr)
    sys.exit(0)
