#!/bin/sh
# GET /notes: the notes table as text/plain, one note a line: `id<TAB>body`.
PSQL=/usr/lib/postgresql/15/bin/psql
if out=$(PGPASSWORD=$(cat /run/secrets/db_password) PGCONNECT_TIMEOUT=5 \
         "$PSQL" -X -A -t -F '	' -v ON_ERROR_STOP=1 -h tasks.db -U notes -d notes \
         -c 'SELECT id, body FROM notes ORDER BY id' 2>&1); then
  printf 'Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  [ -z "$out" ] || printf '%s\n' "$out"
else
  printf 'Status: 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  printf 'cannot read the notes table: %s\n' "$out"
fi
