#!/usr/bin/env python3
"""Side-by-side summary of one bench/run.sh result directory: runyard against each peer.

    compare.py RESULTS_DIR [--subject runyard:default]

Reads RESULTS_DIR/raw/*.json (the peer harness's output) with the harness's own
aggregate.py helpers, so every figure is computed exactly as in results.md.  Prints one
markdown table: per metric, the median over repetitions for every spec, runyard's ratio
to each peer (median of per-repetition ratios where the repetitions pair up, else the ratio
of medians; < 1 means runyard is lower, i.e. better, for every row), and runyard's target
with PASS/MISS.  The harness is not part of this repository: PEER_HARNESS_DIR names its folder.
"""

import argparse
import os
import statistics
import sys

HARNESS = os.environ.get("PEER_HARNESS_DIR", "")
if not os.path.isfile(os.path.join(HARNESS, "aggregate.py")):
    sys.exit(
        "compare.py needs the peer benchmark harness: set PEER_HARNESS_DIR to its folder (with aggregate.py)"
    )
sys.path.insert(0, HARNESS)
import aggregate as ag  # noqa: E402  (the peer harness; standard library only)


def w2_runs(data, spec, mode):
    rr = data.get(("W2", spec), {}).get(mode)
    if not rr:
        return {}
    timed = [r for r in (rr.get("runs") or [rr]) if not ag.get(r, "outer.warmup")]
    return {f"run{i}": r for i, r in enumerate(timed) if r.get("status") == "ok"}


def reps(data, wl, spec):
    return {
        t: r for t, r in data.get((wl, spec), {}).items() if t.startswith("r") and r.get("status") == "ok"
    }


MB = 1e6
# (label, workload, extractor, scale, target (value, text) or None)
ROWS = [
    ("W1 log p50 (us)", "W1", lambda r: ag.get(r, "latency.p50_us"), 1, (10, "<= 10")),
    ("W1 log p99 (us)", "W1", lambda r: ag.get(r, "latency.p99_us"), 1, (100, "<= 100")),
    ("W1 log p99.9 (us)", "W1", lambda r: ag.get(r, "latency.p999_us"), 1, (1000, "< 1000")),
    ("W1 loop, all steps (s)", "W1", lambda r: ag.get(r, "timings.loop_s"), 1, None),
    ("W1 flush after last log (ms)", "W1", lambda r: ag.get(r, "timings.flush_s"), 1e3, (50, "<= 50")),
    ("W1 CPU per step, all threads+procs (us)", "W1", ag.cpu_per_step_us, 1, (20, "< 20")),
    ("W1 end-to-end steps/s", "W1", ag.e2e_steps_per_s, 1, None),
    ("W1 peak RSS, main+helpers (MB)", "W1", ag.rss_total, 1 / MB, None),
    ("W1 disk per point (B)", "W1", lambda r: ag.bytes_per_point(r, 10), 1, (16, "< 16")),
    ("W1 whole process wall (s)", "W1", ag.wall_net, 1, None),
    ("W1 whole process CPU (s)", "W1", lambda r: ag.get(r, "outer.cpu_s_total"), 1, None),
    (
        "W2 start-up, cold, whole process (s)",
        "W2cold",
        lambda r: ag.get(r, "outer.wall_s"),
        1,
        (0.25, "<= 0.25"),
    ),
    (
        "W2 start-up, warm, whole process (s)",
        "W2warm",
        lambda r: ag.get(r, "outer.wall_s"),
        1,
        (0.25, "<= 0.25"),
    ),
    ("W2 import (s)", "W2cold", lambda r: ag.get(r, "timings.import_s"), 1, None),
    ("W2 init (ms)", "W2cold", lambda r: ag.get(r, "timings.init_s"), 1e3, None),
    ("W2 finish (ms)", "W2cold", lambda r: ag.get(r, "timings.finish_call_s"), 1e3, None),
    ("W3 per run, 500 steps x 5 (ms)", "W3", lambda r: ag.get(r, "timings.per_run_s"), 1e3, (10, "<= 10")),
    ("W3 init median (ms)", "W3", lambda r: ag.get(r, "timings.init_median_s"), 1e3, None),
    ("W3 finish median (ms)", "W3", lambda r: ag.get(r, "timings.finish_median_s"), 1e3, None),
    (
        "W4 log p50, 64x64 image + scalar (us)",
        "W4",
        lambda r: ag.get(r, "latency.p50_us"),
        1,
        (300, "<= 300"),
    ),
    ("W4 log p99 (us)", "W4", lambda r: ag.get(r, "latency.p99_us"), 1, None),
    ("W4 flush, 200 images (ms)", "W4", lambda r: ag.get(r, "timings.flush_s"), 1e3, (50, "<= 50")),
    (
        "W4 disk per image (KB)",
        "W4",
        lambda r: (
            ag.get(r, "disk.bytes") / r["steps"] / 1e3 if ag.get(r, "disk.bytes") and r.get("steps") else None
        ),
        1,
        (13.5, "<= 13.5"),
    ),
    ("W5 open (ms)", "W5", lambda r: ag.get(r, "timings.open_s"), 1e3, None),
    (
        "W5 read 1 metric, all its points (ms)",
        "W5",
        lambda r: ag.get(r, "timings.read_one_s"),
        1e3,
        (10, "<= 10"),
    ),
    ("W5 read 10 metrics (ms)", "W5", lambda r: ag.get(r, "timings.read_all_s"), 1e3, (50, "<= 50")),
]
HIGHER_IS_BETTER = {"W1 end-to-end steps/s"}


def runs_for(data, wl, spec):
    if wl == "W2cold":
        return w2_runs(data, spec, "cold")
    if wl == "W2warm":
        return w2_runs(data, spec, "warm")
    return reps(data, wl, spec)


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--subject", default="runyard:default")
    a = ap.parse_args()
    data = ag.load(os.path.join(a.results, "raw"))
    specs = sorted({s for (_w, s) in data}, key=ag.spec_key)
    subj = a.subject
    peers = [s for s in specs if s != subj and s.split(":")[0] not in ("null", "jsonl")]
    cols = [s for s in specs if s != subj] + [subj]
    head = ["metric"] + cols + [f"{subj.split(':')[0]} / {p.split(':')[0]}" for p in peers] + ["target", ""]
    print(f"## {subj.split(':')[0]} vs peers ({os.path.basename(os.path.abspath(a.results))})")
    print()
    print(
        "Medians over repetitions (W2: over its 5 timed launches).  Ratio columns: median of "
        "per-repetition ratios; below 1 = runyard lower (better), except steps/s where higher is better."
    )
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    misses = []
    for label, wl, fx, scale, target in ROWS:
        meds = {}
        per = {}
        for s in cols:
            rs = runs_for(data, wl, s)
            vals = {t: fx(r) for t, r in rs.items()}
            vals = {t: v * scale for t, v in vals.items() if v is not None}
            per[s] = vals
            meds[s] = statistics.median(vals.values()) if vals else None
        if all(v is None for v in meds.values()):
            continue
        row = [label] + [fmt(meds[s]) for s in cols]
        for p in peers:
            sv, pv = per[subj], per[p]
            common = [t for t in sv if t in pv and pv[t]]
            if common:
                r = statistics.median(sv[t] / pv[t] for t in common)
            elif meds[subj] is not None and meds[p]:
                r = meds[subj] / meds[p]
            else:
                r = None
            row.append("-" if r is None else (f"{r:.3f}" if r < 0.1 else f"{r:.2f}"))
        if target and meds[subj] is not None:
            ok = meds[subj] <= target[0]
            row += [target[1], "PASS" if ok else "**MISS**"]
            if not ok:
                misses.append(f"{label}: {fmt(meds[subj])} (target {target[1]})")
        else:
            row += ["", ""]
        print("| " + " | ".join(row) + " |")
    print()
    # completeness of W5 and errors
    for s in cols:
        for wl in ("W1", "W3", "W5"):
            bad = [r for r in data.get((wl, s), {}).values() if r.get("status") not in ("ok",)]
            for r in bad[:1]:
                print(f"- {wl} {s}: {r.get('status')}: {str(r.get('reason', ''))[:200]}")
        w5 = reps(data, "W5", s)
        if w5 and not all(r.get("complete") for r in w5.values()):
            print(f"- W5 {s}: INCOMPLETE read back: {[r.get('points') for r in w5.values()]}")
    if misses:
        print(f"- {subj} misses: " + "; ".join(misses))
    else:
        print(f"- {subj} meets every target listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
