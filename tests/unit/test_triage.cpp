// The triage classifier, fed forged runs.
#define BOOST_TEST_MODULE triage
#include <boost/test/unit_test.hpp>

#include "triage/triage.hpp"

#include <boost/json.hpp>

using namespace ccci::host;
using ccci::Tier;

namespace {

int counter = 0;

// A run: "green", "red:install:install/converged", "unver:install", "crash"
// (no results.json, exit -1) or "bad-input" (exit 2, no results).
TriageRun run(std::string_view what, bool loaded = false) {
  TriageRun r;
  r.run_id = "run-" + std::to_string(++counter);
  r.run_dir = "/runs/" + r.run_id;
  r.under_load = loaded;
  if (what == "crash" || what == "bad-input") {
    r.exit_code = what == "crash" ? -1 : 2;
    r.error = "no results.json";
    return r;
  }
  RunResults res = empty_results();
  res.clean_teardown = res.no_secret_leak = true;
  for (Tier t : all_tiers) {
    res.tier(t).status = Status::pass;
    res.tier(t).checks.push_back({std::string(ccci::to_string(t)) + "/ok", Status::pass, "", 0});
  }
  res.exit_code = 0;
  if (what.starts_with("red:")) {
    auto rest = what.substr(4);
    auto colon = rest.find(':');
    auto tier = *tier_from_string(rest.substr(0, colon));
    auto& tr = res.tier(tier);
    tr.status = Status::fail;
    tr.checks.push_back({std::string(rest.substr(colon + 1)), Status::fail, "broke", 0});
    res.evidence = {"evidence/tasks.txt"};
    res.exit_code = 1;
  } else if (what.starts_with("unver:")) {
    res.tier(*tier_from_string(what.substr(6))).status = Status::unver;
    res.exit_code = 3;
  }
  r.exit_code = res.exit_code;
  r.results = res;
  return r;
}

std::vector<TriageRun> runs(std::initializer_list<std::string_view> whats, bool loaded = false) {
  std::vector<TriageRun> out;
  for (auto w : whats)
    out.push_back(run(w, loaded));
  return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) {
  for (auto& x : v)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(same_red_every_time_is_genuine_with_evidence) {
  auto iso = runs({"red:install:install/converged", "red:install:install/converged", "red:install:install/converged"});
  auto load = runs({"red:install:install/converged", "red:install:install/converged"}, true);
  auto rep = classify_triage(iso, load);
  BOOST_TEST((rep.cls == TriageClass::genuine));
  BOOST_TEST(rep.isolation_red == 3);
  BOOST_TEST(rep.summary.find("red: install [install/converged]") != std::string::npos, rep.summary);
  BOOST_TEST(has(rep.evidence, "/results.json"));
  BOOST_TEST(has(rep.evidence, "evidence/tasks.txt"));
}

BOOST_AUTO_TEST_CASE(green_and_red_alone_is_a_flake) {
  auto rep =
      classify_triage(runs({"green", "red:install:install/serving", "green", "red:install:install/serving"}), {});
  BOOST_TEST((rep.cls == TriageClass::flake));
  BOOST_TEST(rep.isolation_green == 2);
  BOOST_TEST(rep.isolation_red == 2);
  BOOST_TEST(to_string(rep.cls) == "flake");
}

BOOST_AUTO_TEST_CASE(red_at_different_tiers_or_checks_alone_is_a_flake_not_genuine) {
  BOOST_TEST(
      (classify_triage(runs({"red:install:install/serving", "red:custom:custom/x"}), {}).cls == TriageClass::flake));
  BOOST_TEST((classify_triage(runs({"red:install:install/serving", "red:install:install/converged"}), {}).cls ==
              TriageClass::flake));
}

BOOST_AUTO_TEST_CASE(green_alone_red_under_load_is_load_sensitive) {
  auto rep = classify_triage(runs({"green", "green", "green"}),
                             runs({"green", "red:install:install/converged", "green"}, true));
  BOOST_TEST((rep.cls == TriageClass::load_sensitive));
  BOOST_TEST(rep.load_red == 1);
  BOOST_TEST(to_string(rep.cls) == "load-sensitive");
}

BOOST_AUTO_TEST_CASE(unverified_or_ccci_errors_are_harness) {
  BOOST_TEST((classify_triage(runs({"red:install:a", "unver:install"}), {}).cls == TriageClass::harness));
  BOOST_TEST((classify_triage(runs({"green", "crash"}), {}).cls == TriageClass::harness));
  BOOST_TEST((classify_triage(runs({"bad-input"}), {}).cls == TriageClass::harness));
  // Green alone, only ccci trouble under load: harness, not load-sensitive.
  BOOST_TEST(
      (classify_triage(runs({"green", "green"}), runs({"green", "unver:upgrade"}, true)).cls == TriageClass::harness));
}

BOOST_AUTO_TEST_CASE(harness_trumps_everything_seen_alone) {
  auto rep = classify_triage(runs({"green", "red:install:a", "crash"}), {});
  BOOST_TEST((rep.cls == TriageClass::harness));
  BOOST_TEST(rep.isolation_harness == 1);
}

BOOST_AUTO_TEST_CASE(green_every_time_is_not_reproduced) {
  auto rep = classify_triage(runs({"green", "green"}), runs({"green", "green"}, true));
  BOOST_TEST((rep.cls == TriageClass::not_reproduced));
  BOOST_TEST(rep.evidence.empty());
  BOOST_TEST((classify_triage(runs({"green"}), {}).cls == TriageClass::not_reproduced));
}

BOOST_AUTO_TEST_CASE(signatures_name_tier_and_checks) {
  auto s = signature_of(run("red:backup:backup/pre-hook:db"));
  BOOST_TEST((s.kind == RunSignature::Kind::red));
  BOOST_TEST(s.label == "red: backup [backup/pre-hook:db]");
  BOOST_TEST(signature_of(run("green")).label == "green");
  BOOST_TEST(signature_of(run("unver:restore")).label.starts_with("harness:"));
}

BOOST_AUTO_TEST_CASE(reports_carry_counts_runs_and_classification) {
  auto iso = runs({"green", "red:install:install/serving"});
  auto rep = classify_triage(iso, {});
  auto doc = boost::json::parse(triage_report_json(rep, iso, {}, "custom-html-tiny", 2, 0)).as_object();
  BOOST_TEST(doc.at("classification").as_string() == "flake");
  BOOST_TEST(doc.at("isolation").as_array().size() == 2u);
  BOOST_TEST(doc.at("counts").as_object().at("isolation").as_object().at("red").as_int64() == 1);
  auto text = triage_report_text(rep, iso, {}, "custom-html-tiny", 2, 0);
  BOOST_TEST(text.find("classification: flake") != std::string::npos, text);
  BOOST_TEST(text.find("red: install [install/serving]") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(the_runs_table_lines_up_alone_and_under_load) {
  auto alone = run("green");
  alone.run_id = "20260101-000000-site-1";
  alone.round = 1;
  alone.seconds = 12.34;
  auto loaded = run("green", true);
  loaded.run_id = "20260101-000000-site-2";
  loaded.round = 1;
  loaded.seconds = 123.4;
  auto beside = run("green", true);
  beside.run_id = "20260101-000000-site-3";
  beside.round = 1;
  beside.background = true;
  beside.seconds = 5;
  const std::vector<TriageRun> iso{alone}, load{loaded, beside};
  auto text = triage_report_text(classify_triage(iso, load), iso, load, "site", 1, 1);
  BOOST_TEST(text.find("\nalone:\n"
                       "  run    1          20260101-000000-site-1                             12.3s  green\n"
                       "\nunder load:\n"
                       "  round  1          20260101-000000-site-2                            123.4s  green\n"
                       "  round  1 (beside) 20260101-000000-site-3                              5.0s  green\n") !=
                 std::string::npos,
             text);
  auto none = triage_report_text(classify_triage(iso, {}), iso, {}, "site", 1, 0);
  BOOST_TEST(none.find("\nunder load:\n  (none)\n") != std::string::npos, none);
}

BOOST_AUTO_TEST_CASE(a_green_run_with_lint_warnings_is_green_and_a_warning_is_never_a_failing_check) {
  auto green = run("green");
  green.results->tier(Tier::lint).checks.push_back({"lint/R002-healthchecks", Status::warn, "warning", 0});
  auto s = signature_of(green);
  BOOST_TEST(s.label == "green");
  auto red = run("red:lint:lint/R010-traefik-enabled");
  red.results->tier(Tier::lint).checks.push_back({"lint/R002-healthchecks", Status::warn, "warning", 0});
  auto r = signature_of(red);
  BOOST_TEST(r.failing_checks == std::vector<std::string>{"lint/R010-traefik-enabled"},
             boost::test_tools::per_element());
}
