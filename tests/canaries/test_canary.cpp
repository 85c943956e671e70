// `ccci canary` and `ccci triage` end to end: the real binary on the real
// local swarm (the `swarm` fixture: tests/integration/setup, which also makes
// the custom-html-tiny variant repositories, flaky-by-domain included).
#define BOOST_TEST_MODULE integration_canary
#include <boost/test/unit_test.hpp>

#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";
const fs::path source = CCCI_SOURCE_DIR;

Outcome run_ccci(const std::string& name, std::vector<std::string> args,
                 std::chrono::minutes limit = std::chrono::minutes(20)) {
  return ccci::test::run_ccci({.binary = CCCI_BIN,
                               .args = std::move(args),
                               .runs_dir = fresh_dir(work / "runs", name),
                               .env = {"CCCI_SOURCE_DIR=" + source.string()},
                               .timeout = limit});
}

json::object report(const Outcome& r, const char* file) {
  auto p = r.runs_dir / file;
  BOOST_TEST_REQUIRE(fs::exists(p), p);
  return json::parse(read(p)).as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

// Nothing of any run's stack is left on the swarm.
void expect_stacks_gone(const std::vector<std::string>& stacks) {
  DockerInventory services({DockerObject::service}), volumes({DockerObject::volume});
  for (auto& s : stacks) {
    BOOST_TEST(services.matching(s).empty(), "service of " << s << " left");
    BOOST_TEST(volumes.matching(s).empty(), "volume of " << s << " left");
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(canary_bad_input_is_refused_before_anything_runs) {
  auto unknown = run_ccci("unknown-only", {"canary", "--only", "bad-nothing"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(unknown.output.find("--only bad-nothing: no such canary") != std::string::npos, unknown.output);
  BOOST_TEST(unknown.output.find("bad-false-green") != std::string::npos); // the names it knows
  BOOST_TEST(fs::is_empty(unknown.runs_dir));

  auto spec = work / "bad-canaries.yml";
  std::ofstream(spec) << "canaries:\n  - name: x\n    recipe: custom-html-tiny\n    base: recipes/custom-html-tiny\n"
                         "    expect: \"red: smoke\"\n";
  auto bad = run_ccci("bad-spec", {"canary", "--spec", spec.string()});
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(bad.output.find(spec.string() + ":5") != std::string::npos, bad.output);
  BOOST_TEST(bad.output.find("'smoke' is not a tier") != std::string::npos, bad.output);
  BOOST_TEST(fs::is_empty(bad.runs_dir));
}

// The canary harness itself has teeth: a "bad" canary whose change breaks
// nothing comes out green, and that must be reported as a FALSE GREEN with
// exit 1 — never as a match.
BOOST_AUTO_TEST_CASE(a_bad_canary_that_comes_out_green_is_called_a_false_green) {
  auto spec = work / "false-green-canaries.yml";
  std::ofstream(spec) << "canaries:\n  - name: harmless-but-expected-red\n    recipe: custom-html-tiny\n"
                         "    base: recipes/custom-html-tiny\n    variant: "
                      << (source / "tests/canaries/harmless-readme-edit.patch").string()
                      << "\n    touches: [README.md]\n    expect: {red: custom}\n";
  auto r = run_ccci("false-green", {"canary", "--spec", spec.string()});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.output.find("FALSE GREEN") != std::string::npos, r.output);
  auto doc = report(r, "canary-report.json");
  BOOST_TEST(doc.at("all_match").as_bool() == false);
  auto c = doc.at("canaries").as_array().at(0).as_object();
  BOOST_TEST(str(c.at("verdict")) == "FALSE GREEN");
  BOOST_TEST(str(c.at("got")) == "green");
}

BOOST_AUTO_TEST_CASE(every_canary_gets_its_expected_verdict) {
  // 12 canaries, two at a time; the linkshelf ones deploy three services.
  auto r = run_ccci("all", {"canary"}, std::chrono::minutes(38));
  BOOST_TEST(r.exit_code == 0, r.output);
  auto doc = report(r, "canary-report.json");
  BOOST_TEST(doc.at("all_match").as_bool());
  std::map<std::string, std::string> want{{"good-simple", "green"},
                                          {"good-significant", "green"},
                                          {"bad-install", "red: install"},
                                          {"bad-upgrade", "red: upgrade"},
                                          {"bad-backup", "red: backup"},
                                          {"bad-restore", "red: restore"},
                                          {"bad-false-green", "red: custom"},
                                          {"good-multi-service", "green"},
                                          {"bad-env-not-reaching-static", "red: install"},
                                          {"bad-short-secret", "red: install"},
                                          {"bad-dump-fails-in-pipe", "red: backup"},
                                          {"bad-missing-restore-hook", "red: restore"}};
  auto& canaries = doc.at("canaries").as_array();
  BOOST_TEST(canaries.size() == want.size());
  std::vector<std::string> stacks;
  for (auto& v : canaries) {
    auto c = v.as_object();
    auto name = str(c.at("name"));
    BOOST_TEST(str(c.at("verdict")) == "match", name << ": " << json::serialize(c.at("reasons")));
    BOOST_TEST(str(c.at("got")) == want[name], name);
    // Read the run's own results.json, not only the canary's summary of it.
    auto results_file = fs::path(str(c.at("run_dir"))) / "results.json";
    BOOST_TEST_REQUIRE(fs::exists(results_file), results_file);
    auto res = results_from_json(read(results_file), results_file.string());
    BOOST_TEST(res.clean_teardown, name);
    BOOST_TEST(res.no_secret_leak, name);
    stacks.push_back(res.stack);
  }
  // The table names every canary with expected, got and verdict.
  BOOST_TEST(r.output.find("canary") != std::string::npos);
  for (auto& [name, _] : want)
    BOOST_TEST(r.output.find(name) != std::string::npos, name);
  expect_stacks_gone(stacks);
}

BOOST_AUTO_TEST_CASE(triage_of_a_missing_image_is_genuine) {
  auto r = run_ccci("genuine", {"triage", (repos / "missing-image").string(), "--recipe", "custom-html-tiny",
                                "--repeat", "2", "--load", "1", "--", "--tiers", "install,custom"});
  BOOST_TEST(r.exit_code == 1, r.output);
  auto doc = report(r, "triage-report.json");
  BOOST_TEST(str(doc.at("classification")) == "genuine");
  BOOST_TEST(doc.at("isolation").as_array().size() == 2u);
  BOOST_TEST(doc.at("under_load").as_array().size() == 4u); // 2 rounds of 1 + 1 beside
  for (auto& v : doc.at("isolation").as_array())
    BOOST_TEST(str(v.as_object().at("signature")) == "red: install [install/converged]");
  // The evidence names real files: results.json and the task states.
  auto& evidence = doc.at("evidence").as_array();
  BOOST_TEST(!evidence.empty());
  bool tasks = false;
  for (auto& e : evidence) {
    BOOST_TEST(fs::exists(str(e)), str(e));
    tasks = tasks || str(e).ends_with("evidence/tasks.txt");
  }
  BOOST_TEST(tasks);
  BOOST_TEST(fs::exists(r.runs_dir / "triage-report.txt"));
  BOOST_TEST(r.output.find("classification: genuine") != std::string::npos);
}

// The flake fixture (recipes/custom-html-tiny/variants/flaky-by-domain.patch)
// goes red at install when its run's test domain ends in a hex digit 0-7 and is
// green otherwise. ccci draws the domain's digits at random per run, so each
// run is a fair coin, fixed for that run. This test can therefore not be made
// deterministic by choosing the outcomes; instead:
//  1. it never trusts the classifier blindly: it reads every isolated run's
//     own results.json, checks the run went the way its domain says (red iff
//     the last digit is 0-7 — the fixture does what it claims), and requires
//     the classification to be `flake` exactly when both outcomes occurred
//     (and `genuine` / `not-reproduced` when all agreed) — so the classifier
//     is held to the truth whatever the coins did;
//  2. it additionally requires both outcomes to have occurred, with --repeat
//     8: all 8 agree with probability 2 × (1/2)^8 = 2/256 < 1%. That residual
//     chance is stated in the failure message so nobody mistakes it for a
//     regression.
// No runs under load (--load 0) to keep the test short: the load phase is
// covered by the genuine test and by unit tests of the classifier.
BOOST_AUTO_TEST_CASE(triage_of_a_domain_dependent_failure_is_flake) {
  auto r = run_ccci("flake", {"triage", (repos / "flaky-by-domain").string(), "--recipe", "custom-html-tiny",
                              "--repeat", "8", "--load", "0", "--", "--tiers", "install,custom"});
  auto doc = report(r, "triage-report.json");
  int green = 0, red = 0;
  for (auto& v : doc.at("isolation").as_array()) {
    auto run = v.as_object();
    auto file = fs::path(str(run.at("run_dir"))) / "results.json";
    BOOST_TEST_REQUIRE(fs::exists(file), file);
    auto res = results_from_json(read(file), file.string());
    auto label = res.domain.substr(0, res.domain.find('.'));
    char last = label.back();
    bool should_fail = last >= '0' && last <= '7';
    bool failed = res.tier(Tier::install).status == Status::fail;
    BOOST_TEST(failed == should_fail, res.domain << ": install " << to_string(res.tier(Tier::install).status));
    if (failed) {
      BOOST_TEST(str(run.at("signature")) == "red: install [install/serving]");
      ++red;
    } else {
      BOOST_TEST(res.exit_code == 0, res.domain);
      ++green;
    }
  }
  BOOST_TEST(green + red == 8);
  auto cls = str(doc.at("classification"));
  std::string truth = green && red ? "flake" : red ? "genuine" : "not-reproduced";
  BOOST_TEST(cls == truth, "classifier said " << cls << " for " << green << " green / " << red << " red");
  BOOST_TEST(r.exit_code == (truth == "not-reproduced" ? 0 : 1));
  BOOST_TEST((green > 0 && red > 0), "all 8 runs agreed (" << green << " green / " << red
                                                           << " red): a 2/256 chance with a fair fixture — rerun; "
                                                              "if it repeats, the fixture is no longer a coin");
  BOOST_TEST_MESSAGE("flake fixture: " << green << " green, " << red << " red; classified " << cls);
}
