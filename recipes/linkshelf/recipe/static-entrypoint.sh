#!/bin/sh
# Entrypoint of the static service: the shelf's static files under /static
# (the stylesheet, a swarm config, and about.txt, written here from the env),
# served by nginx on port 8080.
set -eu

die() { echo "static-entrypoint: $*" >&2; exit 1; }

# Both come from the app's env through this service's own bare `environment:`
# entries in compose.yml; without them about.txt would name nothing.
[ -n "${DOMAIN:-}" ] || die "DOMAIN is not set in the static service's environment (see compose.yml, environment:)"
[ -n "${LINKSHELF_TITLE:-}" ] ||
  die "LINKSHELF_TITLE is not set in the static service's environment (see compose.yml, environment:)"

mkdir -p /srv/www/static
printf '%s\nbookmarks at https://%s/\n' "$LINKSHELF_TITLE" "$DOMAIN" >/srv/www/static/about.txt

exec nginx -g 'daemon off;'
