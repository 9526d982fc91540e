#!/usr/bin/env bash
# The test command: installs what it needs (npm packages, PostgreSQL/PostGIS, the Temporal CLI,
# Chromium), starts the real services, type-checks, and runs the whole vitest suite against them.
# Each run uses a fresh database and its own Temporal task queue, so a running dev stack is untouched.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_node_modules
bash scripts/services.sh
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then apt_install chromium; fi
log "type-checking"
npx tsc --noEmit -p .
log "running tests"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$DATA_DIR/vitest-results.json" "$@" || status=$?
# A plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
node -e '
  const r = require(process.argv[1]);
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$DATA_DIR/vitest-results.json" 2>/dev/null || true
exit $status
