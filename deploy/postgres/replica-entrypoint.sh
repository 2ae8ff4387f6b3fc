#!/bin/sh
# Entrypoint of the compose `db-replica` service (profile `replica`): a hot standby that
# streams from the `db` service. On its first start (empty data volume) it copies the
# primary with pg_basebackup -R, creating the replication slot; then, and on every later
# start, it hands over to the postgres image's own entrypoint, which finds the copied data
# directory and starts the server: a read-only standby, because -R wrote standby.signal
# and primary_conninfo (with the slot's name).
#
# The primary must have the replication role and its pg_hba.conf line: primary-replication.sh.
set -eu

: "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD (in .env for docker compose)}"
: "${PGDATA:?PGDATA is not set (the postgres image sets it)}"
primary_host="${REPLICATION_PRIMARY_HOST:-db}"
primary_port="${REPLICATION_PRIMARY_PORT:-5432}"
replication_user="${POSTGRES_REPLICATION_USER:-replicator}"
slot="${REPLICATION_SLOT:-stockroom_replica}"

# As root (the image's default) the copy is made as the postgres user, as the server runs.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then gosu postgres "$@"; else "$@"; fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
  chmod 700 "$PGDATA"
  export PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD"
  echo "waiting for the primary at $primary_host:$primary_port"
  until pg_isready -q -h "$primary_host" -p "$primary_port" -U "$replication_user" -d postgres; do
    sleep 1
  done
  # A slot left by an earlier copy (this volume was removed, the primary's was not) is
  # reused; otherwise pg_basebackup creates it.
  existing=$(echo "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :'slot'" |
    psql -At -h "$primary_host" -p "$primary_port" -U "$replication_user" -d postgres -v slot="$slot" ||
    echo error)
  case "$existing" in
    0) create_slot="--create-slot" ;;
    1) create_slot="" ;;
    *)
      echo "could not ask the primary about replication slot $slot (role $replication_user, pg_hba.conf?)" >&2
      exit 1
      ;;
  esac
  echo "copying the primary (pg_basebackup, slot $slot)"
  # shellcheck disable=SC2086 # $create_slot is one flag or none
  as_postgres pg_basebackup -h "$primary_host" -p "$primary_port" -U "$replication_user" \
    -D "$PGDATA" -R -X stream -S "$slot" $create_slot --checkpoint=fast --progress
  unset PGPASSWORD
fi

# hot_standby_feedback: the primary's vacuum keeps rows a long read here still needs, so
# fewer reads are cancelled by recovery conflicts (the API retries those on the primary).
exec docker-entrypoint.sh postgres -c hot_standby_feedback=on "$@"
