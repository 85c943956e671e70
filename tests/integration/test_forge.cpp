// The git and git-lfs helpers end to end: the real ccci binary, the real
// local swarm and the git-forge example (made by ./setup), and a plugin built
// out of tree against an installed ccci.
#define BOOST_TEST_MODULE integration_forge
#include <boost/test/unit_test.hpp>

#include "support/ccci_runs.hpp"

#include <filesystem>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// A directory of this test case's own: scenarios run in parallel.
fs::path fresh_dir(const std::string& name) { return ccci::test::fresh_dir(work / "forge", name); }

// Runs `ccci` (the given binary) with `args` and a fresh runs directory, and
// reads the one results.json it wrote.
Outcome run_ccci(const std::string& ccci, const std::string& name, std::vector<std::string> args) {
  return ccci::test::run_ccci({.binary = ccci, .args = std::move(args), .runs_dir = fresh_dir(name)});
}

Outcome run_forge(const std::string& repo, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run",
                                "--recipe-dir",
                                (repos / repo).string(),
                                "--recipe",
                                "git-forge",
                                "--plugin",
                                std::string(CCCI_PLUGIN_DIR) + "/git-forge.so"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ccci(CCCI_BIN, repo, args);
}

void expect_pass(const Outcome& o, const std::string& check) {
  auto* c = o.check(check);
  BOOST_TEST_REQUIRE(c, "no check " << check << " in results.json");
  BOOST_TEST(c->status == Status::pass, check << ": " << c->message);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(git_forge_is_green_on_every_tier_with_the_lfs_object_intact) {
  auto o = run_forge("git-forge");
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST_REQUIRE(o.results.has_value());
  for (Tier t : {Tier::install, Tier::upgrade, Tier::backup, Tier::restore, Tier::custom, Tier::lint})
    BOOST_TEST(o.tier(t).status == Status::pass, ccci::to_string(t) << ": " << o.tier(t).reason);
  BOOST_TEST(o.results->level.level == 5);
  expect_pass(o, "install/git_roundtrip");
  expect_pass(o, "upgrade/seed:lfs_object");
  // The LFS object survives the in-place upgrade and the wipe and restore.
  expect_pass(o, "upgrade/verify:lfs_object");
  expect_pass(o, "upgrade/install:git_roundtrip");
  expect_pass(o, "backup/archive:repo_and_lfs_object");
  expect_pass(o, "restore/verify:lfs_object");
  expect_pass(o, "custom/lfs_roundtrip");
  auto* lfs = o.check("custom/lfs_roundtrip");
  BOOST_TEST(contains(lfs->message, "10485760 bytes"), lfs->message);
  BOOST_TEST(contains(lfs->message, "through the LFS API"), lfs->message);
  BOOST_TEST(contains(lfs->message, "git stores only the pointer"), lfs->message);
  BOOST_TEST(o.results->clean_teardown);
  BOOST_TEST(o.results->no_secret_leak);
}

BOOST_AUTO_TEST_CASE(git_forge_without_lfs_is_red_at_custom_and_install_passes) {
  auto o = run_forge("git-forge-lfs-off", {"--tiers", "install,custom"});
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::pass, o.tier(Tier::install).reason);
  expect_pass(o, "install/git_roundtrip");
  BOOST_TEST(o.tier(Tier::custom).status == Status::fail);
  auto* lfs = o.check("custom/lfs_roundtrip");
  BOOST_TEST_REQUIRE(lfs);
  BOOST_TEST(lfs->status == Status::fail);
  BOOST_TEST(lfs->message.starts_with("the server does not serve Git LFS"), lfs->message);
  BOOST_TEST(contains(lfs->message, "answered 501"), lfs->message);
  BOOST_TEST(contains(lfs->message, "LFS_ENABLED=false"), lfs->message);
  BOOST_TEST(o.results->clean_teardown);
}

// The plugin author's path: install ccci into a clean prefix, build a plugin
// out of tree with find_package(ccci) + ccci_add_plugin, and run the
// INSTALLED ccci with it.
BOOST_AUTO_TEST_CASE(out_of_tree_plugin_builds_against_the_installed_sdk_and_passes) {
  auto root = fresh_dir("consumer");
  auto prefix = root / "prefix", build = root / "build";
  auto install = run_logged({CCCI_CMAKE, "--install", CCCI_BUILD_DIR, "--prefix", prefix.string()});
  BOOST_TEST_REQUIRE(install.ok(), install.out);
  for (auto p : {"bin/ccci", "include/ccci/plugin.hpp", "lib/cmake/ccci/ccciConfig.cmake",
                 "lib/cmake/ccci/ccciConfigVersion.cmake", "lib/cmake/ccci/ccciPlugin.cmake",
                 "lib/ccci/plugins/custom-html-tiny.so", "share/ccci/recipes/custom-html-tiny/ccci.yml"})
    BOOST_TEST(fs::exists(prefix / p), "not installed: " << p);
  BOOST_TEST(!fs::exists(prefix / "lib/ccci/plugins/crashy.so"), "a test plugin was installed");

  auto configure = run_logged({CCCI_CMAKE, "-S", std::string(CCCI_SOURCE_DIR) + "/tests/consumer", "-B", build.string(),
                               "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_BUILD_TYPE=Release"});
  BOOST_TEST_REQUIRE(configure.ok(), configure.out);
  auto compile = run_logged({CCCI_CMAKE, "--build", build.string()});
  BOOST_TEST_REQUIRE(compile.ok(), compile.out);
  auto plugin = build / "plugins" / "consumer-html.so";
  BOOST_TEST_REQUIRE(fs::exists(plugin));

  auto o = run_ccci((prefix / "bin" / "ccci").string(), "run",
                    {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                     "--plugin", plugin.string(), "--tiers", "install,custom"});
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.results->plugin.has_value());
  if (o.results->plugin) BOOST_TEST(o.results->plugin->path == plugin.string());
  expect_pass(o, "install/consumer_serving");
  expect_pass(o, "custom/consumer_hello_is_text");
  BOOST_TEST(o.tier(Tier::install).status == Status::pass);
  BOOST_TEST(o.tier(Tier::custom).status == Status::pass);
  BOOST_TEST(o.results->clean_teardown);
}

// A tool only the plugin declared is missing: the tier whose plugin checks
// need it is unver (never fail); ccci's own install and the lint still run.
BOOST_AUTO_TEST_CASE(a_missing_plugin_tool_makes_its_tiers_unverified_not_failed) {
  auto o =
      run_ccci(CCCI_BIN, "needs-tool",
               {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/needs_tool.so", "--tiers", "install,custom,lint"});
  BOOST_TEST(o.exit_code == 3);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::pass, o.tier(Tier::install).reason);
  BOOST_TEST(o.tier(Tier::custom).status == Status::unver);
  BOOST_TEST(contains(o.tier(Tier::custom).reason, "ccci-no-such-tool"), o.tier(Tier::custom).reason);
  BOOST_TEST(o.tier(Tier::lint).status == Status::pass, o.tier(Tier::lint).reason);
  BOOST_TEST(!o.check("custom/uses_the_missing_tool"));
  BOOST_TEST(o.results->clean_teardown);
}
