// `ccci run` end to end: the real binary, the real local swarm, the example
// recipe and its variants as real git repositories (made by ./setup).
#define BOOST_TEST_MODULE integration_run
#include <boost/test/unit_test.hpp>

#include "backup/archive.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"
#include "swarm/docker.hpp"
#include "swarm/engine.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// Runs ccci with `args` (plus a fresh runs dir) through `prefix` (e.g. a
// `timeout` command), and reads the one results.json it wrote, if any.
Outcome run_ccci(const std::string& name, std::vector<std::string> args, std::vector<std::string> prefix = {}) {
  return ccci::test::run_ccci(
      {.binary = CCCI_BIN, .args = std::move(args), .runs_dir = fresh_dir(work / "runs", name), .prefix = prefix});
}

Outcome run_variant(const std::string& repo, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", "--recipe-dir", (repos / repo).string(), "--recipe", "custom-html-tiny"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ccci(repo, args);
}

void expect_nothing_left(const Outcome& o) {
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.results->clean_teardown);
  BOOST_TEST(o.results->no_secret_leak);
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
  // The upgrade chain's own stack, when it ran at once (docs/architecture.md, "Chains").
  if (!o.results->chains.upgrade_stack.empty()) {
    left = leftovers_of(o.results->chains.upgrade_stack);
    BOOST_TEST(left.empty(), "left behind by the upgrade chain: " << (left.empty() ? "" : left.front()));
  }
}

// The stack backup and restore ran on: the upgrade chain's own when the
// chains ran at once (docs/architecture.md, "Chains"), its archive
// backup/<that stack>.tar.gz.
std::string backup_stack(const Outcome& o) {
  return o.results->chains.upgrade_stack.empty() ? o.results->stack : o.results->chains.upgrade_stack;
}

// Bad input: exit 2, a message naming the problem, and no run at all.
void expect_bad_input(const Outcome& o, const std::string& must_mention) {
  BOOST_TEST(o.exit_code == 2);
  BOOST_TEST(o.output.find(must_mention) != std::string::npos, "output lacks '" << must_mention << "': " << o.output);
  BOOST_TEST(!o.results.has_value());
  BOOST_TEST(fs::is_empty(o.runs_dir), "a run directory was created for bad input");
}

} // namespace

BOOST_AUTO_TEST_CASE(example_is_green) {
  auto o = run_variant("custom-html-tiny");
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::pass);
  BOOST_TEST(o.tier(Tier::custom).status == Status::pass);
  BOOST_TEST(o.tier(Tier::backup).declared_skip);
  BOOST_TEST(o.results->version == "1.1.0+1.22.1"); // the newest release by default
  auto* serving = o.check("install/serving");
  BOOST_TEST_REQUIRE(serving);
  BOOST_TEST(serving->status == Status::pass);
  auto* ct = o.check("custom/content_type_html_and_txt");
  BOOST_TEST_REQUIRE(ct);
  BOOST_TEST(ct->status == Status::pass);
  // Upgrade from the older release, backup and restore declared skips, lint clean: the top.
  BOOST_TEST(o.tier(Tier::upgrade).status == Status::pass);
  BOOST_TEST(o.tier(Tier::upgrade).reason.find("1.0.0+1.22.1 -> 1.1.0+1.22.1") != std::string::npos,
             o.tier(Tier::upgrade).reason);
  BOOST_TEST(o.check("upgrade/install:serving"));
  BOOST_TEST(o.tier(Tier::restore).declared_skip);
  BOOST_TEST(o.tier(Tier::lint).status == Status::pass);
  BOOST_TEST(o.results->level.level == 5);
  // Its image tag `bookworm` is not semver-like: abra's R005, a warning,
  // listed as `warn` without capping the level; the rules that need the
  // network are listed as skipped, never as passed.
  auto* r005 = o.check("lint/R005-semver-like-tags");
  BOOST_TEST_REQUIRE(r005);
  BOOST_TEST(r005->status == Status::warn);
  BOOST_TEST(r005->message.find("compose.yml:5 service app") != std::string::npos, r005->message);
  auto* r006 = o.check("lint/R006-published-catalogue-version");
  BOOST_TEST_REQUIRE(r006);
  BOOST_TEST(r006->status == Status::skip);
  BOOST_TEST(o.tier(Tier::lint).reason.find("1 warning") != std::string::npos, o.tier(Tier::lint).reason);
  BOOST_TEST(fs::exists(o.run_dir() / "compose.rendered.yml"));
  BOOST_TEST(fs::exists(o.run_dir() / "compose.base.rendered.yml"));
  // The generated secret's value never reaches the rendered compose or the log.
  BOOST_TEST(read(o.run_dir() / "compose.rendered.yml").find("external: true") != std::string::npos);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(txt_served_as_octet_stream_is_red_at_custom) {
  auto o = run_variant("txt-octet-stream");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::pass);
  BOOST_TEST(o.tier(Tier::custom).status == Status::fail);
  auto* ct = o.check("custom/content_type_html_and_txt");
  BOOST_TEST_REQUIRE(ct);
  BOOST_TEST(ct->status == Status::fail);
  BOOST_TEST(ct->message.find("application/octet-stream") != std::string::npos, ct->message);
  BOOST_TEST(o.results->level.rung == "custom"); // install and upgrade passed, backup+restore declared skips
  BOOST_TEST(o.results->level.level == 2);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(missing_image_fails_install) {
  auto o = run_variant("missing-image");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::fail);
  BOOST_TEST(o.tier(Tier::custom).status == Status::na);
  auto* conv = o.check("install/converged");
  BOOST_TEST_REQUIRE(conv);
  BOOST_TEST(conv->message.find("does-not-exist") != std::string::npos, conv->message);
  BOOST_TEST(o.results->level.level == 0);
  BOOST_TEST(fs::file_size(o.run_dir() / "evidence" / "tasks.txt") > 0u);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(never_healthy_fails_install_within_timeout) {
  auto o = run_variant("never-healthy", {"--deploy-timeout", "25"});
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::fail);
  auto* conv = o.check("install/converged");
  BOOST_TEST_REQUIRE(conv);
  BOOST_TEST(conv->message.find("not converged within the deploy timeout of 25s") != std::string::npos, conv->message);
  // Evidence: task states and the service's log.
  BOOST_TEST(read(o.run_dir() / "evidence" / "tasks.txt").find("app") != std::string::npos);
  BOOST_TEST(fs::exists(o.run_dir() / "evidence" / "app.log"));
  BOOST_TEST(fs::exists(o.run_dir() / "compose.rendered.yml"));
  expect_nothing_left(o);
}

// The base release is deployed, never converges, and the upgrade stops there:
// the evidence is of what is on the swarm (the base's services), collected
// after the upgrade tier has returned. Under the sanitizer build this is the
// case that caught evidence reading a release the upgrade tier had freed.
BOOST_AUTO_TEST_CASE(upgrade_whose_base_never_converges_keeps_the_base_evidence) {
  auto o = run_variant("base-never-healthy", {"--deploy-timeout", "25", "--tiers", "install,upgrade"});
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST((o.tier(Tier::install).status == Status::pass));
  BOOST_TEST((o.tier(Tier::upgrade).status == Status::fail));
  auto* conv = o.check("upgrade/base_converged");
  BOOST_TEST_REQUIRE(conv);
  BOOST_TEST((conv->status == Status::fail));
  BOOST_TEST(conv->message.find("not converged within the deploy timeout of 25s") != std::string::npos, conv->message);
  // The base is deployed by the upgrade chain, on its own stack, at once
  // with install: its evidence is the chain's (docs/architecture.md, "Chains").
  BOOST_TEST(o.results->chains.parallel, o.results->chains.why);
  auto& ev = o.results->evidence;
  BOOST_TEST((std::find(ev.begin(), ev.end(), "evidence/upgrade-chain/app.log") != ev.end()));
  BOOST_TEST(read(o.run_dir() / "evidence" / "upgrade-chain" / "app.log").size() > 0u);
  BOOST_TEST(read(o.run_dir() / "evidence" / "upgrade-chain" / "tasks.txt").find("app") != std::string::npos);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(crashing_plugin_fails_only_its_checks) {
  auto o = run_variant("custom-html-tiny",
                       {"--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/crashy.so", "--check-timeout", "5"});
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  auto expect = [&](const char* name, Status s, const char* text) {
    auto* c = o.check(name);
    BOOST_TEST_REQUIRE(c, name);
    BOOST_TEST((c->status == s), name << ": " << to_string(c->status));
    BOOST_TEST(c->message.find(text) != std::string::npos, name << ": " << c->message);
  };
  expect("install/answers", Status::pass, "200");
  expect("install/segfaults", Status::fail, "SIGSEGV");
  expect("install/aborts", Status::fail, "SIGABRT");
  expect("install/throws", Status::fail, "deliberate failure");
  expect("install/hangs", Status::fail, "timeout of 5s");
  BOOST_TEST(o.tier(Tier::install).status == Status::fail);
  BOOST_TEST(o.results->plugin->path.find("crashy.so") != std::string::npos);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(unparsable_compose_fails_install) {
  auto o = run_variant("bad-yaml");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::fail);
  auto* render = o.check("install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST(render->message.find("compose.yml:") != std::string::npos, render->message);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(undeclared_secret_fails_install) {
  auto o = run_variant("undeclared-secret");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  auto* render = o.check("install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST(render->status == Status::fail);
  BOOST_TEST(render->message.find("admin_password") != std::string::npos, render->message);
  expect_nothing_left(o);
}

// With no docker on PATH at all, nothing can be deployed and the teardown
// cannot ask what remains: unverified, results.json still written, and the
// teardown said to be unknown rather than clean (once, an internal error
// with no results.json).
BOOST_AUTO_TEST_CASE(no_docker_on_path_is_unverified_and_still_writes_results) {
  auto bin = fresh_dir(work / "runs", "no-docker-bin");
  fs::create_symlink("/usr/bin/git", bin / "git");
  auto o = ccci::test::run_ccci(
      {.binary = CCCI_BIN,
       .args = {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny"},
       .runs_dir = fresh_dir(work / "runs", "no-docker"),
       .env = {"PATH=" + bin.string()}});
  BOOST_TEST(o.exit_code == 3, o.output);
  BOOST_TEST(o.output.find("internal error") == std::string::npos, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value(), o.output);
  BOOST_TEST((o.tier(Tier::install).status == Status::unver), o.tier(Tier::install).reason);
  BOOST_TEST(o.tier(Tier::install).reason.find("docker") != std::string::npos, o.tier(Tier::install).reason);
  BOOST_TEST(!o.results->clean_teardown);
  BOOST_TEST_REQUIRE(!o.results->teardown_leftovers.empty());
  BOOST_TEST(o.results->teardown_leftovers.front().find("the teardown could not run") != std::string::npos,
             o.results->teardown_leftovers.front());
}

BOOST_AUTO_TEST_CASE(empty_compose_fails_install) {
  auto o = run_variant("empty-compose");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  auto* render = o.check("install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST(render->status == Status::fail);
  BOOST_TEST(render->message.find("compose.yml") != std::string::npos, render->message);
  expect_nothing_left(o);
}

// docs/architecture.md, "Deploying as abra does". The variant's healthcheck
// passes only when the container has DOMAIN, does not have the caller's
// CCCI_OPERATOR_ONLY, reads a 64-character site_token, and nginx.conf (a
// golang template) says the app env's GREETING; the plugin's check finds its
// CCCI_SECRET value for the generate=false secret.
BOOST_AUTO_TEST_CASE(the_app_env_reaches_the_app_and_the_callers_environment_does_not) {
  ::setenv("CCCI_OPERATOR_ONLY", "from-the-operators-shell", 1);
  ::setenv("GREETING", "from-the-operators-shell", 1);
  auto o = run_variant("app-env-reaches-app",
                       {"--tiers", "install", "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/secret_maker.so"});
  ::unsetenv("CCCI_OPERATOR_ONLY");
  ::unsetenv("GREETING");
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::pass, o.tier(Tier::install).reason);
  auto* handmade = o.check("install/handmade_secret_in_place");
  BOOST_TEST_REQUIRE(handmade);
  BOOST_TEST(handmade->status == Status::pass, handmade->message);
  auto* secrets = o.check("install/secrets");
  BOOST_TEST_REQUIRE(secrets);
  BOOST_TEST(secrets->message.find("site_token: 64 characters") != std::string::npos, secrets->message);
  BOOST_TEST(secrets->message.find("handmade: made by the plugin's CCCI_SECRET(\"handmade\")") != std::string::npos,
             secrets->message);
  // The meta's deploy_timeout wins over the recipe's timeout label, and says so.
  auto* converged = o.check("install/converged");
  BOOST_TEST_REQUIRE(converged);
  BOOST_TEST(converged->message.find("deploy timeout 120s, from deploy_timeout in") != std::string::npos,
             converged->message);
  auto rendered = read(o.run_dir() / "compose.rendered.yml");
  BOOST_TEST(rendered.find("CCCI_OPERATOR_ONLY=") == std::string::npos, rendered);
  BOOST_TEST(rendered.find("from-the-operators-shell") == std::string::npos, rendered);
  BOOST_TEST(rendered.find("\"GREETING=hello-from-the-app-env\"") != std::string::npos, rendered);
  BOOST_TEST(rendered.find("template_driver: golang") != std::string::npos, rendered);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(a_compose_with_no_services_is_red_at_install) {
  auto o = run_variant("services-empty-map");
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST_REQUIRE(o.results.has_value());
  auto* render = o.check("install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST(render->status == Status::fail);
  BOOST_TEST(render->message.find("compose.yml: 'services:' is empty") != std::string::npos, render->message);
  BOOST_TEST(o.results->level.level == 0);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(path_that_is_not_a_recipe_is_bad_input) {
  auto plain = work / "not-a-recipe";
  fs::create_directories(plain);
  expect_bad_input(run_ccci("not-a-recipe", {"run", "--recipe-dir", plain.string()}), "not a git repository");
  expect_bad_input(run_ccci("missing-dir", {"run", "--recipe-dir", (work / "no-such-dir").string()}),
                   "not a directory");
}

BOOST_AUTO_TEST_CASE(malformed_meta_is_bad_input) {
  auto meta_dir = work / "bad-meta";
  fs::create_directories(meta_dir / "custom-html-tiny");
  std::ofstream(meta_dir / "custom-html-tiny" / "ccci.yml") << "deploy_timeout: 60\ndeploy_timout: 30\n";
  auto o = run_variant("custom-html-tiny", {"--recipes-dir", meta_dir.string()});
  expect_bad_input(o, "ccci.yml");
  BOOST_TEST(o.output.find("deploy_timout") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plugin_with_wrong_abi_is_bad_input) {
  auto o = run_variant("custom-html-tiny", {"--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/wrong_abi.so"});
  expect_bad_input(o, "wrong_abi.so");
  BOOST_TEST(o.output.find("ABI") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_options_are_bad_input) {
  expect_bad_input(
      run_ccci("bad-tier", {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--tiers", "install,smoke"}),
      "'smoke' is not a tier");
  expect_bad_input(run_ccci("no-dir", {"run"}), "--recipe-dir is required");
  expect_bad_input(
      run_ccci("bad-version", {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--version", "9.9.9+0"}),
      "9.9.9+0");
}

BOOST_AUTO_TEST_CASE(sigint_mid_run_tears_down_and_is_unverified) {
  // never-healthy keeps the run converging; SIGINT arrives in the middle.
  auto o = run_ccci("sigint",
                    {"run", "--recipe-dir", (repos / "never-healthy").string(), "--recipe", "custom-html-tiny",
                     "--deploy-timeout", "300"},
                    {"timeout", "--preserve-status", "--signal=INT", "20"});
  BOOST_TEST(o.exit_code == 3);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::unver);
  BOOST_TEST(o.tier(Tier::install).reason.find("SIGINT") != std::string::npos);
  BOOST_TEST(o.tier(Tier::custom).status == Status::unver);
  expect_nothing_left(o);
}

// The data tiers on a real PostgreSQL: notes-pg and its variants. The red at
// upgrade, backup and restore are proven by the canaries (tests/canaries),
// with the check that must fail named; these cases check what they do not.

namespace {

Outcome run_notes(const std::string& repo, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", "--recipe-dir", (repos / repo).string(), "--recipe", "notes-pg"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ccci(repo, args);
}

void expect_passed(const Outcome& o, std::initializer_list<Tier> tiers) {
  for (Tier t : tiers)
    BOOST_TEST((o.tier(t).status == Status::pass), ccci::to_string(t) << ": " << o.tier(t).reason);
}

// A red names its tier and check, and leaves evidence behind.
void expect_red_at(const Outcome& o, Tier tier, const std::string& check, const std::string& text) {
  BOOST_TEST(o.exit_code == 1);
  BOOST_TEST((o.tier(tier).status == Status::fail), ccci::to_string(tier) << ": " << o.tier(tier).reason);
  auto* c = o.check(check);
  BOOST_TEST_REQUIRE(c, "no check " << check);
  BOOST_TEST((c->status == Status::fail), check);
  BOOST_TEST(c->message.find(text) != std::string::npos, c->message);
  BOOST_TEST(o.tier(tier).reason.find(check) != std::string::npos, o.tier(tier).reason);
  BOOST_TEST_REQUIRE(!o.results->evidence.empty());
  for (auto& e : o.results->evidence)
    BOOST_TEST(fs::exists(o.run_dir() / e), e);
}

} // namespace

BOOST_AUTO_TEST_CASE(notes_pg_is_green_on_every_tier) {
  auto o = run_notes("notes-pg");
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_passed(o, {Tier::install, Tier::upgrade, Tier::backup, Tier::restore, Tier::custom, Tier::lint});
  BOOST_TEST(o.results->level.level == 5);
  for (const char* check :
       {"upgrade/seed:rows", "upgrade/verify:rows", "backup/pre-hook:db", "backup/archive_complete",
        "backup/archive:dump_has_rows", "restore/post-hook:db", "restore/verify:rows", "custom/migration_applied"}) {
    auto* c = o.check(check);
    BOOST_TEST_REQUIRE(c, check);
    BOOST_TEST((c->status == Status::pass), check << ": " << c->message);
  }
  // The archive is kept in the run directory, and its dump holds no secret.
  BOOST_TEST(fs::exists(o.run_dir() / "backup" / (backup_stack(o) + ".tar.gz")));
  for (Tier t : all_tiers)
    BOOST_TEST_MESSAGE("notes-pg " << ccci::to_string(t) << " " << to_string(o.tier(t).status) << " "
                                   << o.tier(t).duration << "s");
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(notes_pg_with_the_backup_label_on_app_backs_up_and_restores_the_db_dump) {
  // backupbot.backup=true on app only; the volume and its dump hooks on db.
  // One label enables the stack: db's dump is in the archive and comes back.
  auto o = run_notes("notes-pg-label-on-app");
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.exit_code == 0);
  expect_passed(o, {Tier::install, Tier::upgrade, Tier::backup, Tier::restore, Tier::custom, Tier::lint});
  for (const char* check :
       {"backup/pre-hook:db", "backup/post-hook:db", "backup/archive_complete", "backup/archive:dump_has_rows",
        "restore/post-hook:db", "restore/verify:rows", "lint/C004-db-backup-is-a-dump",
        "lint/C005-dump-has-restore-hook", "lint/C006-backupbot-label-once"}) {
    auto* c = o.check(check);
    BOOST_TEST_REQUIRE(c, check);
    BOOST_TEST((c->status == Status::pass), check << ": " << c->message);
  }
  BOOST_TEST(o.check("backup/pre-hook:db")->message.find("backupbot.backup.pre-hook of service db") !=
             std::string::npos);
  // The archive, read here on its own: db's volume where backupbot keeps it,
  // holding only the dump, and the dump holding the seeded notes.
  const auto stack = backup_stack(o);
  const ArchiveReader archive(o.run_dir() / "backup" / (stack + ".tar.gz"), stack);
  std::vector<std::string> paths;
  for (const auto& e : archive.entries())
    paths.push_back(e.path);
  BOOST_TEST(paths == std::vector<std::string>{"var/lib/docker/volumes/" + stack + "_db/_data/backup.sql"},
             boost::test_tools::per_element());
  const ccci::BackupArchive& view = archive; // as plugins see it, max_bytes defaulted
  const auto dump = view.read(archive.volume_path("db", "backup.sql"));
  BOOST_TEST_REQUIRE(dump.has_value());
  for (int i = 1; i <= 3; ++i) {
    const auto body = "ccci-seed-" + stack + "-" + std::to_string(i);
    BOOST_TEST(dump->find(body) != std::string::npos, "the dump lacks " << body);
  }
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(notes_pg_dump_failing_inside_a_pipe_is_red_at_the_pre_hook) {
  // `pg_dump ... notes_db | cat > backup.sql`: the pipe's last command
  // succeeds; run with pipefail, as backupbot runs hooks, the hook fails.
  auto o = run_notes("notes-pg-dump-fails-in-a-pipe");
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_passed(o, {Tier::install, Tier::upgrade});
  expect_red_at(o, Tier::backup, "backup/pre-hook:db", "database \"notes_db\" does not exist");
  const auto& message = o.check("backup/pre-hook:db")->message;
  BOOST_TEST(message.find("backupbot itself would only have logged this failure and reported the backup as "
                          "successful") != std::string::npos,
             message);
  BOOST_TEST(o.check("backup/archive_complete") == nullptr); // nothing copied after a failed pre-hook
  BOOST_TEST((o.tier(Tier::restore).status == Status::na));
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(notes_pg_live_data_directory_is_red_at_restore_and_flagged_by_lint) {
  // Without the plugin's archive check, nothing stops the bad backup before
  // the restore, where the seeded rows do not come back.
  auto o = run_notes("notes-pg-live-datadir",
                     {"--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/notes-pg-no-archive-check.so"});
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_passed(o, {Tier::install, Tier::upgrade, Tier::backup});
  expect_red_at(o, Tier::restore, "restore/verify:rows", "missing");
  auto* lint = o.check("lint/C004-db-backup-is-a-dump");
  BOOST_TEST_REQUIRE(lint);
  BOOST_TEST((lint->status == Status::fail));
  BOOST_TEST(lint->message.find("backupbot.backup.volumes.db.path=backup.sql") != std::string::npos, lint->message);
  expect_nothing_left(o);
}

BOOST_AUTO_TEST_CASE(notes_pg_live_data_directory_is_caught_by_the_archive_check) {
  auto o = run_notes("notes-pg-live-datadir");
  BOOST_TEST_REQUIRE(o.results.has_value());
  expect_red_at(o, Tier::backup, "backup/archive:dump_has_rows", "live data directory");
  expect_nothing_left(o);
}

// The multi-service example, written as catalogue recipes are: deployed as
// abra deploys it (bare env entries, a length=64 secret, a golang-template
// config, the timeout label), routed as Traefik routes it (two routers by
// path) and backed up with backupbot's stack-wide labels.
BOOST_AUTO_TEST_CASE(linkshelf_is_green_on_every_tier) {
  auto o = run_ccci("linkshelf", {"run", "--recipe-dir", (repos / "linkshelf").string(), "--recipe", "linkshelf"});
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.results->version == "1.1.0+15.14");
  expect_passed(o, {Tier::install, Tier::upgrade, Tier::backup, Tier::restore, Tier::custom, Tier::lint});
  BOOST_TEST(o.results->level.level == 5);
  BOOST_TEST(o.tier(Tier::upgrade).reason.find("1.0.0+15.14 -> 1.1.0+15.14") != std::string::npos,
             o.tier(Tier::upgrade).reason);
  for (const char* check :
       {"install/front_page_has_the_title", "install/links_served", "install/static_routed_to_static",
        "upgrade/seed:bookmarks", "upgrade/verify:bookmarks", "upgrade/install:static_routed_to_static",
        "backup/pre-hook:db", "backup/archive:dump_is_a_gzipped_pg_dump", "restore/post-hook:db",
        "restore/verify:bookmarks", "custom/migration_applied", "custom/unknown_paths_stay_with_their_router"}) {
    auto* c = o.check(check);
    BOOST_TEST_REQUIRE(c, check);
    BOOST_TEST((c->status == Status::pass), check << ": " << c->message);
  }
  // The title came from the meta's env, not .env.sample's.
  auto* title = o.check("install/front_page_has_the_title");
  BOOST_TEST(title->message.find("ccci test shelf") != std::string::npos, title->message);
  BOOST_TEST(fs::exists(o.run_dir() / "backup" / (backup_stack(o) + ".tar.gz")));
  expect_nothing_left(o);
}

// converge's watch (docs/architecture.md, "Where an install's time goes") on
// the real daemon: quiet while nothing of the stack happens, woken by a
// container's start and by its health turning healthy, not by its removal,
// and lost once docker ends it at its deadline.
BOOST_AUTO_TEST_CASE(a_stack_watch_wakes_on_a_start_and_a_health_change_and_ends_at_its_deadline) {
  using namespace std::chrono;
  using Woke = StackWatch::Woke;
  const auto stack = "ccci-watch-" + std::to_string(::getpid());
  auto watch = watch_stack(stack, system_clock::now() + 60s);
  BOOST_TEST_REQUIRE(watch != nullptr);
  BOOST_TEST((watch->wait(steady_clock::now() + 500ms) == Woke::timeout), "woken before anything of the stack ran");

  auto started = docker({"run", "-d", "--label", "com.docker.stack.namespace=" + stack, "--health-cmd", "true",
                         "--health-interval", "2s", "ccci-local/nginx:bookworm", "sleep", "60"});
  BOOST_TEST_REQUIRE(started.ok(), started.err);
  const auto id = started.out.substr(0, started.out.find('\n'));
  BOOST_TEST((watch->wait(steady_clock::now() + 30s) == Woke::event), "no event for the container's start");
  // Its first healthcheck runs two seconds after the start, so it wakes the watch apart from the
  // start even when this process is slow to read it.
  BOOST_TEST((watch->wait(steady_clock::now() + 30s) == Woke::event), "no event for its health turning healthy");
  auto removed = docker({"rm", "-f", id});
  BOOST_TEST_REQUIRE(removed.ok(), removed.err);
  BOOST_TEST((watch->wait(steady_clock::now() + 1500ms) == Woke::timeout), "woken by the container's removal");

  // docker ends the stream at the watch's deadline (a second later at most): the watch is lost.
  auto brief = watch_stack(stack, system_clock::now() + 1s);
  BOOST_TEST_REQUIRE(brief != nullptr);
  BOOST_TEST((brief->wait(steady_clock::now() + 20s) == Woke::lost), "the stream went on past its deadline");
  BOOST_TEST((brief->wait(steady_clock::now() + 100ms) == Woke::lost));
}

// swarm/engine.hpp: the reads a run makes most often go to the Engine API over
// the daemon's socket. They must see what the CLI's readers see, on the real
// daemon: a stack with a healthy service, a service whose image does not
// exist (task errors), an internal network, a volume, a secret and a config.
BOOST_AUTO_TEST_CASE(the_engine_api_reads_what_the_docker_cli_reads) {
  using namespace std::chrono;
  const auto stack = "ccci-engine-" + std::to_string(::getpid());
  const auto run = "engine-test-" + std::to_string(::getpid());
  TempTree tree("engine");
  tree.write("hello.txt", "hello\n");
  auto compose = tree.write("compose.yml", fmt::format(R"(version: "3.8"
services:
  app:
    image: ccci-local/nginx:bookworm
    command: ["sleep", "300"]
    healthcheck: {{test: ["CMD", "true"], interval: 1s, start_period: 1s}}
    networks: [internal]
    volumes: ["data:/data"]
    configs: [{{source: hello, target: /hello.txt}}]
    secrets: [token]
    deploy:
      labels: {{ccci.run: "{0}", ccci.host: "here"}}
  ghost:
    image: ccci-local/absent:none
    deploy:
      restart_policy: {{condition: none}}
networks:
  internal: {{}}
volumes:
  data:
    labels: {{ccci.run: "{0}"}}
configs:
  hello: {{file: ./hello.txt, labels: {{ccci.run: "{0}"}}}}
secrets:
  token: {{external: true, name: {1}_token_v1}}
)",
                                                       run, stack));
  auto secret = docker({"secret", "create", "--label", "com.docker.stack.namespace=" + stack, "--label",
                        "ccci.run=" + run, stack + "_token_v1", "-"},
                       [] {
                         ProcessOptions o;
                         o.input = "not-a-real-secret";
                         return o;
                       }());
  BOOST_TEST_REQUIRE(secret.ok(), secret.err);
  auto deployed = docker({"stack", "deploy", "--resolve-image", "never", "--compose-file", compose.string(), stack});
  struct Down {
    std::string stack;
    ~Down() { teardown_stack(stack, /*throwaway=*/true); }
  } down{stack};
  BOOST_TEST_REQUIRE(deployed.ok(), deployed.err);

  // The app healthy and the ghost's task refused: then nothing changes but
  // the ghost's retries, whose error the look keeps once.
  const auto deadline = steady_clock::now() + 90s;
  std::vector<ServiceState> cli, api;
  // A read through one reader or the other. A failed engine request turns
  // the engine off and the read goes to the CLI unseen: after an engine
  // read the engine must still answer, or the comparison proved nothing.
  auto through = [&](bool engine, auto read) {
    if (!engine) use_engine(false);
    auto r = read();
    if (!engine) use_engine(true);
    if (engine) BOOST_TEST_REQUIRE(engine_get("/version").has_value(), "the engine read fell back to the CLI");
    return r;
  };
  auto look = [&](bool engine) {
    auto s = through(engine, [&] { return stack_services(stack); });
    std::sort(s.begin(), s.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return s;
  };
  while (true) {
    api = look(true);
    const bool settled = api.size() == 2 && api[0].name == stack + "_app" && api[0].running == 1 &&
                         api[0].healthy == 1 && !api[1].task_errors.empty();
    if (settled || steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(200ms);
  }
  cli = look(false);
  BOOST_TEST_REQUIRE(api.size() == 2u, "the engine sees " << api.size() << " service(s)");
  BOOST_TEST_REQUIRE(cli.size() == api.size(), "the CLI sees " << cli.size() << " service(s)");
  for (std::size_t i = 0; i < api.size(); ++i) {
    BOOST_TEST_CONTEXT("service " << api[i].name) {
      BOOST_TEST(cli[i].name == api[i].name);
      BOOST_TEST(cli[i].running == api[i].running);
      BOOST_TEST(cli[i].desired == api[i].desired);
      BOOST_TEST(cli[i].update_state == api[i].update_state);
      BOOST_TEST(cli[i].healthy == api[i].healthy);
      BOOST_TEST(cli[i].starting == api[i].starting);
      BOOST_TEST(cli[i].unhealthy == api[i].unhealthy);
      BOOST_TEST(cli[i].task_errors.size() == api[i].task_errors.size());
      // The CLI indents a slot's earlier tasks (` \_ `); the rest is the same.
      for (std::size_t e = 0; e < std::min(cli[i].task_errors.size(), api[i].task_errors.size()); ++e) {
        auto tail = [&](const std::string& m) { return m.substr(std::min(m.size(), m.find(stack))); };
        BOOST_TEST(tail(cli[i].task_errors[e]) == tail(api[i].task_errors[e]));
      }
    }
  }
  BOOST_TEST(api[0].healthy == 1);
  BOOST_TEST_REQUIRE(!api[1].task_errors.empty());
  BOOST_TEST(is_image_error(api[1].task_errors[0]), api[1].task_errors[0]);

  auto replicas = [&](bool engine) {
    auto r = through(engine, [&] { return stack_replicas(stack); });
    std::vector<std::string> out;
    for (auto& s : r)
      out.push_back(fmt::format("{} {}/{}", s.name, s.running, s.desired));
    std::sort(out.begin(), out.end());
    return out;
  };
  BOOST_TEST(replicas(true) == replicas(false), boost::test_tools::per_element());
  BOOST_TEST(replicas(true).size() == 2u);

  auto leftovers = [&](bool engine) {
    auto l = through(engine, [&] { return stack_leftovers(stack); });
    std::sort(l.begin(), l.end());
    return l;
  };
  const auto api_left = leftovers(true);
  BOOST_TEST(api_left == leftovers(false), boost::test_tools::per_element());
  for (auto kind : {"service", "container", "network", "volume", "secret", "config"})
    BOOST_TEST(std::any_of(api_left.begin(), api_left.end(), [&](auto& l) { return l.starts_with(kind); }),
               "the engine lists no " << kind << " of the stack");

  auto owned = [&](bool engine) {
    auto objects = through(engine, [&] { return labelled_objects(); });
    std::vector<std::string> out;
    for (auto& o : objects) {
      auto r = o.labels.find("ccci.run");
      if (r == o.labels.end() || r->second != run) continue;
      std::string labels;
      for (auto& [k, v] : o.labels)
        if (k.starts_with("ccci.")) labels += " " + k + "=" + v;
      out.push_back(o.kind + " " + o.name + labels);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto api_owned = owned(true);
  BOOST_TEST(api_owned == owned(false), boost::test_tools::per_element());
  // Deploy labels are the service's, not its containers'.
  for (auto kind : {"service", "volume", "secret", "config"})
    BOOST_TEST(std::any_of(api_owned.begin(), api_owned.end(), [&](auto& l) { return l.starts_with(kind); }),
               "the engine lists no " << kind << " labelled ccci.run=" << run);

  auto report = teardown_stack(stack, /*throwaway=*/true);
  BOOST_TEST(report.leftovers.empty(), fmt::format("{}", fmt::join(report.leftovers, "; ")));
  BOOST_TEST(leftovers(true).empty());
  BOOST_TEST(leftovers(false).empty());
}
