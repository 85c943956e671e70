// The JUnit XML of a run (docs/junit.md) and the escaper under it
// (report/markup.hpp). The document is checked against docs/junit.xsd with a
// real parser in tests/integration/test_junit.cpp; here, what it says.
#define BOOST_TEST_MODULE junit
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "report/junit.hpp"
#include "report/markup.hpp"
#include "support/files.hpp"

#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace ccci::host;
using ccci::Tier;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

// A run with every outcome a testcase can have: install passes (a pass with
// a message, one without, a warning), upgrade fails at a check, backup is a
// declared skip with no check, restore is `na`, custom is `unver` before any
// check ran, lint passes with a skipped rule and a warning.
RunResults sample() {
  RunResults r = empty_results();
  r.recipe = "tiny";
  r.version = "1.1.0+1.22.1";
  r.ref = "1.1.0+1.22.1";
  r.commit = "0123456789abcdef0123456789abcdef01234567";
  r.run_id = "tiny-20261201T203732Z-1a2b3c";
  r.stack = "tiny-1a2b3c_ccci_test";
  r.started = "2026-12-01T20:37:32Z";
  r.finished = "2026-12-01T20:39:02Z";
  r.ccci_version = "0.1.0";
  auto& install = r.tier(Tier::install);
  install.status = Status::pass;
  install.reason = "2 checks passed, 1 warning";
  install.duration = 12.5;
  install.checks = {{"install/serving", Status::pass, "GET / answered 200", 0.25},
                    {"install/converged", Status::pass, "", 10},
                    {"install/R999-style", Status::warn, "a style nit", 0.001}};
  auto& upgrade = r.tier(Tier::upgrade);
  upgrade.status = Status::fail;
  upgrade.reason = "upgrade/data_kept failed: the row is gone";
  upgrade.duration = 30.25;
  upgrade.checks = {{"upgrade/base_converged", Status::pass, "1/1", 5},
                    {"upgrade/data_kept", Status::fail, "the row is gone\nwanted 1 row, got 0", 1.5}};
  auto& backup = r.tier(Tier::backup);
  backup.status = Status::skip;
  backup.declared_skip = true;
  backup.reason = "a static site has no data";
  auto& restore = r.tier(Tier::restore);
  restore.status = Status::na;
  restore.reason = "an earlier tier did not pass";
  auto& custom = r.tier(Tier::custom);
  custom.status = Status::unver;
  custom.reason = "the plugin's tool(s) git-lfs not on PATH";
  auto& lint = r.tier(Tier::lint);
  lint.status = Status::pass;
  lint.reason = "1 check passed, 1 warning";
  lint.duration = 0.5;
  lint.checks = {{"lint/R001-compose-version", Status::pass, "version 3.8", 0.01},
                 {"lint/R005-semver-like-tags", Status::warn, "compose.yml:5 service app: bookworm", 0.01},
                 {"lint/R006-published-catalogue-version", Status::skip, "needs the network", 0}};
  r.level = {1, "upgrade", "upgrade failed: upgrade/data_kept failed: the row is gone"};
  r.clean_teardown = true;
  r.no_secret_leak = true;
  r.exit_code = 1;
  return r;
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++n;
  return n;
}

// The start tag that begins with `start` (unique in the document), e.g.
// `<testsuite name="tiny.install"`.
std::string tag(const std::string& xml, const std::string& start) {
  auto at = xml.find(start);
  BOOST_TEST_REQUIRE(at != std::string::npos, "no " << start << " in\n" << xml);
  BOOST_TEST_REQUIRE(xml.find(start, at + 1) == std::string::npos, start << " is not unique");
  return xml.substr(at, xml.find('>', at) - at + 1);
}

// The value of attribute `name` in the start tag `start_tag`.
std::string attr(const std::string& start_tag, const std::string& name) {
  auto key = " " + name + "=\"";
  auto at = start_tag.find(key);
  BOOST_TEST_REQUIRE(at != std::string::npos, "no " << name << " in " << start_tag);
  at += key.size();
  return start_tag.substr(at, start_tag.find('"', at) - at);
}

// The element from `start` to the end of its testcase.
std::string testcase(const std::string& xml, const std::string& name) {
  auto start = "<testcase name=\"" + name + "\"";
  auto at = xml.find(start);
  BOOST_TEST_REQUIRE(at != std::string::npos, "no testcase " << name);
  auto head_end = xml.find('>', at);
  if (xml[head_end - 1] == '/') return xml.substr(at, head_end - at + 1);
  auto end = xml.find("</testcase>", at);
  return xml.substr(at, end - at + 11);
}

} // namespace

BOOST_AUTO_TEST_CASE(one_suite_per_tier_in_order_then_the_ccci_suite) {
  const auto xml = junit_xml(sample());
  BOOST_TEST(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ccci\""));
  std::vector<std::size_t> at;
  for (auto name :
       {"tiny.install", "tiny.upgrade", "tiny.backup", "tiny.restore", "tiny.custom", "tiny.lint", "tiny.ccci"})
    at.push_back(xml.find(std::string("<testsuite name=\"") + name + "\""));
  for (std::size_t i = 0; i < at.size(); ++i) {
    BOOST_TEST(at[i] != std::string::npos, "suite " << i);
    if (i) BOOST_TEST(at[i] > at[i - 1], "suite " << i << " out of order");
  }
  BOOST_TEST(count(xml, "<testsuite ") == 7u);
}

BOOST_AUTO_TEST_CASE(counts_add_up_per_suite_and_at_the_root) {
  const auto xml = junit_xml(sample());
  // 8 checks, 3 tiers without one (backup, restore, custom), 2 flags.
  BOOST_TEST(count(xml, "<testcase ") == 13u);
  auto root = tag(xml, "<testsuites ");
  BOOST_TEST(attr(root, "tests") == "13");
  BOOST_TEST(attr(root, "failures") == "1");
  BOOST_TEST(attr(root, "errors") == "0");
  BOOST_TEST(attr(root, "time") == "43.250"); // 12.5 + 30.25 + 0.5: the tiers' times

  BOOST_TEST(root.find("skipped=") == std::string::npos); // not on <testsuites> in the Jenkins schema

  auto install = tag(xml, "<testsuite name=\"tiny.install\"");
  BOOST_TEST(attr(install, "tests") == "3");
  BOOST_TEST(attr(install, "failures") == "0"); // the warning is no failure
  BOOST_TEST(attr(install, "skipped") == "0");
  BOOST_TEST(attr(install, "time") == "12.500");
  BOOST_TEST(attr(install, "timestamp") == "2026-12-01T20:37:32Z");
  auto upgrade = tag(xml, "<testsuite name=\"tiny.upgrade\"");
  BOOST_TEST(attr(upgrade, "tests") == "2"); // its failure is carried by its check: no tier testcase
  BOOST_TEST(attr(upgrade, "failures") == "1");
  auto lint = tag(xml, "<testsuite name=\"tiny.lint\"");
  BOOST_TEST(attr(lint, "tests") == "3");
  BOOST_TEST(attr(lint, "skipped") == "1");
  BOOST_TEST(attr(lint, "failures") == "0");
  for (auto name : {"tiny.backup", "tiny.restore", "tiny.custom"}) {
    auto t = tag(xml, std::string("<testsuite name=\"") + name + "\"");
    BOOST_TEST(attr(t, "tests") == "1", name);
    BOOST_TEST(attr(t, "skipped") == "1", name);
  }
  auto flags = tag(xml, "<testsuite name=\"tiny.ccci\"");
  BOOST_TEST(attr(flags, "tests") == "2");
  BOOST_TEST(attr(flags, "failures") == "0");
}

BOOST_AUTO_TEST_CASE(a_check_is_a_testcase_with_its_name_tier_and_duration) {
  const auto xml = junit_xml(sample());
  auto serving = testcase(xml, "install/serving");
  auto head = tag(serving, "<testcase ");
  BOOST_TEST(attr(head, "classname") == "tiny.install");
  BOOST_TEST(attr(head, "time") == "0.250");
  BOOST_TEST(serving.find("<system-out>GET / answered 200</system-out>") != std::string::npos, serving);
  // A pass without a message is an empty element.
  BOOST_TEST(testcase(xml, "install/converged") ==
             R"(<testcase name="install/converged" classname="tiny.install" time="10.000"/>)");
}

BOOST_AUTO_TEST_CASE(a_fail_is_a_failure_with_its_first_line_as_message_and_the_whole_as_text) {
  const auto xml = junit_xml(sample());
  auto c = testcase(xml, "upgrade/data_kept");
  BOOST_TEST(c.find(R"(<failure message="the row is gone" type="fail">the row is gone)"
                    "\nwanted 1 row, got 0</failure>") != std::string::npos,
             c);
  BOOST_TEST(count(xml, "<failure ") == 1u);
}

BOOST_AUTO_TEST_CASE(a_warning_is_a_passing_testcase_that_says_so) {
  const auto xml = junit_xml(sample());
  auto c = testcase(xml, "lint/R005-semver-like-tags");
  BOOST_TEST(c.find("<failure") == std::string::npos, c);
  BOOST_TEST(c.find("<skipped") == std::string::npos, c);
  BOOST_TEST(c.find("<system-out>unsatisfied warning (listed, not a failure): compose.yml:5 service app: "
                    "bookworm</system-out>") != std::string::npos,
             c);
}

BOOST_AUTO_TEST_CASE(skip_na_and_unver_are_skipped_and_tell_which_they_are) {
  const auto xml = junit_xml(sample());
  auto rule = testcase(xml, "lint/R006-published-catalogue-version");
  BOOST_TEST(rule.find(R"(<skipped message="skipped: needs the network" type="skip">)") != std::string::npos, rule);
  auto restore = testcase(xml, "restore");
  BOOST_TEST(attr(tag(restore, "<testcase "), "classname") == "tiny.restore");
  BOOST_TEST(restore.find(R"(<skipped message="not attempted: an earlier tier did not pass" type="na">)") !=
                 std::string::npos,
             restore);
  auto custom = testcase(xml, "custom");
  BOOST_TEST(
      custom.find(R"(<skipped message="unverified: the plugin&#39;s tool(s) git-lfs not on PATH" type="unver">)") !=
          std::string::npos,
      custom);
  // Nothing but an unverified testcase says "unverified": a CI system that
  // shows only the message still tells an unver from a skip.
  BOOST_TEST(count(xml, "message=\"unverified: ") == 1u);
  BOOST_TEST(count(xml, "type=\"unver\"") == 1u);
}

BOOST_AUTO_TEST_CASE(a_tier_without_checks_is_one_testcase_named_for_it) {
  const auto xml = junit_xml(sample());
  auto backup = testcase(xml, "backup");
  BOOST_TEST(attr(tag(backup, "<testcase "), "classname") == "tiny.backup");
  BOOST_TEST(backup.find(R"(message="skipped: declared in the recipe meta: a static site has no data" type="skip")") !=
                 std::string::npos,
             backup);
  // The tier's own status and reason are in its suite's properties too.
  auto suite_start = xml.find("<testsuite name=\"tiny.backup\"");
  auto suite = xml.substr(suite_start, xml.find("</testsuite>", suite_start) - suite_start);
  BOOST_TEST(suite.find(R"(<property name="tier.status" value="skip"/>)") != std::string::npos, suite);
  BOOST_TEST(suite.find(R"(<property name="tier.reason" value="a static site has no data"/>)") != std::string::npos);
  BOOST_TEST(suite.find(R"(<property name="tier.declared_skip" value="true"/>)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_tier_whose_verdict_no_check_carries_gets_its_own_testcase) {
  auto r = sample();
  // Warnings only: no check passed, so the tier is unverified (judge_tier),
  // and without a testcase of its own it would look green.
  auto& lint = r.tier(Tier::lint);
  lint.checks = {{"lint/R005-semver-like-tags", Status::warn, "bookworm", 0}};
  lint.status = Status::unver;
  lint.reason = "no check passed (1 warning only), and a tier with zero passing checks is not a pass";
  // A failed tier whose checks all passed (a verdict from outside them).
  auto& install = r.tier(Tier::install);
  install.status = Status::fail;
  install.reason = "the stack did not converge";
  auto xml = junit_xml(r);
  auto lint_case = testcase(xml, "lint");
  BOOST_TEST(lint_case.find(R"(type="unver")") != std::string::npos, lint_case);
  auto install_case = testcase(xml, "install");
  BOOST_TEST(install_case.find(R"(<failure message="tier install failed: the stack did not converge" type="fail">)") !=
                 std::string::npos,
             install_case);
  BOOST_TEST(attr(tag(xml, "<testsuite name=\"tiny.install\""), "failures") == "1");
}

BOOST_AUTO_TEST_CASE(the_run_is_in_every_suites_properties) {
  const auto xml = junit_xml(sample());
  for (auto p :
       {R"(<property name="recipe" value="tiny"/>)", R"(<property name="version" value="1.1.0+1.22.1"/>)",
        R"(<property name="commit" value="0123456789abcdef0123456789abcdef01234567"/>)",
        R"(<property name="run_id" value="tiny-20261201T203732Z-1a2b3c"/>)", R"(<property name="level" value="1"/>)",
        R"(<property name="level_cap.rung" value="upgrade"/>)", R"(<property name="clean_teardown" value="true"/>)",
        R"(<property name="no_secret_leak" value="true"/>)", R"(<property name="exit_code" value="1"/>)"})
    BOOST_TEST(count(xml, p) == 7u, p);
  BOOST_TEST(count(xml, R"(<property name="level_cap.reason" value="upgrade failed: upgrade/data_kept failed: the )"
                        R"(row is gone"/>)") == 7u);
}

BOOST_AUTO_TEST_CASE(the_ccci_suite_fails_a_leftover_and_a_leak) {
  auto r = sample();
  auto green = junit_xml(r);
  BOOST_TEST(testcase(green, "clean_teardown").find("<system-out>") != std::string::npos);
  BOOST_TEST(testcase(green, "no_secret_leak").find("<system-out>") != std::string::npos);

  r.clean_teardown = false;
  r.teardown_leftovers = {"volume tiny-1a2b3c_ccci_test_content", "secret tiny-1a2b3c_ccci_test_site_token_v1"};
  r.no_secret_leak = false;
  r.leak_findings = {"ccci.log: tiny-1a2b3c_ccci_test_site_token_v1 (base64)"};
  auto red = junit_xml(r);
  auto teardown = testcase(red, "clean_teardown");
  BOOST_TEST(attr(tag(teardown, "<testcase "), "classname") == "tiny.ccci");
  BOOST_TEST(teardown.find(R"(<failure message="the teardown left 2 object(s) behind; `ccci gc` removes them")") !=
                 std::string::npos,
             teardown);
  BOOST_TEST(teardown.find("\nvolume tiny-1a2b3c_ccci_test_content\nsecret tiny-1a2b3c_ccci_test_site_token_v1") !=
                 std::string::npos,
             teardown);
  auto leak = testcase(red, "no_secret_leak");
  BOOST_TEST(leak.find("<failure message=\"1 finding(s)") != std::string::npos, leak);
  BOOST_TEST(leak.find("ccci.log: tiny-1a2b3c_ccci_test_site_token_v1 (base64)") != std::string::npos, leak);
  BOOST_TEST(attr(tag(red, "<testsuite name=\"tiny.ccci\""), "failures") == "2");
  BOOST_TEST(attr(tag(red, "<testsuites "), "failures") == "3");

  // A warm canonical is not torn down on purpose: a skip, not a failure.
  r.kept_running = true;
  auto kept = testcase(junit_xml(r), "clean_teardown");
  BOOST_TEST(kept.find(R"(type="skip")") != std::string::npos, kept);
  BOOST_TEST(kept.find("kept running on purpose (--keep-running)") != std::string::npos, kept);
}

BOOST_AUTO_TEST_CASE(xml_escape_makes_markup_characters_entities) {
  BOOST_TEST(xml_escape(R"(<a href="x">&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  BOOST_TEST(xml_escape("]]>") == "]]&gt;");
  BOOST_TEST(xml_escape("&amp;") == "&amp;amp;"); // text, not markup: escaped again
  // Text keeps tab and newline; a carriage return would be read as a newline.
  BOOST_TEST(xml_escape("a\tb\nc\rd") == "a\tb\nc&#13;d");
  // An attribute keeps them only as references (a parser makes them spaces).
  BOOST_TEST(xml_escape_attribute("a\tb\nc\rd\"") == "a&#9;b&#10;c&#13;d&quot;");
  BOOST_TEST(xml_escape("plain text, 100% ascii") == "plain text, 100% ascii");
}

BOOST_AUTO_TEST_CASE(characters_xml_forbids_are_replaced) {
  BOOST_TEST(xml_escape(std::string("a\0b", 3)) == "a" + fffd + "b");
  BOOST_TEST(xml_escape("\x01\x08\x0b\x0c\x1b[31mred\x1b[0m") ==
             fffd + fffd + fffd + fffd + fffd + "[31mred" + fffd + "[0m");
  BOOST_TEST(xml_escape("\x7f") == fffd);
  BOOST_TEST(xml_escape("\xc2\x85") == fffd);     // U+0085, a C1 control
  BOOST_TEST(xml_escape("\xef\xbf\xbe") == fffd); // U+FFFE
  BOOST_TEST(xml_escape("\xef\xbf\xbf") == fffd); // U+FFFF
  BOOST_TEST(xml_escape_attribute("\x01") == fffd);
  // What XML allows passes as it is: accents, the euro sign, an emoji
  // (four bytes), the last code point.
  const std::string fine = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
  BOOST_TEST(xml_escape(fine) == fine);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_replaced_one_per_maximal_subpart) {
  struct Case {
    std::string in;
    int replacements;
    const char* what;
  };
  const std::vector<Case> cases = {
      {"\xff", 1, "a byte no character starts with"},
      {"\x80", 1, "a stray continuation byte"},
      {"\xc0\xaf", 2, "an overlong '/'"},
      {"\xe0\x80\xaf", 3, "an overlong three-byte form"},
      {"\xed\xa0\x80", 3, "a surrogate (U+D800)"},
      {"\xf4\x90\x80\x80", 4, "above U+10FFFF"},
      {"\xe2\x82", 1, "a character cut short at the end"},
      {"\xe2\x82x", 1, "a character cut short by an ASCII byte"},
      {"\xf0\x9f\x98", 1, "a four-byte character cut short"},
  };
  for (auto& c : cases) {
    std::string want;
    for (int i = 0; i < c.replacements; ++i)
      want += fffd;
    if (c.in.back() == 'x') want += "x";
    BOOST_TEST(!valid_utf8(c.in), c.what);
    BOOST_TEST(to_valid_utf8(c.in) == want, c.what);
    BOOST_TEST(xml_escape(c.in) == want, c.what);
    BOOST_TEST(valid_utf8(to_valid_utf8(c.in)), c.what);
  }
  BOOST_TEST(valid_utf8(""));
  BOOST_TEST(valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  BOOST_TEST(valid_utf8("\xef\xbf\xbe")); // U+FFFE is UTF-8; only XML forbids it
  BOOST_TEST(to_valid_utf8("ok \xff ok") == "ok " + fffd + " ok");
}

BOOST_AUTO_TEST_CASE(any_message_gives_a_document_of_xml_characters_only) {
  auto r = sample();
  const std::string nasty =
      std::string("<tag attr=\"v\" x='y'>&amp; \x01\x02\x1b\x7f \xff\xfe \xc0\xaf \xed\xa0\x80 ") +
      std::string(1, '\0') + " ]]> \r\n\t end";
  r.recipe = "we<i>rd&\"";
  r.tier(Tier::install).checks.at(0).message = nasty;
  r.tier(Tier::upgrade).checks.at(1).message = nasty;
  r.tier(Tier::upgrade).checks.at(1).name = "upgrade/" + nasty;
  r.tier(Tier::backup).reason = nasty;
  r.level.reason = nasty;
  auto xml = junit_xml(r);
  BOOST_TEST(valid_utf8(xml));
  for (unsigned char c : xml)
    BOOST_TEST_REQUIRE(((c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t'),
                       "a control byte " << int(c) << " in the document");
  BOOST_TEST(xml.find("]]>") == std::string::npos);
  BOOST_TEST(xml.find("<tag") == std::string::npos);
  BOOST_TEST(xml.find("&amp;amp; ") != std::string::npos);
  BOOST_TEST(xml.find("<testsuite name=\"we&lt;i&gt;rd&amp;&quot;.install\"") != std::string::npos);
  // Every attribute value is one line: its newline is a reference.
  BOOST_TEST(xml.find("&#13;&#10;&#9; end\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_long_first_line_is_cut_at_a_character_for_the_message) {
  auto r = sample();
  // 999 ASCII bytes, then a two-byte character across the 1000-byte cut.
  std::string line = std::string(999, 'a') + "\xc3\xa9" + std::string(50, 'b');
  r.tier(Tier::upgrade).checks.at(1).message = line + "\nsecond line";
  auto c = testcase(junit_xml(r), "upgrade/data_kept");
  auto message = attr(tag(c, "<failure "), "message");
  BOOST_TEST(message == std::string(999, 'a') + "…");
  BOOST_TEST(c.find(line + "\nsecond line</failure>") != std::string::npos); // the text is whole
}

BOOST_AUTO_TEST_CASE(times_are_plain_non_negative_seconds_and_a_bad_start_is_left_out) {
  auto r = sample();
  r.tier(Tier::install).checks.at(0).duration = -1;
  r.tier(Tier::install).checks.at(1).duration = std::numeric_limits<double>::quiet_NaN();
  r.tier(Tier::install).checks.at(2).duration = 1e7;
  r.started = "yesterday";
  auto xml = junit_xml(r);
  BOOST_TEST(attr(tag(xml, "<testcase name=\"install/serving\""), "time") == "0.000");
  BOOST_TEST(attr(tag(xml, "<testcase name=\"install/converged\""), "time") == "0.000");
  BOOST_TEST(attr(tag(xml, "<testcase name=\"install/R999-style\""), "time") == "10000000.000");
  BOOST_TEST(xml.find("timestamp=") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_same_results_read_back_from_results_json_give_the_same_bytes) {
  auto r = sample();
  // Durations as a run measures them (not short decimals), and text that
  // needs escaping: what `ccci report junit` reads must not drift from what
  // `ccci run --junit` wrote.
  r.tier(Tier::install).checks.at(0).duration = 0.1 + 0.2;
  r.tier(Tier::upgrade).duration = 30.000499999999999;
  r.tier(Tier::upgrade).checks.at(1).message = "<&\"'>\ttab\r\nline \xc3\xa9";
  // A plugin's output that is not UTF-8 (a binary body): results.json keeps
  // its bytes, and reading them back must not refuse the file.
  r.tier(Tier::install).checks.at(0).message = "body: \xff\xfe\x00\x01 \xc0\xaf";
  r.leak_findings = {"x"};
  r.no_secret_leak = false;
  auto back = results_from_json(to_json(r), "results.json");
  BOOST_TEST(back.tier(Tier::install).checks.at(0).message == r.tier(Tier::install).checks.at(0).message);
  BOOST_TEST(junit_xml(back) == junit_xml(r));
}

BOOST_AUTO_TEST_CASE(the_writer_makes_the_file_0644_and_says_so_when_it_cannot) {
  ccci::test::TempTree tree("junit");
  const auto file = tree / "ccci-junit.xml";
  // An older file of another mode: the new one is for others to read all the same.
  tree.write("ccci-junit.xml", "old");
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ostringstream terminal;
  JUnitWriter(file, terminal).run_finished(sample(), tree / "results.json");
  BOOST_TEST(terminal.str().empty(), terminal.str());
  BOOST_TEST(ccci::test::read(file) == junit_xml(sample()));
  const auto mode = static_cast<unsigned>(std::filesystem::status(file).permissions() & std::filesystem::perms::all);
  BOOST_TEST(mode == 0644u);

  // Its directory gone by the time the run finishes: said, not thrown (the
  // verdict and results.json stand).
  const auto gone = tree / "gone" / "ccci-junit.xml";
  JUnitWriter(gone, terminal).run_finished(sample(), tree / "results.json");
  BOOST_TEST(terminal.str().find("the JUnit file was not written: ") != std::string::npos, terminal.str());
  BOOST_TEST(terminal.str().find((tree / "gone").string()) != std::string::npos, terminal.str());
  BOOST_TEST(!std::filesystem::exists(gone));
}
