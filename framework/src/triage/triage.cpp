#include "triage/triage.hpp"

#include "report/table.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

std::string_view to_string(TriageClass c) {
  switch (c) {
  case TriageClass::genuine: return "genuine";
  case TriageClass::flake: return "flake";
  case TriageClass::load_sensitive: return "load-sensitive";
  case TriageClass::harness: return "harness";
  case TriageClass::not_reproduced: return "not-reproduced";
  }
  return "?";
}

RunSignature signature_of(const TriageRun& run) {
  RunSignature s;
  if (!run.results) {
    s.label = fmt::format("harness: exit {} ({})", run.exit_code, run.error.empty() ? "no results.json" : run.error);
    return s;
  }
  const auto& r = *run.results;
  for (Tier t : all_tiers) {
    const auto& tr = r.tier(t);
    if (tr.status == Status::unver) {
      s.label = fmt::format("harness: exit {} (unverified: {}: {})", r.exit_code, ccci::to_string(t), tr.reason);
      return s;
    }
  }
  if (run.exit_code == 2 || run.exit_code == 3 || r.exit_code == 3) {
    s.label = fmt::format("harness: exit {} ({})", run.exit_code,
                          r.clean_teardown ? "ccci reported no verdict" : "teardown not clean");
    return s;
  }
  for (Tier t : all_tiers) {
    const auto& tr = r.tier(t);
    if (tr.status != Status::fail) continue;
    s.kind = RunSignature::Kind::red;
    s.tier = std::string(ccci::to_string(t));
    for (const auto& c : tr.checks)
      if (c.status == Status::fail) s.failing_checks.push_back(c.name);
    std::sort(s.failing_checks.begin(), s.failing_checks.end());
    s.label = fmt::format("red: {} [{}]", s.tier, fmt::join(s.failing_checks, ", "));
    return s;
  }
  if (run.exit_code != 0) { // red with no failed tier: a secret leaked
    s.kind = RunSignature::Kind::red;
    s.tier = "flags";
    s.label = fmt::format("red: exit {} ({})", run.exit_code, r.no_secret_leak ? "no tier failed" : "secret leaked");
    return s;
  }
  s.kind = RunSignature::Kind::green;
  s.label = "green";
  return s;
}

namespace {

struct Tally {
  int green = 0, red = 0, harness = 0;
  std::map<std::string, int> labels; ///< signature label → count
};

Tally tally(const std::vector<TriageRun>& runs) {
  Tally t;
  for (const auto& r : runs) {
    auto s = signature_of(r);
    (s.kind == RunSignature::Kind::green ? t.green : s.kind == RunSignature::Kind::red ? t.red : t.harness)++;
    t.labels[s.label]++;
  }
  return t;
}

std::string describe(const Tally& t) {
  std::vector<std::string> parts;
  for (const auto& [label, n] : t.labels)
    parts.push_back(fmt::format("{}× {}", n, label));
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, "; "));
}

void add_evidence(std::vector<std::string>& out, const TriageRun& run) {
  if (run.run_dir.empty()) return;
  fs::path dir = run.run_dir;
  out.push_back((dir / "results.json").string());
  if (run.results)
    for (const auto& e : run.results->evidence)
      out.push_back((dir / e).string());
  else
    out.push_back((dir / "ccci.log").string());
}

} // namespace

TriageReport classify_triage(const std::vector<TriageRun>& isolation, const std::vector<TriageRun>& load) {
  TriageReport rep;
  auto iso = tally(isolation);
  auto ld = tally(load);
  rep.isolation_green = iso.green, rep.isolation_red = iso.red, rep.isolation_harness = iso.harness;
  rep.load_green = ld.green, rep.load_red = ld.red, rep.load_harness = ld.harness;
  auto alone = fmt::format("alone: {}", describe(iso));
  auto loaded = load.empty() ? std::string("no runs under load") : fmt::format("under load: {}", describe(ld));

  auto evidence_where = [&](const std::vector<TriageRun>& runs, auto pred) {
    for (const auto& r : runs)
      if (pred(signature_of(r))) add_evidence(rep.evidence, r);
  };

  if (isolation.empty()) {
    rep.cls = TriageClass::harness;
    rep.summary = "no isolated run was made: nothing to classify";
    return rep;
  }
  if (iso.harness > 0) {
    rep.cls = TriageClass::harness;
    rep.summary = fmt::format("HARNESS: {} of {} isolated run(s) got no verdict from ccci (unverified, exit 2/3, or no "
                              "results): fix ccci or the machine before judging the recipe. {}; {}.",
                              iso.harness, isolation.size(), alone, loaded);
    evidence_where(isolation, [](const RunSignature& s) { return s.kind == RunSignature::Kind::harness; });
    return rep;
  }
  if (iso.labels.size() > 1) {
    rep.cls = TriageClass::flake;
    rep.summary = fmt::format("FLAKE: the isolated runs disagree ({} green, {} red): the same recipe at the same ref "
                              "gives different verdicts with nothing else running. {}; {}.",
                              iso.green, iso.red, alone, loaded);
    evidence_where(isolation, [](const RunSignature& s) { return s.kind == RunSignature::Kind::red; });
    return rep;
  }
  if (iso.red > 0) { // one label, and it is red
    rep.cls = TriageClass::genuine;
    rep.summary = fmt::format("GENUINE: red every time alone, at the same tier with the same failing check(s): {}. {}; "
                              "{}. Fix the recipe (or the check); the evidence says where.",
                              iso.labels.begin()->first, alone, loaded);
    evidence_where(isolation, [](const RunSignature&) { return true; });
    return rep;
  }
  // Green every time alone.
  if (ld.red > 0) {
    rep.cls = TriageClass::load_sensitive;
    rep.summary = fmt::format("LOAD-SENSITIVE: green every time alone, red under load ({} of {}). {}; {}. Look for "
                              "timeouts and readiness limits before touching the checks.",
                              ld.red, load.size(), alone, loaded);
    evidence_where(load, [](const RunSignature& s) { return s.kind == RunSignature::Kind::red; });
    return rep;
  }
  if (ld.harness > 0) {
    rep.cls = TriageClass::harness;
    rep.summary = fmt::format("HARNESS: green every time alone; under load only ccci failed to reach a verdict ({} of "
                              "{}). {}; {}.",
                              ld.harness, load.size(), alone, loaded);
    evidence_where(load, [](const RunSignature& s) { return s.kind == RunSignature::Kind::harness; });
    return rep;
  }
  rep.cls = TriageClass::not_reproduced;
  rep.summary = fmt::format("NOT REPRODUCED: green every time ({}; {}). Nothing failed here: the red being triaged "
                            "needs something this machine does not have.",
                            alone, loaded);
  return rep;
}

namespace {

json::array runs_json(const std::vector<TriageRun>& runs) {
  json::array out;
  for (const auto& r : runs) {
    auto s = signature_of(r);
    json::array failing;
    for (const auto& c : s.failing_checks)
      failing.emplace_back(c);
    out.push_back(json::object{{"run_id", r.run_id},
                               {"run_dir", r.run_dir},
                               {"round", r.round},
                               {"under_load", r.under_load},
                               {"background", r.background},
                               {"exit_code", r.exit_code},
                               {"duration", r.seconds},
                               {"outcome", s.kind == RunSignature::Kind::green ? "green"
                                           : s.kind == RunSignature::Kind::red ? "red"
                                                                               : "harness"},
                               {"signature", s.label},
                               {"failing_checks", failing},
                               {"domain", r.results ? r.results->domain : ""}});
  }
  return out;
}

} // namespace

std::string triage_report_json(const TriageReport& report, const std::vector<TriageRun>& isolation,
                               const std::vector<TriageRun>& load, std::string_view recipe, int repeat, int load_k) {
  json::array evidence;
  for (const auto& e : report.evidence)
    evidence.emplace_back(e);
  json::object doc{{"schema", 1},
                   {"recipe", recipe},
                   {"repeat", repeat},
                   {"load", load_k},
                   {"classification", to_string(report.cls)},
                   {"summary", report.summary},
                   {"counts", json::object{{"isolation", json::object{{"green", report.isolation_green},
                                                                      {"red", report.isolation_red},
                                                                      {"harness", report.isolation_harness}}},
                                           {"load", json::object{{"green", report.load_green},
                                                                 {"red", report.load_red},
                                                                 {"harness", report.load_harness}}}}},
                   {"evidence", evidence},
                   {"isolation", runs_json(isolation)},
                   {"under_load", runs_json(load)}};
  return json::serialize(doc) + "\n";
}

std::string triage_report_text(const TriageReport& report, const std::vector<TriageRun>& isolation,
                               const std::vector<TriageRun>& load, std::string_view recipe, int repeat, int load_k) {
  std::string out = fmt::format("ccci triage: {} — {} run(s) alone, {} round(s) with {} other run(s) beside it\n",
                                recipe, repeat, load_k > 0 ? repeat : 0, load_k);
  auto section = [&](const char* title, const std::vector<TriageRun>& runs) {
    out += fmt::format("\n{}:\n", title);
    if (runs.empty()) out += "  (none)\n";
    // The headers are not printed; fixed minimum widths keep both sections
    // aligned with each other.
    TextTable table({{"kind", 5},
                     {"round", 2, Align::right},
                     {"beside", 8},
                     {"run id", 48},
                     {"time", 7, Align::right},
                     {.header = "signature", .gap_before = "  "}},
                    {.indent = "  ", .gap = " ", .header = false});
    for (const auto& r : runs)
      table.add_row({r.under_load ? "round" : "run", std::to_string(r.round), r.background ? "(beside)" : "", r.run_id,
                     fmt::format("{:.1f}s", r.seconds), signature_of(r).label});
    out += table.render();
  };
  section("alone", isolation);
  section("under load", load);
  out +=
      fmt::format("\nclassification: {}\ncounts: alone {} green / {} red / {} harness; under load {} green / {} red / "
                  "{} harness\n{}\n",
                  to_string(report.cls), report.isolation_green, report.isolation_red, report.isolation_harness,
                  report.load_green, report.load_red, report.load_harness, report.summary);
  if (!report.evidence.empty()) {
    out += "evidence:\n";
    for (const auto& e : report.evidence)
      out += fmt::format("  {}\n", e);
  }
  return out;
}

} // namespace ccci::host
