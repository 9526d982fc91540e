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
npx vitest run "$@"
