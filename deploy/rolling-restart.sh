#!/usr/bin/env bash
# Restart the web processes one at a time without failing a request (docs/deploy.md):
#   deploy/rolling-restart.sh 8001 8002 …
# Each process drains on SIGTERM (stops accepting, finishes what it holds, 1001 to its sockets);
# nginx sends its traffic to the others. The next one stops only when this one answers /healthz
# and nginx has had time to take it back (fail_timeout=5s in deploy/nginx/yck.conf).
set -euo pipefail
FAIL_TIMEOUT=${FAIL_TIMEOUT:-5}
for port in "$@"; do
  echo "restarting yck-web@$port"
  systemctl restart "yck-web@$port"
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 1
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || { echo "yck-web@$port is not healthy: stopping here"; exit 1; }
  sleep $((FAIL_TIMEOUT + 1))
done
systemctl restart yck-worker
echo "rolling restart done"
