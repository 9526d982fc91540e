#!/usr/bin/env bash
# Installs (when missing) and starts PostgreSQL/PostGIS and the Temporal dev server.
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/postgres.sh"
bash "$ROOT/scripts/temporal.sh"
