#include "swarm/docker_swarm.hpp"

#include "model/text.hpp"
#include "swarm/docker.hpp"

#include <fmt/format.h>

#include <sstream>

using namespace std::chrono_literals;

namespace ccci::host {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

} // namespace

SwarmInfo DockerSwarm::info() {
  SwarmInfo i;
  auto r = docker({"info", "--format", "{{.ServerVersion}}|{{.Swarm.LocalNodeState}}|{{.Swarm.ControlAvailable}}"});
  i.reachable = r.ok();
  if (!i.reachable) {
    i.error = trim(r.err);
    return i;
  }
  auto f = trim(r.out);
  i.server_version = f.substr(0, f.find('|'));
  auto rest = f.substr(f.find('|') + 1);
  i.state = rest.substr(0, rest.find('|'));
  i.manager = rest.substr(rest.find('|') + 1) == "true";
  return i;
}

void DockerSwarm::require_manager() { require_swarm_manager(); }

void DockerSwarm::ensure_network(const std::string& name) { ensure_overlay_network(name); }

bool DockerSwarm::has_secret(const std::string& name) { return docker({"secret", "inspect", name}).exit_code == 0; }

void DockerSwarm::create_secret(const std::string& name, const std::string& value, const std::string& stack,
                                const Owner& owner) {
  host::create_secret(name, value, stack, owner);
}

DeployOutcome DockerSwarm::deploy_stack(const std::string& stack, const std::filesystem::path& compose_file) {
  auto dep = docker({"stack", "deploy", "--resolve-image", "never", "--compose-file", compose_file.string(), stack});
  DeployOutcome out{dep.ok(), dep.describe(), ""};
  if (out.ok) return out;
  // The CLI's notice about --detach is noise here; keep the daemon's words.
  std::istringstream lines(dep.err + dep.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.find("--detach") == std::string::npos) out.words += (out.words.empty() ? "" : " ") + line;
  if (out.words.find("only updates to Labels are allowed") != std::string::npos)
    out.words += " (a config or secret changed its content but kept its name: bump its version, e.g. the matching "
                 "*_VERSION export in abra.sh, as abra recipes do)";
  return out;
}

std::vector<ServiceState> DockerSwarm::services(const std::string& stack) { return stack_services(stack); }
std::vector<ServiceState> DockerSwarm::replicas(const std::string& stack) { return stack_replicas(stack); }
std::unique_ptr<StackWatch> DockerSwarm::watch(const std::string& stack, std::chrono::system_clock::time_point until) {
  return watch_stack(stack, until);
}
std::vector<ServiceState> DockerSwarm::services_listed(const std::string& stack, std::vector<ServiceState> listed) {
  return stack_services(stack, std::move(listed));
}

std::string DockerSwarm::container_of(const std::string& stack, const std::string& service) {
  return service_container(stack, service);
}

ProcessResult DockerSwarm::exec(const std::string& container, const std::vector<std::string>& argv) {
  std::vector<std::string> args{"exec", container};
  args.insert(args.end(), argv.begin(), argv.end());
  ProcessOptions o;
  o.merge_stderr = true;
  return docker(args, o);
}

ProcessResult DockerSwarm::exec_shell(const std::string& container, const std::string& script) {
  return host::exec_shell(container, script);
}

ProcessResult DockerSwarm::copy_from(const std::string& container, const std::string& path,
                                     const std::function<void(ByteSource&)>& consume) {
  return copy_from_container(container, path, consume);
}

ProcessResult DockerSwarm::copy_into(const std::string& container, const std::string& dir,
                                     const std::function<void(ByteSink&)>& produce) {
  return copy_into_container(container, dir, produce);
}

// Evidence is read after a stop too: it is what tells why a run was cut
// short, so these reads ignore the first stop signal and are bounded in time
// instead (the run skips them on a second; docs/architecture.md, "Stopping").
std::string DockerSwarm::task_table(const std::string& stack) {
  ProcessOptions o;
  o.ignore_stop = true;
  o.timeout = 20s;
  o.max_output = task_table_bytes;
  auto ps = docker({"stack", "ps", "--no-trunc", "--format",
                    "{{.Name}}\t{{.Image}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}", stack},
                   o);
  return "NAME\tIMAGE\tDESIRED\tCURRENT\tERROR\n" + ps.out + ps.err;
}

std::string DockerSwarm::service_log(const std::string& stack, const std::string& service, int lines) {
  ProcessOptions o;
  o.ignore_stop = true;
  o.merge_stderr = true;
  o.timeout = 20s;
  // Lines an app chooses may be of any length: the tail is bounded in bytes
  // too (docs/architecture.md, "Bounded memory and permissions"), and so is what the process
  // layer keeps of docker's output on the way.
  o.max_output = 2 * log_tail_bytes;
  auto logs = docker(
      {"service", "logs", "--no-trunc", "--timestamps", "--tail", std::to_string(lines), stack + "_" + service}, o);
  return logs.out.empty() ? fmt::format("(service {} logged nothing; {})\n", service, logs.describe())
                          : tail_lines(logs.out, static_cast<std::size_t>(lines), log_tail_line_bytes, log_tail_bytes);
}

TeardownReport DockerSwarm::remove_stack(const std::string& stack, bool throwaway) {
  return teardown_stack(stack, throwaway);
}

std::vector<std::string> DockerSwarm::publish_routes(const std::string& stack, const std::vector<Route>& routes,
                                                     const Owner& owner) {
  // A release without routes must not keep the previous release's.
  if (routes.empty()) {
    remove_edge_routes(edge_, stack);
    return {};
  }
  auto notes = ensure_edge(edge_, stack);
  set_edge_routes(edge_, stack, routes, owner);
  return notes;
}

void DockerSwarm::remove_routes(const std::string& stack) { remove_edge_routes(edge_, stack); }

std::vector<std::string> DockerSwarm::route_leftovers(const std::string& stack) {
  return edge_route_leftovers(edge_, stack);
}

HttpTarget DockerSwarm::http_target(const std::string& host) { return edge_target(edge_, host); }

std::vector<OwnedObject> DockerSwarm::owned_objects() {
  auto out = labelled_objects();
  for (auto& r : edge_owned_route_files(edge_))
    out.push_back({"edge-route", r.file.string(), std::move(r.labels)});
  return out;
}

std::vector<OwnedObject> DockerSwarm::require_manager_and_owned(std::string& listing_error) {
  // `docker info` beside gc's listings (docs/architecture.md, "Where an
  // install's time goes").
  auto out = manager_and_labelled_objects(listing_error);
  if (!listing_error.empty()) return out;
  try {
    for (auto& r : edge_owned_route_files(edge_))
      out.push_back({"edge-route", r.file.string(), std::move(r.labels)});
  } catch (const std::exception& e) {
    listing_error = e.what();
    return {};
  }
  return out;
}

std::vector<std::string> DockerSwarm::remove_owned(const std::vector<OwnedObject>& objects) {
  std::vector<std::string> result(objects.size());
  std::vector<OwnedObject> in_docker;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto& o = objects[i];
    if (o.kind != "edge-route") {
      in_docker.push_back(o);
      where.push_back(i);
      continue;
    }
    // The file's stem is its stack (one file per stack, swarm/edge.cpp).
    auto stack = std::filesystem::path(o.name).stem().string();
    remove_edge_routes(edge_, stack);
    if (std::filesystem::exists(o.name))
      result[i] = fmt::format("route file {} is still there (the edge directory is not writable, or its lock is "
                              "held: see {})",
                              o.name, (edge_.dir / "lock").string());
  }
  auto docker_result = remove_labelled_objects(in_docker);
  for (std::size_t j = 0; j < where.size(); ++j)
    result[where[j]] = docker_result[j];
  return result;
}

} // namespace ccci::host
