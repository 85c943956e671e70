#include "model/results.hpp"

#include "model/errors.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace json = boost::json;

namespace ccci::host {

std::string_view to_string(Status s) {
  switch (s) {
  case Status::pass: return "pass";
  case Status::fail: return "fail";
  case Status::skip: return "skip";
  case Status::na: return "na";
  case Status::unver: return "unver";
  case Status::warn: return "warn";
  }
  return "?";
}

std::optional<Status> status_from_string(std::string_view s) {
  for (Status st : {Status::pass, Status::fail, Status::skip, Status::na, Status::unver, Status::warn})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

TierResult& RunResults::tier(Tier t) {
  for (auto& r : tiers)
    if (r.tier == t) return r;
  tiers.emplace_back().tier = t;
  return tiers.back();
}

const TierResult& RunResults::tier(Tier t) const { return const_cast<RunResults*>(this)->tier(t); }

RunResults empty_results() {
  RunResults r;
  for (Tier t : all_tiers) {
    auto& tr = r.tiers.emplace_back();
    tr.tier = t;
    tr.status = Status::na;
    tr.reason = "not attempted";
  }
  return r;
}

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v)
    a.emplace_back(s);
  return a;
}

json::value tier_json(const TierResult& t) {
  json::array checks;
  for (auto& c : t.checks)
    checks.push_back(json::object{
        {"name", c.name}, {"status", to_string(c.status)}, {"message", c.message}, {"duration", c.duration}});
  return json::object{{"status", to_string(t.status)},
                      {"reason", t.reason},
                      {"declared_skip", t.declared_skip},
                      {"duration", t.duration},
                      {"checks", std::move(checks)}};
}

// Reading side: every field is looked up with a clear error on absence.
struct Reader {
  std::string_view origin;
  [[noreturn]] void bad(std::string_view what) const {
    throw InputError(fmt::format("{}: not a ccci results.json: {}", origin, what));
  }
  const json::value& at(const json::object& o, std::string_view key) const {
    auto it = o.find(key);
    if (it == o.end()) bad(fmt::format("missing field '{}'", key));
    return it->value();
  }
  std::string str(const json::object& o, std::string_view key) const {
    auto& v = at(o, key);
    if (!v.is_string()) bad(fmt::format("field '{}' is not a string", key));
    return std::string(v.get_string());
  }
  bool boolean(const json::object& o, std::string_view key) const {
    auto& v = at(o, key);
    if (!v.is_bool()) bad(fmt::format("field '{}' is not a boolean", key));
    return v.get_bool();
  }
  double number(const json::object& o, std::string_view key) const {
    auto& v = at(o, key);
    if (!v.is_number()) bad(fmt::format("field '{}' is not a number", key));
    return v.to_number<double>();
  }
  const json::object& obj(const json::value& v, std::string_view what) const {
    if (!v.is_object()) bad(fmt::format("'{}' is not an object", what));
    return v.get_object();
  }
  const json::array& arr(const json::object& o, std::string_view key) const {
    auto& v = at(o, key);
    if (!v.is_array()) bad(fmt::format("field '{}' is not an array", key));
    return v.get_array();
  }
  Status status(const json::object& o) const {
    auto s = status_from_string(str(o, "status"));
    if (!s) bad(fmt::format("unknown status '{}'", str(o, "status")));
    return *s;
  }
};

} // namespace

std::string to_json(const RunResults& r) {
  json::object tiers;
  for (auto& t : r.tiers)
    tiers[ccci::to_string(t.tier)] = tier_json(t);
  json::array env;
  for (auto& tool : r.environment)
    env.push_back(json::object{{"name", tool.name}, {"path", tool.path}, {"version", tool.version}});
  json::value plugin = nullptr;
  if (r.plugin)
    plugin = json::object{{"path", r.plugin->path},
                          {"recipe", r.plugin->recipe},
                          {"abi", r.plugin->abi},
                          {"checks", strings(r.plugin->checks)}};
  json::object level{{"level", r.level.level}, {"rung", r.level.rung}, {"reason", r.level.reason}};
  json::object doc{
      {"schema", r.schema},
      {"ccci_version", r.ccci_version},
      {"recipe", r.recipe},
      {"version", r.version},
      {"ref", r.ref},
      {"commit", r.commit},
      {"run_id", r.run_id},
      {"stack", r.stack},
      {"domain", r.domain},
      {"started", r.started},
      {"finished", r.finished},
      {"tiers", std::move(tiers)},
      {"level", r.level.level},
      {"level_cap", json::object{{"rung", r.level.rung}, {"reason", r.level.reason}}},
      {"flags", json::object{{"clean_teardown", r.clean_teardown}, {"no_secret_leak", r.no_secret_leak}}},
      {"leak_findings", strings(r.leak_findings)},
      {"kept_running", r.kept_running},
      {"teardown_leftovers", strings(r.teardown_leftovers)},
      {"environment", std::move(env)},
      {"plugin", std::move(plugin)},
      {"evidence", strings(r.evidence)},
      {"chains", json::object{{"mode", r.chains.parallel ? "parallel" : "sequential"},
                              {"why", r.chains.why},
                              {"upgrade_stack", r.chains.upgrade_stack}}},
      {"exit_code", r.exit_code},
  };
  return json::serialize(doc) + "\n";
}

RunResults results_from_json(std::string_view text, std::string_view origin) {
  Reader rd{origin};
  // A check's message is whatever a plugin or an app said, and the writer
  // passes its bytes through as they are: a file that holds bytes that are
  // not UTF-8 is still this run's results, and reads back byte for byte
  // (the JUnit and HTML reports replace such bytes as they write markup).
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, options);
  // The code's message alone ("incomplete JSON"): what() would add the
  // library's own source location, which tells the reader nothing.
  if (ec) rd.bad(fmt::format("not valid JSON: {}", ec.message()));
  auto& o = rd.obj(doc, "document");
  RunResults r;
  r.schema = static_cast<int>(rd.number(o, "schema"));
  if (r.schema != 1) rd.bad(fmt::format("schema {} is not supported (this ccci reads 1)", r.schema));
  r.ccci_version = rd.str(o, "ccci_version");
  r.recipe = rd.str(o, "recipe");
  r.version = rd.str(o, "version");
  r.ref = rd.str(o, "ref");
  r.commit = rd.str(o, "commit");
  r.run_id = rd.str(o, "run_id");
  r.stack = rd.str(o, "stack");
  r.domain = rd.str(o, "domain");
  r.started = rd.str(o, "started");
  r.finished = rd.str(o, "finished");
  auto& tiers = rd.obj(rd.at(o, "tiers"), "tiers");
  for (Tier t : all_tiers) {
    auto& to = rd.obj(rd.at(tiers, ccci::to_string(t)), ccci::to_string(t));
    TierResult tr;
    tr.tier = t;
    tr.status = rd.status(to);
    if (tr.status == Status::warn)
      rd.bad(fmt::format("tier {} has status 'warn', which only a check can have (a tier with warnings passes)",
                         ccci::to_string(t)));
    tr.reason = rd.str(to, "reason");
    tr.declared_skip = rd.boolean(to, "declared_skip");
    tr.duration = rd.number(to, "duration");
    for (auto& cv : rd.arr(to, "checks")) {
      auto& co = rd.obj(cv, "check");
      tr.checks.push_back({rd.str(co, "name"), rd.status(co), rd.str(co, "message"), rd.number(co, "duration")});
    }
    r.tiers.push_back(std::move(tr));
  }
  r.level.level = static_cast<int>(rd.number(o, "level"));
  auto& cap = rd.obj(rd.at(o, "level_cap"), "level_cap");
  r.level.rung = rd.str(cap, "rung");
  r.level.reason = rd.str(cap, "reason");
  auto& flags = rd.obj(rd.at(o, "flags"), "flags");
  r.clean_teardown = rd.boolean(flags, "clean_teardown");
  r.no_secret_leak = rd.boolean(flags, "no_secret_leak");
  // Newer than schema 1's first readers: absent means none recorded.
  if (o.contains("leak_findings"))
    for (auto& v : rd.arr(o, "leak_findings"))
      r.leak_findings.emplace_back(v.as_string());
  r.kept_running = rd.boolean(o, "kept_running");
  for (auto& v : rd.arr(o, "teardown_leftovers"))
    r.teardown_leftovers.emplace_back(v.as_string());
  for (auto& v : rd.arr(o, "environment")) {
    auto& e = rd.obj(v, "environment entry");
    r.environment.push_back({rd.str(e, "name"), rd.str(e, "path"), rd.str(e, "version")});
  }
  auto& pv = rd.at(o, "plugin");
  if (!pv.is_null()) {
    auto& p = rd.obj(pv, "plugin");
    PluginInfo info{rd.str(p, "path"), rd.str(p, "recipe"), static_cast<int>(rd.number(p, "abi")), {}};
    for (auto& c : rd.arr(p, "checks"))
      info.checks.emplace_back(c.as_string());
    r.plugin = std::move(info);
  }
  for (auto& v : rd.arr(o, "evidence"))
    r.evidence.emplace_back(v.as_string());
  // Newer than schema 1's first readers: absent means one stack.
  if (o.contains("chains")) {
    auto& c = rd.obj(rd.at(o, "chains"), "chains");
    r.chains.parallel = rd.str(c, "mode") == "parallel";
    r.chains.why = rd.str(c, "why");
    r.chains.upgrade_stack = rd.str(c, "upgrade_stack");
  }
  r.exit_code = static_cast<int>(rd.number(o, "exit_code"));
  return r;
}

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace ccci::host
