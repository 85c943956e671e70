// A stack's traefik labels read as Traefik's docker/swarm provider reads
// them (docs/routes.md): routers, their rules and priorities,
// and the services' ports, turned into the routes ccci's edge serves. What
// the edge cannot serve is skipped with a note, never a reason to refuse the
// recipe: a real Traefik would run it.
#pragma once

#include "recipe/compose.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

struct TraefikRoutes {
  std::vector<Route> routes;      ///< in Traefik's order: highest priority first
  std::vector<std::string> notes; ///< one sentence per router, service or host skipped
};

/// Reads every service's `deploy.labels` (swarm services carry Traefik's
/// labels there) of one stack.
TraefikRoutes read_traefik_routes(const std::vector<ComposeService>& services);

/// Why `host` (from a Host() rule) cannot be routed, or nullopt for a host
/// name the edge may serve. The one place that decides what reaches the
/// edge's server_name.
std::optional<std::string> route_host_problem(std::string_view host);

/// Why `path` (from Path()/PathPrefix()) cannot be routed, or nullopt: the
/// edge takes '/' then RFC 3986's unreserved characters and %XX escapes,
/// never `..`.
std::optional<std::string> route_path_problem(std::string_view path);

/// Why `regex` (a HostRegexp, already in the regex form of
/// host_regexp_pattern) cannot be routed, or nullopt. A whitelist of the
/// regex syntax a host pattern needs (docs/routes.md).
std::optional<std::string> route_host_regex_problem(std::string_view regex);

/// Why a router's or a compose service's name cannot reach the edge's
/// configuration, or nullopt: letters, digits, '-', '_' and '.' only, as
/// docker's service names.
std::optional<std::string> route_name_problem(std::string_view name);

/// Why `route` must not reach the edge, or nullopt: every field it writes
/// into nginx's configuration checked again, whoever made the route.
std::optional<std::string> route_problem(const Route& route);

/// A HostRegexp argument as a regular expression on the Host header.
/// Traefik v2 wrote templates (`{sub:[a-z]+}.example.com`, `{sub}` for one
/// label), matched whole; v3 takes a plain regex, matched anywhere unless
/// anchored. An argument with a `{name}` or `{name:` group is read as v2,
/// anything else as v3.
std::string host_regexp_pattern(std::string_view arg);

} // namespace ccci::host
