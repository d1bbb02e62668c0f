#!/usr/bin/env bash
# Build the web UI (web/) into runyard/webui/dist, which `runyard server` serves at /.
# Idempotent: skips npm ci when web/package-lock.json is unchanged since the last install, and skips
# the build when no source file changed since the last build (a stamp holds a hash of the inputs).
#   scripts/build-web.sh           build if needed
#   scripts/build-web.sh --force   always build
#   scripts/build-web.sh --check   also run the type check, unit tests and the OpenAPI staleness check
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WEB=$ROOT/web
DIST=$ROOT/runyard/webui/dist
STAMP=$DIST/.build-stamp
FORCE=0; CHECK=0
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    --check) CHECK=1 ;;
    *) echo "usage: $0 [--force] [--check]" >&2; exit 2 ;;
  esac
done
command -v node >/dev/null || { echo "build-web: Node.js 20+ is needed (apt-get install nodejs, or nvm)" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "build-web: Node.js 20+ is needed, found $(node -v)" >&2; exit 1; }

hash_inputs() {
  ( cd "$WEB" && find index.html package.json package-lock.json tsconfig.json vite.config.ts public src -type f \
      ! -name '*.test.ts' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum ) | sha256sum | cut -d' ' -f1
}

LOCK_STAMP=$WEB/node_modules/.lock-sha256
lock_hash=$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$LOCK_STAMP" ] || [ "$(cat "$LOCK_STAMP")" != "$lock_hash" ]; then
  echo "build-web: npm ci" >&2
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$LOCK_STAMP"
fi

if [ "$CHECK" = 1 ]; then
  (cd "$WEB" && npm run --silent check:api && npx tsc --noEmit -p . && npx vitest run)
fi

want=$(hash_inputs)
if [ "$FORCE" = 0 ] && [ -f "$DIST/index.html" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "build-web: up to date ($DIST)" >&2
  exit 0
fi
(cd "$WEB" && npx tsc --noEmit -p . && npx vite build --logLevel warn)
echo "$want" > "$STAMP"
echo "build-web: built $DIST" >&2
