#!/usr/bin/env bash
# The Temporal CLI dev server (pinned), with a SQLite file so workflows and timers survive restarts
# (WAL journal, synchronous=NORMAL: durable across process crashes, several times the write throughput),
# gRPC on 7233 and the Web UI on 8233, and the project's search attributes registered. Idempotent:
# an already running server is reused. TEMPORAL_ADDRESS pointing elsewhere skips all of this.
source "$(dirname "$0")/lib.sh"

ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
case "$ADDRESS" in
  127.0.0.1:7233|localhost:7233) ;;
  *) log "using Temporal at $ADDRESS (not managing a local server)"; exit 0 ;;
esac

find_temporal() {
  if [ -n "${TEMPORAL_CLI:-}" ]; then echo "$TEMPORAL_CLI"; return; fi
  if [ -x "$TOOLS_DIR/bin/temporal" ]; then echo "$TOOLS_DIR/bin/temporal"; return; fi
  command -v temporal || true
}
TEMPORAL="$(find_temporal)"
if [ -z "$TEMPORAL" ]; then
  command -v go >/dev/null || { log "Go is needed to build the Temporal CLI (or set TEMPORAL_CLI)"; exit 1; }
  log "building the Temporal CLI $TEMPORAL_VERSION with go install (a few minutes, once)"
  GOBIN="$TOOLS_DIR/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"
  TEMPORAL="$TOOLS_DIR/bin/temporal"
fi

healthy() { "$TEMPORAL" operator cluster health --address "$ADDRESS" 2>/dev/null | grep -q SERVING; }

attributes=()
while IFS='=' read -r name type; do attributes+=(--search-attribute "$name=$type"); done < <(
  node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.log(`${k}=${v}`)' \
    "$ROOT/src/temporal/search-attributes.json")

# The dev server's defaults suit a laptop demo, not lock latency: its transfer queue is polled at
# most 20 times a second (about 28 ms added to every workflow start), and task queues are split
# into 4 partitions that a single worker polls in turn. (Its one history shard and one SQLite
# connection are fixed.) The values live in src/temporal/dev-server-dynamic-config.json, shared
# with the tests' private servers. TEMPORAL_EXTRA_ARGS adds more start-dev flags.
dynamic_config=()
while read -r setting; do dynamic_config+=(--dynamic-config-value "$setting"); done < <(
  node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.log(`${k}=${v}`)' \
    "$ROOT/src/temporal/dev-server-dynamic-config.json")

if ! healthy; then
  log "starting Temporal dev server (gRPC 7233, Web UI http://127.0.0.1:8233, db $DATA_DIR/temporal.db)"
  nohup "$TEMPORAL" server start-dev \
    --ip 127.0.0.1 --port 7233 --ui-port 8233 \
    --db-filename "$DATA_DIR/temporal.db" \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --log-level warn \
    "${attributes[@]}" \
    "${dynamic_config[@]}" \
    ${TEMPORAL_EXTRA_ARGS:-} \
    >"$DATA_DIR/temporal.log" 2>&1 &
  echo $! >"$DATA_DIR/temporal.pid"
  WAIT_SECONDS=90 wait_for healthy || { log "Temporal did not come up; see $DATA_DIR/temporal.log"; exit 1; }
fi

# A server started earlier (or elsewhere) may lack attributes added since: add the missing ones.
existing="$("$TEMPORAL" operator search-attribute list --address "$ADDRESS" 2>/dev/null || true)"
for ((i = 1; i < ${#attributes[@]}; i += 2)); do
  name="${attributes[$i]%%=*}"; type="${attributes[$i]#*=}"
  if ! grep -qw "$name" <<<"$existing"; then
    "$TEMPORAL" operator search-attribute create --address "$ADDRESS" --name "$name" --type "$type" >/dev/null
  fi
done
log "Temporal ready at $ADDRESS (Web UI http://127.0.0.1:8233)"
