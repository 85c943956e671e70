#include "swarm/docker.hpp"

#include "model/naming.hpp"

#include "model/errors.hpp"
#include "swarm/engine.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
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

std::vector<ProcessResult> docker_all(const std::vector<std::vector<std::string>>& commands, ProcessOptions options) {
  if (commands.empty()) return {};
  std::vector<std::vector<std::string>> argvs;
  auto env_options = options;
  argvs.push_back(docker_argv(commands.front(), env_options));
  for (std::size_t i = 1; i < commands.size(); ++i) {
    argvs.push_back({"docker"});
    argvs.back().insert(argvs.back().end(), commands[i].begin(), commands[i].end());
  }
  return run_processes(argvs, env_options);
}

namespace {

// docker_or_throw's check, for a result docker_all gave.
std::string out_or_throw(const ProcessResult& r, const std::vector<std::string>& args, std::string_view what) {
  if (!r.ok())
    throw InfraFailure(fmt::format("{}: docker {} ({}): {}", what, args.empty() ? "" : args[0], r.describe(),
                                   trim(r.err.empty() ? r.out : r.err)));
  return r.out;
}

} // namespace

std::string docker_or_throw(const std::vector<std::string>& args, std::string_view what, ProcessOptions options) {
  auto r = docker(args, options);
  if (!r.ok())
    throw InfraFailure(fmt::format("{}: docker {} ({}): {}", what, args.empty() ? "" : args[0], r.describe(),
                                   trim(r.err.empty() ? r.out : r.err)));
  return r.out;
}

namespace {

const std::vector<std::string> manager_info{"info", "--format",
                                            "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"};

// `state` as `docker info` prints manager_info's format ("active true").
void check_manager_state(const std::string& state) {
  if (state != "active true")
    throw InfraFailure(
        fmt::format("this docker node is not an active swarm manager (state: '{}'): run `docker swarm init "
                    "--advertise-addr 127.0.0.1` (scripts/local-swarm does)",
                    state));
}

void check_manager(const ProcessResult& r) {
  if (!r.ok())
    throw InfraFailure(fmt::format(
        "the docker daemon is not reachable ({}): start it (scripts/local-swarm does) and retry", trim(r.err)));
  check_manager_state(trim(r.out));
}

// The network's driver and whether containers may join it: one request, or
// one `network inspect`.
NetworkFacts network_facts(const std::string& name) {
  if (auto facts = engine_network(name)) return *facts;
  NetworkFacts f;
  auto r = docker({"network", "inspect", "--format", "{{.Driver}} {{.Attachable}}", name});
  if (!r.ok()) return f;
  auto words = split(trim(r.out), ' ');
  f.exists = true;
  f.driver = words.empty() ? "" : words[0];
  f.attachable = words.size() > 1 && words[1] == "true";
  return f;
}

} // namespace

void require_swarm_manager() { check_manager(docker(manager_info)); }

bool ensure_overlay_network(const std::string& name) {
  auto facts = network_facts(name);
  if (facts.exists) {
    if (facts.driver != "overlay")
      throw InfraFailure(fmt::format("network '{}' exists but is a '{}' network, not overlay: remove "
                                     "it (`docker network rm {}`) and retry",
                                     name, facts.driver, name));
    return facts.attachable;
  }
  auto c = docker({"network", "create", "--driver", "overlay", "--attachable", name});
  if (c.ok()) return true;
  // Another run may have created it meanwhile.
  facts = network_facts(name);
  if (!facts.exists) throw InfraFailure(fmt::format("cannot create overlay network '{}': {}", name, trim(c.err)));
  return facts.attachable;
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

namespace {

// labelled_objects, with `also` (if given) run in the same batch as its
// listings and its result put in `also_result` before anything is parsed.
std::vector<OwnedObject> list_labelled(const std::vector<std::string>* also,
                                       std::optional<ProcessResult>* also_result) {
  std::vector<OwnedObject> out;
  // Every kind but services prints its owner labels in the listing itself:
  // one command per kind, not a listing and an inspection. Only the owner
  // labels are read (judge_owner).
  const std::vector<std::string> keys{owner_label::run, owner_label::host, owner_label::pid, owner_label::started,
                                      owner_label::role};
  std::string columns;
  for (auto& key : keys)
    columns += fmt::format("\t{{{{.Label \"{}\"}}}}", key);
  const std::vector<std::pair<const char*, std::vector<std::string>>> listings{
      {"service", {"service", "ls", "-q", "--filter", "label=ccci.run"}},
      {"container", {"ps", "-a", "--no-trunc", "--filter", "label=ccci.run", "--format", "{{.Names}}" + columns}},
      {"secret", {"secret", "ls", "--filter", "label=ccci.run", "--format", "{{.Name}}" + columns}},
      {"config", {"config", "ls", "--filter", "label=ccci.run", "--format", "{{.Name}}" + columns}},
      {"volume", {"volume", "ls", "--filter", "label=ccci.run", "--format", "{{.Name}}" + columns}},
      {"network", {"network", "ls", "--filter", "label=ccci.run", "--format", "{{.Name}}" + columns}},
  };
  // The six listings at once (docs/architecture.md, "Where an install's time goes").
  std::vector<std::vector<std::string>> commands;
  for (auto& listing : listings)
    commands.push_back(listing.second);
  if (also) commands.push_back(*also);
  const auto results = docker_all(commands);
  if (also) *also_result = results.back();
  std::vector<std::vector<std::string>> listed;
  for (std::size_t k = 0; k < listings.size(); ++k)
    listed.push_back(lines_of(
        out_or_throw(results[k], listings[k].second, fmt::format("listing {}s with ccci labels", listings[k].first))));
  // Services: listed, then inspected (`docker service ls` prints no labels).
  if (const auto& ids = listed[0]; !ids.empty()) {
    std::vector<std::string> args{"service", "inspect", "--format", "{{.Spec.Name}}\t{{json .Spec.Labels}}"};
    args.insert(args.end(), ids.begin(), ids.end());
    // A service removed between the listing and the inspection fails the
    // inspection of that one only; the others are still printed.
    for (auto& line : lines_of(docker(args).out)) {
      auto tab = line.find('\t');
      if (tab == std::string::npos) continue;
      auto labels = labels_from_json(line.substr(tab + 1));
      if (labels.count(owner_label::run)) out.push_back({"service", line.substr(0, tab), labels});
    }
  }
  for (std::size_t k = 1; k < listings.size(); ++k)
    for (auto& line : listed[k]) {
      auto f = split(line, '\t');
      if (f.size() != keys.size() + 1) continue;
      Labels labels;
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (!f[i + 1].empty()) labels[keys[i]] = f[i + 1];
      if (labels.count(owner_label::run)) out.push_back({listings[k].first, f[0], labels});
    }
  return out;
}

// list_labelled's listings from the engine (swarm/engine.hpp), in its order
// and with what it keeps of the labels; nullopt: ask the CLI.
std::optional<std::vector<OwnedObject>> labelled_from_engine() {
  static const std::vector<std::string> keys{owner_label::run, owner_label::host, owner_label::pid,
                                             owner_label::started, owner_label::role};
  std::vector<OwnedObject> out;
  for (const char* kind : {"service", "container", "secret", "config", "volume", "network"}) {
    auto objects = engine_objects(kind, owner_label::run);
    if (!objects) return std::nullopt;
    for (auto& o : *objects) {
      if (!o.labels.count(owner_label::run)) continue;
      Labels labels;
      if (std::string_view(kind) == "service") {
        labels = std::move(o.labels);
      } else {
        for (auto& key : keys)
          if (auto it = o.labels.find(key); it != o.labels.end() && !it->second.empty()) labels[key] = it->second;
      }
      out.push_back({kind, o.name, std::move(labels)});
    }
  }
  return out;
}

} // namespace

std::vector<OwnedObject> labelled_objects() {
  if (auto listed = labelled_from_engine()) return std::move(*listed);
  return list_labelled(nullptr, nullptr);
}

std::vector<OwnedObject> manager_and_labelled_objects(std::string& listing_error) {
  if (auto answer = engine_get("/info")) {
    std::optional<std::string> state;
    try {
      state = manager_state_from_engine(*answer);
    } catch (const InfraFailure&) {
      use_engine(false);
    }
    if (state) {
      check_manager_state(*state);
      if (auto listed = labelled_from_engine()) return std::move(*listed);
    }
  }
  std::optional<ProcessResult> info;
  try {
    auto out = list_labelled(&manager_info, &info);
    check_manager(*info);
    return out;
  } catch (const InfraFailure& e) {
    if (!info) throw; // docker could not be run at all
    check_manager(*info);
    listing_error = e.what();
    return {};
  }
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

std::vector<ServiceState> stack_replicas(const std::string& stack) {
  if (auto answer = engine_get("/services?status=true&filters=" +
                               engine_filters("label", {"com.docker.stack.namespace=" + stack}))) {
    try {
      return replicas_from_engine(*answer);
    } catch (const InfraFailure&) {
      use_engine(false);
    }
  }
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
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// A `docker events` child: each whole line it prints is an event; its end
// (EOF, an error) loses the watch. Whole lines, because the CLI writes an
// event's text and its newline apart ("start", then "\n"): reading between
// the two would otherwise wake the watch twice for one event.
class LinesWatch : public StackWatch {
public:
  explicit LinesWatch(Child child) : child_(std::move(child)) {}

  Woke wait(std::chrono::steady_clock::time_point until) override {
    if (lost_) return Woke::lost;
    // In slices of at most 100 ms, as interruptible_sleep: a stop request
    // is seen within one.
    while (!stop_requested) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Woke::timeout;
      pollfd p{child_.out().get(), POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return lose();
      if (r == 0) continue;
      // Everything there is, at once: one wake-up however many lines came.
      bool line_ended = false;
      while (true) {
        char buf[4096];
        ssize_t n = ::read(p.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) return lose();
        line_ended = line_ended || std::memchr(buf, '\n', static_cast<std::size_t>(n)) != nullptr;
        if (n < static_cast<ssize_t>(sizeof buf)) break;
      }
      // Only part of a line: its end follows at once.
      if (line_ended) return Woke::event;
    }
    return Woke::timeout;
  }

private:
  Woke lose() {
    lost_ = true;
    return Woke::lost;
  }
  Child child_; // killed with its group and reaped when the watch goes
  bool lost_ = false;
};

} // namespace

std::unique_ptr<StackWatch> watch_lines(const std::vector<std::string>& argv, const SpawnOptions& options) {
  try {
    auto child = Child::spawn(argv, options);
    // Non-blocking, so wait() drains what is there and no more.
    const int fd = child.out().get();
    if (int fl = ::fcntl(fd, F_GETFL); fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return nullptr;
    return std::make_unique<LinesWatch>(std::move(child));
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::unique_ptr<StackWatch> watch_stack(const std::string& stack, std::chrono::system_clock::time_point until) {
  using namespace std::chrono;
  const auto since = duration_cast<milliseconds>((system_clock::now() - 1s).time_since_epoch()).count();
  const auto end = duration_cast<seconds>(until.time_since_epoch()).count() + 1;
  ProcessOptions env;
  auto argv = docker_argv({"events", "--since", fmt::format("{}.{:03}", since / 1000, since % 1000), "--until",
                           std::to_string(end), "--filter", "type=container", "--filter", "event=start", "--filter",
                           "event=health_status", "--filter", "label=com.docker.stack.namespace=" + stack, "--format",
                           "{{.Action}}"},
                          env);
  SpawnOptions so;
  so.extra_env = env.extra_env;
  so.inherit_env = env.inherit_env;
  so.merge_stderr = true;
  return watch_lines(argv, so); // null: converge polls instead
}

namespace {

// The full look from the engine (swarm/engine.hpp): three requests of a few
// milliseconds for the three commands; nullopt: ask the CLI.
std::optional<std::vector<ServiceState>> look_from_engine(const std::string& stack, std::vector<ServiceState>& listed) {
  const auto label = engine_filters("label", {"com.docker.stack.namespace=" + stack});
  auto services = engine_get("/services?status=true&filters=" + label);
  if (!services) return std::nullopt;
  std::vector<std::string> names;
  try {
    for (auto& s : replicas_from_engine(*services))
      names.push_back(s.name);
  } catch (const InfraFailure&) {
    use_engine(false);
    return std::nullopt;
  }
  auto tasks = names.empty() ? std::optional<boost::json::value>(boost::json::array{})
                             : engine_get("/tasks?filters=" + engine_filters("service", names));
  if (!tasks) return std::nullopt;
  auto containers = engine_get("/containers/json?filters=" + label);
  if (!containers) return std::nullopt;
  try {
    return services_from_engine(*services, *tasks, *containers, std::move(listed));
  } catch (const InfraFailure&) {
    use_engine(false);
    return std::nullopt;
  }
}

} // namespace

std::vector<ServiceState> stack_services(const std::string& stack) {
  std::vector<ServiceState> none; // the engine's answer lists them
  if (auto looked = look_from_engine(stack, none)) return std::move(*looked);
  return stack_services(stack, stack_replicas(stack));
}

std::vector<ServiceState> stack_services(const std::string& stack, std::vector<ServiceState> listed) {
  if (listed.empty()) return listed;
  {
    auto given = listed;
    if (auto looked = look_from_engine(stack, given)) return std::move(*looked);
  }
  auto out = std::move(listed);
  // One command per kind of fact for all the services together, not one per
  // service: a converge poll costs the same few forks whatever the stack's size.
  std::vector<std::string> names;
  for (auto& s : out)
    names.push_back(s.name);
  auto find = [&](std::string_view name) -> ServiceState* {
    for (auto& s : out)
      if (s.name == name) return &s;
    return nullptr;
  };
  std::vector<std::string> inspect{
      "service", "inspect", "--format",
      "{{.Spec.Name}}\t{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}{{end}}"};
  inspect.insert(inspect.end(), names.begin(), names.end());
  std::vector<std::string> ps{"service", "ps", "--no-trunc", "--format", "{{.Name}}\t{{.CurrentState}}\t{{.Error}}"};
  ps.insert(ps.end(), names.begin(), names.end());
  const std::vector<std::string> containers{"ps", "--filter", "label=com.docker.stack.namespace=" + stack, "--format",
                                            "{{.Label \"com.docker.swarm.service.name\"}}\t{{.Status}}"};
  // The three facts at once (docs/architecture.md, "Where an install's time goes").
  const auto facts = docker_all({inspect, ps, containers});
  // A service removed meanwhile fails its own inspection only; the others print.
  for (auto& line : lines_of(facts[0].out)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    auto* s = find(std::string_view(line).substr(0, tab));
    if (!s) continue;
    auto update = trim(line.substr(tab + 1));
    s->update_state = update.substr(0, update.find('|'));
    if (update.find('|') != std::string::npos) s->update_message = update.substr(update.find('|') + 1);
  }
  std::map<std::string, std::set<std::string>> seen;
  for (auto& t : lines_of(facts[1].out)) {
    auto tf = split(t, '\t');
    if (tf.size() < 3 || tf[2].empty()) continue;
    // A task is named <service>.<slot or node id>; docker indents a slot's
    // earlier tasks as ` \_ <name>`.
    auto task = tf[0].substr(std::min(tf[0].size(), tf[0].find_first_not_of(" \\_")));
    auto dot = task.rfind('.');
    auto* s = dot == std::string::npos ? nullptr : find(std::string_view(task).substr(0, dot));
    if (!s) continue;
    auto state = tf[1].substr(0, tf[1].find(' '));
    auto msg = fmt::format("task {}: {}: {}", tf[0], state, tf[2]);
    if (seen[s->name].insert(tf[2]).second) s->task_errors.push_back(msg);
  }
  for (auto& line : lines_of(facts[2].out)) {
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

namespace {

struct StackObject {
  std::string kind, name;
};

// stack_objects from the engine (swarm/engine.hpp): the same kinds in the
// same order, matched by the same rule; nullopt: ask the CLI.
std::optional<std::vector<StackObject>> stack_objects_from_engine(const std::string& stack) {
  std::vector<StackObject> out;
  for (const char* kind : {"service", "container", "network", "volume", "secret", "config"}) {
    auto objects = engine_objects(kind, "", /*ignore_stop=*/true);
    if (!objects) return std::nullopt;
    std::set<std::string> names;
    for (auto& o : *objects) {
      auto label = o.labels.find("com.docker.stack.namespace");
      if ((label != o.labels.end() && label->second == stack) || starts_with_stack(o.name, stack)) names.insert(o.name);
    }
    for (auto& n : names)
      out.push_back({kind, n});
  }
  return out;
}

// Everything of `stack` docker still lists: by its stack label, and by name
// (a leftover someone made by hand counts too). One command per kind, the
// label printed beside the name, rather than one listing by label and one by
// name (docs/architecture.md, "Where an install's time goes").
std::vector<StackObject> stack_objects(const std::string& stack) {
  if (auto listed = stack_objects_from_engine(stack)) return std::move(*listed);
  std::vector<StackObject> out;
  const std::string label_column = "\t{{.Label \"com.docker.stack.namespace\"}}";
  struct Kind {
    const char* kind;
    std::vector<std::string> args;
  };
  const std::vector<Kind> kinds{
      {"container", {"ps", "-a", "--format", "{{.Names}}" + label_column}},
      {"network", {"network", "ls", "--format", "{{.Name}}" + label_column}},
      {"volume", {"volume", "ls", "--format", "{{.Name}}" + label_column}},
      {"secret", {"secret", "ls", "--format", "{{.Name}}" + label_column}},
      {"config", {"config", "ls", "--format", "{{.Name}}" + label_column}},
  };
  // The seven listings at once (docs/architecture.md, "Where an install's time goes");
  // `docker service ls` prints no labels: by label, then every name.
  std::vector<std::vector<std::string>> commands{
      {"service", "ls", "--filter", "label=com.docker.stack.namespace=" + stack, "--format", "{{.Name}}"},
      {"service", "ls", "--format", "{{.Name}}"}};
  for (auto& k : kinds)
    commands.push_back(k.args);
  const auto listed = docker_all(commands, teardown_options());
  std::set<std::string> services;
  for (auto& n : lines_of(listed[0].out))
    services.insert(n);
  for (auto& n : lines_of(listed[1].out))
    if (starts_with_stack(n, stack)) services.insert(n);
  for (auto& n : services)
    out.push_back({"service", n});
  for (std::size_t k = 0; k < kinds.size(); ++k)
    for (auto& line : lines_of(listed[k + 2].out)) {
      auto tab = line.find('\t');
      auto name = line.substr(0, tab);
      auto label = tab == std::string::npos ? std::string{} : trim(line.substr(tab + 1));
      if (label == stack || starts_with_stack(name, stack)) out.push_back({kinds[k].kind, name});
    }
  return out;
}

std::vector<std::string> described(const std::vector<StackObject>& objects) {
  std::vector<std::string> out;
  for (auto& o : objects)
    out.push_back(fmt::format("{} {}", o.kind, o.name));
  return out;
}

} // namespace

std::vector<std::string> stack_leftovers(const std::string& stack) {
  if (!is_stack_name(stack)) return {}; // nothing can be its own; a blank filter would list everyone's
  return described(stack_objects(stack));
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
  auto deadline = std::chrono::steady_clock::now() + wait;
  // The stack's services, for the tasks they leave (below).
  std::set<std::string> service_ids;
  bool tasks_known = false;
  if (auto services = engine_objects("service", label.substr(std::string_view("label=").size()), true)) {
    for (auto& s : *services)
      service_ids.insert(s.id);
    tasks_known = true;
  }
  auto rm = docker({"stack", "rm", stack}, opts);
  report.notes.push_back(fmt::format("docker stack rm {}: {}", stack, rm.describe()));

  // A task its node had not started when its service went (a run stopped
  // while its stack deploys) may still get a container: the node creates
  // it, then removes it a few seconds later. Until that task has ended, a
  // listing of the stack's containers could miss the container and call
  // the teardown clean (engine only: the CLI's listings cannot see the
  // tasks of a removed service).
  // Those tasks whose container docker does not list yet.
  auto not_started = [&]() -> std::vector<std::string> {
    if (!tasks_known || service_ids.empty()) return {};
    auto tasks = engine_get("/tasks", /*ignore_stop=*/true);
    if (!tasks) return {};
    std::vector<std::string> pending;
    try {
      pending = tasks_not_started_from_engine(*tasks, service_ids);
    } catch (const InfraFailure&) {
      use_engine(false);
      return {};
    }
    if (pending.empty()) return pending;
    auto listed = engine_objects("container", label.substr(std::string_view("label=").size()), true);
    if (!listed) return {};
    std::erase_if(pending, [&](const std::string& task) {
      return std::any_of(listed->begin(), listed->end(), [&](const EngineObject& c) {
        auto id = c.labels.find("com.docker.swarm.task.id");
        return id != c.labels.end() && id->second == task;
      });
    });
    return pending;
  };
  if (auto pending = not_started(); !pending.empty()) {
    // Bounded well within the teardown's own wait: the node ends such a
    // task within a second or two of its service going.
    const auto until = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(15));
    while (!pending.empty() && !stop_escalated() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      pending = not_started();
    }
    report.notes.push_back(pending.empty()
                               ? "waited for the containers of the tasks a node had not started yet"
                               : fmt::format("{} task(s) a node had not started yet still listed", pending.size()));
  }

  auto containers = [&] {
    if (auto listed = engine_objects("container", label.substr(std::string_view("label=").size()), true)) {
      std::vector<std::string> ids;
      for (auto& c : *listed)
        ids.push_back(c.id);
      return ids;
    }
    return lines_of(docker({"ps", "-aq", "--filter", label}, opts).out);
  };
  auto ids = containers();
  if (throwaway && !ids.empty()) {
    std::vector<std::string> args{"rm", "-f"};
    args.insert(args.end(), ids.begin(), ids.end());
    docker(args, opts);
    report.notes.push_back(fmt::format("force-removed {} container(s)", ids.size()));
    ids = containers();
  }
  // Volumes cannot go while containers still hold them: wait for those
  // first — unless a second stop signal says to do only what is quick
  // (docs/architecture.md, "Stopping").
  while (!ids.empty() && !stop_escalated() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ids = containers();
  }
  if (stop_escalated() && !ids.empty())
    report.skipped.push_back("the wait for the stack's containers to stop (its objects were removed at once)");

  // `docker stack rm` removes the stack's services, networks, secrets and
  // configs itself: one listing usually finds nothing left, and is the
  // verification. What is left is removed and listed again, retried while
  // the swarm lets go of networks and volumes a little after the containers.
  for (int round = 0;; ++round) {
    auto left = stack_objects(stack);
    report.leftovers = described(left);
    if (left.empty() || std::chrono::steady_clock::now() >= deadline) break;
    if (stop_escalated()) {
      report.skipped.push_back(fmt::format("retrying the removal of what is still there ({}); `ccci gc` removes it",
                                           fmt::join(report.leftovers, ", ")));
      break;
    }
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (const char* kind : {"volume", "secret", "config", "network"})
      for (auto& o : left)
        if (o.kind == kind) {
          auto r = docker({o.kind, "rm", o.name}, opts);
          report.notes.push_back(fmt::format("{} rm {}: {}", o.kind, o.name, r.describe()));
        }
  }
  return report;
}

} // namespace ccci::host
