#include "swarm/edge.hpp"

#include "model/naming.hpp"
#include "model/text.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "recipe/traefik.hpp"
#include "swarm/docker.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <sstream>
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

// Where the edge's dir appears inside its container.
constexpr const char* edge_mount = "/etc/ccci-edge";

bool edge_running(const EdgeSettings& e) {
  auto r = docker({"container", "inspect", "--format", "{{.State.Running}}", edge_container_name(e)});
  return r.ok() && r.out.starts_with("true");
}

// nginx's exit status when `nginx -t` rejects the configuration, inside the
// one `docker exec` that tests and reloads.
constexpr int config_rejected = 97;

// Tests the configuration and reloads it in one `docker exec` (a reload alone
// exits 0 on a bad file: nginx keeps the old one and only logs it). With
// `required` false, an edge that is not running is nothing to reload.
void reload(const EdgeSettings& e, bool required = true) {
  auto c = edge_container_name(e);
  auto r = docker({"exec", c, "sh", "-c",
                   fmt::format("nginx -t -q -c {0}/nginx.conf || exit {1}; exec nginx -c {0}/nginx.conf -s reload",
                               edge_mount, config_rejected)});
  if (r.ok()) return;
  if (r.exit_code == config_rejected)
    throw InfraFailure(fmt::format("edge proxy configuration rejected by nginx: {}", r.err));
  if (!edge_running(e)) {
    if (!required) return;
    throw InfraFailure(fmt::format("the ccci edge proxy (container {}) is not running; `ccci run` starts it", c));
  }
  throw InfraFailure(
      fmt::format("reloading the edge proxy: docker exec {} ({}): {}", c, r.describe(), r.err.empty() ? r.out : r.err));
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

// A comment ends at the line's end: nothing else in it can reach nginx.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s)
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
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

fs::path default_edge_dir(int port) {
  fs::path base = "/var/lib/ccci";
  return port == default_edge_port ? base / "edge" : base / fmt::format("edge-{}", port);
}

std::string edge_container_name(const EdgeSettings& e) {
  return e.port == default_edge_port ? std::string("ccci-edge") : fmt::format("ccci-edge-{}", e.port);
}

EdgeSettings edge_settings_from_environment(std::optional<int> port) {
  EdgeSettings e;
  if (port) {
    e.port = *port;
  } else if (const char* env = std::getenv("CCCI_EDGE_PORT"); env && *env) {
    auto parsed = parse_port(env);
    if (!parsed) throw InputError(bad_port_message("CCCI_EDGE_PORT", env, e.port));
    e.port = *parsed;
  }
  if (const char* dir = std::getenv("CCCI_EDGE_DIR"); dir && *dir)
    e.dir = dir;
  else
    e.dir = default_edge_dir(e.port);
  return e;
}

HttpTarget edge_target(const EdgeSettings& edge, const std::string& host) {
  return {fmt::format("http://127.0.0.1:{}", edge.port), host};
}

std::string to_string(EdgeAction a) {
  switch (a) {
  case EdgeAction::reuse: return "reuse";
  case EdgeAction::start: return "start";
  case EdgeAction::create: return "create";
  case EdgeAction::recreate: return "recreate";
  case EdgeAction::refuse: return "refuse";
  }
  return "refuse";
}

EdgeDecision decide_edge(const EdgeSettings& wanted, const EdgeSituation& found) {
  const auto name = edge_container_name(wanted);
  const auto& others = found.other_routed_stacks;
  auto serving = [&] {
    constexpr std::size_t shown = 5;
    std::vector<std::string> names(others.begin(),
                                   others.begin() + static_cast<std::ptrdiff_t>(std::min(shown, others.size())));
    return fmt::format("{} other stack(s) ({}{})", others.size(), fmt::join(names, ", "),
                       others.size() > shown ? ", ..." : "");
  };
  EdgeDecision d;
  // The legacy stack publishes its port on every address: it is in the way
  // only of an edge on that port, and it goes only when nobody else's
  // routes would go down with it.
  if (found.legacy_stack_port && *found.legacy_stack_port == wanted.port) {
    if (!others.empty()) {
      d.why = fmt::format("the `{0}` swarm stack of an earlier ccci version publishes port {1} on every address and "
                          "serves the routes of {2}; ccci now runs the edge as container {3} on 127.0.0.1:{1} only "
                          "and does not take the old one down under them. Once no run is under way: `docker stack "
                          "rm {0}` (the route files in {4} stay; the next run starts the new edge)",
                          legacy_edge_stack, wanted.port, serving(), name, wanted.dir.string());
      return d;
    }
    d.remove_legacy_stack = true;
  }
  const auto& c = found.container;
  if (!c.exists) {
    d.action = EdgeAction::create;
    d.why = fmt::format("no container {}", name);
    return d;
  }
  std::vector<std::string> differs;
  if (c.image != wanted.image) differs.push_back(fmt::format("runs image {}, not {}", c.image, wanted.image));
  auto binding = fmt::format("127.0.0.1:{}", wanted.port);
  if (c.bindings != std::vector<std::string>{binding})
    differs.push_back(fmt::format(
        "publishes port 80 on {}, not on {} only",
        c.bindings.empty() ? std::string("no host port") : fmt::format("{}", fmt::join(c.bindings, ", ")), binding));
  auto mount = fmt::format("{}:{}", wanted.dir.string(), edge_mount);
  if (std::find(c.mounts.begin(), c.mounts.end(), mount) == c.mounts.end())
    differs.push_back(fmt::format("does not mount {} at {}", wanted.dir.string(), edge_mount));
  if (std::find(c.networks.begin(), c.networks.end(), "proxy") == c.networks.end())
    differs.push_back("is not attached to the proxy network");
  if (differs.empty()) {
    d.action = c.running ? EdgeAction::reuse : EdgeAction::start;
    d.why = c.running ? fmt::format("container {} runs as wanted", name)
                      : fmt::format("container {} is as wanted but stopped", name);
    return d;
  }
  if (others.empty()) {
    d.action = EdgeAction::recreate;
    d.why = fmt::format("container {} {}; no other stack has routes on it", name, fmt::join(differs, "; "));
    return d;
  }
  d.action = EdgeAction::refuse;
  d.why = fmt::format("the edge container {0} {1}, and it serves the routes of {2}: this run does not recreate it "
                      "under them. Wait until they end, or run with the edge's settings; when no run is under way, "
                      "`docker rm -f {0}` (the route files stay; the next run recreates it as wanted)",
                      name, fmt::join(differs, "; "), serving());
  return d;
}

namespace {

// `docker container inspect`, one field per line: what decide_edge compares.
EdgeContainerState inspect_edge_container(const std::string& name) {
  auto r = docker(
      {"container", "inspect", "--format",
       "{{.State.Running}}\n{{.Config.Image}}\n"
       "{{range $p, $b := .HostConfig.PortBindings}}{{if eq $p \"80/tcp\"}}{{range $b}}{{.HostIp}}:{{.HostPort}} "
       "{{end}}{{end}}{{end}}\n"
       "{{range .Mounts}}{{if eq .Type \"bind\"}}{{.Source}}:{{.Destination}} {{end}}{{end}}\n"
       "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
       name});
  EdgeContainerState c;
  if (!r.ok()) return c; // no such container
  std::vector<std::string> lines;
  std::istringstream text(r.out);
  for (std::string line; std::getline(text, line);)
    lines.push_back(line);
  lines.resize(5);
  auto words = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;)
      out.push_back(w);
    return out;
  };
  c.exists = true;
  c.running = lines[0] == "true";
  c.image = lines[1];
  c.bindings = words(lines[2]);
  c.mounts = words(lines[3]);
  c.networks = words(lines[4]);
  return c;
}

struct LegacyStack {
  int port = 0;      ///< 0: it publishes nothing
  fs::path dir = {}; ///< the directory it serves routes from
};

std::optional<LegacyStack> legacy_stack() {
  auto r = docker({"service", "inspect", "--format",
                   "{{range .Spec.EndpointSpec.Ports}}{{.PublishedPort}} {{end}}\n"
                   "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}}{{end}}",
                   std::string(legacy_edge_stack) + "_proxy"});
  if (!r.ok()) return std::nullopt;
  LegacyStack l;
  std::istringstream in(r.out);
  std::string ports, dir;
  std::getline(in, ports);
  std::getline(in, dir);
  std::istringstream(ports) >> l.port;
  l.dir = dir;
  return l;
}

// Where the container (as it is, not as wanted) reads its routes from.
std::optional<fs::path> mounted_dir(const EdgeContainerState& c) {
  auto suffix = std::string(":") + edge_mount;
  for (auto& m : c.mounts)
    if (m.ends_with(suffix)) return fs::path(m.substr(0, m.size() - suffix.size()));
  return std::nullopt;
}

// Stacks with a route file in `dirs`, other than `stack`: whoever the edge
// as it runs serves, whichever directory it reads.
std::vector<std::string> other_routed_stacks(const std::vector<fs::path>& dirs, const std::string& stack) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& dir : dirs)
    for (auto& entry : fs::directory_iterator(dir / "sites", ec)) {
      auto name = entry.path().filename().string();
      if (!name.ends_with(".conf")) continue;
      name.resize(name.size() - 5);
      // Earlier versions' `<stack>--<service>.conf` files name their stack first.
      if (auto dashes = name.find("--"); dashes != std::string::npos) name.resize(dashes);
      if (name != stack && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
  std::sort(out.begin(), out.end());
  return out;
}

// The edge joins `proxy` as a plain container, which docker allows only on
// an attachable overlay (scripts/local-swarm makes it so).
void ensure_attachable_proxy_network() {
  if (!ensure_overlay_network("proxy"))
    throw InfraFailure("the overlay network 'proxy' is not attachable, so the edge container cannot join it: "
                       "remove the stacks that use it, then `docker network rm proxy && docker network create "
                       "--driver overlay --attachable proxy` (scripts/local-swarm does)");
}

void remove_legacy_stack() {
  docker_or_throw({"stack", "rm", legacy_edge_stack}, "removing the earlier ccci version's edge stack");
  // Its task holds the port until its container is gone.
  auto label = fmt::format("label=com.docker.stack.namespace={}", legacy_edge_stack);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (docker({"ps", "-aq", "--filter", label}).out.find_first_not_of(" \n") != std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw InfraFailure(fmt::format("the `{}` stack's container did not stop within 60s; see `docker ps -a --filter "
                                     "{}`",
                                     legacy_edge_stack, label));
    interruptible_sleep(std::chrono::milliseconds(250));
  }
}

void create_edge_container(const EdgeSettings& e) {
  auto name = edge_container_name(e);
  docker_or_throw({"run",       "--detach",
                   "--name",    name,
                   "--restart", "unless-stopped",
                   "--network", "proxy",
                   "--publish", fmt::format("127.0.0.1:{}:80", e.port),
                   "--mount",   fmt::format("type=bind,source={},target={},readonly", e.dir.string(), edge_mount),
                   "--label",   "ccci.edge=true",
                   e.image,     "nginx",
                   "-c",        "/etc/ccci-edge/nginx.conf",
                   "-g",        "daemon off;"},
                  fmt::format("starting the ccci edge proxy (container {}; build its image with scripts/build-images "
                              "if it is missing)",
                              name));
}

void wait_until_answering(const EdgeSettings& e) {
  auto name = edge_container_name(e);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (edge_running(e)) {
      try {
        auto r = http_request(edge_target(e, "ccci-edge.invalid"), "GET", "/", std::chrono::seconds(2));
        if (r.status == 421) return;
      } catch (const InfraError&) {
      }
    }
    interruptible_sleep(std::chrono::milliseconds(250));
    if (stop_requested) break;
  }
  throw InfraFailure(
      fmt::format("the ccci edge proxy did not answer on 127.0.0.1:{} within 60s; see `docker logs {}`", e.port, name));
}

} // namespace

std::vector<std::string> ensure_edge(const EdgeSettings& e, const std::string& stack) {
  auto lock = lock_edge(e);
  fs::create_directories(sites_dir(e));
  write_file_atomically(edge_dir(e) / "nginx.conf", base_conf);
  ensure_attachable_proxy_network();
  auto name = edge_container_name(e);
  auto container = inspect_edge_container(name);
  auto legacy = legacy_stack();
  std::vector<fs::path> dirs{edge_dir(e)};
  if (auto d = mounted_dir(container)) dirs.push_back(*d);
  if (legacy && !legacy->dir.empty()) dirs.push_back(legacy->dir);
  EdgeSituation found{container, legacy ? std::optional(legacy->port) : std::nullopt, other_routed_stacks(dirs, stack)};
  auto d = decide_edge(e, found);
  std::vector<std::string> notes;
  if (d.action == EdgeAction::refuse) throw InfraFailure(d.why);
  if (d.remove_legacy_stack) {
    remove_legacy_stack();
    // The compose file earlier versions deployed it from: nothing reads it now.
    std::error_code ec;
    fs::remove(edge_dir(e) / "edge.compose.yml", ec);
    notes.push_back(fmt::format("removed the `{}` swarm stack of an earlier ccci version (it published port {} on "
                                "every address); the edge now runs as container {} on 127.0.0.1:{} only",
                                legacy_edge_stack, e.port, name, e.port));
  }
  switch (d.action) {
  case EdgeAction::reuse: return notes;
  case EdgeAction::start: docker_or_throw({"start", name}, fmt::format("starting the edge container {}", name)); break;
  case EdgeAction::recreate:
    notes.push_back(fmt::format("recreated the edge: {}", d.why));
    docker_or_throw({"rm", "--force", name}, fmt::format("removing the edge container {}", name));
    create_edge_container(e);
    break;
  case EdgeAction::create: create_edge_container(e); break;
  case EdgeAction::refuse: break;
  }
  wait_until_answering(e);
  return notes;
}

std::string edge_site_conf(const std::string& stack, const std::vector<Route>& routes) {
  // A server per host name or regex, in the order routes first name them;
  // each keeps the routes for it in Traefik's order.
  struct Server {
    std::string name; ///< a host name, or `~regex`
    std::vector<const Route*> routes;
  };
  // The stack names the upstreams: nothing but a stack name may go there.
  if (!is_stack_name(stack)) throw std::invalid_argument(fmt::format("'{}' is not a stack name", one_line(stack)));
  std::vector<Server> servers;
  auto server_for = [&](const std::string& name) -> Server& {
    for (auto& s : servers)
      if (s.name == name) return s;
    return servers.emplace_back(Server{name, {}});
  };
  std::string refused;
  for (auto& r : routes) {
    // read_traefik_routes has already skipped these with a note; checked
    // again here because this file is the edge's, shared by every stack.
    if (auto problem = route_problem(r)) {
      refused += fmt::format("# a route was left out: {}\n", one_line(*problem));
      continue;
    }
    if (!r.host_regex.empty()) server_for("~" + r.host_regex).routes.push_back(&r);
    for (auto& h : r.hosts)
      server_for(h).routes.push_back(&r);
  }
  std::string conf =
      fmt::format("# Managed by ccci: the routes of stack {}, from its traefik labels. Do not edit.\n", stack) +
      refused;
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
    if (changed) reload(e, /*required=*/false);
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
    if (removed) reload(e, /*required=*/false);
  } catch (const std::exception&) {
    // Teardown goes on; a leftover route file shows up in the verification.
  }
}

} // namespace ccci::host
