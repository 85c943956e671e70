#include "swarm/engine.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "os/signals.hpp"
#include "plugin/http.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

namespace ccci::host {

namespace json = boost::json;

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

// The CLI's current context from its config.json ($DOCKER_CONFIG, else
// ~/.docker): "" when none is set or there is no file; nullopt when the file
// cannot be read as the CLI would, so nothing is assumed about it.
std::optional<std::string> config_context() {
  std::filesystem::path dir;
  if (auto d = env("DOCKER_CONFIG"); d && !d->empty())
    dir = *d;
  else if (auto h = env("HOME"); h && !h->empty())
    dir = std::filesystem::path(*h) / ".docker";
  else
    return std::string{};
  std::error_code ec;
  const auto file = dir / "config.json";
  if (!std::filesystem::exists(file, ec)) return ec ? std::nullopt : std::optional<std::string>(std::string{});
  auto text = read_file(file, ec);
  if (ec) return std::nullopt;
  boost::system::error_code jec;
  auto v = json::parse(text, jec);
  if (jec || !v.is_object()) return std::nullopt;
  const auto* c = v.as_object().if_contains("currentContext");
  if (!c) return std::string{};
  if (!c->is_string()) return std::nullopt;
  return std::string(c->as_string());
}

struct EngineState {
  std::optional<std::string> socket; ///< nullopt: the CLI
  bool on = true;
  std::string why_cli; ///< when socket is nullopt
};

EngineState& state() {
  static EngineState s = [] {
    EngineState e;
    auto flag = env("CCCI_DOCKER_API");
    if (flag && *flag == "0") {
      e.why_cli = "CCCI_DOCKER_API=0";
      return e;
    }
    // A config that cannot be read counts as a context chosen: the CLI.
    auto context = config_context();
    e.socket = context ? engine_socket_for(env("DOCKER_HOST"), env("DOCKER_CONTEXT"), context) : std::nullopt;
    if (!context)
      e.why_cli = "the docker CLI's config.json cannot be read, so its context is not known";
    else if (!e.socket)
      e.why_cli = "DOCKER_HOST or a docker context names a daemon other than a local socket";
    return e;
  }();
  return s;
}

const json::value& at(const json::value& v, std::string_view key, std::string_view what) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  if (!f) throw InfraFailure(fmt::format("the docker engine's answer about {} has no '{}'", what, key));
  return *f;
}

std::string string_at(const json::value& v, std::string_view key, std::string_view what) {
  const auto& f = at(v, key, what);
  if (!f.is_string()) throw InfraFailure(fmt::format("the docker engine's '{}' for {} is not a string", key, what));
  return std::string(f.as_string());
}

Labels labels_at(const json::value& v, std::string_view key) {
  Labels out;
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  if (!f || !f->is_object()) return out; // null: no labels
  for (auto& [k, val] : f->as_object())
    if (val.is_string()) out[std::string(k)] = std::string(val.as_string());
  return out;
}

int count_at(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  if (!f) return 0;
  if (f->is_uint64()) return static_cast<int>(f->as_uint64());
  if (f->is_int64()) return static_cast<int>(f->as_int64());
  throw InfraFailure(fmt::format("the docker engine's '{}' is not a count", key));
}

const json::array& array_of(const json::value& v, std::string_view what) {
  if (!v.is_array()) throw InfraFailure(fmt::format("the docker engine's answer about {} is not a list", what));
  return v.as_array();
}

} // namespace

std::optional<std::string> engine_socket_for(const std::optional<std::string>& docker_host,
                                             const std::optional<std::string>& docker_context,
                                             const std::optional<std::string>& config_context) {
  // As the CLI picks: DOCKER_CONTEXT, then DOCKER_HOST (the default
  // context's daemon), then the config's current context.
  auto chosen = [](const std::optional<std::string>& c) { return c && !c->empty() && *c != "default"; };
  if (chosen(docker_context)) return std::nullopt;
  if (docker_host && !docker_host->empty()) {
    constexpr std::string_view unix_scheme = "unix://";
    if (docker_host->rfind(unix_scheme, 0) != 0) return std::nullopt;
    auto path = docker_host->substr(unix_scheme.size());
    if (path.empty() || path.front() != '/') return std::nullopt;
    return path;
  }
  if (!(docker_context && !docker_context->empty()) && chosen(config_context)) return std::nullopt;
  return std::string("/var/run/docker.sock");
}

void use_engine(bool on) { state().on = on; }

std::string engine_reads() {
  auto& s = state();
  if (!s.socket) return fmt::format("the docker CLI ({})", s.why_cli);
  if (!s.on || !engine_get("/version"))
    return fmt::format("the docker CLI (the Engine API on {} did not answer as asked)", *s.socket);
  return fmt::format("the Engine API on {} (CCCI_DOCKER_API=0: the CLI)", *s.socket);
}

std::optional<json::value> engine_get(const std::string& target, bool ignore_stop) {
  auto& s = state();
  if (!s.on || !s.socket) return std::nullopt;
  HttpRequest request;
  request.url = "http://docker" + target;
  request.unix_socket = *s.socket;
  request.timeout = std::chrono::seconds(60);
  request.ignore_stop = ignore_stop;
  try {
    auto r = http_send(request);
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (r.status == 200 && !ec) return v;
    if (r.status == 404) return json::value(nullptr); // an answer: no such object
  } catch (const std::exception&) {
    // Cut short by a stop request: the engine is fine, the caller's read is
    // what stops (through the CLI, as it always did).
    if (stop_requested && !ignore_stop) return std::nullopt;
  }
  // Not answered as asked (no daemon there, no permission, an API without
  // it): the CLI from here on.
  s.on = false;
  return std::nullopt;
}

std::string engine_filters(const std::string& key, const std::vector<std::string>& values) {
  json::array list;
  for (auto& v : values)
    list.emplace_back(v);
  return engine_path_segment(json::serialize(json::object{{key, std::move(list)}}));
}

std::vector<ServiceState> replicas_from_engine(const json::value& services) {
  std::vector<ServiceState> out;
  for (auto& s : array_of(services, "services")) {
    ServiceState st;
    st.name = string_at(at(s, "Spec", "a service"), "Name", "a service");
    // Without a status the CLI prints 0/0 too.
    const auto* o = s.if_object();
    if (const auto* status = o ? o->if_contains("ServiceStatus") : nullptr; status && status->is_object()) {
      st.running = count_at(*status, "RunningTasks");
      st.desired = count_at(*status, "DesiredTasks");
    }
    out.push_back(std::move(st));
  }
  return out;
}

std::vector<ServiceState> services_from_engine(const json::value& services, const json::value& tasks,
                                               const json::value& containers, std::vector<ServiceState> listed) {
  auto out = listed.empty() ? replicas_from_engine(services) : std::move(listed);
  auto find = [&](std::string_view name) -> ServiceState* {
    for (auto& s : out)
      if (s.name == name) return &s;
    return nullptr;
  };
  std::map<std::string, std::string> name_of_id;
  for (auto& sv : array_of(services, "services")) {
    auto name = string_at(at(sv, "Spec", "a service"), "Name", "a service");
    name_of_id[string_at(sv, "ID", "a service")] = name;
    auto* s = find(name);
    const auto* o = sv.if_object();
    const auto* update = o ? o->if_contains("UpdateStatus") : nullptr;
    if (!s || !update || !update->is_object()) continue;
    const auto* u = update->if_object();
    if (const auto* st = u->if_contains("State"); st && st->is_string()) s->update_state = std::string(st->as_string());
    if (const auto* m = u->if_contains("Message"); m && m->is_string()) s->update_message = std::string(m->as_string());
  }
  std::map<std::string, std::set<std::string>> seen;
  for (auto& t : array_of(tasks, "tasks")) {
    const auto& status = at(t, "Status", "a task");
    const auto* so = status.if_object();
    const auto* err = so ? so->if_contains("Err") : nullptr;
    if (!err || !err->is_string() || err->as_string().empty()) continue;
    auto service = name_of_id.find(string_at(t, "ServiceID", "a task"));
    if (service == name_of_id.end()) continue;
    auto* s = find(service->second);
    if (!s) continue;
    // Named as `docker service ps` names it: <service>.<slot>, or
    // <service>.<node id> for a global service's task; its state capitalised.
    const auto* to = t.if_object();
    const auto* slot = to->if_contains("Slot");
    std::string task = service->second + ".";
    if (slot && (slot->is_uint64() || slot->is_int64()) && count_at(t, "Slot") > 0)
      task += std::to_string(count_at(t, "Slot"));
    else if (const auto* node = to->if_contains("NodeID"); node && node->is_string())
      task += std::string(node->as_string());
    auto state = string_at(status, "State", "a task");
    if (!state.empty()) state[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(state[0])));
    // Quoted, as the CLI prints a task's error.
    const auto e = fmt::format("\"{}\"", std::string_view(err->as_string()));
    if (seen[s->name].insert(e).second) s->task_errors.push_back(fmt::format("task {}: {}: {}", task, state, e));
  }
  for (auto& c : array_of(containers, "containers")) {
    auto labels = labels_at(c, "Labels");
    auto service = labels.find("com.docker.swarm.service.name");
    ServiceState* s = service == labels.end() ? nullptr : find(service->second);
    if (!s) continue;
    const auto* co = c.if_object();
    const auto* st = co->if_contains("Status");
    if (!st || !st->is_string()) continue;
    std::string_view text = st->as_string();
    if (text.find("(healthy)") != std::string_view::npos)
      ++s->healthy;
    else if (text.find("(unhealthy)") != std::string_view::npos)
      ++s->unhealthy;
    else if (text.find("health: starting") != std::string_view::npos)
      ++s->starting;
  }
  return out;
}

std::vector<std::string> tasks_not_started_from_engine(const json::value& tasks,
                                                       const std::set<std::string>& services) {
  // Given to a node and not yet running: the node may be creating its
  // container. Before that (new, allocated, pending) no node has it.
  static const std::set<std::string> before_running{"assigned", "accepted", "preparing", "ready", "starting"};
  std::vector<std::string> out;
  for (auto& task : array_of(tasks, "tasks")) {
    if (!services.count(string_at(task, "ServiceID", "a task"))) continue;
    if (before_running.count(string_at(at(task, "Status", "a task"), "State", "a task's status")))
      out.push_back(string_at(task, "ID", "a task"));
  }
  return out;
}

std::vector<EngineObject> objects_from_engine(const std::string& kind, const json::value& listing) {
  static const std::set<std::string> kinds{"service", "container", "network", "volume", "secret", "config"};
  if (!kinds.count(kind)) throw InfraFailure(fmt::format("no docker engine listing of '{}'s", kind));
  std::vector<EngineObject> out;
  const json::value* items = &listing;
  if (kind == "volume") items = &at(listing, "Volumes", "volumes");
  if (kind == "volume" && items->is_null()) return out; // no volumes at all
  for (auto& item : array_of(*items, kind + "s")) {
    EngineObject o;
    if (kind == "service" || kind == "secret" || kind == "config") {
      const auto& spec = at(item, "Spec", "a " + kind);
      o.id = string_at(item, "ID", "a " + kind);
      o.name = string_at(spec, "Name", "a " + kind);
      o.labels = labels_at(spec, "Labels");
    } else if (kind == "container") {
      o.id = string_at(item, "Id", "a container");
      const auto& names = array_of(at(item, "Names", "a container"), "a container's names");
      if (!names.empty() && names.front().is_string()) o.name = std::string(names.front().as_string());
      if (!o.name.empty() && o.name.front() == '/') o.name.erase(0, 1);
      o.labels = labels_at(item, "Labels");
    } else if (kind == "network") {
      o.id = string_at(item, "Id", "a network");
      o.name = string_at(item, "Name", "a network");
      o.labels = labels_at(item, "Labels");
    } else { // a volume
      o.name = string_at(item, "Name", "a volume");
      o.id = o.name;
      o.labels = labels_at(item, "Labels");
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string manager_state_from_engine(const json::value& info) {
  const auto& swarm = at(info, "Swarm", "this node");
  const auto& control = at(swarm, "ControlAvailable", "this node's swarm");
  if (!control.is_bool()) throw InfraFailure("the docker engine's 'ControlAvailable' is not true or false");
  return fmt::format("{} {}", string_at(swarm, "LocalNodeState", "this node's swarm"), control.as_bool());
}

std::optional<NetworkFacts> engine_network(const std::string& name) {
  auto answer = engine_get("/networks/" + engine_path_segment(name));
  if (!answer) return std::nullopt;
  NetworkFacts f;
  if (answer->is_null()) return f;
  try {
    f.exists = true;
    f.driver = string_at(*answer, "Driver", "network " + name);
    const auto& attachable = at(*answer, "Attachable", "network " + name);
    f.attachable = attachable.is_bool() && attachable.as_bool();
  } catch (const InfraFailure&) {
    use_engine(false);
    return std::nullopt;
  }
  return f;
}

std::string engine_path_segment(const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), curl_free);
  if (!escaped) throw InfraFailure("libcurl could not percent-encode a docker engine path");
  return escaped.get();
}

std::optional<std::vector<EngineObject>> engine_objects(const std::string& kind, const std::string& label,
                                                        bool ignore_stop) {
  std::string target = kind == "service"     ? "/services"
                       : kind == "container" ? "/containers/json?all=1"
                       : kind == "network"   ? "/networks"
                       : kind == "volume"    ? "/volumes"
                       : kind == "secret"    ? "/secrets"
                       : kind == "config"    ? "/configs"
                                             : "";
  if (target.empty()) throw InfraFailure(fmt::format("no docker engine listing of '{}'s", kind));
  if (!label.empty())
    target += fmt::format("{}filters={}", kind == "container" ? '&' : '?', engine_filters("label", {label}));
  auto answer = engine_get(target, ignore_stop);
  if (!answer) return std::nullopt;
  try {
    return objects_from_engine(kind, *answer);
  } catch (const InfraFailure&) {
    use_engine(false); // an answer of another shape: the CLI from here on
    return std::nullopt;
  }
}

} // namespace ccci::host
