#!/bin/sh
# Entrypoint of the app service: waits for the database, runs the schema
# step, then serves /notes (a CGI run by fcgiwrap) and / through nginx.
#
# The database is reached as tasks.db: the db service's task addresses on the
# stack's internal network (the service name `db` is a virtual IP, which
# needs IPVS load balancing; tasks.db works everywhere).
set -eu

export PGHOST=tasks.db PGUSER=notes PGDATABASE=notes PGCONNECT_TIMEOUT=5
PSQL=/usr/lib/postgresql/15/bin/psql

# psql with the password from the secret (never in the environment of nginx).
db() { PGPASSWORD=$(cat /run/secrets/db_password) "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }

tries=0
until db -c 'SELECT 1' >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "app-entrypoint: database $PGDATABASE on $PGHOST not reachable after $tries tries:" >&2
    db -c 'SELECT 1' >&2 || true
    exit 1
  fi
  sleep 2
done

echo "app-entrypoint: schema step"
db <<'SQL'
CREATE TABLE IF NOT EXISTS notes (
  id   serial PRIMARY KEY,
  body text NOT NULL
);
SQL

mkdir -p /run/fcgiwrap
chown www-data:www-data /run/fcgiwrap
rm -f /run/fcgiwrap/fcgiwrap.sock
setpriv --reuid=www-data --regid=www-data --init-groups -- \
  /usr/sbin/fcgiwrap -c 2 -s unix:/run/fcgiwrap/fcgiwrap.sock &

exec nginx -g 'daemon off;'
