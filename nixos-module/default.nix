# services.ccci: the weekly sweep that keeps every enrolled recipe's canonical
# (last green tested release) current. See DESIGN.md, "Canonicals and the sweep"
# and "Runtime environment parity".
#
# The service runs the same wrapped binary as `nix run .#ccci` (re-made with
# extraRuntimePackages, or with the dashboard's CCCI_REPORT_DIR default, and
# then also put on the system PATH). That wrapper
# *sets* PATH from nixos-module/runtime-inputs.nix (derived from
# runtime-tools.nix), so the service's PATH is the manual run's PATH by
# construction, not by keeping two lists in step.
#
# ExecStart is exactly the CLI's `ccci sweep` (framework/cli/cmd_sweep.cpp):
#   ccci sweep --state-dir <stateDir> --runs-dir <runsDir> --recipes-dir <recipesDir>
#              --stop-grace <stopGraceSec> [--source <source>] [--mirror <mirror>]
#
# `utils` is NixOS's own module argument (nixos/lib/utils.nix); the module is
# only ever evaluated inside a NixOS system. scripts/check-nix evaluates it
# against typed stand-ins of the NixOS options it sets (docs/architecture.md,
# "The NixOS module").
{ config, lib, pkgs, utils, ... }:

let
  cfg = config.services.ccci;
  inherit (lib) types mkOption mkEnableOption mkIf literalExpression;

  # With extra tools, the service and anything that uses finalPackage run the
  # wrapper re-made with them (still PATH *set*, never prefixed): adding them
  # through systemd's `path` would do nothing, the wrapper overrides PATH.
  #
  # With the dashboard on, the same wrapper also defaults CCCI_REPORT_DIR to
  # its directory, so a `ccci report` typed on this host writes where the
  # sweep writes (the service sets it explicitly as well). A package without
  # .override is kept as it is; an assertion below names the problem.
  dash = cfg.dashboard;
  finalPackage =
    if cfg.extraRuntimePackages == [ ] && !dash.enable then cfg.package
    else if cfg.package == null || !(cfg.package ? override) then cfg.package
    else cfg.package.override ({ inherit (cfg) extraRuntimePackages; }
      // lib.optionalAttrs dash.enable { defaultEnvironment.CCCI_REPORT_DIR = dash.directory; });

  # dir is base or inside it.
  within = base: dir: dir == base || lib.hasPrefix "${base}/" dir;
  # Where the site can live. stateDir and runsDir are 0750 ccci:ccci (below)
  # and ccci makes its run and registry directories in them 0700
  # (docs/architecture.md, "The NixOS module"): no web server could reach a
  # site inside them, and a site containing them would publish them.
  # ProtectHome hides /home, /root and /run/user from both the sweep and
  # NixOS's nginx, and each has its own PrivateTmp.
  dashboardDirProblem =
    let d = dash.directory; overlaps = base: within base d || within d base; in
    if overlaps cfg.stateDir then "overlaps stateDir (${cfg.stateDir}), which only ccci may enter"
    else if overlaps cfg.runsDir then "overlaps runsDir (${cfg.runsDir}), which only ccci may enter"
    else if lib.any (p: within p d) [ "/home" "/root" "/run/user" ] then
      "is under /home, /root or /run/user, which ProtectHome hides from the sweep and from nginx"
    else if lib.any (p: within p d) [ "/tmp" "/var/tmp" ] then
      "is under /tmp or /var/tmp, which the sweep and nginx each see privately (PrivateTmp)"
    else null;
  vhost = dash.nginx.virtualHost;
  # One nginx server_name: no spaces (nginx would read several names), no
  # scheme, port or path.
  vhostOk = vhost != null && builtins.match "[A-Za-z0-9_*]([A-Za-z0-9_.-]*[A-Za-z0-9_])?" vhost != null;

  # Static files only. CSP: no script, no remote anything; the site's own
  # stylesheet and images (the SVG badges and charts). `always`: on 404s too.
  # no-cache: a browser revalidates after a sweep regenerated the site.
  dashboardHeaders = ''
    add_header Content-Security-Policy "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" always;
    add_header X-Content-Type-Options "nosniff" always;
    add_header Referrer-Policy "no-referrer" always;
    add_header Cache-Control "no-cache" always;
    charset utf-8;
  '';

  # "${...}" rather than toString: a path literal is copied to the store.
  sweepArgs = [
    "sweep"
    "--state-dir" cfg.stateDir
    "--runs-dir" cfg.runsDir
    "--recipes-dir" "${cfg.recipesDir}"
    "--stop-grace" (toString cfg.stopGraceSec)
  ] ++ lib.optionals (cfg.jobs != null) [ "--jobs" (toString cfg.jobs) ]
    ++ lib.optionals (cfg.source != null) [ "--source" cfg.source ]
    ++ lib.optionals (cfg.mirror != null) [ "--mirror" cfg.mirror ];

  # Every ReadWritePaths entry must exist before the unit starts, or systemd
  # fails it with 226/NAMESPACE. systemd creates (and chowns) StateDirectory
  # entries, but only under /var/lib, and only the ones listed: `ccci` alone
  # makes /var/lib/ccci, not /var/lib/ccci/runs. So each of stateDir and
  # runsDir is either a StateDirectory entry (under /var/lib) or gets a
  # tmpfiles rule (anywhere else).
  underVarLib = dir: lib.hasPrefix "/var/lib/" dir;
  stateDirs = lib.unique [ cfg.stateDir cfg.runsDir ];
  stateDirectories = map (lib.removePrefix "/var/lib/") (lib.filter underVarLib stateDirs);
  extraDirs = lib.filter (dir: !underVarLib dir) stateDirs;

  # An absolute, normalised path with no whitespace: systemd's directory
  # settings (ReadWritePaths, StateDirectory) are space-separated lists and
  # refuse relative paths; a relative one would be taken against the unit's
  # root, not the admin's working directory. `%` would be a unit specifier in
  # those settings and in Environment=.
  absoluteDir = lib.mkOptionType {
    name = "absoluteDir";
    description = "absolute directory path (starts with /, no trailing /, no whitespace or %)";
    descriptionClass = "noun";
    check = x: lib.isString x && lib.hasPrefix "/" x && x != "/"
      && !lib.hasSuffix "/" x && builtins.match ".*[[:space:]%].*" x == null;
    merge = lib.mergeEqualOption;
  };

  # One [Timer] setting, merged as NixOS merges its own unit options
  # (systemd.timers.<name>.timerConfig): lists concatenate, scalars must agree,
  # so two different OnCalendar definitions are a conflict, not a concatenation.
  timerValue = lib.types.oneOf [ types.bool types.int types.str (types.listOf types.str) ];
  unitSetting = lib.mkOptionType {
    name = "systemd option";
    description = "systemd unit setting (bool, int, string, or a list of strings)";
    descriptionClass = "noun";
    check = timerValue.check;
    merge = loc: defs:
      if lib.any (def: lib.isList def.value) defs
      then lib.concatMap (def: lib.toList def.value) defs
      else lib.mergeEqualOption loc defs;
  };

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
      type = absoluteDir;
      default = "/var/lib/ccci";
      description = ''
        Registry of canonicals, the sweep's upstream checkouts, its lock and
        summaries, and the edge proxy's routes (`<stateDir>/edge`).
      '';
    };

    runsDir = mkOption {
      type = absoluteDir;
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
      type = types.attrsOf unitSetting;
      # Defaults are definitions at mkDefault priority (see config below), not
      # an option default: a user's `{ RandomizedDelaySec = "1h"; }` then merges
      # with them and keeps OnCalendar, instead of replacing the whole set and
      # leaving a timer systemd refuses ("lacks value setting").
      example = { OnCalendar = "Sun 03:00"; RandomizedDelaySec = "1h"; };
      description = ''
        systemd.timer(5) [Timer] settings for the sweep, merged key by key
        with the defaults `OnCalendar = "weekly"` and `Persistent = true`
        (each overridable by a plain definition). Two different definitions
        of one key conflict, as in NixOS's own `systemd.timers.<name>.timerConfig`.
      '';
    };

    stopGraceSec = mkOption {
      type = types.ints.between 10 3600;
      default = 480;
      description = ''
        `ccci sweep --stop-grace`: how long a child `ccci run` has, once the
        sweep forwarded SIGTERM to it (on `systemctl stop`, a shutdown or a
        rebuild that stops the unit), to tear its stack down before the sweep
        SIGKILLs it. The unit's TimeoutStopSec is this plus two minutes, so the
        sweep, not systemd, decides when the run is killed, and the sweep still
        has time to write its summary.
      '';
    };

    jobs = mkOption {
      type = types.nullOr (types.ints.between 1 64);
      default = null;
      example = 2;
      description = ''
        `ccci sweep --jobs`: how many recipes the sweep tests at once, each on
        stacks of its own (promotions still one at a time per recipe). Null
        leaves it to the sweep: one per core and per 2 GiB of memory, whichever
        allows fewer, at least 1 and at most 4 (docs/architecture.md, "Sweep
        jobs"). Set it lower on a host that also serves other work.
      '';
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

    dashboard = {
      enable = mkEnableOption ''
        the static HTML dashboard (`ccci report`: index of enrolled recipes,
        per-recipe history, run pages, SVG badges), regenerated by each sweep
        into {option}`services.ccci.dashboard.directory`. It holds only
        redacted data (what ccci writes through its redaction: no secret
        value); no JavaScript, no remote assets'';

      directory = mkOption {
        type = absoluteDir;
        default = "/var/lib/ccci-report";
        example = "/srv/www/ccci";
        description = ''
          Where the sweep writes the site (`CCCI_REPORT_DIR` for the service
          and, through {option}`finalPackage`, for a `ccci report` typed on
          this host: run it as the service user, `sudo -u ccci ccci report`,
          so the next sweep can replace what it wrote). Created before the
          sweep starts, owned by `ccci`, mode 0755 (a tmpfiles rule, which
          also resets the mode of an existing directory): the site is written
          world-readable (dirs 0755, files 0644) on purpose, it is meant to be
          published. It must lie outside {option}`stateDir` and
          {option}`runsDir`, which only ccci may enter (0750 ccci:ccci, the
          run directories in them 0700), and outside /home, /root, /run/user, /tmp
          and /var/tmp, which the sandboxed sweep and nginx cannot share.
        '';
      };

      nginx = {
        enable = mkEnableOption ''
          serving {option}`services.ccci.dashboard.directory` through this
          host's nginx (`services.nginx`), as static files only: a
          virtual host whose root is the directory, no proxying, headers that
          forbid scripts and remote content (Content-Security-Policy
          `default-src 'none'`), `X-Content-Type-Options: nosniff`. TLS, ACME
          and the firewall stay yours: set
          `services.nginx.virtualHosts.<virtualHost>.forceSSL`/`enableACME`
          and open the port as for any other virtual host'';

        virtualHost = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "ccci.example.org";
          description = ''
            The host name the dashboard is served at: the name of the
            `services.nginx.virtualHosts` entry the module defines (and so
            nginx's `server_name`). One name, no scheme, port or path.
            Required with {option}`services.ccci.dashboard.nginx.enable`.
          '';
        };
      };
    };
  };

  config = lib.mkMerge [
  # Outside `mkIf cfg.enable`: a dashboard asked for without the sweep that
  # writes it must be refused, not silently ignored.
  (mkIf (dash.enable || dash.nginx.enable) {
    assertions = [
      {
        assertion = !dash.nginx.enable || dash.enable;
        message = ''
          services.ccci.dashboard.nginx.enable = true, but
          services.ccci.dashboard.enable is false: nothing would write the
          directory nginx serves. Set services.ccci.dashboard.enable = true,
          or remove dashboard.nginx.enable.
        '';
      }
      {
        assertion = !dash.enable || cfg.enable;
        message = ''
          services.ccci.dashboard.enable = true, but services.ccci.enable is
          false: the dashboard is written by the sweep (after each one), and
          no sweep runs. Set services.ccci.enable = true, or remove
          dashboard.enable.
        '';
      }
      {
        assertion = !dash.nginx.enable || vhostOk;
        message = ''
          services.ccci.dashboard.nginx.virtualHost = ${if vhost == null then "null (unset)" else builtins.toJSON vhost}
          is not a host name. With dashboard.nginx.enable it names the nginx
          virtual host (server_name) the dashboard is served at: one name such
          as "ccci.example.org", no spaces, scheme, port or path.
        '';
      }
      {
        assertion = !dash.enable || dashboardDirProblem == null;
        message = ''
          services.ccci.dashboard.directory = "${dash.directory}" ${toString dashboardDirProblem}.
          Choose a directory of its own, such as the default /var/lib/ccci-report.
        '';
      }
      {
        assertion = !dash.enable || (cfg.package != null && cfg.package ? override);
        message = ''
          services.ccci.dashboard.enable needs a package with .override (the
          flake's wrapper), which it gives CCCI_REPORT_DIR so that `ccci
          report` typed on this host writes where the sweep does.
        '';
      }
    ];
  })

  (mkIf (cfg.enable && dash.enable && dash.nginx.enable && vhostOk) {
    services.nginx.enable = true;
    # nginx (user nginx) reads the site through its modes (0755/0644), not
    # through group ccci: that group is the sweep's own, and its 0750 state
    # and runs directories are no business of a web server.
    services.nginx.virtualHosts.${vhost} = {
      root = dash.directory;
      locations."/" = {
        index = "index.html";
        tryFiles = "$uri $uri/ =404";
        extraConfig = dashboardHeaders;
      };
    };
  })

  (mkIf cfg.enable {
    services.ccci.timerConfig = {
      OnCalendar = lib.mkDefault "weekly";
      Persistent = lib.mkDefault true;
    };

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
      {
        assertion = !config.virtualisation.docker.liveRestore;
        message = ''
          services.ccci needs virtualisation.docker.liveRestore = false, and
          this configuration sets it to true. ccci deploys onto a Docker swarm,
          and Docker refuses swarm mode with live-restore on ("--live-restore
          daemon configuration is incompatible with swarm mode"). Remove the
          liveRestore = true definition (the module sets false by default).
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

    # The dashboard's directory by tmpfiles even under /var/lib: its mode
    # (0755) is not StateDirectoryMode's (0750, one mode for every entry).
    systemd.tmpfiles.rules = map (dir: "d ${dir} 0750 ccci ccci - -") extraDirs
      ++ lib.optional dash.enable "d ${dash.directory} 0755 ccci ccci - -";

    # Swarm services, volumes and secrets; live-restore is incompatible with
    # swarm mode. mkDefault, so a host that sets it true gets the assertion
    # above (an explanation) rather than a bare "conflicting definitions".
    virtualisation.docker.enable = true;
    virtualisation.docker.liveRestore = lib.mkDefault false;

    systemd.services.ccci-sweep = {
      description = "ccci weekly sweep of enrolled Co-op Cloud recipes";
      requires = [ "docker.service" ];
      after = [ "docker.service" "network-online.target" ];
      wants = [ "network-online.target" ];
      # A sweep runs for hours; `nixos-rebuild switch` must not restart (and
      # so stop) one because the unit changed. The next timer run picks up
      # the new unit.
      restartIfChanged = false;
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
      } // lib.optionalAttrs dash.enable {
        # Where `ccci sweep` regenerates the site after the sweep.
        CCCI_REPORT_DIR = dash.directory;
      };
      serviceConfig = {
        Type = "oneshot";
        # systemd's quoting, not a shell's: a `%` or `$` in source or mirror
        # (a percent-encoded URL) would otherwise be a specifier or a variable.
        ExecStart = utils.escapeSystemdExecArgs ([ "${cfg.finalPackage}/bin/ccci" ] ++ sweepArgs);
        User = "ccci";
        Group = "ccci";
        StateDirectory = lib.mkIf (stateDirectories != [ ]) stateDirectories;
        StateDirectoryMode = "0750";
        WorkingDirectory = cfg.stateDir;
        SupplementaryGroups = [ "docker" ];
        # A sweep of many recipes legitimately takes hours; per-run bounds come
        # from each recipe's deploy/check timeouts, not from systemd.
        TimeoutStartSec = "infinity";
        # `systemctl stop`: SIGTERM to the sweep alone (mixed), which forwards
        # it to its child run and waits up to stopGraceSec for its teardown
        # (docs/architecture.md, "Stopping"); only after TimeoutStopSec does
        # systemd SIGKILL everything left in the cgroup.
        KillMode = "mixed";
        TimeoutStopSec = "${toString (cfg.stopGraceSec + 120)}s";

        # Hardening that still lets ccci reach /run/docker.sock (AF_UNIX, via
        # the docker group) and git reach the upstream and mirror (https, ssh,
        # or a file:// path outside /home, /root and /tmp): no PrivateNetwork,
        # no RestrictAddressFamilies, the file system read-only but for the
        # state and runs dirs.
        ProtectSystem = "strict";
        ReadWritePaths = stateDirs ++ lib.optional dash.enable dash.directory;
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
  })
  ];
}
