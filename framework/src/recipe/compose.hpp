// A recipe's compose files, loaded and rendered as they will be deployed.
#pragma once

#include "model/errors.hpp"
#include "recipe/host_access.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccci::host {

/// A top-level `secrets:` or `configs:` entry.
struct ComposeObject {
  std::string key;  ///< the key in the compose file, e.g. "db_password"
  std::string name; ///< the swarm name after interpolation (`name:`), or <stack>_<key>
  bool external = false;
  std::string file; ///< absolute path when `file:` is given
};

/// How a route tests the request path (Traefik's Path / PathPrefix).
enum class PathMatch {
  any,    ///< no path matcher, or PathPrefix(`/`)
  exact,  ///< Path(`/x`)
  prefix, ///< PathPrefix(`/x`): any path that starts with the string
};

/// One way a request reaches a service through the edge, read from the
/// traefik labels by read_traefik_routes (recipe/traefik.hpp): every request
/// whose Host is one of `hosts` (or matches `host_regex`) and whose path
/// passes `path_match`/`path` goes to `<stack>_<service>:<port>`. A router
/// whose rule has several alternatives (`||`) gives one route per path test.
struct Route {
  std::string router;             ///< the Traefik router it comes from
  std::string service;            ///< compose service name
  int port = 0;                   ///< traefik.http.services.<s>.loadbalancer.server.port
  std::vector<std::string> hosts; ///< host names, lower case; empty when host_regex is set
  std::string host_regex;         ///< a HostRegexp as a regex on the Host header
  PathMatch path_match = PathMatch::any;
  std::string path;
  int priority = 0; ///< the router's `.priority`, else the length of its rule (Traefik's default)
};

struct ComposeService {
  std::string name;
  std::string image;
  std::map<std::string, std::string> labels;         ///< deploy.labels, list or map form
  std::vector<std::string> secrets;                  ///< keys of top-level secrets it uses
  std::vector<std::string> configs;                  ///< keys of top-level configs it uses
  std::vector<std::string> volumes;                  ///< named volumes it mounts (keys)
  std::map<std::string, std::string> volume_targets; ///< named volume key -> mount path in the container
  std::vector<std::string> networks;                 ///< network keys it joins
  bool has_healthcheck = false;                      ///< a healthcheck that is not disabled
  int replicas = 1;                                  ///< deploy.replicas (0 allowed)
};

struct Compose {
  YAML::Node document;            ///< merged, interpolated, merge keys resolved
  std::vector<std::string> files; ///< absolute paths, in merge order
  std::vector<ComposeService> services;
  std::vector<ComposeObject> secrets;
  std::vector<ComposeObject> configs;
  std::vector<std::string> volumes;     ///< top-level volume keys
  std::map<std::string, bool> networks; ///< key -> external
  std::vector<Route> routes;            ///< in Traefik's order (recipe/traefik.hpp)
  std::vector<std::string> route_notes; ///< routers, services and hosts the edge skips, and why
  /// The value of a `coop-cloud.<anything>.version` deploy label on any
  /// service (abra's version label), if present.
  std::optional<std::string> version_label;
  /// abra's deploy timeout: the `coop-cloud.${STACK_NAME}.timeout` deploy
  /// label of the `app` service, as {label key, seconds}.
  std::optional<std::pair<std::string, int>> timeout_label;
  /// What the recipe reaches outside its stack (recipe/host_access.hpp), in
  /// document order; judged against the meta's grants before each deploy.
  std::vector<HostAccess> host_access;
};

/// docker's limit on the length of a secret or config name.
inline constexpr std::size_t max_object_name = 64;

/// Loads `files` (relative to `recipe_dir`) in order: parses each with
/// yaml-cpp (anchors and aliases), resolves `<<:` merge keys (a map or a list
/// of maps; explicit keys win), interpolates every scalar against `env`
/// (`$$` escapes honoured), and merges later files onto earlier ones as
/// docker does (maps recursively; `ports`, `volumes`, `secrets`, `configs`,
/// `environment` lists merged without duplicates; other lists and scalars
/// replaced). Relative `file:` paths of secrets/configs, `env_file:` paths
/// and relative bind mount sources become absolute paths under `recipe_dir`,
/// as docker resolves them against the compose file's directory. An external
/// secret or config without `name:` is named by its key, as docker looks it up.
///
/// Then the app env reaches the services as abra makes it (docs/architecture.md,
/// "The app env"): a bare `environment:` entry (`- VAR`, `VAR:`) takes the
/// value of `env`, or is left out when `env` lacks it; the `app` service gets
/// every variable of `env` it does not set itself.
///
/// Every defect of the recipe throws RecipeDefect naming the file and line:
/// unparsable YAML, an empty file or one without `services:`, no service at
/// all after merging, a service without `image:`, a secret/config/volume/
/// network a service references that is not declared at top level, a
/// secret or config whose swarm name is over 64 characters or ends in `_`
/// (its version variable missing), YAML whose aliases expand past
/// max_yaml_nodes (recipe/yaml_load.hpp).
///
/// It also lists the recipe's host accesses (find_host_access) and every
/// external secret, config or volume not scoped to the stack in `host_access`:
/// those are not defects but a policy matter (docs/recipe-meta.md, "host_access").
Compose load_compose(const std::filesystem::path& recipe_dir, const std::vector<std::string>& files, const Env& env);

/// `deploy.labels` in list (`- k=v`) or map form, as a map; a list item
/// without `=` is a label with an empty value. Lint reads raw files with it.
std::map<std::string, std::string> read_deploy_labels(const YAML::Node& labels);

/// Whether a `healthcheck:` map enables a check (not `disable: true`, not
/// `test: NONE`).
bool healthcheck_enabled_in(const YAML::Node& healthcheck);

/// Adds `labels` to everything `docker stack deploy` makes of the document:
/// each service (its `deploy.labels`) and its containers (`labels`), and each
/// top-level volume, network, secret and config that is not external (their
/// `labels`), with the stack's default network declared to carry them too.
/// List and map forms are kept; a recipe's own label of the same key is
/// replaced. ccci's owner labels (model/ownership.hpp) go on this way.
void add_labels(Compose& compose, const std::map<std::string, std::string>& labels);

/// The YAML to hand to `docker stack deploy -c`: the merged document with
/// every `$` escaped as `$$` (docker interpolates again), so it deploys
/// exactly what ccci rendered and can be deployed again by hand.
std::string render_compose(const Compose& compose);

} // namespace ccci::host
