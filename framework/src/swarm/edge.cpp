#include "swarm/edge.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "swarm/docker.hpp"

#include <fmt/format.h>

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

std::string route_file_prefix(const std::string& stack) { return stack + "--"; }

} // namespace

EdgeSettings edge_settings_from_environment() {
  EdgeSettings e;
  if (const char* dir = std::getenv("CCCI_EDGE_DIR"); dir && *dir) e.dir = dir;
  if (const char* port = std::getenv("CCCI_EDGE_PORT"); port && *port) {
    try {
      e.port = std::stoi(port);
    } catch (const std::exception&) {
      throw InputError(fmt::format("CCCI_EDGE_PORT='{}': not a port number; set it to e.g. 8480", port));
    }
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

void add_edge_route(const EdgeSettings& e, const std::string& stack, const Route& route) {
  auto lock = lock_edge(e);
  std::string conf;
  for (auto& host : route.hosts)
    conf += fmt::format(R"(server {{
  listen 80;
  server_name {host};
  location / {{
    set $ccci_upstream http://tasks.{stack}_{service}:{port};
    proxy_pass $ccci_upstream;
    proxy_set_header Host $host;
    proxy_http_version 1.1;
    proxy_read_timeout 300s;
  }}
}}
)",
                        fmt::arg("host", host), fmt::arg("stack", stack), fmt::arg("service", route.service),
                        fmt::arg("port", route.port));
  write_file_atomically(sites_dir(e) / (route_file_prefix(stack) + route.service + ".conf"), conf);
  reload(e);
}

std::vector<std::string> edge_route_leftovers(const EdgeSettings& e, const std::string& stack) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(sites_dir(e), ec))
    if (entry.path().filename().string().rfind(route_file_prefix(stack), 0) == 0)
      out.push_back("edge-route " + entry.path().string());
  return out;
}

void remove_edge_routes(const EdgeSettings& e, const std::string& stack) {
  try {
    auto lock = lock_edge(e);
    bool removed = false;
    std::error_code ec;
    for (auto& left : edge_route_leftovers(e, stack)) {
      fs::remove(left.substr(left.find(' ') + 1), ec);
      removed = true;
    }
    if (removed && !edge_container().empty()) reload(e);
  } catch (const std::exception&) {
    // Teardown goes on; a leftover route file shows up in the verification.
  }
}

} // namespace ccci::host
