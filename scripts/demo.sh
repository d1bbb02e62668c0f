#!/usr/bin/env bash
# `make demo`: start a runyard server with a populated demo and keep it running (Ctrl-C stops it).
#   - project "demo": a few W&B-style training runs streamed online by the real SDK (metrics, images,
#     tables, histograms, audio, a dataset and model artifacts with lineage, tags, a group), plus one live run;
#   - project "scale": 20 runs x 50 metrics x 100,000 steps, logged offline and `runyard sync`ed in the
#     background (set RUNYARD_DEMO_SCALE=0 to skip it, or a smaller step count).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
export RUNYARD_HOME=${RUNYARD_HOME:-$PWD/.demo/home}
PORT=${RUNYARD_PORT:-8080}
WORK=$PWD/.demo/work
mkdir -p "$RUNYARD_HOME" "$WORK"
export RUNYARD_BASE_URL=http://127.0.0.1:$PORT

# a port already taken would let the health check below answer from another server: say so and stop
if ! "$BIN/python" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
  echo "demo: port $PORT is already in use (another runyard server?); pick another: RUNYARD_PORT=8090 make demo" >&2
  exit 1
fi
"$BIN/runyard" server --home "$RUNYARD_HOME" --port "$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS "$RUNYARD_BASE_URL/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
KEY=$("$BIN/python" -c 'import json,os; print(json.load(open(os.path.join(os.environ["RUNYARD_HOME"], "credentials")))["api_key"])')

echo "demo: logging training runs (metrics, media, tables, artifacts) into project 'demo'..."
(cd "$WORK" && DEMO_PREP=1 RUNYARD_SILENT=true "$BIN/python" "$OLDPWD/examples/train_demo.py" >/dev/null)
for lr in 0.001 0.0003 0.0001; do
  (cd "$WORK" && DEMO_LR=$lr RUNYARD_SILENT=true "$BIN/python" "$OLDPWD/examples/train_demo.py" >/dev/null)
done
(cd "$WORK" && DEMO_LIVE=1 RUNYARD_SILENT=true "$BIN/python" "$OLDPWD/examples/train_demo.py" >/dev/null 2>&1 &)
if [ "${RUNYARD_DEMO_SCALE:-100000}" != 0 ]; then
  echo "demo: building project 'scale' (20 runs x 50 metrics x ${RUNYARD_DEMO_SCALE:-100000} steps) in the background..."
  ("$BIN/python" examples/scale_demo.py --steps "${RUNYARD_DEMO_SCALE:-100000}" --dir "$WORK/scale" >/dev/null 2>&1 \
     && "$BIN/runyard" sync "$WORK/scale" >/dev/null 2>&1 && echo "demo: project 'scale' is ready") &
fi
LINK=$(curl -fsS -X POST -H "Authorization: Bearer $KEY" "$RUNYARD_BASE_URL/api/v1/session/links" \
  | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["url"])')
cat <<MSG

  runyard is running:  $LINK
  (the link signs a browser in, once; the API key for scripts is in $RUNYARD_HOME/credentials)

  Log your own run to it:
      RUNYARD_HOME=$RUNYARD_HOME python -c 'import runyard as wandb; wandb.init(project="mine"); wandb.log({"loss": 1.0}); wandb.finish()'

  Ctrl-C stops the server.
MSG
wait $SERVER
