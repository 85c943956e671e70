# Every program ccci finds on PATH at run time, mapped to the nixpkgs
# attribute that provides it: `<program> = "<nixpkgs attribute>";`.
#
# The keys are program names exactly as `ccci doctor --json` names them: ccci
# declares its own tools in code (framework/src/os/tools.cpp, framework_tools())
# and each plugin declares its own (CCCI_PLUGIN("recipe", "tool", ...)).
# tests/nix/doctor-tools-are-packaged (ctest -L nix) fails, naming the tool,
# when doctor reports a tool this file does not map: add it here, never in a
# wrapper or a service alone.
#
# runtime-inputs.nix turns the values (each package once) into the ONE list
# that both the `nix run .#ccci` wrapper and the systemd sweep service put on
# PATH. A missing `git-lfs` in a service's PATH once turned a green recipe red.
#
# Values are top-level nixpkgs attribute names (no dots), so this file
# evaluates with plain `nix-instantiate --eval`, without nixpkgs.
{
  # Declared by ccci itself (framework_tools()).
  docker = "docker-client"; # stacks, secrets, exec and cp into containers
  git = "git"; # checkouts, release tags, the sweep's upstream and mirror sync

  # Run by git, or by recipes, plugins and hooks.
  git-lfs = "git-lfs"; # recipes and plugins that round-trip LFS objects
  ssh = "openssh"; # git's transport for ssh:// upstreams and mirrors
  curl = "curl"; # ad-hoc probes from hooks (libcurl is linked separately)

  # The userland abra.sh and backup hooks expect.
  bash = "bash";
  tar = "gnutar"; # backup archives
  gzip = "gzip"; # backup archives are .tar.gz
  cat = "coreutils";
  cp = "coreutils";
  env = "coreutils";
  mkdir = "coreutils";
  rm = "coreutils";
  sha256sum = "coreutils";
}
