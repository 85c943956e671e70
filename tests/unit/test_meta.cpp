#define BOOST_TEST_MODULE meta
#include <boost/test/unit_test.hpp>

#include "recipe/meta.hpp"
#include "support/files.hpp"

#include <string>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

/// recipes/<name>/ under a temporary root of its own, removed afterwards.
class TempMeta {
public:
  TempMeta() { fs::create_directories(dir()); }

  fs::path dir() const { return root_ / "recipes" / "x"; }
  fs::path file() const { return dir() / "ccci.yml"; }
  fs::path write(const std::string& text) const { return root_.write("recipes/x/ccci.yml", text); }

private:
  ccci::test::TempTree root_{"unit-meta"};
};

std::string input_error(const TempMeta& m, const std::string& text) {
  m.write(text);
  try {
    load_meta(m.file());
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError thrown)";
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(full_meta_file) {
  TempMeta m;
  m.write(R"(# ccci meta for x
deploy_timeout: 600
check_timeout: 45
env:
  DOMAIN: x.ccci.test
  LETS_ENCRYPT_ENV: ""
  PORT: 8080
readiness:
  - path: /health
    expect_status: 204
    attempts: 10
    interval: 3
  - path: /
expected_skips:
  backup: "no state worth backing up"
  restore: no state worth backing up
enroll: true
)");
  auto meta = load_meta(m.file());
  BOOST_TEST(meta.file == m.file());
  BOOST_TEST(meta.deploy_timeout.value().count() == 600);
  BOOST_TEST(meta.check_timeout.count() == 45);
  BOOST_TEST(meta.env.size() == 3u);
  BOOST_TEST(meta.env.at("DOMAIN") == "x.ccci.test");
  BOOST_TEST(meta.env.at("LETS_ENCRYPT_ENV") == "");
  BOOST_TEST(meta.env.at("PORT") == "8080");
  BOOST_TEST_REQUIRE(meta.readiness.size() == 2u);
  BOOST_TEST(meta.readiness[0].path == "/health");
  BOOST_TEST(meta.readiness[0].expect_status == 204);
  BOOST_TEST(meta.readiness[0].attempts == 10);
  BOOST_TEST(meta.readiness[0].interval.count() == 3);
  // Unset probe fields keep their defaults.
  BOOST_TEST(meta.readiness[1].path == "/");
  BOOST_TEST(meta.readiness[1].expect_status == 200);
  BOOST_TEST(meta.readiness[1].attempts == 30);
  BOOST_TEST(meta.readiness[1].interval.count() == 2);
  BOOST_TEST(meta.expected_skips.size() == 2u);
  BOOST_TEST(meta.expected_skips.at("backup") == "no state worth backing up");
  BOOST_TEST(meta.expected_skips.at("restore") == "no state worth backing up");
  BOOST_TEST(meta.enroll);
}

BOOST_AUTO_TEST_CASE(defaults_for_missing_and_empty_files) {
  TempMeta m;
  auto none = load_meta_or_defaults(m.dir());
  BOOST_TEST(none.file.empty());
  BOOST_TEST(!none.deploy_timeout); // the recipe's label or the default decides
  BOOST_TEST(none.check_timeout.count() == 60);
  BOOST_TEST(none.env.empty());
  BOOST_TEST(none.readiness.empty());
  BOOST_TEST(none.expected_skips.empty());
  BOOST_TEST(!none.enroll);

  m.write("# nothing set yet\n");
  auto empty = load_meta_or_defaults(m.dir());
  BOOST_TEST(empty.file == m.file());
  BOOST_TEST(!empty.deploy_timeout);

  m.write("enroll: false\ndeploy_timeout: 120\n");
  auto some = load_meta_or_defaults(m.dir());
  BOOST_TEST(some.deploy_timeout.value().count() == 120);
  BOOST_TEST(some.check_timeout.count() == 60);
  BOOST_TEST(!some.enroll);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_key_and_the_known_ones) {
  TempMeta m;
  auto msg = input_error(m, "enroll: true\n\ndeploy_timout: 300\n");
  std::string expected = m.file().string() +
                         ":3: unknown key 'deploy_timout' (known: deploy_timeout, check_timeout, env, readiness, "
                         "expected_skips, enroll, upgrade_base, upstream, host_access, sequential)";
  BOOST_TEST(msg.starts_with(expected), msg);
  BOOST_TEST(has(msg, "did you mean 'deploy_timeout'"), msg);

  msg = input_error(m, "readiness:\n  - path: /\n    expect: 200\n");
  BOOST_TEST(has(msg, ":3: unknown key 'expect'"), msg);
  BOOST_TEST(has(msg, "expect_status"), msg);
}

BOOST_AUTO_TEST_CASE(wrong_types_and_values_are_located) {
  TempMeta m;
  struct Case {
    const char* text;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {"deploy_timeout: five minutes\n", ":1:", "deploy_timeout"},
      {"enroll: true\ncheck_timeout: 0\n", ":2:", "positive"},
      {"deploy_timeout: -5\n", ":1:", "positive"},
      {"deploy_timeout: 2.5\n", ":1:", "whole number"},
      {"deploy_timeout: [300]\n", ":1:", "deploy_timeout"},
      {"enroll: maybe\n", ":1:", "true or false"},
      {"env:\n  - DOMAIN=x\n", ":2:", "map"},
      {"env:\n  DOMAIN: [a, b]\n", ":2:", "env.DOMAIN"},
      {"env:\n  9BAD: x\n", ":2:", "9BAD"},
      {"readiness:\n  path: /\n", ":2:", "list"},
      {"readiness:\n  - /health\n", ":2:", "map"},
      {"readiness:\n  - path: health\n", ":2:", "start with '/'"},
      {"readiness:\n  - path: /\n    expect_status: ok\n", ":3:", "expect_status"},
      {"readiness:\n  - path: /\n    expect_status: 99\n", ":3:", "100-599"},
      {"readiness:\n  - attempts: 0\n", ":2:", "attempts"},
      {"readiness:\n  - interval: -1\n", ":2:", "interval"},
      {"expected_skips:\n  backups: no state\n", ":2:", "'backups' is not a tier"},
      {"expected_skips:\n  lint: \"\"\n", ":2:", "needs a reason"},
      {"expected_skips:\n  lint:\n", ":2:", "needs a reason"},
      {"expected_skips: [backup]\n", ":1:", "map"},
      {"- just a list\n", ":1:", "map"},
  };
  for (const auto& c : cases) {
    auto msg = input_error(m, c.text);
    BOOST_TEST(msg.starts_with(m.file().string() + c.where), "for '" << c.text << "': " << msg);
    BOOST_TEST(has(msg, c.what), "for '" << c.text << "': " << msg);
  }
}

BOOST_AUTO_TEST_CASE(tier_suggestion_and_tier_list) {
  TempMeta m;
  auto msg = input_error(m, "expected_skips:\n  restor: nothing\n");
  BOOST_TEST(has(msg, "install, upgrade, backup, restore, custom, lint"), msg);
  BOOST_TEST(has(msg, "did you mean 'restore'"), msg);
}

BOOST_AUTO_TEST_CASE(unparsable_and_unreadable_files) {
  TempMeta m;
  auto msg = input_error(m, "env:\n  DOMAIN: [unclosed\n");
  BOOST_TEST(msg.starts_with(m.file().string() + ":"), msg);
  BOOST_TEST(has(msg, "invalid YAML"), msg);

  try {
    load_meta(m.dir() / "missing.yml");
    BOOST_FAIL("no InputError for a missing meta file");
  } catch (const InputError& e) {
    BOOST_TEST(has(e.what(), "missing.yml"), e.what());
  }
}

BOOST_AUTO_TEST_CASE(upgrade_base_pins_a_release_tag) {
  TempMeta m;
  m.write("upgrade_base: \"2.1.8+10.11.13\"\n");
  BOOST_TEST(load_meta(m.file()).upgrade_base.value_or("") == "2.1.8+10.11.13");
  m.write("deploy_timeout: 60\n");
  BOOST_TEST(!load_meta(m.file()).upgrade_base.has_value());
  auto e = input_error(m, "deploy_timeout: 60\nupgrade_base: main\n");
  BOOST_TEST(has(e, "ccci.yml:2"), e);
  BOOST_TEST(has(e, "'upgrade_base' must be a release tag"), e);
}

BOOST_AUTO_TEST_CASE(deploy_timeout_precedence_option_then_meta_then_label_then_default) {
  using std::chrono::seconds;
  RecipeMeta meta;
  const std::optional<std::pair<std::string, int>> label{{"coop-cloud.s.timeout", 120}};
  auto d = choose_deploy_timeout(std::nullopt, meta, std::nullopt);
  BOOST_TEST(d.value.count() == default_deploy_timeout.count());
  BOOST_TEST(d.source.starts_with("ccci's default"), d.source);

  d = choose_deploy_timeout(std::nullopt, meta, label);
  BOOST_TEST(d.value.count() == 120);
  BOOST_TEST(d.source == "label coop-cloud.s.timeout on service app");

  meta.file = "recipes/x/ccci.yml";
  meta.deploy_timeout = seconds(600);
  d = choose_deploy_timeout(std::nullopt, meta, label);
  BOOST_TEST(d.value.count() == 600);
  BOOST_TEST(d.source == "deploy_timeout in recipes/x/ccci.yml");

  d = choose_deploy_timeout(seconds(30), meta, label);
  BOOST_TEST(d.value.count() == 30);
  BOOST_TEST(d.source == "--deploy-timeout");
}

// docs/recipe-meta.md: a pin that is no tag of the recipe, or newer than the
// version under test, is bad input before anything is deployed.
BOOST_AUTO_TEST_CASE(a_pinned_upgrade_base_must_be_an_older_tag_of_the_recipe) {
  RecipeMeta meta;
  meta.file = "recipes/x/ccci.yml";
  const std::vector<std::string> tags{"1.0.0+1.0", "not-a-release", "1.2.0+1.0", "1.1.0+1.0"};
  auto error_of = [&](const std::string& target) -> std::string {
    try {
      check_upgrade_base(meta, tags, target);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no InputError thrown)";
  };
  BOOST_TEST(error_of("1.2.0+1.0") == "(no InputError thrown)"); // no pin
  meta.upgrade_base = "1.1.0+1.0";
  BOOST_TEST(error_of("1.2.0+1.0") == "(no InputError thrown)");
  BOOST_TEST(error_of("1.1.0+1.0") == "(no InputError thrown)"); // same version: the tier skips, saying so
  BOOST_TEST(error_of("") == "(no InputError thrown)");          // a ref that is no release
  auto newer = error_of("1.0.0+1.0");
  BOOST_TEST(has(newer, "recipes/x/ccci.yml: upgrade_base '1.1.0+1.0' is newer than the version under test 1.0.0+1.0"),
             newer);
  BOOST_TEST(has(newer, "pin an older release, or remove upgrade_base"), newer);
  meta.upgrade_base = "0.9.0+1.0";
  auto missing = error_of("1.2.0+1.0");
  BOOST_TEST(has(missing, "recipes/x/ccci.yml: upgrade_base '0.9.0+1.0' is not a release tag of the recipe"), missing);
  BOOST_TEST(has(missing, "newest first: 1.2.0+1.0, 1.1.0+1.0, 1.0.0+1.0)"), missing);
  BOOST_TEST(has(missing, "or remove upgrade_base"), missing);
  auto untagged = [&] {
    try {
      check_upgrade_base(meta, {}, "");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no InputError thrown)");
  }();
  BOOST_TEST(has(untagged, "the repository has no release tags"), untagged);
}
