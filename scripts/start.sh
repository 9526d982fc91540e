#!/usr/bin/env bash
# The whole stack from one command: PostgreSQL/PostGIS and the Temporal dev server (installed when
# missing, then left running for the next start), the schema migrated, the worker, and the API on :5000.
#   --demo     load the demo projects first
#   --detach   start worker and API in the background (logs and pids in .data/); scripts/stop.sh stops them
# Without --detach, Ctrl-C stops the worker and the API.
source "$(dirname "$0")/lib.sh"

demo="" detach=""
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    --detach) detach=1 ;;
    *) log "unknown option $arg (use --demo, --detach)"; exit 2 ;;
  esac
done
[ -n "${TM_DEMO:-}" ] && demo=1

ensure_node_modules
bash "$ROOT/scripts/services.sh"
cd "$ROOT"
npm run --silent migrate
if [ -n "$demo" ]; then npm run --silent demo; fi

if [ -n "$detach" ]; then
  # Each in its own session, so stop.sh can signal the whole process group (npm → sh → tsx → node).
  setsid nohup npm run --silent worker >"$DATA_DIR/worker.log" 2>&1 < /dev/null &
  echo $! >"$DATA_DIR/worker.pid"
  setsid nohup npm run --silent api >"$DATA_DIR/api.log" 2>&1 < /dev/null &
  echo $! >"$DATA_DIR/api.pid"
  port="${PORT:-5000}"
  WAIT_SECONDS=60 wait_for curl -sf "http://127.0.0.1:$port/api/v2/system/heartbeat/" || { log "API did not become healthy; see $DATA_DIR/api.log"; exit 1; }
  log "API http://127.0.0.1:$port/api/v2/  docs http://127.0.0.1:$port/api/docs  Temporal UI http://127.0.0.1:8233"
  exit 0
fi

npm run --silent worker &
worker=$!
trap 'kill -TERM $worker $api 2>/dev/null; wait $worker $api 2>/dev/null' INT TERM EXIT
npm run --silent api &
api=$!
log "API http://127.0.0.1:${PORT:-5000}/api/v2/  docs /api/docs  Temporal UI http://127.0.0.1:8233  (Ctrl-C stops API and worker)"
wait -n $worker $api
