// The tiers' sequencing against a FakeSwarm: a real recipe repository (real
// git), real rendering, a plugin in this process, and a swarm that answers
// as told and logs every call. What is checked here is order and records,
// not Docker; the integration tests do the same runs on the real swarm.
#define BOOST_TEST_MODULE tiers
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/process.hpp"
#include "run/run.hpp"
#include "support/fake_swarm.hpp"
#include "support/files.hpp"
#include "tiers/tier.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace ccci::host;
using ccci::Tier;
using ccci::test::FakeSwarm;
using ccci::test::read;
using ccci::test::TempTree;
using ccci::test::write;

namespace {

// The timeline the fake swarm and the plugin's forked checks share.
fs::path journal_file;

void journal(const std::string& line) {
  // O_APPEND: the checks run in forked children, one line per write.
  int fd = ::open(journal_file.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  auto text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
  ::close(fd);
}

// Read in the forked check: set before the run, the child sees it.
bool seed_fails = false;

class TestPlugin final : public ccci::Plugin {
public:
  std::string recipe() const override { return "fake-app"; }
  std::vector<ccci::CheckSpec> checks() const override {
    return {{Tier::install, "serving",
             [](ccci::Context&) {
               journal("check install/serving");
               return ccci::pass("served");
             }},
            {Tier::upgrade, "migrated",
             [](ccci::Context&) {
               journal("check upgrade/migrated");
               return ccci::pass("migrated");
             }},
            {Tier::custom, "works", [](ccci::Context&) {
               journal("check custom/works");
               return ccci::pass("works");
             }}};
  }
  std::vector<ccci::HookSpec> hooks() const override {
    return {{ccci::Hook::seed, "rows",
             [](ccci::Context&) {
               journal("hook seed");
               return seed_fails ? ccci::fail("no rows written") : ccci::pass("seeded");
             }},
            {ccci::Hook::verify, "rows", [](ccci::Context&) {
               journal("hook verify");
               return ccci::pass("verified");
             }}};
  }
  std::vector<ccci::ArchiveCheckSpec> archive_checks() const override { return {}; }
  std::vector<std::string> required_tools() const override { return {}; }
};

const char* env_sample = "TYPE=fake-app\nDOMAIN=fake-app.example.com\nCOMPOSE_FILE=\"compose.yml\"\n"
                         "SECRET_TOKEN_VERSION=v1\n";

std::string compose(const std::string& tag, const std::vector<std::string>& services,
                    const std::string& app_labels = "") {
  std::string out = "version: \"3.8\"\nservices:\n";
  for (auto& s : services) {
    out += "  " + s + ":\n    image: busybox:1.36\n";
    if (s == "app") {
      out += "    secrets: [token]\n    volumes: [data:/data]\n";
      out += "    deploy:\n      labels:\n        - \"traefik.enable=true\"\n"
             "        - \"coop-cloud.${STACK_NAME}.version=" +
             tag + "\"\n" + app_labels;
    }
  }
  out += "volumes:\n  data:\nsecrets:\n  token:\n    external: true\n"
         "    name: ${STACK_NAME}_token_${SECRET_TOKEN_VERSION}\n";
  return out;
}

void git(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string(), "-c", "user.name=t", "-c", "user.email=t@t"});
  auto r = run_process(args);
  BOOST_TEST_REQUIRE(r.ok(), "git " << args[8] << ": " << r.err);
}

struct Release {
  std::string tag;
  std::string compose;
};

// A recipe repository: one commit and annotated tag per release.
fs::path make_repo(const fs::path& dir, const std::vector<Release>& releases) {
  fs::create_directories(dir);
  git(dir, {"init", "--quiet", "--initial-branch=main"});
  write(dir / ".env.sample", env_sample);
  for (auto& r : releases) {
    write(dir / "compose.yml", r.compose);
    git(dir, {"add", "-A"});
    git(dir, {"commit", "--quiet", "-m", r.tag});
    git(dir, {"tag", "-a", r.tag, "-m", r.tag});
  }
  return dir;
}

struct Fixture {
  TempTree tree{"ccci-unit-tiers-"};
  fs::path root = tree.dir();
  FakeSwarm swarm;
  RunOptions options;
  std::ostringstream terminal;
  int exit_code = -1;
  RunResults results;
  fs::path run_dir;

  Fixture() {
    journal_file = root / "journal.txt";
    swarm.journal = journal_file;
    options.recipe = "fake-app";
    options.runs_dir = root / "runs";
    options.plugin_dir = root / "no-plugins";
    options.recipes_dir = root / "no-meta";
    // Above the 3 s an in-place update is given to start.
    options.deploy_timeout = std::chrono::seconds(5);
    options.check_timeout = std::chrono::seconds(20);
  }

  void run(bool with_plugin = true) {
    std::optional<LoadedPlugin> plugin;
    if (with_plugin) plugin.emplace("in-process test plugin", std::make_shared<TestPlugin>());
    exit_code = run_recipe(options, terminal, swarm, std::move(plugin));
    BOOST_TEST_MESSAGE(terminal.str());
    for (auto& e : fs::directory_iterator(options.runs_dir))
      run_dir = e.path();
    BOOST_TEST_REQUIRE(fs::exists(run_dir / "results.json"));
    results = results_from_json(read(run_dir / "results.json"), "results.json");
  }
  const TierResult& tier(Tier t) const { return results.tier(t); }
  std::vector<std::string> timeline() const {
    std::vector<std::string> out;
    std::istringstream in(read(journal_file));
    for (std::string l; std::getline(in, l);)
      out.push_back(l);
    return out;
  }
  std::vector<std::string> check_names(Tier t) const {
    std::vector<std::string> out;
    for (auto& c : tier(t).checks)
      out.push_back(c.name);
    return out;
  }
};

// Position of the first line starting with `prefix` at or after `from`.
std::size_t at(const std::vector<std::string>& lines, const std::string& prefix, std::size_t from = 0) {
  for (std::size_t i = from; i < lines.size(); ++i)
    if (lines[i].starts_with(prefix)) return i;
  return lines.size();
}

const std::vector<Release> two_releases{{"1.0.0+1.0", compose("1.0.0+1.0", {"app", "worker"})},
                                        {"1.1.0+1.0", compose("1.1.0+1.0", {"app"})}};

} // namespace

BOOST_FIXTURE_TEST_CASE(upgrade_deploys_the_base_seeds_redeploys_in_place_then_verifies_and_checks_again, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass));
  BOOST_TEST((tier(Tier::upgrade).status == Status::pass), tier(Tier::upgrade).reason);
  BOOST_TEST(tier(Tier::upgrade).reason.find("1.0.0+1.0 -> 1.1.0+1.0") != std::string::npos);
  auto t = timeline();
  auto base = at(t, "deploy compose.base.rendered.yml");
  auto seed = at(t, "hook seed", base);
  auto redeploy = at(t, "deploy compose.rendered.yml", seed);
  auto verify = at(t, "hook verify", redeploy);
  auto install_again = at(t, "check install/serving", verify);
  auto own = at(t, "check upgrade/migrated", install_again);
  BOOST_TEST(at(t, "remove_stack") < base); // the install's stack made way for the base
  BOOST_TEST(base < t.size());
  BOOST_TEST(seed < redeploy);
  BOOST_TEST(redeploy < verify);
  BOOST_TEST(verify < install_again);
  BOOST_TEST(own < t.size());
  // In place: no removal between the base and the target.
  BOOST_TEST(at(t, "remove_stack", base) > redeploy);
  std::vector<std::string> want{"upgrade/base_converged", "upgrade/seed:rows",       "upgrade/reconverged",
                                "upgrade/verify:rows",    "upgrade/install:serving", "upgrade/migrated"};
  BOOST_TEST(check_names(Tier::upgrade) == want, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(one_release_only_skips_the_upgrade_and_deploys_no_base, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", compose("1.0.0+1.0", {"app"})}});
  run();
  BOOST_TEST((tier(Tier::upgrade).status == Status::skip));
  BOOST_TEST(swarm.count("deploy compose.base") == 0);
  BOOST_TEST((tier(Tier::custom).status == Status::pass)); // a skip does not block
}

BOOST_FIXTURE_TEST_CASE(a_refused_deploy_is_a_failed_install_with_the_daemons_words_then_teardown, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.refuse_deploy["compose.rendered.yml"] = "service app: undefined volume \"nope\"";
  run();
  BOOST_TEST(exit_code == 1);
  BOOST_TEST((tier(Tier::install).status == Status::fail));
  BOOST_TEST_REQUIRE(!tier(Tier::install).checks.empty());
  auto& deploy = tier(Tier::install).checks.back();
  BOOST_TEST(deploy.name == "install/deploy");
  BOOST_TEST(deploy.message.find("undefined volume \"nope\"") != std::string::npos, deploy.message);
  BOOST_TEST((tier(Tier::upgrade).status == Status::na));
  BOOST_TEST(tier(Tier::upgrade).reason == "install did not pass (fail)");
  BOOST_TEST((tier(Tier::lint).status == Status::pass)); // static: runs whatever install found
  // Evidence of what the refused deploy may have left, then teardown.
  BOOST_TEST(swarm.find("task_table") >= 0);
  BOOST_TEST(swarm.find("remove_stack", swarm.find("task_table")) >= 0);
  BOOST_TEST(results.clean_teardown);
}

BOOST_FIXTURE_TEST_CASE(a_base_that_never_converges_leaves_evidence_of_the_base_services, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.never_converges.insert("compose.base.rendered.yml");
  run();
  BOOST_TEST((tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST(check_names(Tier::upgrade).back() == "upgrade/base_converged");
  // The base has a worker the target has not: the evidence is of the base.
  auto& ev = results.evidence;
  BOOST_TEST((std::find(ev.begin(), ev.end(), "evidence/worker.log") != ev.end()));
  BOOST_TEST(read(run_dir / "evidence" / "worker.log") == "log of worker\n");
  BOOST_TEST(swarm.count("hook seed") == 0);
  BOOST_TEST(swarm.find("remove_stack", swarm.find("service_log worker")) >= 0);
}

BOOST_FIXTURE_TEST_CASE(a_failing_seed_hook_stops_the_upgrade_before_the_redeploy, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  seed_fails = true;
  run();
  seed_fails = false;
  BOOST_TEST((tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST(tier(Tier::upgrade).reason.find("upgrade/seed:rows failed") == 0u, tier(Tier::upgrade).reason);
  auto base = swarm.find("deploy compose.base.rendered.yml");
  BOOST_TEST(base >= 0);
  BOOST_TEST(swarm.find("deploy compose.rendered.yml", base) < 0); // never redeployed over unseeded data
  BOOST_TEST((tier(Tier::backup).status == Status::na));
  auto& ev = results.evidence;
  BOOST_TEST((std::find(ev.begin(), ev.end(), "evidence/worker.log") != ev.end()));
}

BOOST_FIXTURE_TEST_CASE(without_backup_labels_backup_and_restore_skip_and_nothing_is_redeployed, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::skip));
  BOOST_TEST(tier(Tier::backup).reason.find("not backup-capable") != std::string::npos);
  BOOST_TEST((tier(Tier::restore).status == Status::skip));
  BOOST_TEST(tier(Tier::restore).reason.find("nothing to restore") != std::string::npos);
  BOOST_TEST(swarm.count("deploy ") == 3); // install, base, upgrade in place: no restore deploy
}

BOOST_FIXTURE_TEST_CASE(a_backup_that_cannot_copy_fails_and_restore_is_never_attempted, Fixture) {
  auto labels = "        - \"backupbot.backup=true\"\n";
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", compose("1.0.0+1.0", {"app", "worker"}, labels)},
                                                 {"1.1.0+1.0", compose("1.1.0+1.0", {"app"}, labels)}});
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::fail));
  BOOST_TEST(swarm.find("copy_from") >= 0);
  BOOST_TEST((tier(Tier::restore).status == Status::na));
  BOOST_TEST(tier(Tier::restore).reason == "backup did not pass (fail)");
  BOOST_TEST(swarm.count("copy_into") == 0);
  BOOST_TEST(swarm.find("deploy ", swarm.find("copy_from")) < 0);
}

BOOST_FIXTURE_TEST_CASE(a_failing_backupbot_pre_hook_is_red_and_copies_nothing, Fixture) {
  auto labels = "        - \"backupbot.backup=true\"\n        - \"backupbot.backup.pre-hook=dump-it\"\n";
  options.recipe_dir = make_repo(root / "repo", {{"1.1.0+1.0", compose("1.1.0+1.0", {"app"}, labels)}});
  swarm.failing_hooks.insert("dump-it");
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::fail));
  BOOST_TEST(tier(Tier::backup).reason.find("backup/pre-hook:app") != std::string::npos, tier(Tier::backup).reason);
  BOOST_TEST(swarm.count("copy_from") == 0);
}

BOOST_FIXTURE_TEST_CASE(restore_without_an_archive_is_unverified_not_a_verdict_on_the_recipe, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  Redactor redactor;
  Listeners events;
  RunContext ctx(options, swarm, events, redactor);
  TierResult tier{Tier::restore, Status::na, "not attempted", false, 0, {}};
  run_restore(ctx, tier);
  BOOST_TEST((tier.status == Status::unver));
  BOOST_TEST(swarm.count("deploy") == 0);
  BOOST_TEST(swarm.count("remove_stack") == 0);
}

BOOST_FIXTURE_TEST_CASE(an_interruption_mid_upgrade_is_unverified_and_still_tears_down, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.on_deploy = [](const std::string& file) {
    if (file == "compose.base.rendered.yml") stop_requested = SIGINT;
  };
  run();
  stop_requested = 0;
  BOOST_TEST(exit_code == 3);
  BOOST_TEST((tier(Tier::install).status == Status::pass));
  BOOST_TEST((tier(Tier::upgrade).status == Status::unver));
  BOOST_TEST(tier(Tier::upgrade).reason == "interrupted by SIGINT");
  BOOST_TEST((tier(Tier::custom).status == Status::unver));
  BOOST_TEST(swarm.find("remove_stack", swarm.find("deploy compose.base")) >= 0);
  BOOST_TEST(swarm.find("remove_routes") >= 0);
}

BOOST_FIXTURE_TEST_CASE(an_infrastructure_failure_is_unverified_with_evidence_and_teardown, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.infra_failure_after_deploys = 1;
  run();
  BOOST_TEST(exit_code == 3);
  BOOST_TEST((tier(Tier::install).status == Status::unver));
  BOOST_TEST(tier(Tier::install).reason.find("the fake daemon stopped answering") != std::string::npos);
  BOOST_TEST((tier(Tier::upgrade).status == Status::unver));
  BOOST_TEST(tier(Tier::upgrade).reason.find("not run:") == 0u);
  BOOST_TEST(swarm.find("task_table") >= 0);
  BOOST_TEST(swarm.find("remove_stack") > swarm.find("task_table"));
}

BOOST_FIXTURE_TEST_CASE(a_green_run_collects_no_evidence_and_tears_down_once, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  run();
  BOOST_TEST(exit_code == 0, terminal.str());
  BOOST_TEST(swarm.count("task_table") == 0);
  BOOST_TEST(results.evidence.empty());
  BOOST_TEST(swarm.log.back().starts_with("remove_stack"));
  BOOST_TEST(results.clean_teardown);
  BOOST_TEST(results.no_secret_leak);
  // No backup labels and no declared skip: green, but the level stops below backup.
  BOOST_TEST(results.level.level == 2);
  BOOST_TEST(results.level.rung == "backup+restore");
}

BOOST_FIXTURE_TEST_CASE(keep_running_leaves_a_green_install_deployed, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  options.tiers = {Tier::install};
  options.keep_running = true;
  run();
  BOOST_TEST(exit_code == 0);
  BOOST_TEST(results.kept_running);
  BOOST_TEST(swarm.count("remove_stack") == 0);
}

// ---- the lint tier: errors fail it, warnings are listed and do not

BOOST_FIXTURE_TEST_CASE(a_lint_tier_with_only_warnings_and_passes_passes_and_lists_the_warnings, Fixture) {
  // The fake recipe has no README.md and no healthchecks: abra's R007 and
  // R002, both warnings.
  options.recipe_dir = make_repo(root / "repo", two_releases);
  options.tiers = {Tier::lint};
  run();
  BOOST_TEST(exit_code == 0);
  const auto& lint = tier(Tier::lint);
  BOOST_TEST((lint.status == Status::pass), lint.reason);
  BOOST_TEST(lint.reason.find("2 warnings") != std::string::npos, lint.reason);
  auto status_of = [&](const std::string& name) {
    auto it =
        std::find_if(lint.checks.begin(), lint.checks.end(), [&](const CheckRecord& c) { return c.name == name; });
    BOOST_TEST_REQUIRE((it != lint.checks.end()), "no check " << name);
    return it->status;
  };
  BOOST_TEST((status_of("lint/R002-healthchecks") == Status::warn));
  BOOST_TEST((status_of("lint/R007-readme-metadata") == Status::warn));
  BOOST_TEST((status_of("lint/R009-one-service-named-app") == Status::pass));
  // Never judged offline: listed as skipped, never as passed.
  BOOST_TEST((status_of("lint/R006-published-catalogue-version") == Status::skip));
  BOOST_TEST((status_of("lint/R013-recipe-repo-exists") == Status::skip));
  // The warnings stay warnings in results.json, and the summary names them.
  auto json = read(run_dir / "results.json");
  BOOST_TEST(json.find(R"("name":"lint/R002-healthchecks","status":"warn")") != std::string::npos);
  BOOST_TEST(
      terminal.str().find("warnings 2 (listed, not failing): lint/R002-healthchecks, lint/R007-readme-metadata") !=
      std::string::npos);
  BOOST_TEST(read(run_dir / "lint.txt").find("R002-healthchecks") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_lint_error_fails_the_tier_and_names_the_rule, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  git(options.recipe_dir, {"tag", "0.9.0+1.0", "HEAD~1"}); // lightweight: abra's R014, an error
  options.tiers = {Tier::lint};
  run();
  BOOST_TEST(exit_code == 1);
  const auto& lint = tier(Tier::lint);
  BOOST_TEST((lint.status == Status::fail));
  BOOST_TEST(lint.reason.find("lint/R014-annotated-tags failed") == 0u, lint.reason);
  BOOST_TEST(lint.reason.find("0.9.0+1.0") != std::string::npos, lint.reason);
}

BOOST_FIXTURE_TEST_CASE(a_compose_file_that_compose_file_does_not_select_is_linted_too, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", compose("1.0.0+1.0", {"app"})}});
  write(options.recipe_dir / "compose.broken.yml", "services:\n  x:\n    image: [unclosed\n");
  write(options.recipe_dir / "compose.mail.yml", "version: \"3.8\"\nservices:\n  mail:\n    image: postfix:latest\n");
  git(options.recipe_dir, {"add", "-A"});
  git(options.recipe_dir, {"commit", "--quiet", "-m", "overlays"});
  git(options.recipe_dir, {"tag", "-a", "-f", "1.0.0+1.0", "-m", "1.0.0+1.0"});
  options.tiers = {Tier::lint};
  run();
  const auto& lint = tier(Tier::lint);
  BOOST_TEST((lint.status == Status::fail));
  auto find = [&](const std::string& name) -> const CheckRecord* {
    for (const auto& c : lint.checks)
      if (c.name == name) return &c;
    return nullptr;
  };
  const auto* parse = find("lint/parse:compose.broken.yml");
  BOOST_TEST_REQUIRE(parse);
  BOOST_TEST((parse->status == Status::fail));
  BOOST_TEST(parse->message.find("compose.broken.yml:") == 0u, parse->message);
  const auto* pinned = find("lint/C002-images-pinned");
  BOOST_TEST_REQUIRE(pinned);
  BOOST_TEST((pinned->status == Status::fail));
  BOOST_TEST(pinned->message.find("compose.mail.yml:3 service mail") != std::string::npos, pinned->message);
}
