{
  description = "ccci: a test framework for Co-op Cloud recipes";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # Boost.DLL as used by the plugin host (import_symbol, BOOST_DLL_USE_STD_FS)
      # and CMakeLists.txt's find_package(Boost 1.81) need 1.81 or newer.
      boostFor = pkgs:
        if lib.versionAtLeast pkgs.boost.version "1.81" then pkgs.boost else pkgs.boost181;

      # The one runtime list (see nixos-module/runtime-inputs.nix).
      runtimeInputsFor = pkgs: import ./nixos-module/runtime-inputs.nix { inherit pkgs; };

      # The plain build: CLI, libccci, the bundled plugins and recipes. Unit tests
      # run in the build; integration tests need a Docker swarm and do not.
      ccciFor = pkgs:
        pkgs.stdenv.mkDerivation {
          pname = "ccci";
          version = "0.1.0";
          src = lib.cleanSource ./.;

          nativeBuildInputs = with pkgs; [ cmake ninja pkg-config ];
          buildInputs = [ (boostFor pkgs) ] ++ (with pkgs; [ fmt yaml-cpp libarchive curl ]);
          cmakeFlags = [ "-DCCCI_BUILD_TESTS=ON" ];

          doCheck = true;
          checkPhase = ''
            runHook preCheck
            ctest -L unit --output-on-failure -j "$NIX_BUILD_CORES"
            runHook postCheck
          '';

          # CMake's install rules are the source of truth; this only fills in
          # what they do not (yet) install, so the wrapper's share dirs exist.
          # Only plugins named after a directory in plugins/ are shipped: test
          # fixtures built into the same directory stay out.
          postInstall = ''
            share=$out/share/ccci
            if [ ! -e "$out/bin/ccci" ]; then
              install -Dm755 bin/ccci "$out/bin/ccci"
            fi
            mkdir -p "$share/plugins"
            for dir in "$src"/plugins/*/; do
              name=$(basename "$dir")
              if [ ! -e "$share/plugins/$name.so" ] && [ -e "plugins/$name.so" ]; then
                install -Dm755 "plugins/$name.so" "$share/plugins/$name.so"
              fi
            done
            if [ ! -e "$share/recipes" ]; then
              cp -r "$src/recipes" "$share/recipes"
              chmod -R u+w "$share/recipes"
            fi
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
      wrappedFor = pkgs: ccci:
        lib.makeOverridable
          ({ extraRuntimePackages ? [ ] }:
            let runtimePath = lib.makeBinPath (runtimeInputsFor pkgs ++ extraRuntimePackages);
            in pkgs.symlinkJoin {
              name = "ccci-wrapped-${ccci.version}";
              paths = [ ccci ];
              nativeBuildInputs = [ pkgs.makeWrapper ];
              postBuild = ''
                wrapProgram "$out/bin/ccci" \
                  --set PATH ${lib.escapeShellArg runtimePath} \
                  --set-default CCCI_PLUGIN_DIR "${ccci}/share/ccci/plugins" \
                  --set-default CCCI_RECIPES_DIR "${ccci}/share/ccci/recipes"
              '';
              passthru = {
                unwrapped = ccci;
                inherit runtimePath;
              };
              meta = ccci.meta // { mainProgram = "ccci"; };
            })
          { };
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

      # For now: the package build, which runs the unit tests (doCheck), and the
      # wrapper. A NixOS VM test (services.ccci on a one-node swarm, timer fires,
      # PATH of the service == PATH of `nix run .#ccci`) comes in a later issue.
      checks = forAllSystems (pkgs: {
        inherit (self.packages.${pkgs.system}) ccci ccci-wrapped;
      });
    };
}
