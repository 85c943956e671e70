# Typed stand-ins for the NixOS options nixos-module/default.nix sets, and the
# unit files NixOS would render from them. Full NixOS (nixpkgs' nixos/ tree)
# cannot be had where ccci is developed; nixpkgs' real `lib` can. So
# scripts/check-nix evaluates the module with lib.evalModules against these
# declarations, written from NixOS 24.05's documented option types
# (systemd.services.<name>.*, systemd.timers.<name>.*, users.users.<name>.*,
# users.groups, systemd.tmpfiles.rules, virtualisation.docker.*,
# services.nginx.{enable,virtualHosts}), so that a
# misspelt option, a wrong type or a bad unit name fails as it would on a
# host. docs/architecture.md, "The NixOS module", says what this stands in for.
#
# Only the options the module (and the flake's VM test node) uses are
# declared, each with NixOS's type and default; anything else set is an
# error ("The option ... does not exist"), as on NixOS.
{ lib, config, pkgs, ... }:

let
  inherit (lib) types mkOption;

  # A unit name as NixOS's systemd options take it: name.suffix.
  unitName = types.strMatching "[a-zA-Z0-9@%:_.\\-]+[.](service|socket|device|mount|automount|swap|target|path|timer|scope|slice)";

  # One unit setting: NixOS merges these per key, lists by concatenation,
  # anything else only when all definitions agree.
  unitValue = types.oneOf [ types.bool types.int types.str types.path types.package ];
  unitOption = lib.mkOptionType {
    name = "systemd option";
    check = v: unitValue.check v || (lib.isList v && lib.all unitValue.check v);
    merge = loc: defs:
      if lib.any (def: lib.isList def.value) defs
      then lib.concatMap (def: lib.toList def.value) defs
      else lib.mergeEqualOption loc defs;
  };

  # A section's settings, with the value checks NixOS applies to [Service].
  section = group: checks:
    types.addCheck (types.attrsOf unitOption) (attrs:
      let
        plain = lib.mapAttrs (_: v: if lib.elem (v._type or "") [ "override" "if" ] then v.content else v) attrs;
        errors = lib.concatMap (c: c plain) checks;
      in
      if errors == [ ] then true
      else builtins.trace "systemd ${group}: ${lib.concatStringsSep "; " errors}" false);
  oneOfValues = name: values: attrs:
    lib.optional (attrs ? ${name} && !lib.elem attrs.${name} values)
      "field `${name}' cannot have value `${toString attrs.${name}}' (one of ${toString values})";

  commonUnitOptions = {
    enable = mkOption { type = types.bool; default = true; };
    description = mkOption { type = types.singleLineStr; default = ""; };
    requires = mkOption { type = types.listOf unitName; default = [ ]; };
    wants = mkOption { type = types.listOf unitName; default = [ ]; };
    after = mkOption { type = types.listOf unitName; default = [ ]; };
    before = mkOption { type = types.listOf unitName; default = [ ]; };
    wantedBy = mkOption { type = types.listOf unitName; default = [ ]; };
    unitConfig = mkOption { type = types.attrsOf unitOption; default = { }; };
  };

  serviceType = types.submodule {
    options = commonUnitOptions // {
      restartIfChanged = mkOption { type = types.bool; default = true; };
      environment = mkOption {
        type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package ]));
        default = { };
      };
      path = mkOption { type = types.listOf (types.oneOf [ types.package types.str ]); default = [ ]; };
      serviceConfig = mkOption {
        type = section "Service" [
          (oneOfValues "Type" [ "exec" "simple" "forking" "oneshot" "dbus" "notify" "notify-reload" "idle" ])
          (oneOfValues "KillMode" [ "control-group" "mixed" "process" "none" ])
          (oneOfValues "ProtectSystem" [ true false "full" "strict" ])
          (oneOfValues "ProtectHome" [ true false "read-only" "tmpfs" ])
        ];
        default = { };
      };
    };
  };

  timerType = types.submodule {
    options = commonUnitOptions // {
      timerConfig = mkOption { type = types.attrsOf unitOption; };
    };
  };

  # A passwd field: no ':' and no newline.
  passwdEntry = t: types.addCheck t (s: !(lib.hasInfix ":" (toString s)) && !(lib.hasInfix "\n" (toString s)));

  userType = types.submodule ({ name, ... }: {
    options = {
      name = mkOption { type = passwdEntry types.str; default = name; };
      isSystemUser = mkOption { type = types.bool; default = false; };
      isNormalUser = mkOption { type = types.bool; default = false; };
      group = mkOption { type = types.str; default = ""; };
      extraGroups = mkOption { type = types.listOf types.str; default = [ ]; };
      home = mkOption { type = passwdEntry types.path; default = "/var/empty"; };
      createHome = mkOption { type = types.bool; default = false; };
      description = mkOption { type = passwdEntry types.str; default = ""; };
      uid = mkOption { type = types.nullOr types.int; default = null; };
    };
  });
  groupType = types.submodule ({ name, ... }: {
    options = {
      name = mkOption { type = passwdEntry types.str; default = name; };
      gid = mkOption { type = types.nullOr types.int; default = null; };
      members = mkOption { type = types.listOf (passwdEntry types.str); default = [ ]; };
    };
  });

  # services.nginx.virtualHosts.<name> (nixos/modules/services/web-servers/
  # nginx/vhost-options.nix and location-options.nix): the options the
  # dashboard sets, and those a static-only check reads (proxyPass, alias).
  locationType = types.submodule {
    options = {
      proxyPass = mkOption { type = types.nullOr types.str; default = null; };
      index = mkOption { type = types.nullOr types.str; default = null; };
      tryFiles = mkOption { type = types.nullOr types.str; default = null; };
      root = mkOption { type = types.nullOr types.path; default = null; };
      alias = mkOption { type = types.nullOr types.path; default = null; };
      extraConfig = mkOption { type = types.lines; default = ""; };
      priority = mkOption { type = types.int; default = 1000; };
    };
  };
  vhostType = types.submodule {
    options = {
      serverName = mkOption { type = types.nullOr types.str; default = null; };
      root = mkOption { type = types.nullOr types.path; default = null; };
      extraConfig = mkOption { type = types.lines; default = ""; };
      locations = mkOption { type = types.attrsOf locationType; default = { }; };
    };
  };

  # NixOS's rendering (nixos/lib/systemd-lib.nix): keys in attribute order,
  # a list as one line per element, booleans as true/false.
  toValue = x: if x == true then "true" else if x == false then "false" else toString x;
  toSection = attrs: lib.concatStrings (lib.concatLists (lib.mapAttrsToList
    (name: value: map (x: "${name}=${toValue x}\n") (lib.toList value)) attrs));
  unitSection = u: extra:
    lib.optionalAttrs (u.description != "") { Description = u.description; }
    // lib.optionalAttrs (u.requires != [ ]) { Requires = toString u.requires; }
    // lib.optionalAttrs (u.wants != [ ]) { Wants = toString u.wants; }
    // lib.optionalAttrs (u.after != [ ]) { After = toString u.after; }
    // lib.optionalAttrs (u.before != [ ]) { Before = toString u.before; }
    // extra // u.unitConfig;

  # NixOS puts these on every service's `path` (systemd.nix); its PATH is
  # then <bin>:<sbin> of the whole list.
  defaultPath = map (n: pkgs.${n}) [ "coreutils" "findutils" "gnugrep" "gnused" "systemd" ];
  serviceText = s:
    let
      path = s.path ++ defaultPath;
      env = s.environment // {
        PATH = "${lib.makeBinPath path}:${lib.makeSearchPathOutput "bin" "sbin" path}";
      };
    in
    "[Unit]\n" + toSection (unitSection s (lib.optionalAttrs (!s.restartIfChanged) { X-RestartIfChanged = false; }))
    + "\n[Service]\n"
    + lib.concatMapStrings (n: lib.optionalString (env.${n} != null) "Environment=${builtins.toJSON "${n}=${env.${n}}"}\n")
      (lib.attrNames env)
    + toSection s.serviceConfig;
  # A virtual host's server block as NixOS's nginx module writes it
  # (nixos/modules/services/web-servers/nginx/default.nix: server_name, root,
  # the locations by priority, each proxy_pass/index/try_files/root/alias then
  # its extraConfig, then the vhost's extraConfig), without the listen lines
  # (NixOS's are 0.0.0.0:80 and [::0]:80; scripts/check-nix adds its own).
  locationText = name: l:
    "location ${name} {\n"
    + lib.optionalString (l.proxyPass != null) "proxy_pass ${l.proxyPass};\n"
    + lib.optionalString (l.index != null) "index ${l.index};\n"
    + lib.optionalString (l.tryFiles != null) "try_files ${l.tryFiles};\n"
    + lib.optionalString (l.root != null) "root ${l.root};\n"
    + lib.optionalString (l.alias != null) "alias ${l.alias};\n"
    + l.extraConfig + "}\n";
  serverText = name: v:
    let byPriority = lib.sort (a: c: a.value.priority < c.value.priority) (lib.mapAttrsToList lib.nameValuePair v.locations); in
    "server {\n"
    + "server_name ${if v.serverName != null then v.serverName else name} ;\n"
    + lib.optionalString (v.root != null) "root ${v.root};\n"
    + lib.concatMapStrings (l: locationText l.name l.value) byPriority
    + v.extraConfig + "}\n";
  timerText = t:
    "[Unit]\n" + toSection (unitSection t { }) + "\n[Timer]\n" + toSection t.timerConfig;
in
{
  options = {
    assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; };
    warnings = mkOption { type = types.listOf types.str; default = [ ]; };
    environment.systemPackages = mkOption { type = types.listOf types.package; default = [ ]; };
    users.users = mkOption { type = types.attrsOf userType; default = { }; };
    users.groups = mkOption { type = types.attrsOf groupType; default = { }; };
    systemd.services = mkOption { type = types.attrsOf serviceType; default = { }; };
    systemd.timers = mkOption { type = types.attrsOf timerType; default = { }; };
    systemd.tmpfiles.rules = mkOption { type = types.listOf types.str; default = [ ]; };
    virtualisation.docker.enable = mkOption { type = types.bool; default = false; };
    services.nginx.enable = mkOption { type = types.bool; default = false; };
    # NixOS's default: one `localhost` vhost until any is defined.
    services.nginx.virtualHosts = mkOption { type = types.attrsOf vhostType; default = { localhost = { }; }; };
    virtualisation.docker.liveRestore = mkOption { type = types.bool; default = true; };
    # What the VM test's node sets besides services.ccci.
    virtualisation.memorySize = mkOption { type = types.ints.positive; default = 1024; };
    virtualisation.diskSize = mkOption { type = types.ints.positive; default = 1024; };

    # Not NixOS: the unit files as NixOS would write them, by file name.
    standIn.units = mkOption { type = types.attrsOf types.str; readOnly = true; };
    # Not NixOS: each enabled nginx virtual host's server block, by name.
    standIn.nginxServers = mkOption { type = types.attrsOf types.str; readOnly = true; };
  };

  config = {
    # users-groups.nix's assertions on each user, and one this project adds:
    # the primary group must be declared (an undeclared one is a failed
    # activation on the host).
    assertions = lib.concatLists (lib.mapAttrsToList (n: u: [
      {
        assertion = u.isSystemUser != u.isNormalUser;
        message = "Exactly one of users.users.${n}.isSystemUser and users.users.${n}.isNormalUser must be set.";
      }
      {
        assertion = u.group != "";
        message = "users.users.${n}.group is unset.";
      }
      {
        assertion = u.group == "" || config.users.groups ? ${u.group};
        message = "users.users.${n}.group = \"${u.group}\" is not declared in users.groups.";
      }
    ]) config.users.users)
    ++ lib.mapAttrsToList (n: _: {
      assertion = builtins.match "[a-zA-Z0-9@%:_.\\-]+" n != null;
      message = "systemd unit name `${n}' has characters systemd does not allow";
    }) (config.systemd.services // config.systemd.timers);

    standIn.units =
      lib.mapAttrs' (n: s: lib.nameValuePair "${n}.service" (serviceText s))
        (lib.filterAttrs (_: s: s.enable) config.systemd.services)
      // lib.mapAttrs' (n: t: lib.nameValuePair "${n}.timer" (timerText t))
        (lib.filterAttrs (_: t: t.enable) config.systemd.timers);

    standIn.nginxServers = lib.optionalAttrs config.services.nginx.enable
      (lib.mapAttrs serverText config.services.nginx.virtualHosts);

    # NixOS's own module argument; escapeSystemdExecArgs as nixos/lib/utils.nix
    # documents it: each argument a JSON string (a subset of systemd's
    # quoting), `%` and `$` doubled so systemd expands neither.
    _module.args.utils.escapeSystemdExecArgs = args: lib.concatMapStringsSep " "
      (a: builtins.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON (toString a))) args;
  };
}
