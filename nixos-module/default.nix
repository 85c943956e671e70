# services.ccci: the weekly sweep that keeps every enrolled recipe's canonical
# (last green tested release) current. See DESIGN.md, "Canonicals and the sweep"
# and "Runtime environment parity".
#
# The service runs the same wrapped binary as `nix run .#ccci`. That wrapper
# *sets* PATH from nixos-module/runtime-inputs.nix (derived from
# runtime-tools.nix), so the service's PATH is the manual run's PATH by
# construction, not by keeping two lists in step.
#
# ExecStart is exactly the CLI's `ccci sweep` (framework/cli/cmd_sweep.cpp):
#   ccci sweep --state-dir <stateDir> --runs-dir <runsDir> --recipes-dir <recipesDir>
#              [--source <source>] [--mirror <mirror>]
{ config, lib, pkgs, ... }:

let
  cfg = config.services.ccci;
  inherit (lib) types mkOption mkEnableOption mkIf literalExpression;

  # With extra tools, the service and anything that uses finalPackage run the
  # wrapper re-made with them (still PATH *set*, never prefixed): adding them
  # through systemd's `path` would do nothing, the wrapper overrides PATH.
  finalPackage =
    if cfg.extraRuntimePackages == [ ] then cfg.package
    else cfg.package.override { inherit (cfg) extraRuntimePackages; };

  # "${...}" rather than toString: a path literal is copied to the store.
  sweepArgs = [
    "sweep"
    "--state-dir" cfg.stateDir
    "--runs-dir" cfg.runsDir
    "--recipes-dir" "${cfg.recipesDir}"
  ] ++ lib.optionals (cfg.source != null) [ "--source" cfg.source ]
    ++ lib.optionals (cfg.mirror != null) [ "--mirror" cfg.mirror ];

  # systemd creates and chowns a StateDirectory only under /var/lib; any other
  # stateDir (and a runsDir outside it) gets a tmpfiles rule instead.
  stateUnderVarLib = lib.hasPrefix "/var/lib/" cfg.stateDir;
  extraDirs = lib.optional (!stateUnderVarLib) cfg.stateDir
    ++ lib.optional (!lib.hasPrefix "${cfg.stateDir}/" cfg.runsDir) cfg.runsDir;

  packageMissing = throw ''
    services.ccci.package is not set. Use the flake's nixosModules.default
    (which sets it), apply its overlays.default, or set
    services.ccci.package = ccci.packages.''${pkgs.system}.default.
  '';
in
{
  options.services.ccci = {
    enable = mkEnableOption "the ccci weekly sweep of enrolled Co-op Cloud recipes";

    package = mkOption {
      type = types.nullOr types.package;
      default = pkgs.ccci or null;
      defaultText = literalExpression
        "ccci.packages.\${system}.default (flake nixosModules.default), else pkgs.ccci or null";
      description = ''
        The *wrapped* ccci (the flake's `packages.<system>.default`, i.e. what
        `nix run .#ccci` runs). It must be the wrapper, not the bare build:
        the wrapper is what pins PATH to nixos-module/runtime-inputs.nix.
      '';
    };

    finalPackage = mkOption {
      type = types.nullOr types.package;
      readOnly = true;
      default = finalPackage;
      defaultText = literalExpression
        "package, or package.override { inherit extraRuntimePackages; }";
      description = ''
        The wrapper the service runs: {option}`package` with
        {option}`extraRuntimePackages` added. It is also put on the system
        PATH, so `ccci` typed on this host sees what the timer sees.
      '';
    };

    stateDir = mkOption {
      type = types.str;
      default = "/var/lib/ccci";
      description = ''
        Registry of canonicals, the sweep's upstream checkouts, its lock and
        summaries, and the edge proxy's routes (`<stateDir>/edge`).
      '';
    };

    runsDir = mkOption {
      type = types.str;
      default = "${cfg.stateDir}/runs";
      defaultText = literalExpression ''"''${config.services.ccci.stateDir}/runs"'';
      description = "Where each run's directory (results.json, logs, rendered compose) goes.";
    };

    recipesDir = mkOption {
      type = types.either types.path types.str;
      default =
        if cfg.package == null then packageMissing else "${cfg.package}/share/ccci/recipes";
      defaultText = literalExpression ''"''${config.services.ccci.package}/share/ccci/recipes"'';
      example = "/etc/ccci/recipes";
      description = ''
        The recipe meta tree (`<recipe>/ccci.yml`: enrollment, timeouts,
        probes, optional `upstream:`) passed as `--recipes-dir`; every recipe
        with `enroll: true` is swept. The default is the bundled examples. A
        path literal (`./recipes`) is copied to the store and frozen until the
        next rebuild; a string (`"/etc/ccci/recipes"`) is read live at each
        sweep. The sweep refuses an empty enrolled set and exits non-zero, so a
        wrong path shows as a failed unit, not a quiet week.
      '';
    };

    source = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "https://git.coopcloud.tech/coop-cloud";
      description = ''
        Upstream base passed as `--source`: the sweep fetches main and tags of
        each enrolled recipe from `<source>/<recipe>`, unless its ccci.yml
        names an `upstream:`. git fetches it as the service user: an https://
        or ssh:// URL (keys in {option}`stateDir`/.ssh), or a `file://` path
        the `ccci` user can read outside /home, /root and /tmp (the service has
        ProtectHome and PrivateTmp). null: every enrolled recipe must name its
        `upstream:`, or it fails.
      '';
    };

    mirror = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "ssh://git@git.example.org/ccci-mirror";
      description = ''
        Mirror base passed as `--mirror`: after each fetch the sweep pushes main
        and tags to `<mirror>/<recipe>`. null: no mirror.
      '';
    };

    timerConfig = mkOption {
      type = types.attrsOf types.unspecified;
      default = { OnCalendar = "weekly"; Persistent = true; };
      example = { OnCalendar = "Sun 03:00"; RandomizedDelaySec = "1h"; Persistent = true; };
      description = "systemd.timer(5) [Timer] settings for the sweep.";
    };

    extraRuntimePackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = literalExpression "[ pkgs.openssl pkgs.jq ]";
      description = ''
        Tools added to the wrapper's PATH on top of runtime-inputs.nix. This is
        the one way the service can differ from `nix run .#ccci`: it applies to
        {option}`finalPackage` (service and system PATH alike) but not to a
        `nix run` of the flake. Tools every deployment needs belong in
        nixos-module/runtime-tools.nix instead.
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.package != null;
        message = ''
          services.ccci.package is not set. Use the flake's
          nixosModules.default (which sets it), apply overlays.default, or set
          services.ccci.package = ccci.packages.''${pkgs.system}.default.
        '';
      }
      {
        assertion = cfg.extraRuntimePackages == [ ] || (cfg.package != null && cfg.package ? override);
        message = ''
          services.ccci.extraRuntimePackages needs a package with .override
          (the flake's wrapper); the given package cannot take extra tools.
        '';
      }
    ];

    environment.systemPackages = lib.optional (cfg.finalPackage != null) cfg.finalPackage;

    # Not root: docker access comes from the docker group alone.
    users.users.ccci = {
      isSystemUser = true;
      group = "ccci";
      home = cfg.stateDir;
      description = "ccci sweep";
    };
    users.groups.ccci = { };

    systemd.tmpfiles.rules = map (dir: "d ${dir} 0750 ccci ccci - -") extraDirs;

    # Swarm services, volumes and secrets; live-restore is incompatible with
    # swarm mode, and dockerd refuses to start with both.
    virtualisation.docker.enable = true;
    virtualisation.docker.liveRestore = false;

    systemd.services.ccci-sweep = {
      description = "ccci weekly sweep of enrolled Co-op Cloud recipes";
      requires = [ "docker.service" ];
      after = [ "docker.service" "network-online.target" ];
      wants = [ "network-online.target" ];
      # No `path` here: the wrapper sets PATH itself (see finalPackage).
      # The same dirs for the `ccci run`s the sweep starts; the edge proxy's
      # routes follow stateDir (its built-in default is /var/lib/ccci/edge).
      environment = {
        CCCI_STATE_DIR = cfg.stateDir;
        CCCI_RUNS_DIR = cfg.runsDir;
        CCCI_EDGE_DIR = "${cfg.stateDir}/edge";
        HOME = cfg.stateDir; # git and docker write config under $HOME
        # git's https transport: systemd services do not get the login
        # session's NIX_SSL_CERT_FILE; NixOS always provides this bundle.
        NIX_SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt";
        SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt";
      };
      serviceConfig = {
        Type = "oneshot";
        ExecStart = lib.escapeShellArgs ([ "${cfg.finalPackage}/bin/ccci" ] ++ sweepArgs);
        User = "ccci";
        Group = "ccci";
        StateDirectory = lib.mkIf stateUnderVarLib (lib.removePrefix "/var/lib/" cfg.stateDir);
        StateDirectoryMode = "0750";
        WorkingDirectory = cfg.stateDir;
        SupplementaryGroups = [ "docker" ];
        # A sweep of many recipes legitimately takes hours; per-run bounds come
        # from each recipe's deploy/check timeouts, not from systemd.
        TimeoutStartSec = "infinity";
        # Let ccci tear down its stacks on SIGTERM before systemd kills it.
        KillMode = "mixed";
        TimeoutStopSec = "10min";

        # Hardening that still lets ccci reach /run/docker.sock (AF_UNIX, via
        # the docker group) and git reach the upstream and mirror (https, ssh,
        # or a file:// path outside /home, /root and /tmp): no PrivateNetwork,
        # no RestrictAddressFamilies, the file system read-only but for the
        # state and runs dirs.
        ProtectSystem = "strict";
        ReadWritePaths = lib.unique [ cfg.stateDir cfg.runsDir ];
        PrivateTmp = true;
        ProtectHome = true;
        NoNewPrivileges = true;
        PrivateDevices = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        SystemCallArchitectures = "native";
        UMask = "0027";
      };
    };

    systemd.timers.ccci-sweep = {
      description = "Weekly ccci sweep";
      wantedBy = [ "timers.target" ];
      inherit (cfg) timerConfig;
    };
  };
}
