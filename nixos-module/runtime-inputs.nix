# The ONE list of packages ccci finds on PATH at run time, derived from
# ./runtime-tools.nix (program -> nixpkgs attribute), each package once.
#
# Both the `nix run .#ccci` wrapper (flake.nix) and the systemd sweep service
# (nixos-module/default.nix, which runs that same wrapper) are built from this
# list, so a manual run and a timer run see the same PATH by construction.
# The system this replaces kept two lists; the service's lacked `git-lfs`, and
# a recipe that was green by hand went red on the timer. Add a tool to
# runtime-tools.nix, never to one of the two users alone.
{ pkgs }:
let
  tools = import ./runtime-tools.nix;
  package = attr:
    pkgs.${attr} or (throw "nixos-module/runtime-tools.nix maps a tool to `${attr}`, which this nixpkgs does not have");
in
map package (pkgs.lib.unique (builtins.attrValues tools))
