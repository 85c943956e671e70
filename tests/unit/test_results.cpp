#define BOOST_TEST_MODULE results
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "model/results.hpp"
#include "report/leak_scan.hpp"
#include "support/files.hpp"
#include "swarm/secrets.hpp"

#include <filesystem>
#include <fstream>

using namespace ccci::host;
using ccci::Tier;
namespace fs = std::filesystem;

namespace {

RunResults sample() {
  RunResults r = empty_results();
  r.recipe = "custom-html-tiny";
  r.version = "1.1.0+1.22.1";
  r.ref = "1.1.0+1.22.1";
  r.commit = "0123456789abcdef0123456789abcdef01234567";
  r.run_id = "20261123T090102Z-custom-html-tiny-1a2b3c";
  r.stack = "custom-html-tiny-1a2b3c_ccci_test";
  r.domain = "custom-html-tiny-1a2b3c.ccci.test";
  r.started = "2026-11-23T09:01:02Z";
  r.finished = "2026-11-23T09:02:03Z";
  r.ccci_version = "0.1.0";
  auto& install = r.tier(Tier::install);
  install.status = Status::pass;
  install.reason = "3 checks passed";
  install.duration = 12.5;
  install.checks.push_back({"install/serving", Status::pass, "GET / answered 200 \"quoted\"\n", 0.25});
  auto& backup = r.tier(Tier::backup);
  backup.status = Status::skip;
  backup.declared_skip = true;
  backup.reason = "static site";
  r.level = {1, "upgrade", "upgrade skipped"};
  r.clean_teardown = true;
  r.no_secret_leak = true;
  r.environment.push_back({"docker", "/usr/bin/docker", "Docker version 20.10.24"});
  r.environment.push_back({"git-lfs", "", ""});
  r.plugin = PluginInfo{"/x/custom-html-tiny.so", "custom-html-tiny", 1, {"install/serving"}};
  r.evidence = {"evidence/tasks.txt"};
  r.chains = {true, "", "custom-html-tiny-4d5e6f_ccci_test"};
  r.exit_code = 0;
  return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(round_trip_keeps_every_field) {
  auto r = sample();
  auto back = results_from_json(to_json(r), "test");
  BOOST_TEST(to_json(back) == to_json(r));
  BOOST_TEST(back.tier(Tier::install).checks.at(0).message == "GET / answered 200 \"quoted\"\n");
  BOOST_TEST(back.tier(Tier::backup).declared_skip);
  BOOST_TEST(!back.tier(Tier::upgrade).declared_skip);
  BOOST_TEST(back.plugin->checks.at(0) == "install/serving");
  BOOST_TEST(!back.environment.at(1).found());
  BOOST_TEST(back.level.rung == "upgrade");
  BOOST_TEST(back.chains.parallel);
  BOOST_TEST(back.chains.upgrade_stack == "custom-html-tiny-4d5e6f_ccci_test");
}

BOOST_AUTO_TEST_CASE(a_document_from_before_chains_reads_as_one_stack) {
  auto text = to_json(sample());
  auto at = text.find(",\"chains\":");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  text.erase(at, text.find('}', at) + 1 - at);
  auto back = results_from_json(text, "test");
  BOOST_TEST(!back.chains.parallel);
  BOOST_TEST(back.chains.upgrade_stack.empty());
}

BOOST_AUTO_TEST_CASE(every_tier_is_written_in_order) {
  auto text = to_json(sample());
  std::size_t last = 0;
  for (const char* t : {"\"install\"", "\"upgrade\"", "\"backup\"", "\"restore\"", "\"custom\"", "\"lint\""}) {
    auto pos = text.find(t);
    BOOST_TEST_REQUIRE(pos != std::string::npos);
    BOOST_TEST(pos > last);
    last = pos;
  }
}

BOOST_AUTO_TEST_CASE(a_damaged_document_is_named_and_refused) {
  auto text = to_json(sample());
  auto cut = text.substr(0, text.size() / 2);
  BOOST_CHECK_EXCEPTION(results_from_json(cut, "runs/x/results.json"), InputError, [](const InputError& e) {
    return std::string(e.what()).find("runs/x/results.json") != std::string::npos;
  });
  auto bad_status = text;
  bad_status.replace(bad_status.find("\"pass\""), 6, "\"green\"");
  BOOST_CHECK_THROW(results_from_json(bad_status, "x"), InputError);
  BOOST_CHECK_THROW(results_from_json("{\"schema\": 2}", "x"), InputError);
}

BOOST_AUTO_TEST_CASE(redaction_and_leak_scan) {
  Redactor red;
  GeneratedSecret s{"stack_site_token_v1", generate_password(32, false)};
  BOOST_TEST(s.value.size() == 32u);
  red.add(s);
  auto text = "token=" + s.value + " again " + s.value;
  auto clean = red.redact(text);
  BOOST_TEST(clean.find(s.value) == std::string::npos);
  BOOST_TEST(clean == "token=[redacted:stack_site_token_v1] again [redacted:stack_site_token_v1]");

  ccci::test::TempTree tmp("unit-results");
  auto dir = tmp.dir();
  fs::create_directories(dir / "evidence");
  std::ofstream(dir / "evidence" / "app.log") << "clean line\n";
  BOOST_TEST(scan_tree_for_leaks(dir, red).clean());
  std::ofstream(dir / "evidence" / "app.log", std::ios::app) << "oops " << s.value << "\n";
  auto leaks = scan_tree_for_leaks(dir, red).leaks;
  BOOST_TEST_REQUIRE(leaks.size() == 1u);
  BOOST_TEST(leaks[0].find("evidence/app.log") != std::string::npos);
  BOOST_TEST(leaks[0].find(s.value) == std::string::npos); // the report does not leak it either
}

BOOST_AUTO_TEST_CASE(a_warning_is_a_check_status_kept_as_written_and_never_a_tier_status) {
  auto r = sample();
  r.tier(Tier::lint).status = Status::pass;
  r.tier(Tier::lint).checks = {{"lint/R002-healthchecks", Status::warn, "warning: no healthcheck", 0},
                               {"lint/R009-one-service-named-app", Status::pass, "service app", 0}};
  auto text = to_json(r);
  BOOST_TEST(text.find(R"("name":"lint/R002-healthchecks","status":"warn")") != std::string::npos, text);
  auto back = results_from_json(text, "test");
  BOOST_TEST((back.tier(Tier::lint).checks.at(0).status == Status::warn));
  BOOST_TEST((status_from_string("warn") == Status::warn));
  BOOST_TEST(to_string(Status::warn) == "warn");
  r.tier(Tier::lint).status = Status::warn;
  BOOST_CHECK_EXCEPTION(results_from_json(to_json(r), "runs/x/results.json"), InputError, [](const InputError& e) {
    std::string what = e.what();
    return what.find("runs/x/results.json") != std::string::npos &&
           what.find("tier lint has status 'warn'") != std::string::npos;
  });
}
