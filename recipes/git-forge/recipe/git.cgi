#!/bin/sh
# git smart HTTP for /<name>.git/...: creates the bare repository on first
# use (push-to-create, as forges do), then hands over to git http-backend.
PATH=/usr/bin:/bin
export PATH
repo=$(printf '%s' "${PATH_INFO:-}" | sed -n 's#^/\(.*\.git\)/.*#\1#p')
case "$repo" in
  ''|*..*|*[!A-Za-z0-9._/-]*)
    printf 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such repository\n'
    exit 0 ;;
esac
dir="$GIT_PROJECT_ROOT/$repo"
if [ ! -d "$dir" ]; then
  mkdir -p "$(dirname "$dir")"
  git init --quiet --bare -b main "$dir" >&2 || true
fi
# Anonymous pushes: this is a test forge behind the test proxy.
[ "$(git -C "$dir" config --get http.receivepack)" = true ] || git -C "$dir" config http.receivepack true
exec /usr/lib/git-core/git-http-backend
