#!/usr/bin/env bash
# PostgreSQL 15 + PostGIS 3: uses DATABASE_URL when set; otherwise installs the Debian packages when
# missing, starts the local cluster, and creates the `tm` role and `tasking_manager` database. Idempotent.
source "$(dirname "$0")/lib.sh"

if [ -n "${DATABASE_URL:-}" ]; then
  log "using DATABASE_URL (not managing a local PostgreSQL)"
  exit 0
fi

PG_VERSION=15
if [ ! -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] || [ ! -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ]; then
  apt_install postgresql "postgresql-$PG_VERSION-postgis-3"
fi

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION main"; then
  log "creating cluster $PG_VERSION/main"
  as_root pg_createcluster "$PG_VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'$PG_VERSION'" && $2=="main" {print $4}' | grep -q online; then
  log "starting PostgreSQL $PG_VERSION"
  as_root pg_ctlcluster "$PG_VERSION" main start
fi
wait_for pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL did not come up"; exit 1; }

psql_admin() { as_postgres env PGOPTIONS="-c client_min_messages=warning" psql -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='tm'")" != "1" ]; then
  log "creating role tm"
  psql_admin -c "CREATE ROLE tm LOGIN PASSWORD 'tm' CREATEDB"
fi
# Databases created later (one per test run) inherit PostGIS from template1.
psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='tasking_manager'")" != "1" ]; then
  log "creating database tasking_manager"
  psql_admin -c "CREATE DATABASE tasking_manager OWNER tm"
fi
psql_admin -d tasking_manager -c "CREATE EXTENSION IF NOT EXISTS postgis"
log "PostgreSQL ready: postgres://tm:tm@127.0.0.1:5432/tasking_manager"
