#!/bin/sh
# Entrypoint of the git-forge app: fcgiwrap runs git http-backend (git smart
# HTTP) for nginx, the LFS server answers <repo>.git/info/lfs/, nginx in front.
# Both helpers run as www-data, which owns the repositories and the objects.
set -eu

# Repositories restored from a backup may belong to another user until the
# restore hook hands them back; git refuses such "dubious ownership" unless told.
git config --system safe.directory '*'
chown www-data:www-data /srv/git /srv/lfs

mkdir -p /run/fcgiwrap
chown www-data:www-data /run/fcgiwrap
rm -f /run/fcgiwrap/fcgiwrap.sock
setpriv --reuid=www-data --regid=www-data --init-groups -- \
  /usr/sbin/fcgiwrap -c 4 -s unix:/run/fcgiwrap/fcgiwrap.sock &

setpriv --reuid=www-data --regid=www-data --init-groups -- \
  env FORGE_LFS=/srv/lfs LFS_ENABLED="${LFS_ENABLED:-true}" \
  python3 /usr/local/lib/forge/lfs_server.py 127.0.0.1 8081 &

exec nginx -g 'daemon off;'
