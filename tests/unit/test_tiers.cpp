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

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

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
  std::vector<ccci::SecretSpec> secrets() const override {
    return {
        {"handmade", [](ccci::Context& ctx) { return "made-for-" + ctx.stack(); }},
        {"broken", [](ccci::Context&) -> std::string { throw std::runtime_error("no key generator on this host"); }}};
  }
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
fs::path make_repo(const fs::path& dir, const std::vector<Release>& releases, const std::string& env = env_sample) {
  fs::create_directories(dir);
  git(dir, {"init", "--quiet", "--initial-branch=main"});
  write(dir / ".env.sample", env);
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
  // The base release's routes are listed before its deploy (docs/routes.md).
  std::vector<std::string> want{"upgrade/routes",      "upgrade/base_converged", "upgrade/seed:rows",
                                "upgrade/reconverged", "upgrade/verify:rows",    "upgrade/install:serving",
                                "upgrade/migrated"};
  BOOST_TEST(check_names(Tier::upgrade) == want, boost::test_tools::per_element());
}

// A stack nothing was made for has nothing to remove: the upgrade chain's
// own stack goes straight to its base, while one stack must first make way
// for it (docs/architecture.md, "Chains").
BOOST_FIXTURE_TEST_CASE(only_a_stack_that_was_used_is_removed_before_the_upgrade_base, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.chains_may_fork = true;
  run();
  BOOST_TEST(results.chains.parallel);
  BOOST_TEST((tier(Tier::upgrade).status == Status::pass), tier(Tier::upgrade).reason);
  const auto chain = "remove_stack " + results.chains.upgrade_stack;
  auto t = timeline();
  auto base = at(t, "deploy compose.base.rendered.yml");
  BOOST_TEST(base < t.size());
  BOOST_TEST(at(t, chain) > base);     // not before its base
  BOOST_TEST(at(t, chain) < t.size()); // but before the restore and at teardown
  BOOST_TEST(fs::exists(run_dir / "compose.upgrade-chain.rendered.yml"));

  options.sequential = true;
  options.runs_dir = root / "runs-sequential";
  fs::remove(journal_file);
  run();
  t = timeline();
  base = at(t, "deploy compose.base.rendered.yml");
  BOOST_TEST(at(t, "deploy compose.rendered.yml") < at(t, "remove_stack " + results.stack));
  BOOST_TEST(at(t, "remove_stack " + results.stack) < base); // the install's stack made way
}

// docs/architecture.md, "Chains": custom runs on the install's deployment,
// so a failed upgrade chain leaves it its verdict, and the chains at once on
// two stacks give what one stack gives.
BOOST_FIXTURE_TEST_CASE(a_failed_upgrade_chain_leaves_custom_its_verdict_at_once_or_one_after_the_other, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.never_converges.insert("compose.base.rendered.yml");
  options.sequential = true;
  options.runs_dir = root / "runs-sequential";
  run();
  const auto sequential = results;
  BOOST_TEST((sequential.tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST((sequential.tier(Tier::backup).status == Status::na));
  BOOST_TEST(sequential.tier(Tier::backup).reason == "upgrade did not pass (fail)");
  BOOST_TEST((sequential.tier(Tier::custom).status == Status::pass));
  BOOST_TEST(sequential.level.level == 1); // the failed upgrade still stops the climb
  BOOST_TEST(!sequential.chains.parallel);
  BOOST_TEST(sequential.chains.why == "--sequential");
  auto t = timeline();
  BOOST_TEST(at(t, "check custom/works") < at(t, "deploy compose.base.rendered.yml"));

  options.sequential = false;
  swarm.chains_may_fork = true;
  options.runs_dir = root / "runs-parallel";
  run();
  BOOST_TEST(results.chains.parallel);
  BOOST_TEST(results.chains.upgrade_stack != results.stack);
  BOOST_TEST(exit_code == 1);
  for (auto t : all_tiers) {
    BOOST_TEST((results.tier(t).status == sequential.tier(t).status), ccci::to_string(t));
    std::vector<std::string> names;
    for (auto& c : sequential.tier(t).checks)
      names.push_back(c.name);
    BOOST_TEST(check_names(t) == names, boost::test_tools::per_element());
  }
  BOOST_TEST(results.level.level == 1);
  BOOST_TEST(results.clean_teardown);
  // The chain's files carry its tag; the install's keep their names.
  BOOST_TEST(fs::exists(run_dir / "compose.rendered.yml"));
  BOOST_TEST(fs::exists(run_dir / "compose.upgrade-chain.rendered.yml"));
  BOOST_TEST(std::count(results.evidence.begin(), results.evidence.end(), "evidence/upgrade-chain/tasks.txt") == 1);
}

// A failed install leaves the upgrade chain no prerequisite: its process is
// cancelled, whatever it had got to, and its tiers are `na` as on one stack.
BOOST_FIXTURE_TEST_CASE(a_failed_install_cancels_the_chain_beside_it_and_its_tiers_are_na, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.chains_may_fork = true;
  swarm.refuse_deploy["compose.rendered.yml"] = "service app: refused on purpose";
  swarm.never_converges.insert("compose.base.rendered.yml"); // still converging when cancelled
  run();
  BOOST_TEST(results.chains.parallel);
  BOOST_TEST((tier(Tier::install).status == Status::fail));
  for (auto t : {Tier::upgrade, Tier::backup, Tier::restore, Tier::custom}) {
    BOOST_TEST((tier(t).status == Status::na), ccci::to_string(t));
    BOOST_TEST(tier(t).reason == "install did not pass (fail)", ccci::to_string(t) << ": " << tier(t).reason);
    BOOST_TEST(tier(t).checks.empty(), ccci::to_string(t));
  }
  BOOST_TEST(terminal.str().find("install did not pass: cancelling the upgrade chain") != std::string::npos,
             terminal.str());
  BOOST_TEST(results.clean_teardown);
  BOOST_TEST(exit_code == 1);
  // Cancelled, it gathered no evidence (its tiers are not verdicts); left
  // to time out, its failed upgrade would have.
  BOOST_TEST(!fs::exists(run_dir / "evidence" / "upgrade-chain"));
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

namespace {

// backupbot's shape across services: the label on app, the database volume
// and its hooks on db, a worker sharing app's volume with hooks of its own.
// `db_pre_hook` replaces db's dump hook.
std::string stack_wide_compose(const std::string& db_pre_hook = "sh -c 'dump-db > /var/lib/db/dump.sql'",
                               const std::string& db_restore_pre_hook = "stop-db-clients") {
  return R"(version: "3.8"
services:
  app:
    image: busybox:1.36
    volumes: [data:/srv/data]
    deploy:
      labels:
        - "coop-cloud.${STACK_NAME}.version=1.0.0+1.0"
        - "backupbot.backup=true"
  db:
    image: busybox:1.36
    volumes: [dbdata:/var/lib/db]
    deploy:
      labels:
        backupbot.backup.pre-hook: ")" +
         db_pre_hook + R"("
        backupbot.backup.post-hook: "rm -f /var/lib/db/dump.sql"
        backupbot.backup.volumes.dbdata.path: dump.sql
        backupbot.restore.pre-hook: ")" +
         db_restore_pre_hook + R"("
        backupbot.restore.post-hook: "load-db /var/lib/db/dump.sql"
  worker:
    image: busybox:1.36
    volumes: [data:/data]
    deploy:
      labels:
        backupbot.backup.pre-hook: "flush-worker"
        backupbot.restore.post-hook: "restart-worker"
volumes:
  data:
  dbdata:
)";
}

// Positions in the swarm's log of the entries that start with `prefix` and contain `part`.
std::vector<int> where(const FakeSwarm& swarm, const std::string& prefix, const std::string& part = "") {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(swarm.log.size()); ++i) {
    const auto& l = swarm.log[static_cast<std::size_t>(i)];
    if (l.starts_with(prefix) && l.find(part) != std::string::npos) out.push_back(i);
  }
  return out;
}

int first(const std::vector<int>& v) { return v.empty() ? -1 : v.front(); }
int last(const std::vector<int>& v) { return v.empty() ? -1 : v.back(); }

} // namespace

BOOST_FIXTURE_TEST_CASE(backup_runs_every_pre_hook_then_copies_every_volume_once_then_every_post_hook, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", stack_wide_compose()}});
  swarm.volumes_hold_data = true;
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::pass), tier(Tier::backup).reason);
  const auto pre_db = where(swarm, "hook ", "_db.1: set -o pipefail;dump-db > /var/lib/db/dump.sql");
  const auto pre_worker = where(swarm, "hook ", "_worker.1: set -o pipefail;flush-worker");
  const auto post_db = where(swarm, "hook ", "_db.1: set -o pipefail;rm -f /var/lib/db/dump.sql");
  const auto copies = where(swarm, "copy_from ");
  // The db hook ran in db's container, as bash -c 'set -o pipefail;<hook>'
  // with its `sh -c '...'` stripped; a volume two services mount is copied once.
  BOOST_TEST_REQUIRE(pre_db.size() == 1u);
  BOOST_TEST_REQUIRE(pre_worker.size() == 1u);
  BOOST_TEST_REQUIRE(post_db.size() == 1u);
  BOOST_TEST_REQUIRE(copies.size() == 2u);
  BOOST_TEST(swarm.log[static_cast<std::size_t>(copies[0])].ends_with("_app.1:/srv/data/."));
  BOOST_TEST(swarm.log[static_cast<std::size_t>(copies[1])].ends_with("_db.1:/var/lib/db/dump.sql"));
  BOOST_TEST(pre_db[0] < pre_worker[0]); // compose order
  BOOST_TEST(pre_worker[0] < first(copies));
  BOOST_TEST(last(copies) < post_db[0]);
  std::vector<std::string> want{"backup/seed:rows", "backup/pre-hook:db", "backup/pre-hook:worker",
                                "backup/post-hook:db", "backup/archive_complete"};
  BOOST_TEST(check_names(Tier::backup) == want, boost::test_tools::per_element());
  // The archive holds both volumes where backupbot keeps them.
  const auto archive = run_dir / "backup" / (results.stack + ".tar.gz");
  BOOST_TEST(fs::exists(archive));
  // The run's files hold the app's data: private to ccci's user.
  BOOST_TEST(((fs::status(run_dir).permissions() & fs::perms::all) == fs::perms::owner_all));
  BOOST_TEST(((fs::status(run_dir / "backup").permissions() & fs::perms::all) == fs::perms::owner_all));
  BOOST_TEST(
      ((fs::status(archive).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write)));
  BOOST_TEST(((fs::status(run_dir / "compose.rendered.yml").permissions() & fs::perms::all) ==
              (fs::perms::owner_read | fs::perms::owner_write)));
  BOOST_TEST(tier(Tier::backup).checks.back().message.find("complete: 2 entries") != std::string::npos,
             tier(Tier::backup).checks.back().message);
}

BOOST_FIXTURE_TEST_CASE(restore_deploys_afresh_then_every_restore_pre_hook_the_volumes_every_post_hook, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", stack_wide_compose()}});
  swarm.volumes_hold_data = true;
  run();
  BOOST_TEST((tier(Tier::restore).status == Status::pass), tier(Tier::restore).reason);
  const int redeploy = last(where(swarm, "deploy compose.rendered.yml"));
  BOOST_TEST(where(swarm, "remove_stack").at(0) < redeploy); // wiped before the fresh deploy
  const auto pre = where(swarm, "hook ", "set -o pipefail;stop-db-clients");
  const auto copies = where(swarm, "copy_into ");
  const auto post_db = where(swarm, "hook ", "_db.1: set -o pipefail;load-db /var/lib/db/dump.sql");
  const auto post_worker = where(swarm, "hook ", "_worker.1: set -o pipefail;restart-worker");
  BOOST_TEST_REQUIRE(pre.size() == 1u);
  BOOST_TEST_REQUIRE(copies.size() == 2u);
  BOOST_TEST_REQUIRE(post_db.size() == 1u);
  BOOST_TEST_REQUIRE(post_worker.size() == 1u);
  BOOST_TEST(redeploy < pre[0]);
  BOOST_TEST(pre[0] < first(copies));
  BOOST_TEST(swarm.log[static_cast<std::size_t>(copies[0])].ends_with("_app.1:/srv/data"));
  BOOST_TEST(swarm.log[static_cast<std::size_t>(copies[1])].ends_with("_db.1:/var/lib/db"));
  // Each volume's tar was streamed to the copy, and the check says how much.
  BOOST_TEST_REQUIRE(swarm.copied_into.size() == 2u);
  BOOST_TEST(swarm.copied_into[0] > 512u);
  BOOST_TEST(swarm.copied_into[1] > 512u);
  auto* copy = [&]() -> const CheckRecord* {
    for (auto& c : tier(Tier::restore).checks)
      if (c.name == "restore/copy:app/data") return &c;
    return nullptr;
  }();
  BOOST_TEST_REQUIRE(copy);
  BOOST_TEST(copy->message.starts_with(fmt::format("{} bytes of tar into volume data", swarm.copied_into[0])),
             copy->message);
  BOOST_TEST(last(copies) < post_db[0]);
  BOOST_TEST(post_db[0] < post_worker[0]);
  // Then the data must come back: the verify hook runs after every restore hook.
  auto t = timeline();
  auto restored = at(t, "hook ", at(t, "copy_into "));
  BOOST_TEST(at(t, "hook verify", restored) < t.size());
  std::vector<std::string> want{"restore/converged",      "restore/pre-hook:db",  "restore/copy:app/data",
                                "restore/copy:db/dbdata", "restore/post-hook:db", "restore/post-hook:worker",
                                "restore/reconverged"};
  auto names = check_names(Tier::restore);
  names.resize(std::min(names.size(), want.size()));
  BOOST_TEST(names == want, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_failing_pre_hook_on_another_service_is_red_and_copies_nothing, Fixture) {
  options.recipe_dir =
      make_repo(root / "repo", {{"1.0.0+1.0", stack_wide_compose("sh -c 'dump-db | gzip > /var/lib/db/dump.sql'")}});
  swarm.volumes_hold_data = true;
  swarm.failing_hooks.insert("dump-db");
  run();
  BOOST_TEST(exit_code == 1);
  BOOST_TEST((tier(Tier::backup).status == Status::fail));
  BOOST_TEST(tier(Tier::backup).reason.find("backup/pre-hook:db") != std::string::npos, tier(Tier::backup).reason);
  const auto& hook = tier(Tier::backup).checks.back();
  BOOST_TEST(hook.name == "backup/pre-hook:db");
  for (const char* part :
       {"backupbot.backup.pre-hook of service db", "dump-db | gzip", "exit 1", "hook failed on purpose",
        "backupbot itself would only have logged this failure and "
        "reported the backup as successful"})
    BOOST_TEST(hook.message.find(part) != std::string::npos, part << " in: " << hook.message);
  BOOST_TEST(swarm.count("copy_from") == 0);
  BOOST_TEST(where(swarm, "hook ", "flush-worker").empty()); // stopped at the first failure
  BOOST_TEST(where(swarm, "hook ", "rm -f /var/lib/db/dump.sql").empty());
  BOOST_TEST((tier(Tier::restore).status == Status::na));
}

BOOST_FIXTURE_TEST_CASE(a_hook_in_an_image_without_bash_fails_and_says_why, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", stack_wide_compose()}});
  swarm.volumes_hold_data = true;
  swarm.failing_hooks.insert("flush-worker");
  swarm.failing_hook_output = "OCI runtime exec failed: exec failed: unable to start container process: exec: "
                              "\"bash\": executable file not found in $PATH: unknown\n";
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::fail));
  const auto& hook = tier(Tier::backup).checks.back();
  BOOST_TEST(hook.name == "backup/pre-hook:worker");
  BOOST_TEST(hook.message.find("the image of service worker has no bash, which backupbot runs every hook with") !=
                 std::string::npos,
             hook.message);
}

BOOST_FIXTURE_TEST_CASE(a_failing_restore_pre_hook_is_red_and_puts_nothing_back, Fixture) {
  options.recipe_dir = make_repo(
      root / "repo",
      {{"1.0.0+1.0", stack_wide_compose("sh -c 'dump-db > /var/lib/db/dump.sql'", "stop-db-clients --or-fail")}});
  swarm.volumes_hold_data = true;
  swarm.failing_hooks.insert("--or-fail");
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::pass), tier(Tier::backup).reason);
  BOOST_TEST((tier(Tier::restore).status == Status::fail));
  const auto& hook = tier(Tier::restore).checks.back();
  BOOST_TEST(hook.name == "restore/pre-hook:db");
  BOOST_TEST(hook.message.find("reported the restore as successful") != std::string::npos, hook.message);
  BOOST_TEST(swarm.count("copy_into") == 0);
  BOOST_TEST(swarm.count("hook verify") == 0);
}

BOOST_FIXTURE_TEST_CASE(an_enabled_backup_with_every_volume_excluded_is_red_not_an_empty_pass, Fixture) {
  auto labels = "        - \"backupbot.backup=true\"\n        - \"backupbot.backup.volumes.data=false\"\n";
  options.recipe_dir = make_repo(root / "repo", {{"1.1.0+1.0", compose("1.1.0+1.0", {"app"}, labels)}});
  run();
  BOOST_TEST((tier(Tier::backup).status == Status::fail));
  const auto& c = tier(Tier::backup).checks.back();
  BOOST_TEST(c.name == "backup/volumes");
  BOOST_TEST(c.message.find("every volume is excluded (data)") != std::string::npos, c.message);
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
  BOOST_TEST((tier(Tier::backup).status == Status::unver));
  BOOST_TEST(tier(Tier::backup).reason == "not run: interrupted by SIGINT");
  // One stack runs the install chain first (docs/architecture.md, "Chains"):
  // custom ran on the install's deployment before the upgrade began.
  BOOST_TEST((tier(Tier::custom).status == Status::pass));
  BOOST_TEST(swarm.find("remove_stack", swarm.find("deploy compose.base")) >= 0);
  BOOST_TEST(swarm.find("remove_routes") >= 0);
}

// docs/architecture.md, "Stopping": a docker command a stop cuts short
// fails as it dies; that failure is the stop's, so the step is unver
// naming the signal, never a red.
BOOST_FIXTURE_TEST_CASE(a_deploy_that_fails_as_a_stop_lands_is_unverified_not_red, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.refuse_deploy["compose.rendered.yml"] = "context canceled";
  swarm.on_deploy = [](const std::string&) { stop_requested = SIGTERM; };
  run();
  stop_requested = 0;
  BOOST_TEST(exit_code == 3);
  BOOST_TEST((tier(Tier::install).status == Status::unver));
  BOOST_TEST(tier(Tier::install).reason == "interrupted by SIGTERM (cut short: install/deploy)");
  auto deploy = std::find_if(tier(Tier::install).checks.begin(), tier(Tier::install).checks.end(),
                             [](const CheckRecord& c) { return c.name == "install/deploy"; });
  BOOST_TEST_REQUIRE((deploy != tier(Tier::install).checks.end()));
  BOOST_TEST((deploy->status == Status::unver));
  BOOST_TEST(deploy->message.starts_with("interrupted by SIGTERM: cut short, no verdict (it said, as it was stopped: "
                                         "docker stack deploy refused"),
             deploy->message);
  BOOST_TEST((tier(Tier::upgrade).status == Status::unver));
  BOOST_TEST(tier(Tier::upgrade).reason == "not run: interrupted by SIGTERM");
  BOOST_TEST(swarm.find("remove_stack") > swarm.find("deploy compose.rendered.yml"));
}

// A second stop signal before the teardown: the evidence is skipped, the
// run says so, tears down and still writes results.json.
BOOST_FIXTURE_TEST_CASE(a_second_stop_skips_the_evidence_says_so_and_still_tears_down_and_writes_results, Fixture) {
  options.recipe_dir = make_repo(root / "repo", two_releases);
  swarm.on_deploy = [](const std::string&) {
    stop_requested = SIGTERM;
    stop_signals = 2;
    last_stop_signal = SIGTERM;
  };
  run();
  stop_requested = 0;
  stop_signals = 0;
  last_stop_signal = 0;
  BOOST_TEST(exit_code == 3);
  BOOST_TEST((tier(Tier::install).status == Status::unver));
  BOOST_TEST(terminal.str().find("second stop signal (SIGTERM): skipping the evidence; tearing down now; "
                                 "results.json is still written") != std::string::npos,
             terminal.str());
  BOOST_TEST(swarm.find("task_table") < 0);
  BOOST_TEST(swarm.find("remove_stack") >= 0);
  BOOST_TEST(results.exit_code == 3);
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

BOOST_FIXTURE_TEST_CASE(routes_the_edge_skips_are_an_install_check_and_on_the_console, Fixture) {
  // Only a dashboard router: nothing for the edge to serve, and no reason
  // to refuse the recipe (a real Traefik would run it).
  const std::string labels = "        - \"traefik.enable=true\"\n"
                             "        - \"traefik.http.routers.dash.rule=Host(`${DOMAIN}`)\"\n"
                             "        - \"traefik.http.routers.dash.service=api@internal\"\n";
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", compose("1.0.0+1.0", {"app"}, labels)}});
  options.tiers = {Tier::install};
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass), tier(Tier::install).reason);
  auto names = check_names(Tier::install);
  auto it = std::find(names.begin(), names.end(), "install/routes");
  BOOST_TEST_REQUIRE((it != names.end()));
  auto& routes = tier(Tier::install).checks[static_cast<std::size_t>(it - names.begin())];
  BOOST_TEST((routes.status == Status::pass));
  BOOST_TEST(routes.message.find("the edge serves no route. Not served (1): router 'dash'") != std::string::npos,
             routes.message);
  BOOST_TEST(routes.message.find("api@internal") != std::string::npos, routes.message);
  BOOST_TEST(terminal.str().find("router 'dash' (on service 'app') is skipped") != std::string::npos, terminal.str());
  // Before the deploy, so a refused deploy still leaves the notes.
  auto converged = std::find(names.begin(), names.end(), "install/converged");
  BOOST_TEST_REQUIRE((converged != names.end()));
  BOOST_TEST((it < converged));
}

// ---- deploying as abra does (docs/architecture.md) ------------------------

namespace {

std::string with_secrets(const std::vector<std::string>& keys, const std::string& app_labels = "") {
  std::string out = "version: \"3.8\"\nservices:\n  app:\n    image: busybox:1.36\n    secrets: [";
  for (std::size_t i = 0; i < keys.size(); ++i)
    out += (i ? ", " : "") + keys[i];
  out += "]\n    deploy:\n      labels:\n        - \"coop-cloud.${STACK_NAME}.version=1.0.0+1.0\"\n" + app_labels;
  out += "secrets:\n";
  for (auto& k : keys) {
    std::string var = "SECRET_";
    for (char c : k)
      var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += "  " + k + ":\n    external: true\n    name: ${STACK_NAME}_" + k + "_${" + var + "_VERSION}\n";
  }
  return out;
}

const CheckRecord* find_check(const TierResult& tier, const std::string& name) {
  for (auto& c : tier.checks)
    if (c.name == name) return &c;
  return nullptr;
}

bool any_file_contains(const fs::path& dir, const std::string& needle) {
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && read(e.path()).find(needle) != std::string::npos) return true;
  return false;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_secret_name_over_dockers_limit_fails_install_at_render_and_deploys_nothing, Fixture) {
  // A long recipe name makes a long test domain, so a long stack name.
  options.recipe = "a-recipe-with-a-rather-long-name";
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", with_secrets({"db", "oauth_client_secret_for_sso"})}},
                                 "TYPE=x\nSECRET_DB_VERSION=v1\nSECRET_OAUTH_CLIENT_SECRET_FOR_SSO_VERSION=v1\n");
  run();
  BOOST_TEST(exit_code == 1);
  BOOST_TEST((tier(Tier::install).status == Status::fail));
  BOOST_TEST(results.stack.size() == 37u); // 20-character recipe slug, the hex and .ccci.test
  auto* render = find_check(tier(Tier::install), "install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST((render->status == Status::fail));
  BOOST_TEST(render->message.find("secret 'oauth_client_secret_for_sso'") != std::string::npos, render->message);
  BOOST_TEST(render->message.find("SECRET_OAUTH_CLIENT_SECRET_FOR_SSO_VERSION") != std::string::npos);
  BOOST_TEST(swarm.count("deploy ") == 0);
  BOOST_TEST(swarm.count("create_secret") == 0);
}

BOOST_FIXTURE_TEST_CASE(secrets_follow_their_modifiers_and_generate_false_asks_the_plugin, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", with_secrets({"token", "phrase", "handmade", "other"})}},
                                 "TYPE=x\nSECRET_TOKEN_VERSION=v1 # length=64 charset=special\n"
                                 "SECRET_PHRASE_VERSION=v1\nSECRET_HANDMADE_VERSION=v1 # generate=false\n"
                                 "SECRET_OTHER_VERSION=v1 # length=20, generate=false\n");
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass), tier(Tier::install).reason);
  auto* secrets = find_check(tier(Tier::install), "install/secrets");
  BOOST_TEST_REQUIRE(secrets);
  const auto& m = secrets->message;
  BOOST_TEST(m.find("token: 64 characters, charset=special") != std::string::npos, m);
  BOOST_TEST(m.find("phrase: a 6-word passphrase") != std::string::npos, m);
  BOOST_TEST(m.find("handmade: made by the plugin's CCCI_SECRET(\"handmade\")") != std::string::npos, m);
  BOOST_TEST(m.find("other: generate=false (.env.sample:5) and the plugin has no CCCI_SECRET(\"other\"): a "
                    "generated value (20 characters) was assumed") != std::string::npos,
             m);
  BOOST_TEST(swarm.count("create_secret") == 4);
  // The plugin's value was redacted and scanned like a generated one.
  BOOST_TEST(!any_file_contains(run_dir, "made-for-"));
  BOOST_TEST(results.no_secret_leak);
}

BOOST_FIXTURE_TEST_CASE(a_run_given_a_parents_key_leaves_fingerprints_of_its_secrets_and_never_the_values, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", with_secrets({"handmade", "phrase"})}},
                                 "TYPE=x\nSECRET_HANDMADE_VERSION=v1 # generate=false\nSECRET_PHRASE_VERSION=v1\n");
  options.tiers = {Tier::install};
  options.fingerprint_key = std::string(64, 'k');
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass), tier(Tier::install).reason);
  const auto file = run_dir / "secret-fingerprints.json";
  BOOST_TEST_REQUIRE(fs::exists(file));
  // Only its owner may read it (docs/architecture.md, "Leaks").
  BOOST_TEST(((fs::status(file).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none));
  auto fps = fingerprints_from_json(read(file), file.string());
  const auto handmade = "made-for-" + results.stack;
  BOOST_TEST(!any_file_contains(run_dir, handmade));
  // The plugin's value: every one of its forms, fingerprinted with the key.
  GeneratedSecret known{results.stack + "_handmade_v1", handmade};
  for (auto& f : fingerprints_of({known}, options.fingerprint_key))
    BOOST_TEST(std::count(fps.begin(), fps.end(), f) == 1, f.form);
  BOOST_TEST(std::count_if(fps.begin(), fps.end(), [&](const Fingerprint& f) {
               return f.secret == results.stack + "_phrase_v1" && f.form == "raw";
             }) == 1);
  // Without a key, none.
  options.fingerprint_key.clear();
  fs::remove_all(options.runs_dir);
  fs::create_directories(options.runs_dir);
  run();
  BOOST_TEST(!fs::exists(run_dir / "secret-fingerprints.json"));
}

BOOST_FIXTURE_TEST_CASE(without_the_plugin_a_generate_false_secret_is_assumed_and_said_so, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", with_secrets({"handmade"})}},
                                 "TYPE=x\nSECRET_HANDMADE_VERSION=v1 # generate=false\n");
  run(/*with_plugin=*/false);
  auto* secrets = find_check(tier(Tier::install), "install/secrets");
  BOOST_TEST_REQUIRE(secrets);
  BOOST_TEST(secrets->message.find("a generated value (a 6-word passphrase) was assumed") != std::string::npos,
             secrets->message);
}

BOOST_FIXTURE_TEST_CASE(a_failing_secret_maker_fails_install_before_the_deploy, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", with_secrets({"broken"})}},
                                 "TYPE=x\nSECRET_BROKEN_VERSION=v1 # generate=false\n");
  run();
  BOOST_TEST(exit_code == 1);
  auto* secrets = find_check(tier(Tier::install), "install/secrets");
  BOOST_TEST_REQUIRE(secrets);
  BOOST_TEST((secrets->status == Status::fail));
  BOOST_TEST(secrets->message.find("no key generator on this host") != std::string::npos, secrets->message);
  BOOST_TEST(swarm.count("deploy ") == 0);
  BOOST_TEST(swarm.count("create_secret") == 0);
  BOOST_TEST(results.clean_teardown);
}

BOOST_FIXTURE_TEST_CASE(the_timeout_label_bounds_convergence_unless_overridden, Fixture) {
  options.recipe_dir = make_repo(root / "repo",
                                 {{"1.0.0+1.0", with_secrets({"token"}, "        - "
                                                                        "\"coop-cloud.${STACK_NAME}."
                                                                        "timeout=7\"\n")}},
                                 "TYPE=x\nSECRET_TOKEN_VERSION=v1\n");
  options.deploy_timeout.reset();
  run();
  auto* converged = find_check(tier(Tier::install), "install/converged");
  BOOST_TEST_REQUIRE(converged);
  BOOST_TEST(converged->message.find("(deploy timeout 7s, from label coop-cloud." + results.stack +
                                     ".timeout on service app)") != std::string::npos,
             converged->message);
}

BOOST_FIXTURE_TEST_CASE(the_deploy_timeout_option_overrides_the_label, Fixture) {
  options.recipe_dir = make_repo(root / "repo",
                                 {{"1.0.0+1.0", with_secrets({"token"}, "        - "
                                                                        "\"coop-cloud.${STACK_NAME}."
                                                                        "timeout=7\"\n")}},
                                 "TYPE=x\nSECRET_TOKEN_VERSION=v1\n");
  run();
  auto* converged = find_check(tier(Tier::install), "install/converged");
  BOOST_TEST_REQUIRE(converged);
  BOOST_TEST(converged->message.find("(deploy timeout 5s, from --deploy-timeout)") != std::string::npos,
             converged->message);
}

BOOST_FIXTURE_TEST_CASE(a_compose_without_services_is_red_at_install_and_deploys_nothing, Fixture) {
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", "version: \"3.8\"\nservices: {}\n"}});
  run();
  BOOST_TEST(exit_code == 1);
  BOOST_TEST((tier(Tier::install).status == Status::fail));
  auto* render = find_check(tier(Tier::install), "install/render");
  BOOST_TEST_REQUIRE(render);
  BOOST_TEST(render->message.find("compose.yml: 'services:' is empty") != std::string::npos, render->message);
  BOOST_TEST(swarm.count("deploy ") == 0);
  BOOST_TEST(results.level.level == 0);
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

// docs/recipe-meta.md, "host_access": an access the meta does not grant is
// refused before anything of the release is made.
BOOST_FIXTURE_TEST_CASE(a_refused_host_access_deploys_nothing_and_names_the_line_and_the_grant, Fixture) {
  auto hostile = compose("1.0.0+1.0", {"app"});
  hostile.replace(hostile.find("volumes: [data:/data]"), 21, "volumes: [data:/data, \"/var/run/docker.sock:/s\"]");
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", hostile}});
  run();
  BOOST_TEST(exit_code == 1);
  BOOST_TEST((tier(Tier::install).status == Status::fail));
  BOOST_TEST_REQUIRE(!tier(Tier::install).checks.empty());
  const auto& refused = tier(Tier::install).checks.back();
  BOOST_TEST(refused.name == "install/host-access");
  BOOST_TEST(refused.message.find("compose.yml:6: service app bind-mounts /var/run/docker.sock") != std::string::npos,
             refused.message);
  BOOST_TEST(refused.message.find((root / "no-meta/fake-app/ccci.yml").string() +
                                  ": host_access: [{service: app, "
                                  "access: \"bind:/var/run/docker.sock\"") != std::string::npos,
             refused.message);
  BOOST_TEST(swarm.count("deploy") == 0);
  BOOST_TEST(swarm.count("create_secret") == 0);
  BOOST_TEST(swarm.count("publish_routes") == 0);
  BOOST_TEST((tier(Tier::custom).status == Status::na));
  BOOST_TEST(swarm.find("remove_stack") >= 0); // teardown still runs
  BOOST_TEST(results.clean_teardown);
}

BOOST_FIXTURE_TEST_CASE(a_granted_host_access_deploys_and_the_pass_record_lists_the_grant, Fixture) {
  auto socket = compose("1.0.0+1.0", {"app"});
  socket.replace(socket.find("volumes: [data:/data]"), 21, "volumes: [data:/data, \"/var/run/docker.sock:/s\"]");
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", socket}});
  write(options.recipes_dir / "fake-app" / "ccci.yml",
        "host_access:\n  - service: app\n    access: \"bind:/var/run/docker.sock\"\n"
        "    reason: \"reads the labels of the swarm's services\"\n");
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass), tier(Tier::install).reason);
  auto names = check_names(Tier::install);
  BOOST_TEST_REQUIRE(!names.empty());
  auto granted = std::find(names.begin(), names.end(), "install/host-access");
  BOOST_TEST_REQUIRE((granted != names.end()));
  const auto& rec = tier(Tier::install).checks[static_cast<std::size_t>(granted - names.begin())];
  BOOST_TEST((rec.status == Status::pass));
  BOOST_TEST(rec.message.find("1 granted by the recipe meta for 1.0.0+1.0: service app bind-mounts "
                              "/var/run/docker.sock") != std::string::npos,
             rec.message);
  BOOST_TEST(rec.message.find("ccci.yml:2: reads the labels of the swarm's services") != std::string::npos,
             rec.message);
  BOOST_TEST(swarm.count("deploy compose.rendered.yml") == 1);
}

BOOST_FIXTURE_TEST_CASE(an_upgrade_base_with_a_refused_access_is_red_at_upgrade_and_never_deployed, Fixture) {
  auto base = compose("1.0.0+1.0", {"app"});
  base.replace(base.find("volumes: [data:/data]"), 21, "volumes: [data:/data]\n    privileged: true");
  options.recipe_dir = make_repo(root / "repo", {{"1.0.0+1.0", base}, {"1.1.0+1.0", compose("1.1.0+1.0", {"app"})}});
  run();
  BOOST_TEST((tier(Tier::install).status == Status::pass));
  BOOST_TEST((tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST(check_names(Tier::upgrade).back() == "upgrade/host-access");
  BOOST_TEST(tier(Tier::upgrade).checks.back().message.find("compose.yml:7: service app runs privileged") !=
                 std::string::npos,
             tier(Tier::upgrade).checks.back().message);
  BOOST_TEST(swarm.count("deploy compose.base.rendered.yml") == 0);
  BOOST_TEST(results.clean_teardown);
}
