#!/bin/sh
# The replication role on the compose `db` service (the primary), for the `replica` profile's
# standby. The official postgres image runs it once, when it initialises an empty data
# volume (mounted under /docker-entrypoint-initdb.d/). For a volume initialised before this
# file existed, run it by hand, once; it is safe to run again:
#   docker compose exec -u postgres db sh /docker-entrypoint-initdb.d/20-replication.sh
#
# It creates (or updates the password of) the role `replicator` with REPLICATION, allows it
# replication connections from the compose network in pg_hba.conf, and bounds the WAL the
# primary keeps for a standby that stays away. The replication slot itself is made by the
# standby when it first copies the primary (replica-entrypoint.sh): a slot without a standby
# would keep WAL for nobody.
set -eu

: "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD (in .env for docker compose)}"
: "${PGDATA:?PGDATA is not set (the postgres image sets it)}"
replication_user="${POSTGRES_REPLICATION_USER:-replicator}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"

psql -v ON_ERROR_STOP=1 --no-password --username "$user" --dbname "$db" \
  -v role="$replication_user" -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH REPLICATION LOGIN PASSWORD :'password';
-- A standby gone for good must not fill the primary's disk: past this much retained WAL
-- its slot is given up (the standby then needs a fresh copy: remove its volume).
ALTER SYSTEM SET max_slot_wal_keep_size = '4GB';
SQL

# `all` in pg_hba.conf does not cover replication connections: they need their own line.
line="host replication $replication_user all scram-sha-256"
if ! grep -qxF "$line" "$PGDATA/pg_hba.conf"; then
  printf '%s\n' "$line" >>"$PGDATA/pg_hba.conf"
fi
psql -v ON_ERROR_STOP=1 --no-password --username "$user" --dbname "$db" -c 'SELECT pg_reload_conf()' >/dev/null
echo "replication role '$replication_user' ready; pg_hba.conf allows it replication connections"
