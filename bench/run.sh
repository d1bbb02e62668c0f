#!/usr/bin/env bash
# runyard vs its peers, side by side, with the peer benchmark harness (not part of this repository:
# PEER_HARNESS_DIR names its folder, the one holding run_all.sh, runner.py and common.py).
#
#   bench/run.sh                      # null + wandb + trackio + runyard, W1 W2 W3 W5, 3 reps (~70 s)
#   bench/run.sh -r 1                 # 1 rep (~25 s)
#   bench/run.sh -w "W1" -s "wandb:offline runyard:default"
#   bench/run.sh --smoke              # tiny sizes: checks the pipeline (~20 s)
#   bench/run.sh -w "W1 W2 W3 W4 W5"  # W4 (media) too, once runyard.Image exists
#
# Makes the virtualenvs on first use (bench/make_venvs.sh: wandb + trackio under
# ~/.cache/peer-venvs, runyard's own in bench/.venv-runyard).  Every driver runs under the
# harness's runner.py --jail (empty network namespace, root + unshare -n; it falls back to
# unjailed with a warning).  Results: bench/results/<UTC stamp>/ (raw JSON, results.md,
# summary.csv/json); the headline table and runyard's ratios to each peer are printed.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
HARNESS="${PEER_HARNESS_DIR:-}"
[ -n "$HARNESS" ] && [ -f "$HARNESS/run_all.sh" ] || {
  echo "bench/run.sh needs the peer benchmark harness: set PEER_HARNESS_DIR to its folder (with run_all.sh)" >&2; exit 2; }

SPECS="null:default wandb:offline trackio:local runyard:default"
WORKLOADS="W1 W2 W3 W5"
REPS=3
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    -s) SPECS="$2"; shift 2 ;;
    -w) WORKLOADS="$2"; shift 2 ;;
    -r) REPS="$2"; shift 2 ;;
    -o) OUT="$2"; shift 2 ;;
    --smoke) EXTRA+=(--smoke); shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

export PEER_VENV_runyard="${PEER_VENV_runyard:-$HERE/.venv-runyard}"
PEERS=""
for s in $SPECS; do p="${s%%:*}"; case "$p" in null|jsonl|runyard) ;; *) PEERS="$PEERS $p" ;; esac; done
# null/jsonl run in the trackio venv (the harness's fallback); make sure it exists
case " $SPECS " in *" null:"*|*" jsonl:"*) case "$PEERS" in *trackio*) ;; *) PEERS="$PEERS trackio" ;; esac ;; esac
PEERS="$PEERS" "$HERE/make_venvs.sh" || { echo "virtualenv setup failed" >&2; exit 1; }

mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
{ echo "runyard tree: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null | wc -l) modified tracked file(s)"
  git -C "$REPO" status --porcelain 2>/dev/null | grep -v '^??' ; } > "$OUT/tree.txt"
cat "$OUT/tree.txt"
if ! unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
  echo "warning: no network jail here (needs root + unshare -n): drivers run unjailed" >&2
fi

# W5 runs only for the specs listed in W5_SPECS (peers.env's default lacks runyard).
export W5_SPECS="${W5_SPECS:-null:default jsonl:default wandb:offline trackio:local runyard:default}"
export DRIVER_DIR="$HERE/peers"
export PEERBENCH_TMP="${PEERBENCH_TMP:-${TMPDIR:-/tmp}/peerbench-runyard}"
T0=$SECONDS
bash "$HARNESS/run_all.sh" -o "$OUT" -r "$REPS" -s "$SPECS" -w "$WORKLOADS" "${EXTRA[@]}"
rc=$?
echo
echo "harness finished in $((SECONDS - T0)) s (rc=$rc); results in $OUT"
echo
"${PY_SYS:-python3}" "$HERE/compare.py" "$OUT" | tee "$OUT/compare.md"
echo
echo "full tables: $OUT/results.md"
exit $rc
