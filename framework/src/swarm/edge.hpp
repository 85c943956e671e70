// The managed edge proxy: where no Traefik runs (CI, a laptop), ccci routes
// each test domain to the service and port a recipe's traefik labels name,
// through an nginx on the `proxy` network that publishes one host-mode port.
// Neither recipes nor plugins change between this and a real Traefik.
#pragma once

#include "model/ownership.hpp"
#include "plugin/http.hpp"
#include "recipe/compose.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace ccci::host {

struct EdgeSettings {
  /// Routes and nginx.conf live here, bind-mounted into the edge. One per
  /// machine, like the edge itself: $CCCI_EDGE_DIR, default /var/lib/ccci/edge.
  std::filesystem::path dir = "/var/lib/ccci/edge";
  int port = 8480; ///< published in host mode on 127.0.0.1
  std::string image = "ccci-local/nginx:bookworm";
};

/// The stack the edge runs as. It is shared by all runs and outlives them,
/// like the `proxy` network; `docker stack rm ccci-edge` removes it.
inline constexpr const char* edge_stack = "ccci-edge";

/// Deploys the edge unless it runs, and waits until it answers. Safe to call
/// from concurrent runs (a lock file serialises them).
void ensure_edge(const EdgeSettings& edge);

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
/// $CCCI_EDGE_PORT, else the defaults. Throws InputError for a port that is
/// not a whole number from 1 to 65535 (parse_port).
EdgeSettings edge_settings_from_environment();

} // namespace ccci::host
