#!/usr/bin/env bash
# Start the services the test suite talks to (PostgreSQL; Redis for tests/scaleout), if they are not
# running already.
set -u
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis..."
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" >/dev/null 2>&1 || true
fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  exit 0
fi
echo "starting PostgreSQL..."
(service postgresql start || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start) >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "WARNING: PostgreSQL is not reachable on 127.0.0.1:5432; PostgreSQL tests will fail under CI" >&2
