# The ONE list of packages ccci finds on PATH at run time.
#
# Both the `nix run .#ccci` wrapper (flake.nix) and the systemd sweep service
# (nixos-module/default.nix, which runs that same wrapper) are built from this
# list, so a manual run and a timer run see the same PATH by construction.
# The system this replaces kept two lists; the service's lacked `git-lfs`, and
# a recipe that was green by hand went red on the timer. Add a tool here, never
# to one of the two users alone. Plugins declare the tools they need in code and
# `ccci doctor` reports them; a tool missing at run time makes a tier `unver`.
{ pkgs }:
with pkgs; [
  docker-client # docker stack/service/volume/secret, exec into containers
  git # clone recipes, check out release tags
  git-lfs # recipes and plugins that round-trip LFS objects
  gnutar # backup archives
  gzip # backup archives are .tar.gz
  coreutils # abra.sh and hooks expect a POSIX userland
  bash # abra.sh and backupbot hooks are shell
  curl # ad-hoc probes from hooks; libcurl is linked separately
]
