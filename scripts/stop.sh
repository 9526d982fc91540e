#!/usr/bin/env bash
# Stops what start.sh --detach started, and the Temporal dev server and PostgreSQL with --all.
source "$(dirname "$0")/lib.sh"
for name in api worker; do
  if [ -f "$DATA_DIR/$name.pid" ]; then
    # start.sh --detach made each process a session (and group) leader: SIGTERM reaches npm, tsx and node.
    kill -TERM -- "-$(cat "$DATA_DIR/$name.pid")" 2>/dev/null || true
    rm -f "$DATA_DIR/$name.pid"
  fi
done
if [ "${1:-}" = "--all" ]; then
  [ -f "$DATA_DIR/temporal.pid" ] && kill -TERM "$(cat "$DATA_DIR/temporal.pid")" 2>/dev/null && rm -f "$DATA_DIR/temporal.pid"
  [ -z "${DATABASE_URL:-}" ] && as_root pg_ctlcluster 15 main stop 2>/dev/null || true
fi
log "stopped"
