#include "report/site_model.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>

namespace json = boost::json;

namespace ccci::host {

std::string_view to_string(RunState s) {
  switch (s) {
  case RunState::complete: return "complete";
  case RunState::missing: return "missing";
  case RunState::malformed: return "malformed";
  }
  return "?";
}

namespace {

std::string str_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

std::vector<std::string> str_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_array())
    for (auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

std::optional<int> int_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v && v->is_int64()) return static_cast<int>(v->as_int64());
  return std::nullopt;
}

// "results.json: secret <name> (<form>)", or "not scanned, so not proven
// clean: results.json: ..." (docs/results-schema.md, leak_findings).
bool has_results_json(std::string_view finding) {
  return finding.starts_with("results.json:") || finding.find(": results.json:") != std::string_view::npos;
}

} // namespace

SweepRecord sweep_from_json(std::string_view id, std::string_view text) {
  SweepRecord s;
  s.id = id;
  json::value doc;
  boost::system::error_code ec;
  doc = json::parse(text, ec);
  if (ec) {
    s.problem = fmt::format("summary.json is not JSON ({})", ec.message());
    return s;
  }
  if (!doc.is_object()) {
    s.problem = "summary.json is not a JSON object";
    return s;
  }
  auto& o = doc.as_object();
  s.finished = str_field(o, "finished");
  s.exit_code = int_field(o, "exit_code");
  if (auto* v = o.if_contains("no_secret_leak"); v && v->is_bool()) s.no_secret_leak = v->as_bool();
  s.leak_findings = str_list(o, "leak_findings");
  auto* rows = o.if_contains("recipes");
  if (!rows || !rows->is_array()) {
    s.problem = "summary.json has no `recipes` list";
    return s;
  }
  for (auto& r : rows->as_array()) {
    if (!r.is_object() || str_field(r.as_object(), "recipe").empty()) {
      s.problem = "summary.json has a `recipes` entry without a recipe name";
      continue;
    }
    auto& ro = r.as_object();
    SweepRow row;
    row.recipe = str_field(ro, "recipe");
    row.latest = str_field(ro, "latest");
    row.decision = str_field(ro, "decision");
    row.run_id = str_field(ro, "run_id");
    row.label = str_field(ro, "label");
    row.run_exit = int_field(ro, "run_exit");
    if (auto* c = ro.if_contains("canonical"); c && c->is_object()) {
      auto v = str_field(c->as_object(), "version");
      if (!v.empty()) row.canonical_version = v;
    }
    row.notes = str_list(ro, "notes");
    s.rows.push_back(std::move(row));
  }
  return s;
}

std::string RunEntry::withheld() const {
  if (state != RunState::complete)
    return "withheld: this run has no readable results.json, so no leak scan proved its files clean";
  if (results->no_secret_leak) return "";
  if (results->leak_findings.empty())
    return "withheld: this run's leak scan did not prove its files clean (no_secret_leak is false)";
  return fmt::format("withheld: this run's leak scan found {} problem(s): {}", results->leak_findings.size(),
                     fmt::join(results->leak_findings, "; "));
}

bool RunEntry::words_withheld() const {
  return state == RunState::complete && std::any_of(results->leak_findings.begin(), results->leak_findings.end(),
                                                    [](const std::string& f) { return has_results_json(f); });
}

RunEntry run_entry(std::string id, const std::optional<std::string>& results_text, LeaseState lease) {
  RunEntry e;
  e.id = std::move(id);
  if (!results_text) {
    e.state = RunState::missing;
    switch (lease) {
    case LeaseState::held: e.problem = "no results.json yet: the run is still going (its lease is held)"; break;
    case LeaseState::free:
      e.problem = "no results.json: the run ended without writing one (it died, was killed, or its machine went "
                  "down); its ccci.log, if any, says how far it got";
      break;
    case LeaseState::unknown:
      e.problem = "no results.json and no lease: not a finished run directory (a run that died before it "
                  "started, or a directory made by hand)";
      break;
    }
    return e;
  }
  if (results_text->empty()) {
    e.state = RunState::malformed;
    e.problem = "results.json is empty";
    return e;
  }
  try {
    e.results = results_from_json(*results_text, "results.json");
    e.state = RunState::complete;
    e.recipe = e.results->recipe;
    e.when = e.results->started;
  } catch (const std::exception& ex) {
    e.state = RunState::malformed;
    e.results.reset();
    // The JSON parser's own source location helps nobody reading the page.
    e.problem = std::regex_replace(std::string(ex.what()), std::regex(R"( \[boost\.json:[^\]]*\])"), "");
  }
  return e;
}

bool safe_site_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '+' || c == '-';
  });
}

void finish_model(SiteModel& m) {
  std::sort(m.sweeps.begin(), m.sweeps.end(), [](auto& a, auto& b) { return a.id < b.id; });
  // The sweep names its runs: <run_id> for the cold run, <run_id>-promote
  // for the promotion (sweep/sweep.cpp).
  std::map<std::string, std::string> recipe_of_run;
  for (auto& s : m.sweeps)
    for (auto& r : s.rows)
      if (!r.run_id.empty()) {
        recipe_of_run[r.run_id] = r.recipe;
        recipe_of_run[r.run_id + "-promote"] = r.recipe;
      }
  for (auto& run : m.runs)
    if (run.recipe.empty())
      if (auto it = recipe_of_run.find(run.id); it != recipe_of_run.end()) run.recipe = it->second;
  std::stable_sort(m.runs.begin(), m.runs.end(),
                   [](auto& a, auto& b) { return a.when != b.when ? a.when > b.when : a.id > b.id; });
  auto known = [&](const std::string& name) {
    return std::any_of(m.recipes.begin(), m.recipes.end(), [&](auto& r) { return r.name == name; });
  };
  for (auto& run : m.runs)
    if (!run.recipe.empty() && !known(run.recipe)) {
      if (!safe_site_name(run.recipe)) {
        m.notes.push_back(fmt::format("run {} names a recipe that cannot be a page name; it is listed under its run "
                                      "only",
                                      run.id));
        continue;
      }
      m.recipes.push_back(RecipeInfo{.name = run.recipe});
    }
  // A meta that is not enrolled, with no run and no canonical, is no part of
  // what the sweep keeps: left off.
  std::erase_if(m.recipes, [&](const RecipeInfo& r) {
    return !r.enrolled && !r.canonical && r.canonical_problem.empty() && r.meta_problem.empty() &&
           std::none_of(m.runs.begin(), m.runs.end(), [&](auto& run) { return run.recipe == r.name; });
  });
  std::sort(m.recipes.begin(), m.recipes.end(),
            [](auto& a, auto& b) { return a.enrolled != b.enrolled ? a.enrolled : a.name < b.name; });
}

std::optional<RunEntry> latest_run(const SiteModel& m, std::string_view recipe) {
  const RunEntry* any = nullptr;
  for (auto& run : m.runs) {
    if (run.recipe != recipe || run.state != RunState::complete) continue;
    if (!run.results->kept_running) return run;
    if (!any) any = &run;
  }
  return any ? std::optional<RunEntry>(*any) : std::nullopt;
}

std::optional<std::pair<SweepRecord, SweepRow>> last_sweep(const SiteModel& m, std::string_view recipe) {
  for (auto it = m.sweeps.rbegin(); it != m.sweeps.rend(); ++it)
    for (auto& r : it->rows)
      if (r.recipe == recipe) return std::pair{*it, r};
  return std::nullopt;
}

} // namespace ccci::host
