// The managed edge proxy: where no Traefik runs (CI, a laptop), ccci routes
// each test domain to the service and port a recipe's traefik labels name,
// through an nginx container on the attachable `proxy` network, published on
// 127.0.0.1 only (docs/routes.md, "The edge"). Neither recipes nor plugins
// change between this and a real Traefik.
#pragma once

#include "model/ownership.hpp"
#include "plugin/http.hpp"
#include "recipe/compose.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

inline constexpr int default_edge_port = 8480;

/// Where an edge on `port` keeps its routes when $CCCI_EDGE_DIR does not
/// say: /var/lib/ccci/edge for the default port, /var/lib/ccci/edge-<port>
/// for any other, so an edge on another port never shares (or locks, or
/// reloads) the default edge's files.
std::filesystem::path default_edge_dir(int port);

struct EdgeSettings {
  /// Routes and nginx.conf live here, bind-mounted into the edge, and the
  /// lock that serialises edge changes between runs.
  std::filesystem::path dir = default_edge_dir(default_edge_port);
  int port = default_edge_port; ///< published on 127.0.0.1 only
  std::string image = "ccci-local/nginx:bookworm";
};

/// The edge's container: `ccci-edge` on the default port, `ccci-edge-<port>`
/// on any other. It is shared by all runs and outlives them, like the
/// `proxy` network; `docker rm -f <name>` removes it (route files stay).
std::string edge_container_name(const EdgeSettings& edge);

/// The swarm stack earlier ccci versions ran the edge as (host-mode, on
/// every address). A run on the port it publishes migrates it, once.
inline constexpr const char* legacy_edge_stack = "ccci-edge";

/// What docker shows of the edge's container.
struct EdgeContainerState {
  bool exists = false;
  bool running = false;
  std::string image;                 ///< the image reference it was created from
  std::vector<std::string> bindings; ///< published ports of 80/tcp, "ip:port"
  std::vector<std::string> mounts;   ///< bind mounts, "source:destination"
  std::vector<std::string> networks; ///< networks it is attached to
};

/// What a run finds before it touches the edge.
struct EdgeSituation {
  EdgeContainerState container;
  /// The port the legacy `ccci-edge` stack publishes, when that stack exists.
  std::optional<int> legacy_stack_port;
  /// Stacks other than the run's own with a route file in the edge's dir,
  /// or in the dir the running edge (or legacy stack) mounts: runs (or warm
  /// canonicals) that the edge serves now.
  std::vector<std::string> other_routed_stacks;
};

enum class EdgeAction {
  reuse,    ///< running as wanted: only add the route and reload
  start,    ///< as wanted but stopped: start it (it served nobody)
  create,   ///< none: create it
  recreate, ///< not as wanted and serving nobody else: remove and create
  refuse,   ///< not as wanted while it serves other stacks: leave it, say why
};
std::string to_string(EdgeAction a);

struct EdgeDecision {
  EdgeAction action = EdgeAction::refuse;
  bool remove_legacy_stack = false; ///< take the legacy stack down first
  std::string why;                  ///< what differs and, for refuse, the fix
};

/// The one rule for touching the shared edge (docs/routes.md, "The edge"):
/// a run never restarts or recreates an edge that serves other stacks'
/// routes; it reuses an edge that runs as wanted, and changes one only while
/// no other stack's route file exists. Pure, for tests.
EdgeDecision decide_edge(const EdgeSettings& wanted, const EdgeSituation& found);

/// Makes the edge run as decide_edge says, and waits until it answers. Safe
/// to call from concurrent runs: a lock in the edge's dir serialises them.
/// Returns notes worth telling the user (a migration), empty otherwise.
/// Throws InfraFailure when the edge cannot be made to serve this run.
std::vector<std::string> ensure_edge(const EdgeSettings& edge, const std::string& stack);

/// The nginx server blocks that serve `routes` (in Traefik's order, as
/// read_traefik_routes gives them) for `stack`: a server per host name or
/// HostRegexp; in it one location per route, in that order; requests no
/// route matches get 404, as from Traefik. Pure, for tests.
std::string edge_site_conf(const std::string& stack, const std::vector<Route>& routes);

/// Makes the edge serve exactly `routes` for `stack` (one file per stack,
/// replacing what it served before, its first lines a comment naming
/// `owner`) and reloads. A configuration nginx rejects is taken back before
/// this throws, so it never stays in the way of other stacks' routes.
void set_edge_routes(const EdgeSettings& edge, const std::string& stack, const std::vector<Route>& routes,
                     const Owner& owner);

/// Every route file with an owner record, as {stack, path, labels}: what
/// `ccci gc` judges. Files without one (written by hand, or by a ccci from
/// before owner records) are not listed.
struct OwnedRouteFile {
  std::string stack;
  std::filesystem::path file;
  Labels labels;
};
std::vector<OwnedRouteFile> edge_owned_route_files(const EdgeSettings& edge);

/// Removes the stack's routes and reloads. Never throws (teardown).
void remove_edge_routes(const EdgeSettings& edge, const std::string& stack);

/// Route files of `stack` still present (for teardown verification).
std::vector<std::string> edge_route_leftovers(const EdgeSettings& edge, const std::string& stack);

HttpTarget edge_target(const EdgeSettings& edge, const std::string& host);

/// The edge as this machine's environment names it: $CCCI_EDGE_DIR and
/// $CCCI_EDGE_PORT (or `port`, from a command line), else the defaults; the
/// dir follows the port unless $CCCI_EDGE_DIR names one. Throws InputError
/// for a port that is not a whole number from 1 to 65535 (parse_port).
EdgeSettings edge_settings_from_environment(std::optional<int> port = std::nullopt);

} // namespace ccci::host
