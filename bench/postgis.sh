#!/bin/sh
# PostGIS for the exposure benchmark's baseline: installs Debian's package when the server
# offers no postgis extension, then enables it in the bench database kieubao_bench.
# Run as root (apt-get). PGHOST/PGPORT/PGUSER default to the local trust-auth server.
set -eu
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="${KIEUBAO_BENCH_DB:-kieubao_bench}"

available=$(psql -d postgres -Atc "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
if [ -z "$available" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
fi
exists=$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [ -z "$exists" ]; then
  psql -d postgres -qc "CREATE DATABASE $DB"
fi
psql -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS postgis"
psql -d "$DB" -Atc "SELECT 'postgis ' || postgis_lib_version() || ' in ' || current_database()"
