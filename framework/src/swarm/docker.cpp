#include "swarm/docker.hpp"

#include "model/naming.hpp"

#include "model/errors.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace ccci::host {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

ProcessOptions teardown_options() {
  ProcessOptions o;
  o.ignore_stop = true;
  o.timeout = std::chrono::seconds(60);
  return o;
}

bool starts_with_stack(const std::string& name, const std::string& stack) { return name.rfind(stack + "_", 0) == 0; }

} // namespace

std::vector<std::string> docker_cli_environment(const std::vector<std::string>& inherited) {
  static constexpr std::array<std::string_view, 7> kept{
      "PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"};
  std::vector<std::string> out;
  for (const auto& entry : inherited) {
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string_view key(entry.data(), eq);
    if (std::find(kept.begin(), kept.end(), key) != kept.end()) out.push_back(entry);
  }
  return out;
}

namespace {

// `docker ARGS...` with the CLI's environment only (docker_cli_environment).
std::vector<std::string> docker_argv(const std::vector<std::string>& args, ProcessOptions& options) {
  std::vector<std::string> inherited;
  for (char** e = environ; *e; ++e)
    inherited.emplace_back(*e);
  auto env = docker_cli_environment(inherited);
  env.insert(env.end(), options.extra_env.begin(), options.extra_env.end());
  options.extra_env = std::move(env);
  options.inherit_env = false;
  std::vector<std::string> argv{"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

} // namespace

ProcessResult docker(const std::vector<std::string>& args, ProcessOptions options) {
  auto argv = docker_argv(args, options);
  return run_process(argv, options);
}

std::string docker_or_throw(const std::vector<std::string>& args, std::string_view what, ProcessOptions options) {
  auto r = docker(args, options);
  if (!r.ok())
    throw InfraFailure(fmt::format("{}: docker {} ({}): {}", what, args.empty() ? "" : args[0], r.describe(),
                                   trim(r.err.empty() ? r.out : r.err)));
  return r.out;
}

void require_swarm_manager() {
  auto r = docker({"info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"});
  if (!r.ok())
    throw InfraFailure(fmt::format(
        "the docker daemon is not reachable ({}): start it (scripts/local-swarm does) and retry", trim(r.err)));
  auto state = trim(r.out);
  if (state != "active true")
    throw InfraFailure(
        fmt::format("this docker node is not an active swarm manager (state: '{}'): run `docker swarm init "
                    "--advertise-addr 127.0.0.1` (scripts/local-swarm does)",
                    state));
}

void ensure_overlay_network(const std::string& name) {
  auto r = docker({"network", "inspect", "--format", "{{.Driver}}", name});
  if (r.ok()) {
    if (trim(r.out) != "overlay")
      throw InfraFailure(fmt::format("network '{}' exists but is a '{}' network, not overlay: remove "
                                     "it (`docker network rm {}`) and retry",
                                     name, trim(r.out), name));
    return;
  }
  auto c = docker({"network", "create", "--driver", "overlay", "--attachable", name});
  // Another run may have created it meanwhile.
  if (!c.ok() && docker({"network", "inspect", name}).exit_code != 0)
    throw InfraFailure(fmt::format("cannot create overlay network '{}': {}", name, trim(c.err)));
}

void create_secret(const std::string& name, const std::string& value, const std::string& stack, const Owner& owner) {
  ProcessOptions o;
  o.input = value;
  std::vector<std::string> args{"secret", "create", "--label", "com.docker.stack.namespace=" + stack};
  for (auto& [k, v] : owner_labels(owner))
    args.insert(args.end(), {"--label", k + "=" + v});
  args.insert(args.end(), {name, "-"});
  docker_or_throw(args, fmt::format("creating secret {}", name), o);
}

namespace {

struct LabelledKind {
  const char* kind;
  std::vector<std::string> list;    ///< prints one id per line
  std::vector<std::string> inspect; ///< takes ids, prints `name<TAB>{labels as JSON}` per line
};

const std::vector<LabelledKind>& labelled_kinds() {
  static const std::vector<LabelledKind> kinds{
      {"service",
       {"service", "ls", "-q", "--filter", "label=ccci.run"},
       {"service", "inspect", "--format", "{{.Spec.Name}}\t{{json .Spec.Labels}}"}},
      {"container",
       {"ps", "-aq", "--no-trunc", "--filter", "label=ccci.run"},
       {"container", "inspect", "--format", "{{.Name}}\t{{json .Config.Labels}}"}},
      {"secret",
       {"secret", "ls", "-q", "--filter", "label=ccci.run"},
       {"secret", "inspect", "--format", "{{.Spec.Name}}\t{{json .Spec.Labels}}"}},
      {"config",
       {"config", "ls", "-q", "--filter", "label=ccci.run"},
       {"config", "inspect", "--format", "{{.Spec.Name}}\t{{json .Spec.Labels}}"}},
      {"volume",
       {"volume", "ls", "-q", "--filter", "label=ccci.run"},
       {"volume", "inspect", "--format", "{{.Name}}\t{{json .Labels}}"}},
      {"network",
       {"network", "ls", "-q", "--no-trunc", "--filter", "label=ccci.run"},
       {"network", "inspect", "--format", "{{.Name}}\t{{json .Labels}}"}},
  };
  return kinds;
}

Labels labels_from_json(const std::string& text) {
  Labels out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (auto& [k, val] : v.as_object())
    if (val.is_string()) out[std::string(k)] = std::string(val.as_string());
  return out;
}

// Whether docker still knows the object (an `rm` that failed because it was
// already gone, or went meanwhile, removed nothing and left nothing).
bool still_there(const std::string& kind, const std::string& name) {
  return docker({kind, "inspect", name}, teardown_options()).exit_code == 0;
}

} // namespace

std::vector<OwnedObject> labelled_objects() {
  std::vector<OwnedObject> out;
  for (auto& k : labelled_kinds()) {
    auto ids = lines_of(docker_or_throw(k.list, fmt::format("listing {}s with ccci labels", k.kind)));
    if (ids.empty()) continue;
    auto args = k.inspect;
    args.insert(args.end(), ids.begin(), ids.end());
    // An object removed between the listing and the inspection fails the
    // inspection of that one only; the others are still printed.
    for (auto& line : lines_of(docker(args).out)) {
      auto tab = line.find('\t');
      if (tab == std::string::npos) continue;
      auto name = line.substr(0, tab);
      if (name.starts_with('/')) name.erase(0, 1); // a container's name
      auto labels = labels_from_json(line.substr(tab + 1));
      if (labels.count("ccci.run")) out.push_back({k.kind, name, labels});
    }
  }
  return out;
}

std::vector<std::string> remove_labelled_objects(const std::vector<OwnedObject>& objects, std::chrono::seconds wait) {
  std::vector<std::string> result(objects.size());
  std::vector<bool> done(objects.size(), false);
  auto opts = teardown_options();
  auto remove = [&](std::size_t i) {
    auto& o = objects[i];
    auto r = o.kind == "container" ? docker({"rm", "-f", o.name}, opts) : docker({o.kind, "rm", o.name}, opts);
    // Gone only when docker no longer knows it: a removed network stays
    // listed on this node for a moment after its `rm` succeeded.
    if (!still_there(o.kind, o.name)) {
      done[i] = true;
      result[i].clear();
    } else if (r.ok()) {
      result[i] = fmt::format("docker {} rm {} succeeded, but docker still lists it", o.kind, o.name);
    } else {
      result[i] =
          fmt::format("docker {} rm {}: {}: {}", o.kind, o.name, r.describe(), trim(r.err.empty() ? r.out : r.err));
    }
  };
  // The order docker needs: a service's tasks hold its containers, and
  // containers hold volumes and networks.
  for (const char* kind : {"service", "container"})
    for (std::size_t i = 0; i < objects.size(); ++i)
      if (objects[i].kind == kind) remove(i);
  // A removed service's containers stop a few seconds later, whether listed
  // here or not (a container made after the listing): wait for those.
  std::set<std::string> services;
  for (auto& o : objects)
    if (o.kind == "service") services.insert(o.name);
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto containers_left = [&] {
    for (auto& s : services)
      if (!lines_of(docker({"ps", "-aq", "--filter", "label=com.docker.swarm.service.name=" + s}, opts).out).empty())
        return true;
    return false;
  };
  while (containers_left() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  // Retried: the swarm lets go of networks and volumes a little after the
  // containers are gone.
  while (true) {
    bool pending = false;
    for (std::size_t i = 0; i < objects.size(); ++i)
      if (!done[i]) {
        remove(i);
        pending = pending || !done[i];
      }
    if (!pending || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return result;
}

bool is_image_error(std::string_view e) {
  for (std::string_view needle :
       {"No such image", "pull access denied", "manifest unknown", "repository does not exist",
        "invalid reference format", "manifest for", "not found: manifest"})
    if (e.find(needle) != std::string_view::npos) return true;
  return false;
}

std::vector<ServiceState> stack_services(const std::string& stack) {
  std::vector<ServiceState> out;
  auto ls = docker_or_throw({"service", "ls", "--filter", "label=com.docker.stack.namespace=" + stack, "--format",
                             "{{.Name}}\t{{.Replicas}}"},
                            "listing services");
  for (auto& line : lines_of(ls)) {
    auto f = split(line, '\t');
    if (f.size() < 2) continue;
    ServiceState s;
    s.name = f[0];
    auto counts = split(f[1].substr(0, f[1].find(' ')), '/');
    if (counts.size() == 2) {
      s.running = std::atoi(counts[0].c_str());
      s.desired = std::atoi(counts[1].c_str());
    }
    auto update = trim(docker({"service", "inspect", "--format",
                               "{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}{{end}}", s.name})
                           .out);
    s.update_state = update.substr(0, update.find('|'));
    if (update.find('|') != std::string::npos) s.update_message = update.substr(update.find('|') + 1);
    auto ps = docker({"service", "ps", "--no-trunc", "--format", "{{.Name}}\t{{.CurrentState}}\t{{.Error}}", s.name});
    std::set<std::string> seen;
    for (auto& t : lines_of(ps.out)) {
      auto tf = split(t, '\t');
      if (tf.size() < 3 || tf[2].empty()) continue;
      auto state = tf[1].substr(0, tf[1].find(' '));
      auto msg = fmt::format("task {}: {}: {}", tf[0], state, tf[2]);
      if (seen.insert(tf[2]).second) s.task_errors.push_back(msg);
    }
    out.push_back(std::move(s));
  }
  auto containers = docker({"ps", "--filter", "label=com.docker.stack.namespace=" + stack, "--format",
                            "{{.Label \"com.docker.swarm.service.name\"}}\t{{.Status}}"});
  for (auto& line : lines_of(containers.out)) {
    auto f = split(line, '\t');
    if (f.size() < 2) continue;
    for (auto& s : out) {
      if (s.name != f[0]) continue;
      if (f[1].find("(healthy)") != std::string::npos)
        ++s.healthy;
      else if (f[1].find("(unhealthy)") != std::string::npos)
        ++s.unhealthy;
      else if (f[1].find("health: starting") != std::string::npos)
        ++s.starting;
    }
  }
  return out;
}

ProcessResult copy_from_container(const std::string& container, const std::string& path,
                                  const std::function<void(ByteSource&)>& consume) {
  ProcessOptions o;
  o.timeout = std::chrono::minutes(30);
  auto argv = docker_argv({"cp", container + ":" + path, "-"}, o);
  return run_process_reading_stdout(argv, o, consume);
}

ProcessResult copy_into_container(const std::string& container, const std::string& dir,
                                  const std::function<void(ByteSink&)>& produce) {
  ProcessOptions o;
  o.timeout = std::chrono::minutes(30);
  auto argv = docker_argv({"cp", "-a", "-", container + ":" + dir}, o);
  return run_process_feeding_stdin(argv, o, produce);
}

ProcessResult exec_shell(const std::string& container, const std::string& script, std::chrono::seconds timeout) {
  ProcessOptions o;
  o.timeout = timeout;
  o.merge_stderr = true;
  // bash, as backupbot runs hooks: an image without bash fails here as it
  // would under backupbot (docs/architecture.md, "Backup and restore").
  return docker({"exec", container, "bash", "-c", script}, o);
}

std::string service_container(const std::string& stack, const std::string& service) {
  auto r = docker({"ps", "--filter", "label=com.docker.swarm.service.name=" + stack + "_" + service, "--filter",
                   "status=running", "--format", "{{.ID}}"});
  auto ids = lines_of(r.out);
  return ids.empty() ? std::string{} : ids.front();
}

std::vector<std::string> stack_leftovers(const std::string& stack) {
  std::vector<std::string> out;
  if (!is_stack_name(stack)) return out; // nothing can be its own; a blank filter would list everyone's
  auto label = "label=com.docker.stack.namespace=" + stack;
  struct Kind {
    const char* kind;
    std::vector<std::string> args;
  };
  std::vector<Kind> kinds{
      {"service", {"service", "ls", "--format", "{{.Name}}"}}, {"container", {"ps", "-a", "--format", "{{.Names}}"}},
      {"network", {"network", "ls", "--format", "{{.Name}}"}}, {"volume", {"volume", "ls", "--format", "{{.Name}}"}},
      {"secret", {"secret", "ls", "--format", "{{.Name}}"}},   {"config", {"config", "ls", "--format", "{{.Name}}"}},
  };
  for (auto& k : kinds) {
    std::set<std::string> names;
    // By label, and by name: a leftover someone made by hand counts too.
    auto by_label = k.args;
    by_label.insert(by_label.begin() + 2, {"--filter", label});
    for (auto& n : lines_of(docker(by_label, teardown_options()).out))
      names.insert(n);
    for (auto& n : lines_of(docker(k.args, teardown_options()).out))
      if (starts_with_stack(n, stack)) names.insert(n);
    for (auto& n : names)
      out.push_back(fmt::format("{} {}", k.kind, n));
  }
  return out;
}

TeardownReport teardown_stack(const std::string& stack, bool throwaway, std::chrono::seconds wait) {
  TeardownReport report;
  if (!is_stack_name(stack)) {
    // `label=com.docker.stack.namespace=` with no name matches every
    // stack's secrets and configs: removing them broke concurrent runs.
    report.notes.push_back(fmt::format("refused to tear down '{}': not a stack name, so nothing is its own", stack));
    return report;
  }
  auto opts = teardown_options();
  auto label = "label=com.docker.stack.namespace=" + stack;
  auto rm = docker({"stack", "rm", stack}, opts);
  report.notes.push_back(fmt::format("docker stack rm {}: {}", stack, rm.describe()));

  auto containers = [&] { return lines_of(docker({"ps", "-aq", "--filter", label}, opts).out); };
  if (throwaway) {
    auto ids = containers();
    if (!ids.empty()) {
      std::vector<std::string> args{"rm", "-f"};
      args.insert(args.end(), ids.begin(), ids.end());
      docker(args, opts);
      report.notes.push_back(fmt::format("force-removed {} container(s)", ids.size()));
    }
  }
  // Volumes cannot go while containers still hold them: wait for those
  // first — unless a second stop signal says to do only what is quick
  // (docs/architecture.md, "Stopping").
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (!stop_escalated() && !containers().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  if (stop_escalated() && !containers().empty())
    report.skipped.push_back("the wait for the stack's containers to stop (its objects were removed at once)");

  auto remove_all = [&](const char* kind, std::vector<std::string> list_args) {
    std::set<std::string> names;
    auto by_label = list_args;
    by_label.insert(by_label.begin() + 2, {"--filter", label});
    for (auto& n : lines_of(docker(by_label, opts).out))
      names.insert(n);
    for (auto& n : lines_of(docker(list_args, opts).out))
      if (starts_with_stack(n, stack)) names.insert(n);
    for (auto& n : names) {
      auto r = docker({kind, "rm", n}, opts);
      report.notes.push_back(fmt::format("{} rm {}: {}", kind, n, r.describe()));
    }
  };
  // Retried: the swarm lets go of networks and volumes a little after the
  // containers are gone.
  while (true) {
    remove_all("volume", {"volume", "ls", "--format", "{{.Name}}"});
    remove_all("secret", {"secret", "ls", "--format", "{{.Name}}"});
    remove_all("config", {"config", "ls", "--format", "{{.Name}}"});
    remove_all("network", {"network", "ls", "--format", "{{.Name}}"});
    report.leftovers = stack_leftovers(stack);
    if (report.leftovers.empty() || std::chrono::steady_clock::now() >= deadline) break;
    if (stop_escalated()) {
      report.skipped.push_back(fmt::format("retrying the removal of what is still there ({}); `ccci gc` removes it",
                                           fmt::join(report.leftovers, ", ")));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return report;
}

} // namespace ccci::host
