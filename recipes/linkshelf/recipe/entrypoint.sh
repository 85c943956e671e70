#!/bin/sh
# Entrypoint of the db service: PostgreSQL 15 from Debian's packages.
#
# On an empty PGDATA it creates the cluster (initdb as postgres), the
# `linkshelf` role with the password from the db_password secret, and the
# `linkshelf` database; then it runs postgres as user postgres (PID 1, via
# exec). A restore may put backup.sql.gz into PGDATA before the first start:
# it is kept aside during initdb and put back.
#
# Authentication: local socket connections are trusted (the backupbot hooks
# run pg_dump/psql inside this container); TCP from the stack's internal
# network needs the password (scram-sha-256).
set -eu

PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/data
SECRET=/run/secrets/db_password
export PGDATA

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 0700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -s "$SECRET" ] || { echo "entrypoint: $SECRET is missing or empty" >&2; exit 1; }
  echo "entrypoint: no cluster in $PGDATA; creating one"

  # initdb wants an empty directory, but a restore may have put a dump here
  # before the first start: keep such files aside and put them back after.
  stash=$(mktemp -d)
  find "$PGDATA" -mindepth 1 -maxdepth 1 -exec mv -t "$stash" {} +

  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null

  cat >"$PGDATA/pg_hba.conf" <<'HBA'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
# The stack's internal network (the app connects from there).
host    all       all   samenet        scram-sha-256
HBA
  cat >>"$PGDATA/postgresql.conf" <<'CONF'

# linkshelf
listen_addresses = '*'
password_encryption = 'scram-sha-256'
CONF
  chown postgres:postgres "$PGDATA/pg_hba.conf"

  # A private socket, no TCP: nothing (not even the healthcheck) sees this
  # temporary server as ready before the role and database exist.
  initsock=$(mktemp -d)
  chown postgres:postgres "$initsock"
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -s \
    -o "-c listen_addresses= -c unix_socket_directories=$initsock" start
  # The password goes in as a psql variable on stdin, never on a command line.
  as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$initsock" -U postgres -d postgres \
    -v pw="$(cat "$SECRET")" <<'SQL'
CREATE ROLE linkshelf LOGIN PASSWORD :'pw';
CREATE DATABASE linkshelf OWNER linkshelf;
SQL
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -s -m fast stop
  rmdir "$initsock"

  find "$stash" -mindepth 1 -maxdepth 1 -exec mv -t "$PGDATA" {} +
  rmdir "$stash"
  echo "entrypoint: cluster ready (role linkshelf, database linkshelf)"
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/postgres" -D "$PGDATA"
