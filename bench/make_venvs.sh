#!/usr/bin/env bash
# Make the virtualenvs bench/run.sh needs, idempotent (a venv with .ok is kept).
#
#  * one per peer we compare against here (wandb, trackio, swanlab, aim;
#    mlflow for bench/bench_server_peers.py), with the same logic as
#    the peer harness's make_peer_venvs.sh, restricted to PEERS, under
#    $PEER_VENV_ROOT (default ~/.cache/peer-venvs, the harness's default):
#    the peer plus numpy and Pillow (plus soundfile and pandas for wandb);
#  * one for runyard itself: bench/.venv-runyard with `pip install -e <repo>`
#    (plus numpy + Pillow, which the harness needs for W4's images).
#
#   bench/make_venvs.sh                   # wandb + trackio + runyard
#   PEERS="trackio" bench/make_venvs.sh   # a subset
#   PEERS="swanlab aim" bench/make_venvs.sh   # the W4 (media) peers
#   PEERS="mlflow trackio" RUNYARD_VENV=0 bench/make_venvs.sh   # peers only (server benchmark)
#   FORCE_RUNYARD=1 bench/make_venvs.sh   # reinstall runyard's venv
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PEERS="${PEERS:-wandb trackio}"
root="${PEER_VENV_ROOT:-$HOME/.cache/peer-venvs}"
PY="${PY_SYS:-python3}"
mkdir -p "$root"
rc=0
SUPPORTED="wandb mlflow aim trackio swanlab"   # the harness's make_peer_venvs.sh list
for p in $PEERS; do
  case " $SUPPORTED " in *" $p "*) ;; *) echo "venv $p: unknown peer (supported: $SUPPORTED)"; rc=1; continue ;; esac
  v="$root/v_$p"
  [ -f "$v/.ok" ] && { echo "venv $p: already there ($v)"; continue; }
  "$PY" -m venv "$v" && "$v/bin/pip" install -q --upgrade pip >/dev/null 2>&1
  extra="numpy pillow"; [ "$p" = wandb ] && extra="$extra soundfile pandas"
  if "$v/bin/pip" install -q "$p" $extra >"$v.install.log" 2>&1; then
    touch "$v/.ok"; echo "venv $p ready ($v)"
  else
    echo "venv $p FAILED (see $v.install.log)"; rc=1
  fi
done

rv="${PEER_VENV_runyard:-$HERE/.venv-runyard}"
if [ "${RUNYARD_VENV:-1}" = 0 ]; then
  :
elif [ -f "$rv/.ok" ] && [ "${FORCE_RUNYARD:-0}" != 1 ]; then
  echo "venv runyard: already there ($rv)"
else
  "$PY" -m venv "$rv" && "$rv/bin/pip" install -q --upgrade pip >/dev/null 2>&1
  # Editable install: the venv always runs the working tree's runyard.
  if "$rv/bin/pip" install -q -e "$REPO" --config-settings editable_mode=compat numpy pillow >"$rv.install.log" 2>&1; then
    touch "$rv/.ok"; echo "venv runyard ready ($rv)"
  else
    echo "venv runyard FAILED (see $rv.install.log)"; rc=1
  fi
fi
exit $rc
