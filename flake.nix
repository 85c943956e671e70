{
  description = "ccci: a test framework for Co-op Cloud recipes";

  # A fixed revision of the nixos-24.05 branch (2024-05-22), the release
  # scripts/check-nix evaluates the module against; a branch name would float.
  # No flake.lock is committed (it needs the source's narHash, which cannot be
  # computed where this is developed): `nix flake lock` once creates it.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/57d6973abba7ea108bac64ae7629e7431e0199b6";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # Boost.DLL as used by the plugin host (import_symbol, BOOST_DLL_USE_STD_FS)
      # and CMakeLists.txt's find_package(Boost 1.81) need 1.81 or newer.
      boostFor = pkgs:
        if lib.versionAtLeast pkgs.boost.version "1.81" then pkgs.boost else pkgs.boost181;

      # The one runtime list: nixos-module/runtime-inputs.nix, derived from the
      # tool -> nixpkgs attribute mapping in nixos-module/runtime-tools.nix.
      runtimeInputsFor = pkgs: import ./nixos-module/runtime-inputs.nix { inherit pkgs; };

      # The plain build: CLI, libccci, the bundled plugins and recipes. Unit tests
      # run in the build; integration tests need a Docker swarm and do not.
      ccciFor = pkgs:
        pkgs.stdenv.mkDerivation {
          pname = "ccci";
          version = "0.1.0";
          src = lib.cleanSource ./.;

          nativeBuildInputs = with pkgs; [ cmake ninja pkg-config ];
          buildInputs = [ (boostFor pkgs) ] ++ (with pkgs; [ fmt yaml-cpp libarchive curl openssl ]);
          cmakeFlags = [ "-DCCCI_BUILD_TESTS=ON" ];

          # The sandbox's PATH has only stdenv and these. The unit tests run git
          # and git-lfs (unit.git_roundtrip) and flock (unit.fs, util-linux);
          # unit.tiers' runs over a fake swarm still look `docker` up on PATH,
          # as every run does (it is never started). tests/nix/bare-path-unit-tests
          # (ctest -L nix) runs the unit tests with a PATH this bare.
          nativeCheckInputs = with pkgs; [ git git-lfs util-linux docker-client ];
          doCheck = true;
          checkPhase = ''
            runHook preCheck
            ctest -L unit --output-on-failure -j "$NIX_BUILD_CORES"
            runHook postCheck
          '';

          # cmake/ccciInstall.cmake installs everything (bin/ccci,
          # lib/ccci/plugins/*.so, share/ccci/recipes); this only fails the build,
          # naming what is missing, when an install rule stops doing so.
          postInstall = ''
            for want in bin/ccci share/ccci/recipes lib/ccci/plugins/custom-html-tiny.so; do
              if [ ! -e "$out/$want" ]; then
                echo "ccci: cmake --install did not install $want (cmake/ccciInstall.cmake)" >&2
                exit 1
              fi
            done
          '';

          meta = {
            description = "Deploys Co-op Cloud recipes on a swarm and tests them tier by tier";
            mainProgram = "ccci";
            platforms = lib.platforms.linux;
          };
        };

      # What `nix run .#ccci` and the NixOS service both run. PATH is *set*, not
      # prefixed: whatever the caller's PATH holds (a login shell, systemd's
      # default service path) is irrelevant, so a manual run and a timer run see
      # exactly the same tools. `.override { extraRuntimePackages = [ ... ]; }`
      # is the only way to add tools, and it changes the one wrapper both use.
      # The plugin and recipe dirs are defaults: setting CCCI_PLUGIN_DIR or
      # CCCI_RECIPES_DIR explicitly (a plugin author's out-of-tree build) wins.
      # `defaultEnvironment` adds such defaults (the NixOS module's dashboard
      # gives CCCI_REPORT_DIR, so a manual `ccci report` writes where the
      # service does); empty, the wrapper is byte for byte what it was.
      wrappedFor = pkgs: ccci:
        lib.makeOverridable
          ({ extraRuntimePackages ? [ ], defaultEnvironment ? { } }:
            let runtimePath = lib.makeBinPath (runtimeInputsFor pkgs ++ extraRuntimePackages);
            in pkgs.symlinkJoin {
              name = "ccci-wrapped-${ccci.version}";
              paths = [ ccci ];
              nativeBuildInputs = [ pkgs.makeWrapper ];
              postBuild = ''
                wrapProgram "$out/bin/ccci" \
                  --set PATH ${lib.escapeShellArg runtimePath} \
                  --set-default CCCI_PLUGIN_DIR "${ccci}/lib/ccci/plugins" \
                  --set-default CCCI_RECIPES_DIR "${ccci}/share/ccci/recipes"${builtins.concatStringsSep "" (map
                    (name: " \\\n  --set-default ${name} ${lib.escapeShellArg defaultEnvironment.${name}}")
                    (builtins.attrNames defaultEnvironment))}
              '';
              passthru = {
                unwrapped = ccci;
                inherit runtimePath defaultEnvironment;
              };
              meta = ccci.meta // { mainProgram = "ccci"; };
            })
          { };

      # The image custom-html-tiny (and ccci's edge proxy) runs, built without
      # network: scripts/build-images debootstraps Debian, which a VM cannot.
      # Same tag, same layout where it matters (nginx on PATH, www-data,
      # /etc/nginx/mime.types, curl and /bin/sh for the healthcheck).
      localNginxImageFor = pkgs:
        pkgs.dockerTools.buildImage {
          name = "ccci-local/nginx";
          tag = "bookworm";
          copyToRoot = pkgs.buildEnv {
            name = "ccci-nginx-root";
            paths = [ pkgs.nginx pkgs.curl pkgs.busybox ];
            pathsToLink = [ "/bin" ];
          };
          # nginx's built-in log and temp paths, the recipe's web root and
          # pid dir, the users its conf and nginx's default `user` name.
          extraCommands = ''
            mkdir -p etc/nginx var/www/html var/log/nginx var/cache/nginx run
            mkdir -m 1777 tmp
            if [ -e ${pkgs.nginx}/conf/mime.types ]; then
              cp ${pkgs.nginx}/conf/mime.types etc/nginx/mime.types
            else
              cp ${pkgs.mailcap}/etc/nginx/mime.types etc/nginx/mime.types
            fi
            cat >etc/passwd <<'EOF'
            root:x:0:0:root:/root:/bin/sh
            www-data:x:33:33:www-data:/var/www:/bin/false
            nginx:x:101:101:nginx:/var/empty:/bin/false
            nobody:x:65534:65534:nobody:/var/empty:/bin/false
            EOF
            cat >etc/group <<'EOF'
            root:x:0:
            www-data:x:33:
            nginx:x:101:
            nogroup:x:65534:
            nobody:x:65534:
            EOF
          '';
          # -c: nixpkgs' nginx is built without --conf-path, so without it nginx
          # reads its store conf and serves its built-in page, ignoring the
          # recipe's /etc/nginx/nginx.conf (Debian's nginx defaults to that path).
          config = {
            Cmd = [ "nginx" "-c" "/etc/nginx/nginx.conf" "-g" "daemon off;" ];
            Env = [ "PATH=/bin" ];
          };
        };

      # services.ccci on a one-node swarm: the bundled custom-html-tiny, made
      # into a tagged repo in the VM, is the upstream; the enrolled meta is the
      # only recipe; one sweep promotes its newest release to the canonical.
      sweepVmTestFor = pkgs:
        let
          upstream = "/srv/ccci-upstream";
          recipes = pkgs.runCommand "ccci-vm-recipes" { } ''
            mkdir -p $out
            cp -r ${self}/recipes/custom-html-tiny $out/
          '';
          image = localNginxImageFor pkgs;
        in
        pkgs.testers.runNixOSTest {
          name = "ccci-sweep";
          passthru = { inherit image recipes; };
          nodes.machine = {
            imports = [ self.nixosModules.default ];
            virtualisation.docker.enable = true;
            virtualisation.memorySize = 2048;
            virtualisation.diskSize = 4096;
            environment.systemPackages = [ pkgs.git ];
            services.ccci = {
              enable = true;
              recipesDir = "${recipes}";
              source = "file://${upstream}";
              dashboard = {
                enable = true;
                nginx = { enable = true; virtualHost = "ccci.test"; };
              };
            };
          };
          # A function of the nodes: with the dashboard on, the service runs
          # the module's finalPackage (the flake's wrapper plus a
          # CCCI_REPORT_DIR default), the same binary as `ccci` on the
          # node's PATH, with the same PATH as `nix run .#ccci`.
          testScript = { nodes, ... }:
            let program = "${nodes.machine.services.ccci.finalPackage}/bin/ccci"; in ''
            import json

            machine.wait_for_unit("docker.service")
            machine.succeed("docker load < ${image}")
            machine.succeed("docker image inspect ccci-local/nginx:bookworm")
            machine.succeed("docker swarm init --advertise-addr 127.0.0.1")

            # The upstream: the bundled example as a tagged repo (1.0.0, 1.1.0),
            # owned by the service user so git's ownership check lets it fetch.
            machine.succeed("mkdir -p ${upstream}")
            machine.succeed("${pkgs.bash}/bin/bash ${self}/scripts/make-recipe-repo ${self}/recipes/custom-html-tiny/recipe ${upstream}/custom-html-tiny")
            machine.succeed("chown -R ccci:ccci ${upstream}")

            # The timer is there; the service runs the `ccci` on the PATH.
            machine.succeed("systemctl is-enabled ccci-sweep.timer")
            exec_start = machine.succeed("systemctl show -p ExecStart ccci-sweep.service")
            assert "${program} sweep" in exec_start, exec_start
            assert machine.succeed("readlink -f $(command -v ccci)").strip() == "${program}"
            assert "--source file://${upstream}" in exec_start, exec_start

            status, _ = machine.execute("systemctl start ccci-sweep.service", timeout=3600)
            print(machine.succeed("journalctl -u ccci-sweep.service --no-pager"))
            assert status == 0, f"ccci-sweep.service failed (systemctl start exited {status})"

            record = json.loads(machine.succeed("cat /var/lib/ccci/registry/custom-html-tiny.json"))
            assert record["version"] == "1.1.0+1.22.1", record
            assert record["tag"] == "1.1.0+1.22.1", record

            # The dashboard: the sweep wrote it world-readable outside the 0700
            # state dir, and the host's nginx serves it, static, with its headers.
            machine.wait_for_unit("nginx.service")
            assert machine.succeed("stat -c %a /var/lib/ccci-report").strip() == "755"
            assert machine.succeed("stat -c %a /var/lib/ccci-report/index.html").strip() == "644"
            index = machine.succeed("curl -fsS -H 'Host: ccci.test' http://127.0.0.1/")
            assert "custom-html-tiny" in index, index
            headers = machine.succeed("curl -fsS -o /dev/null -D - -H 'Host: ccci.test' http://127.0.0.1/")
            assert "default-src 'none'" in headers, headers
            assert "X-Content-Type-Options: nosniff" in headers, headers
            machine.fail("curl -fsS -H 'Host: ccci.test' http://127.0.0.1/no-such-page.html")

            # By hand, as the service user, the same wrapper writes the same dir.
            machine.succeed("rm /var/lib/ccci-report/index.html")
            machine.succeed("runuser -u ccci -- ccci report")
            assert "custom-html-tiny" in machine.succeed("curl -fsS -H 'Host: ccci.test' http://127.0.0.1/")
          '';
        };
    in
    {
      packages = forAllSystems (pkgs:
        let
          ccci = ccciFor pkgs;
          wrapped = wrappedFor pkgs ccci;
        in
        {
          inherit ccci;
          ccci-wrapped = wrapped;
          default = wrapped;
        });

      apps = forAllSystems (pkgs:
        let app = {
          type = "app";
          program = "${self.packages.${pkgs.system}.default}/bin/ccci";
        };
        in { ccci = app; default = app; });

      # `pkgs.ccci` (wrapped) and `pkgs.ccci-unwrapped` for configurations that
      # prefer an overlay; the bare module defaults its package to `pkgs.ccci`.
      overlays.default = final: prev: {
        ccci-unwrapped = ccciFor final;
        ccci = wrappedFor final final.ccci-unwrapped;
      };

      # The module, with services.ccci.package defaulting to this flake's
      # wrapper for the host's system (a plain setting still overrides it).
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nixos-module ];
        services.ccci.package =
          lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };
      # The bare module: package from `pkgs.ccci` (overlays.default) or set by hand.
      nixosModules.ccci = import ./nixos-module;

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.system}.ccci ];
          packages = runtimeInputsFor pkgs ++ [ pkgs.clang-tools pkgs.nix ];
        };
      });

      # The package build (which runs the unit tests, doCheck), the wrapper,
      # and on x86_64-linux the NixOS VM test of the sweep service.
      checks = forAllSystems (pkgs:
        {
          inherit (self.packages.${pkgs.system}) ccci ccci-wrapped;
        } // lib.optionalAttrs (pkgs.system == "x86_64-linux") {
          sweep-vm = sweepVmTestFor pkgs;
        });
    };
}
