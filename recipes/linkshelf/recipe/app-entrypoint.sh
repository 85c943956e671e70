#!/bin/sh
# Entrypoint of the app service: refuses to start without what it needs (its
# env, a long enough app key, a rendered page header), waits for the
# database, runs the schema step, then serves the shelf (a CGI run by
# fcgiwrap) through nginx.
#
# The database is reached as tasks.db: the db service's task addresses on the
# stack's internal network (the service name `db` is a virtual IP, which
# needs IPVS load balancing; tasks.db works everywhere).
set -eu

die() { echo "app-entrypoint: $*" >&2; exit 1; }

# DOMAIN and LINKSHELF_TITLE come from the app's env (bare `environment:`
# entries in compose.yml); an app deployed without them would serve pages
# naming nothing, so it does not start at all.
[ -n "${DOMAIN:-}" ] || die "DOMAIN is not set in the app service's environment (see compose.yml, environment:)"
[ -n "${LINKSHELF_TITLE:-}" ] ||
  die "LINKSHELF_TITLE is not set in the app service's environment (set it in the app's .env; see .env.sample)"

# The app key: at least 64 characters (.env.sample: SECRET_APP_KEY_VERSION=v1
# # length=64). Only its length is ever printed.
key=/run/secrets/app_key
[ -r "$key" ] || die "secret $key is missing: create it with 'abra app secret generate'"
key_length=$(tr -d '\n' <"$key" | wc -c)
[ "$key_length" -ge 64 ] ||
  die "secret app_key is $key_length characters long; linkshelf needs at least 64 (generate it with length=64)"

# The page header is a golang-template swarm config reading
# {{ env "LINKSHELF_TITLE" }}: it must have seen the same title.
header=/etc/linkshelf/header.html
grep -qF -- "$LINKSHELF_TITLE" "$header" ||
  die "$header does not hold LINKSHELF_TITLE ('$LINKSHELF_TITLE'): the config template saw another environment"

export PGHOST=tasks.db PGUSER=linkshelf PGDATABASE=linkshelf PGCONNECT_TIMEOUT=5
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
CREATE TABLE IF NOT EXISTS bookmarks (
  id    serial PRIMARY KEY,
  url   text NOT NULL UNIQUE,
  title text NOT NULL
);
CREATE OR REPLACE FUNCTION html_escape(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT
  RETURN replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;');
SQL

mkdir -p /run/fcgiwrap
chown www-data:www-data /run/fcgiwrap
rm -f /run/fcgiwrap/fcgiwrap.sock
setpriv --reuid=www-data --regid=www-data --init-groups -- \
  /usr/sbin/fcgiwrap -c 2 -s unix:/run/fcgiwrap/fcgiwrap.sock &

exec nginx -g 'daemon off;'
