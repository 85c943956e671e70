#!/bin/sh
# The shelf, read from the bookmarks table:
#   GET /       an HTML page: the header (header.html, rendered by swarm from
#               LINKSHELF_TITLE) and one link per bookmark
#   GET /links  text/plain, one bookmark a line: `id<TAB>url<TAB>title`
PSQL=/usr/lib/postgresql/15/bin/psql
query() {
  PGPASSWORD=$(cat /run/secrets/db_password) PGCONNECT_TIMEOUT=5 \
    "$PSQL" -X -A -t -F '	' -v ON_ERROR_STOP=1 -h tasks.db -U linkshelf -d linkshelf -c "$1" 2>&1
}
unavailable() {
  printf 'Status: 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  printf 'cannot read the bookmarks table: %s\n' "$1"
  exit 0
}

case "${DOCUMENT_URI:-/}" in
/links)
  out=$(query 'SELECT id, url, title FROM bookmarks ORDER BY id') || unavailable "$out"
  printf 'Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  [ -z "$out" ] || printf '%s\n' "$out"
  ;;
*)
  out=$(query "SELECT format('<li><a href=\"%s\">%s</a></li>', html_escape(url), html_escape(title))
               FROM bookmarks ORDER BY id") || unavailable "$out"
  printf 'Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
  cat /etc/linkshelf/header.html
  printf '<ul>\n'
  [ -z "$out" ] || printf '%s\n' "$out"
  printf '</ul>\n</body>\n</html>\n'
  ;;
esac
