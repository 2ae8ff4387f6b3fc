#!/bin/sh
# Runs the compose replica profile's scripts (deploy/postgres/*.sh) outside Docker, against
# two private PostgreSQL servers of this machine's binaries on free ports: what the db and
# db-replica containers would do, as far as it can be done without Docker. The shared server
# on 5432 is not touched. Needs initdb, pg_ctl, pg_basebackup, psql, pg_isready (PostgreSQL
# 15 server and client packages); as root it runs them as the postgres user.
#
#   sh scripts/try-compose-replica.sh
#
# Checks, in order: a replication connection is refused before the primary's script ran (as
# in the image, pg_hba.conf allows none from other hosts); the primary's script creates the
# role and the pg_hba.conf line, and is safe to run twice; the standby's entrypoint copies the
# primary with a new slot and starts a hot standby that streams over it; a restart does not
# copy again; a removed standby volume is copied again reusing the slot; a wrong password
# stops the entrypoint with a message. Everything it made is removed at the end.
set -eu

bin=${STOCKROOM_PG_BIN:-}
if [ -z "$bin" ]; then
  for dir in /usr/lib/postgresql/*/bin; do bin=$dir; done
fi
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (set STOCKROOM_PG_BIN)" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/stockroom-compose-replica.XXXXXX)
chmod 755 "$work"
# The scripts run as the postgres user, who may not be able to read the checkout (a fresh
# clone in a private temporary directory): they run from copies in the work directory.
mkdir "$work/deploy"
cp "$repo/deploy/postgres/primary-replication.sh" "$repo/deploy/postgres/replica-entrypoint.sh" "$work/deploy/"
chmod 755 "$work/deploy" && chmod 644 "$work/deploy/"*.sh
cd "$work"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
primary_port=$(free_port)
replica_port=$(free_port)
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

cleanup() {
  for d in replica primary; do
    [ -f "$work/$d/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$work/$d" -m immediate -w stop >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# The image's own entrypoint, standing in: the data directory is there, start the server.
mkdir -p "$work/bin"
cat >"$work/bin/docker-entrypoint.sh" <<SH
#!/bin/sh
[ "\$1" = postgres ] && shift
exec "$bin/postgres" -D "\$PGDATA" -p $replica_port -k "$work" -c listen_addresses=127.0.0.1 -c fsync=off "\$@"
SH
chmod 755 "$work/bin/docker-entrypoint.sh"

# The primary as the postgres image leaves it: a superuser password, local trust, and
# scram-sha-256 for every database from any host, no replication line.
echo super-secret >"$work/pw"
chmod 644 "$work/pw"
as_pg "$bin/initdb" -D "$work/primary" -U postgres --pwfile="$work/pw" --auth-local=trust \
  --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C >/dev/null
printf 'local all all trust\nhost all all all scram-sha-256\n' >"$work/primary/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w \
  -o "-p $primary_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
primary_sql() { psql -X -q -At -h "$work" -p "$primary_port" -U postgres -d postgres "$@"; }

if PGPASSWORD=super-secret as_pg pg_basebackup -h 127.0.0.1 -p "$primary_port" -U postgres \
  -D "$work/refused" -X none >/dev/null 2>&1; then fail "a replication connection was allowed before the script ran"; fi
ok "replication refused before deploy/postgres/primary-replication.sh"

run_primary_script() {
  as_pg env PGDATA="$work/primary" PGHOST="$work" PGPORT="$primary_port" POSTGRES_USER=postgres \
    POSTGRES_DB=postgres POSTGRES_REPLICATION_PASSWORD=repl-secret sh "$work/deploy/primary-replication.sh" >/dev/null
}
run_primary_script
run_primary_script
[ "$(primary_sql -c "select rolreplication and rolcanlogin from pg_roles where rolname = 'replicator'")" = t ] ||
  fail "no replicator role with REPLICATION LOGIN"
[ "$(grep -c '^host replication replicator all scram-sha-256$' "$work/primary/pg_hba.conf")" = 1 ] ||
  fail "pg_hba.conf does not have the replication line exactly once"
ok "primary-replication.sh (twice): role replicator, one pg_hba.conf line, max_slot_wal_keep_size $(primary_sql -c 'show max_slot_wal_keep_size')"

start_replica() { # $1: password; runs the entrypoint in the background
  as_pg env PATH="$work/bin:$PATH" PGDATA="$work/replica" REPLICATION_PRIMARY_HOST=127.0.0.1 \
    REPLICATION_PRIMARY_PORT="$primary_port" POSTGRES_REPLICATION_PASSWORD="$1" \
    sh "$work/deploy/replica-entrypoint.sh" >>"$work/replica.out" 2>&1 &
}
until_standby_streams() {
  i=0
  until [ "$(primary_sql -c "select count(*) from pg_stat_replication where usename = 'replicator' and state = 'streaming'")" = 1 ] &&
    pg_isready -q -h 127.0.0.1 -p "$replica_port"; do
    i=$((i + 1))
    [ $i -lt 120 ] || { cat "$work/replica.out" >&2; fail "the standby is not streaming"; }
    sleep 1
  done
}
replica_sql() { PGPASSWORD=super-secret psql -X -q -At -h 127.0.0.1 -p "$replica_port" -U postgres -d postgres "$@"; }

start_replica repl-secret
until_standby_streams
[ "$(replica_sql -c 'select pg_is_in_recovery()')" = t ] || fail "the copy is not a standby"
[ "$(primary_sql -c "select active from pg_replication_slots where slot_name = 'stockroom_replica'")" = t ] ||
  fail "the slot stockroom_replica is not in use"
primary_sql -c "create table probe (x int); insert into probe values (42)"
i=0
until [ "$(replica_sql -c 'select x from probe' 2>/dev/null)" = 42 ]; do
  i=$((i + 1)); [ $i -lt 60 ] || fail "a row written on the primary never reached the standby"; sleep 0.5
done
ok "replica-entrypoint.sh: copied with a new slot, hot standby streaming, a new row replicated (hot_standby_feedback $(replica_sql -c 'show hot_standby_feedback'))"

copies() { grep -c 'copying the primary' "$work/replica.out" || true; }
as_pg "$bin/pg_ctl" -D "$work/replica" -m fast -w stop >/dev/null
start_replica repl-secret
until_standby_streams
[ "$(copies)" = 1 ] || fail "a restart copied the primary again"
ok "restart: no second copy, streaming again"

as_pg "$bin/pg_ctl" -D "$work/replica" -m fast -w stop >/dev/null
rm -rf "$work/replica"
start_replica repl-secret
until_standby_streams
[ "$(copies)" = 2 ] || fail "a removed volume was not copied again"
[ "$(replica_sql -c 'select x from probe')" = 42 ] || fail "the second copy lacks the row"
ok "removed volume: copied again over the existing slot, streaming"

as_pg "$bin/pg_ctl" -D "$work/replica" -m fast -w stop >/dev/null
rm -rf "$work/replica"
if as_pg env PATH="$work/bin:$PATH" PGDATA="$work/replica" REPLICATION_PRIMARY_HOST=127.0.0.1 \
  REPLICATION_PRIMARY_PORT="$primary_port" POSTGRES_REPLICATION_PASSWORD=wrong \
  sh "$work/deploy/replica-entrypoint.sh" >"$work/wrong.out" 2>&1; then fail "a wrong password went through"; fi
grep -q "could not ask the primary" "$work/wrong.out" || fail "a wrong password gave no message"
ok "wrong password: the entrypoint stops with: $(tail -n 1 "$work/wrong.out")"
echo "all checks passed"
