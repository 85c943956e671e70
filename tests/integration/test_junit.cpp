// The JUnit XML (docs/junit.md) of real runs: `ccci run --junit` on the real
// swarm, green, red and unverified; the file valid against docs/junit.xsd by
// xmllint, one testcase per check of results.json (plus the tiers without
// one and the two flags, counted here from results.json), the failing check
// named, mode 0644, no secret value in it; and `ccci report junit RUN_DIR`
// printing the same bytes.
// One case needs no swarm: hostile text in a results.json still gives a
// valid document.
#define BOOST_TEST_MODULE integration_junit
#include <boost/test/unit_test.hpp>

#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";
const fs::path schema = fs::path(CCCI_SOURCE_DIR) / "docs" / "junit.xsd";

ProcessResult xmllint(std::vector<std::string> args) {
  args.insert(args.begin(), "xmllint");
  ProcessOptions o;
  o.timeout = std::chrono::seconds(60);
  return run_process(args, o);
}

// The value of an XPath expression over `file` (a count, a string).
std::string xpath(const fs::path& file, const std::string& expression) {
  auto r = xmllint({"--xpath", expression, file.string()});
  BOOST_TEST_REQUIRE(r.ok(), "xmllint --xpath " << expression << ": " << r.describe() << "\n" << r.err);
  // xmllint ends the value with a newline of its own.
  if (r.out.ends_with('\n')) r.out.pop_back();
  return r.out;
}

// An XPath string literal for `s` (which holds no apostrophe here).
std::string literal(const std::string& s) {
  BOOST_TEST_REQUIRE(s.find('\'') == std::string::npos, s);
  return "'" + s + "'";
}

unsigned mode_of(const fs::path& file) {
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat(file.c_str(), &st) == 0, file);
  return st.st_mode & 07777;
}

// The testcases a tier gets besides its checks: one of its own when no
// check carries its verdict (docs/junit.md, "Tiers without checks").
std::size_t tier_cases(const TierResult& t) {
  if (t.status == Status::pass) return 0;
  for (auto& c : t.checks)
    if (c.status == t.status) return 0;
  return 1;
}

// What every JUnit file of a run must be: valid against our schema, 0644,
// one testcase per check in the check's tier suite, the counts as
// results.json has them, and the same bytes as `ccci report junit` prints
// (and writes with --out).
void expect_junit_of_run(const fs::path& junit, const Outcome& o) {
  BOOST_TEST_REQUIRE(fs::exists(junit), "no JUnit file " << junit << "\n" << o.output);
  BOOST_TEST(mode_of(junit) == 0644u, "mode " << std::oct << mode_of(junit));
  auto valid = xmllint({"--noout", "--schema", schema.string(), junit.string()});
  BOOST_TEST(valid.ok(), "not valid against docs/junit.xsd: " << valid.err);

  const auto& r = *o.results;
  std::size_t checks = 0, extra = 0, failed = 0;
  for (auto& t : r.tiers) {
    const auto suite = fmt::format("{}.{}", r.recipe, ccci::to_string(t.tier));
    for (auto& c : t.checks) {
      ++checks;
      failed += c.status == Status::fail;
      BOOST_TEST(xpath(junit, fmt::format("count(//testsuite[@name={}]/testcase[@name={} and @classname={}])",
                                          literal(suite), literal(c.name), literal(suite))) == "1",
                 c.name << " is not one testcase of " << suite);
    }
    extra += tier_cases(t);
    if (tier_cases(t))
      BOOST_TEST(xpath(junit, fmt::format("count(//testsuite[@name={}]/testcase[@name={}])", literal(suite),
                                          literal(std::string(ccci::to_string(t.tier))))) == "1",
                 suite << " has no testcase of its own");
  }
  const std::size_t flags = 2; // <recipe>.ccci: clean_teardown, no_secret_leak
  failed += !r.clean_teardown + !r.no_secret_leak;
  BOOST_TEST(xpath(junit, "count(//testcase)") == std::to_string(checks + extra + flags));
  BOOST_TEST(xpath(junit, "string(/testsuites/@tests)") == std::to_string(checks + extra + flags));
  BOOST_TEST(xpath(junit, "count(//failure)") == std::to_string(failed));
  BOOST_TEST(xpath(junit, "string(/testsuites/@failures)") == std::to_string(failed));
  BOOST_TEST(xpath(junit, "count(/testsuites/testsuite)") == "7");
  BOOST_TEST(xpath(junit, fmt::format("string(//testsuite[1]/properties/property[@name='commit']/@value)")) ==
             r.commit);

  const auto file = read(junit);
  ProcessOptions po;
  po.timeout = std::chrono::seconds(60);
  auto printed = run_process({CCCI_BIN, "report", "junit", o.run_dir().string()}, po);
  BOOST_TEST(printed.exit_code == 0, printed.describe() << ": " << printed.err);
  BOOST_TEST(printed.out == file, "`ccci report junit` differs from the file the run wrote");
  const auto again = junit.parent_path() / "again.xml";
  auto written = run_process({CCCI_BIN, "report", "junit", o.run_dir().string(), "--out", again.string()}, po);
  BOOST_TEST(written.exit_code == 0, written.describe() << ": " << written.err);
  BOOST_TEST(written.out.empty());
  BOOST_TEST(read(again) == file);
  BOOST_TEST(mode_of(again) == 0644u);
}

Outcome run_with_junit(const std::string& name, const fs::path& junit, std::vector<std::string> args,
                       std::vector<std::string> env = {}) {
  args.insert(args.end(), {"--junit", junit.string()});
  return run_ccci(
      {.binary = CCCI_BIN, .args = std::move(args), .runs_dir = fresh_dir(work / "runs", name), .env = env});
}

} // namespace

BOOST_AUTO_TEST_CASE(a_green_run_writes_a_valid_junit_file_with_one_testcase_per_check) {
  const auto out = fresh_dir(work / "junit", "green");
  const auto junit = out / "ccci-junit.xml";
  auto o = run_with_junit("green", junit,
                          {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                           "--tiers", "install,custom,lint"});
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_junit_of_run(junit, o);
  BOOST_TEST(xpath(junit, "count(//failure)") == "0");
  // The lint warning (R005, the `bookworm` tag) passes and says what it is.
  BOOST_TEST(xpath(junit, "string(//testcase[@name='lint/R005-semver-like-tags']/system-out)")
                 .starts_with("unsatisfied warning (listed, not a failure): "));
  // upgrade was not selected, backup and restore are declared skips: each a
  // testcase of its own, skipped with its reason.
  BOOST_TEST(xpath(junit, "string(//testsuite[@name='custom-html-tiny.upgrade']/testcase/skipped/@message)") ==
             "skipped: not selected with --tiers");
  BOOST_TEST(xpath(junit, "string(//testsuite[@name='custom-html-tiny.backup']/testcase/skipped/@message)")
                 .starts_with("skipped: declared in the recipe meta: "));
  BOOST_TEST(xpath(junit, "string(//testcase[@name='clean_teardown' and @classname='custom-html-tiny.ccci']/@time)") ==
             "0.000");
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(a_red_run_writes_a_failure_naming_the_failing_check) {
  const auto out = fresh_dir(work / "junit", "red");
  const auto junit = out / "ccci-junit.xml";
  auto o = run_with_junit("red", junit,
                          {"run", "--recipe-dir", (repos / "txt-octet-stream").string(), "--recipe", "custom-html-tiny",
                           "--tiers", "install,custom"});
  BOOST_TEST(o.exit_code == 1, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST_REQUIRE(o.tier(Tier::custom).status == Status::fail);
  expect_junit_of_run(junit, o);
  const std::string failing = "//testsuite[@name='custom-html-tiny.custom']/testcase[@name='custom/"
                              "content_type_html_and_txt']/failure";
  BOOST_TEST(xpath(junit, "count(" + failing + ")") == "1");
  BOOST_TEST(xpath(junit, "string(" + failing + "/@type)") == "fail");
  BOOST_TEST(xpath(junit, "string(" + failing + "/@message)").find("application/octet-stream") != std::string::npos);
  BOOST_TEST(xpath(junit, "string(//testsuite[@name='custom-html-tiny.custom']/@failures)") == "1");
  BOOST_TEST(xpath(junit, "string(//testsuite[1]/properties/property[@name='exit_code']/@value)") == "1");
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

// A tool only the plugin needs is missing: install passes, custom is unver
// before any check ran (exit 3), and the file is still written, the tier
// skipped as `unverified: ...`, told from the skips.
BOOST_AUTO_TEST_CASE(an_unverified_run_writes_it_too_and_tells_unver_from_skip) {
  const auto out = fresh_dir(work / "junit", "unver");
  const auto junit = out / "ccci-junit.xml";
  auto o =
      run_with_junit("unver", junit,
                     {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                      "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/needs_tool.so", "--tiers", "install,custom"});
  BOOST_TEST(o.exit_code == 3, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST_REQUIRE(o.tier(Tier::custom).status == Status::unver);
  expect_junit_of_run(junit, o);
  const std::string custom = "//testsuite[@name='custom-html-tiny.custom']/testcase[@name='custom']/skipped";
  BOOST_TEST(xpath(junit, "string(" + custom + "/@type)") == "unver");
  BOOST_TEST(xpath(junit, "string(" + custom + "/@message)").starts_with("unverified: "));
  BOOST_TEST(xpath(junit, "string(" + custom + "/@message)").find("ccci-no-such-tool") != std::string::npos);
  BOOST_TEST(xpath(junit, "string(//testsuite[@name='custom-html-tiny.upgrade']/testcase/skipped/@type)") == "skip");
  BOOST_TEST(xpath(junit, "count(//skipped[@type='unver'])") == "1");
  BOOST_TEST(xpath(junit, "count(//skipped[starts-with(@message, 'unverified: ')])") == "1");
  BOOST_TEST(xpath(junit, "count(//failure)") == "0");
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

// The file is written behind the redactor: a check that prints the stack's
// generated secret leaves it out of the JUnit file (tests/plugins/leaky_check.cpp).
BOOST_AUTO_TEST_CASE(a_check_that_prints_its_secret_leaves_it_out_of_the_junit_file) {
  const auto out = fresh_dir(work / "junit", "leak");
  const auto junit = out / "ccci-junit.xml";
  const auto value_file = out / "site_token";
  auto o =
      run_with_junit("leak", junit,
                     {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                      "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/leaky_check.so", "--tiers", "install,custom"},
                     {"CCCI_TEST_LEAK_OUT=" + value_file.string()});
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_junit_of_run(junit, o);
  const std::string value = fs::exists(value_file) ? read(value_file) : "";
  BOOST_TEST_REQUIRE(value.size() >= 23u); // a six-word passphrase: the plugin really saw it
  const auto text = read(junit);
  BOOST_TEST(text.find(value) == std::string::npos, "the secret's value is in the JUnit file");
  const auto said = xpath(junit, "string(//testcase[@name='custom/prints_its_secret']/system-out)");
  const auto name = o.results->stack + "_site_token_v1";
  BOOST_TEST(said.find("[redacted:" + name + "]") != std::string::npos, said);
  BOOST_TEST(said.find("[redacted:" + name + ":base64]") != std::string::npos, said);
}

// Whatever a check's message holds, the document is well-formed and valid:
// a results.json with markup, control bytes and a CR in its messages and
// names, read by `ccci report junit` (no swarm: nothing is run).
BOOST_AUTO_TEST_CASE(hostile_text_in_results_gives_a_valid_document) {
  const auto dir = fresh_dir(work / "junit", "hostile");
  RunResults r = empty_results();
  const std::string nasty = "<b a=\"1\" b='2'>&amp; ]]> \x01\x02\x1b[31m\x7f \r\n\ttab \xc3\xa9 \xef\xbf\xbe end";
  r.recipe = "we<i>rd&\"'";
  r.version = nasty;
  r.run_id = "hostile";
  r.started = "2026-12-01T20:37:32Z";
  auto& install = r.tier(Tier::install);
  install.status = Status::fail;
  install.reason = nasty;
  install.checks = {{"install/" + nasty, Status::fail, nasty, 1},
                    {"install/warned", Status::warn, nasty, 1},
                    {"install/passed", Status::pass, nasty, 1}};
  r.tier(Tier::upgrade).status = Status::unver;
  r.tier(Tier::upgrade).reason = nasty;
  r.leak_findings = {nasty};
  r.teardown_leftovers = {nasty};
  write(dir / "run" / "results.json", to_json(r));

  const auto junit = dir / "hostile.xml";
  ProcessOptions po;
  po.timeout = std::chrono::seconds(60);
  po.merge_stderr = true;
  auto made = run_process({CCCI_BIN, "report", "junit", (dir / "run").string(), "--out", junit.string()}, po);
  BOOST_TEST_REQUIRE(made.exit_code == 0, made.describe() << ": " << made.out);
  auto valid = xmllint({"--noout", "--schema", schema.string(), junit.string()});
  BOOST_TEST(valid.ok(), "not valid against docs/junit.xsd: " << valid.err);
  // The parser reads back what was meant: markup as text, the forbidden
  // characters as U+FFFD, the CR and tab of an attribute kept.
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string seen =
      "<b a=\"1\" b='2'>&amp; ]]> " + fffd + fffd + fffd + "[31m" + fffd + " \r\n\ttab \xc3\xa9 " + fffd + " end";
  BOOST_TEST(xpath(junit, "string(//testsuite[1]/properties/property[@name='version']/@value)") == seen);
  BOOST_TEST(xpath(junit, "string(//testsuite[1]/@name)") == "we<i>rd&\"'.install");
  // The schema has teeth: what ccci does not emit is refused.
  const auto doc = read(junit);
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"<testsuites name=\"ccci\"", "<testsuites skipped=\"0\" name=\"ccci\""}, // not in the Jenkins schema
           {"type=\"unver\"", "type=\"error\""},
           {"type=\"fail\"", ""},
           {"time=\"1.000\"", "time=\"1e0\""}}) {
    auto at = doc.find(from);
    BOOST_TEST_REQUIRE(at != std::string::npos, from);
    const auto broken = dir / "broken.xml";
    write(broken, std::string(doc).replace(at, from.size(), to));
    BOOST_TEST(!xmllint({"--noout", "--schema", schema.string(), broken.string()}).ok(), "accepted: " << to);
  }
  // Its three checks; the failed one carries the tier's verdict.
  BOOST_TEST(xpath(junit, "count(//testsuite[1]/testcase)") == "3");
}
