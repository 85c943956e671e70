#include "swarm/edge.hpp"

#include "model/naming.hpp"
#include "model/text.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "swarm/docker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <thread>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

fs::path edge_dir(const EdgeSettings& e) { return e.dir; }
fs::path sites_dir(const EdgeSettings& e) { return edge_dir(e) / "sites"; }

// Serialises edge changes between concurrent runs on one machine: each
// rewrites files the others' nginx reloads read.
FileLock lock_edge(const EdgeSettings& e) {
  fs::create_directories(edge_dir(e));
  FileLock lock(edge_dir(e) / "lock");
  lock.lock();
  return lock;
}

constexpr const char* base_conf = R"(# Managed by ccci: the edge proxy for test domains. Do not edit.
worker_processes 1;
pid /tmp/ccci-edge.pid;
events { worker_connections 1024; }
http {
  access_log /dev/stdout;
  error_log /dev/stderr warn;
  # Swarm's DNS: service names resolve at request time, so a route to a
  # stack that is not up yet does not stop nginx from (re)loading.
  resolver 127.0.0.11 valid=2s ipv6=off;
  client_max_body_size 0;
  proxy_request_buffering off;
  server {
    listen 80 default_server;
    return 421 "ccci edge: no route for this Host\n";
  }
  include /etc/ccci-edge/sites/*.conf;
}
)";

std::string edge_compose(const EdgeSettings& e) {
  return fmt::format(R"(version: "3.8"
services:
  proxy:
    image: {image}
    command: ["nginx", "-c", "/etc/ccci-edge/nginx.conf", "-g", "daemon off;"]
    volumes:
      - type: bind
        source: {dir}
        target: /etc/ccci-edge
    ports:
      - target: 80
        published: {port}
        mode: host
    networks:
      - proxy
networks:
  proxy:
    external: true
)",
                     fmt::arg("image", e.image), fmt::arg("dir", edge_dir(e).string()), fmt::arg("port", e.port));
}

std::string edge_container() { return service_container(edge_stack, "proxy"); }

void reload(const EdgeSettings&) {
  auto c = edge_container();
  if (c.empty()) throw InfraFailure("the ccci edge proxy is not running; it is started by `ccci run`");
  auto test = docker({"exec", c, "nginx", "-t", "-c", "/etc/ccci-edge/nginx.conf"});
  if (!test.ok()) throw InfraFailure(fmt::format("edge proxy configuration rejected by nginx: {}", test.err));
  docker_or_throw({"exec", c, "nginx", "-c", "/etc/ccci-edge/nginx.conf", "-s", "reload"}, "reloading the edge proxy");
}

// One file per stack, so replacing or removing its routes is one operation.
// Stack names have no dots (naming: dots become underscores), so
// `<stack>.conf` names exactly one stack.
fs::path site_file(const EdgeSettings& e, const std::string& stack) { return sites_dir(e) / (stack + ".conf"); }

// Earlier ccci versions wrote one `<stack>--<service>.conf` per service.
std::vector<fs::path> legacy_site_files(const EdgeSettings& e, const std::string& stack) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(sites_dir(e), ec)) {
    auto name = entry.path().filename().string();
    if (name.starts_with(stack + "--") && name.ends_with(".conf")) out.push_back(entry.path());
  }
  return out;
}

// nginx's double-quoted strings take `\"` and `\\` as escapes (and `\t`,
// `\n`, `\r`): doubling every backslash keeps a regex as written.
std::string nginx_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string regex_literal(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.^$|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string describe_path(const Route& r) {
  switch (r.path_match) {
  case PathMatch::exact: return fmt::format("Path {}", r.path);
  case PathMatch::prefix: return fmt::format("PathPrefix {}", r.path);
  case PathMatch::any: break;
  }
  return "any path";
}

std::string location_body(const std::string& stack, const Route& r) {
  return fmt::format(R"(    set $ccci_upstream http://tasks.{stack}_{service}:{port};
    proxy_pass $ccci_upstream;
    proxy_set_header Host $host;
    proxy_http_version 1.1;
    proxy_read_timeout 300s;
)",
                     fmt::arg("stack", stack), fmt::arg("service", r.service), fmt::arg("port", r.port));
}

} // namespace

EdgeSettings edge_settings_from_environment() {
  EdgeSettings e;
  if (const char* dir = std::getenv("CCCI_EDGE_DIR"); dir && *dir) e.dir = dir;
  if (const char* port = std::getenv("CCCI_EDGE_PORT"); port && *port) {
    auto parsed = parse_port(port);
    if (!parsed) throw InputError(bad_port_message("CCCI_EDGE_PORT", port, e.port));
    e.port = *parsed;
  }
  return e;
}

HttpTarget edge_target(const EdgeSettings& edge, const std::string& host) {
  return {fmt::format("http://127.0.0.1:{}", edge.port), host};
}

void ensure_edge(const EdgeSettings& e) {
  auto lock = lock_edge(e);
  fs::create_directories(sites_dir(e));
  write_file_atomically(edge_dir(e) / "nginx.conf", base_conf);
  // A running edge is reused only if it serves this directory on this port;
  // otherwise redeploying updates it in place.
  auto spec = docker({"service", "inspect", "--format",
                      "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}}{{end}} "
                      "{{range .Spec.EndpointSpec.Ports}}{{.PublishedPort}}{{end}}",
                      std::string(edge_stack) + "_proxy"});
  auto wanted = fmt::format("{} {}", edge_dir(e).string(), e.port);
  if (!edge_container().empty() && spec.out.substr(0, spec.out.find('\n')) == wanted) return;
  ensure_overlay_network("proxy");
  auto compose = edge_dir(e) / "edge.compose.yml";
  write_file_atomically(compose, edge_compose(e));
  docker_or_throw({"stack", "deploy", "--compose-file", compose.string(), edge_stack}, "deploying the ccci edge proxy");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!edge_container().empty()) {
      try {
        auto r = http_request(edge_target(e, "ccci-edge.invalid"), "GET", "/", std::chrono::seconds(2));
        if (r.status == 421) return;
      } catch (const InfraError&) {
      }
    }
    for (auto& s : stack_services(edge_stack))
      for (auto& err : s.task_errors)
        if (is_image_error(err))
          throw InfraFailure(fmt::format("the edge proxy cannot start: {} (build it with "
                                         "scripts/build-images)",
                                         err));
    interruptible_sleep(std::chrono::milliseconds(500));
    if (stop_requested) break;
  }
  throw InfraFailure(fmt::format("the ccci edge proxy did not answer on 127.0.0.1:{} within 60s; see "
                                 "`docker service ps {}_proxy`",
                                 e.port, edge_stack));
}

std::string edge_site_conf(const std::string& stack, const std::vector<Route>& routes) {
  // A server per host name or regex, in the order routes first name them;
  // each keeps the routes for it in Traefik's order.
  struct Server {
    std::string name; ///< a host name, or `~regex`
    std::vector<const Route*> routes;
  };
  std::vector<Server> servers;
  auto server_for = [&](const std::string& name) -> Server& {
    for (auto& s : servers)
      if (s.name == name) return s;
    return servers.emplace_back(Server{name, {}});
  };
  for (auto& r : routes) {
    if (!r.host_regex.empty()) server_for("~" + r.host_regex).routes.push_back(&r);
    for (auto& h : r.hosts)
      server_for(h).routes.push_back(&r);
  }
  std::string conf =
      fmt::format("# Managed by ccci: the routes of stack {}, from its traefik labels. Do not edit.\n", stack);
  for (auto& s : servers) {
    conf += fmt::format("server {{\n  listen 80;\n  server_name {};\n",
                        s.name.starts_with('~') ? nginx_quoted(s.name) : s.name);
    // (docs/routes.md "Order") nginx tries regex locations in the order written and takes the first
    // that matches: the one kind of location that follows Traefik's order
    // (highest priority first) rather than nginx's own (exact, then the
    // longest prefix). A route for any path ends the list: Traefik never
    // reaches a lower-priority router past it, and as nginx's `location /` it
    // takes only what no regex above it matched.
    std::vector<std::pair<PathMatch, std::string>> written;
    bool catch_all = false;
    for (const Route* r : s.routes) {
      auto comment = fmt::format("  # router {} (priority {}): {}", r->router, r->priority, describe_path(*r));
      std::pair<PathMatch, std::string> test{r->path_match, r->path};
      if (catch_all || std::find(written.begin(), written.end(), test) != written.end()) {
        conf += comment + ", unreachable: a router above matches every request it would\n";
        continue;
      }
      written.push_back(test);
      conf += comment + "\n";
      switch (r->path_match) {
      case PathMatch::any:
        conf += "  location / {\n";
        catch_all = true;
        break;
      case PathMatch::exact:
        conf += fmt::format("  location ~ {} {{\n", nginx_quoted("^" + regex_literal(r->path) + "$"));
        break;
      case PathMatch::prefix:
        conf += fmt::format("  location ~ {} {{\n", nginx_quoted("^" + regex_literal(r->path)));
        break;
      }
      conf += location_body(stack, *r) + "  }\n";
    }
    if (!catch_all) conf += "  # no router matches other paths\n  location / {\n    return 404;\n  }\n";
    conf += "}\n";
  }
  return conf;
}

// The owner record of a route file: comment lines nginx ignores, first in
// the file (docs/architecture.md, "Ownership and reaping").
constexpr std::string_view owner_comment = "# owner ";

std::vector<OwnedRouteFile> edge_owned_route_files(const EdgeSettings& e) {
  std::vector<OwnedRouteFile> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(sites_dir(e), ec)) {
    auto p = entry.path();
    if (p.extension() != ".conf" || !entry.is_regular_file(ec)) continue;
    std::error_code read_ec;
    auto labels = parse_owner_record(read_file(p, read_ec), owner_comment);
    if (read_ec || !labels.count(owner_label::run)) continue;
    out.push_back({p.stem().string(), p, std::move(labels)});
  }
  return out;
}

void set_edge_routes(const EdgeSettings& e, const std::string& stack, const std::vector<Route>& routes,
                     const Owner& owner) {
  auto lock = lock_edge(e);
  fs::create_directories(sites_dir(e));
  auto file = site_file(e, stack);
  std::error_code ec;
  bool changed = false;
  for (auto& legacy : legacy_site_files(e, stack))
    changed = fs::remove(legacy, ec) || changed;
  std::optional<std::string> before;
  if (fs::exists(file)) before = read_file(file);
  if (routes.empty()) {
    changed = fs::remove(file, ec) || changed;
    if (changed && !edge_container().empty()) reload(e);
    return;
  }
  write_file_atomically(file, owner_record(owner, owner_comment) + edge_site_conf(stack, routes));
  try {
    reload(e);
  } catch (const InfraFailure&) {
    if (before)
      write_file_atomically(file, *before);
    else
      fs::remove(file, ec);
    throw;
  }
}

std::vector<std::string> edge_route_leftovers(const EdgeSettings& e, const std::string& stack) {
  std::vector<std::string> out;
  if (!is_stack_name(stack)) return out;
  if (fs::exists(site_file(e, stack))) out.push_back("edge-route " + site_file(e, stack).string());
  for (auto& legacy : legacy_site_files(e, stack))
    out.push_back("edge-route " + legacy.string());
  return out;
}

void remove_edge_routes(const EdgeSettings& e, const std::string& stack) {
  try {
    auto lock = lock_edge(e);
    bool removed = false;
    std::error_code ec;
    for (auto& left : edge_route_leftovers(e, stack))
      removed = fs::remove(left.substr(left.find(' ') + 1), ec) || removed;
    if (removed && !edge_container().empty()) reload(e);
  } catch (const std::exception&) {
    // Teardown goes on; a leftover route file shows up in the verification.
  }
}

} // namespace ccci::host
