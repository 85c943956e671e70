// Ownership and reaping (docs/architecture.md, "Ownership and reaping"): the
// owner labels, the decision whether gc may remove an object, the facts it
// is given (process start times, leases), the labels on a rendered compose,
// and gc itself against a FakeSwarm and a temporary directory of its own.
#define BOOST_TEST_MODULE gc
#include <boost/test/unit_test.hpp>

#include "gc/gc.hpp"
#include "model/ownership.hpp"
#include "model/results.hpp"
#include "os/ownership.hpp"
#include "os/process.hpp"
#include "recipe/compose.hpp"
#include "run/run.hpp"
#include "support/fake_swarm.hpp"
#include "support/files.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace fs = std::filesystem;
using namespace ccci::host;
using ccci::test::FakeSwarm;
using ccci::test::read;
using ccci::test::TempTree;
using ccci::test::write;

namespace {

// A pid no process has: a child that ran and was reaped.
long dead_pid() {
  auto child = Child::spawn({"true"});
  child.wait();
  return static_cast<long>(child.pid());
}

Owner owner_of(long pid, std::string started, std::string run = "r1", std::string host = this_hostname()) {
  return Owner{std::move(run), std::move(host), pid, std::move(started), false};
}

Owner dead_owner(std::string run = "dead-run") { return owner_of(dead_pid(), "2026-01-02T03:04:05.06Z", run); }

Owner me(std::string run = "live-run") { return this_process_owner(run, false); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

bool any_line(const std::vector<std::string>& lines, std::initializer_list<std::string_view> parts) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return std::all_of(parts.begin(), parts.end(), [&](std::string_view p) { return l.find(p) != std::string::npos; });
  });
}

} // namespace

// ---------------------------------------------------------------- labels

BOOST_AUTO_TEST_CASE(owner_labels_name_the_run_the_host_the_pid_the_start_and_the_role) {
  Owner o{"20261201T101010Z-app-abc123", "ci-1", 4242, "2026-12-01T10:10:09.87Z", true};
  auto labels = owner_labels(o);
  BOOST_TEST(labels.at("ccci.run") == "20261201T101010Z-app-abc123");
  BOOST_TEST(labels.at("ccci.host") == "ci-1");
  BOOST_TEST(labels.at("ccci.pid") == "4242");
  BOOST_TEST(labels.at("ccci.started") == "2026-12-01T10:10:09.87Z");
  BOOST_TEST(labels.at("ccci.role") == "canonical");
  labels["com.docker.stack.namespace"] = "app_ccci_test"; // docker's own label beside them
  auto back = owner_from_labels(labels);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->run == o.run);
  BOOST_TEST(back->host == o.host);
  BOOST_TEST(back->pid == 4242);
  BOOST_TEST(back->started == o.started);
  BOOST_TEST(back->canonical);
  o.canonical = false;
  BOOST_TEST(owner_labels(o).at("ccci.role") == "test");
}

BOOST_AUTO_TEST_CASE(an_object_without_a_run_label_is_not_cccis) {
  BOOST_TEST(!owner_from_labels({}).has_value());
  BOOST_TEST(!owner_from_labels({{"com.docker.stack.namespace", "x"}, {"ccci.pid", "12"}}).has_value());
  // A run label alone is ccci's, but names no pid to judge by.
  auto partial = owner_from_labels({{"ccci.run", "r"}, {"ccci.pid", "12abc"}});
  BOOST_TEST_REQUIRE(partial.has_value());
  BOOST_TEST(partial->pid == 0);
}

BOOST_AUTO_TEST_CASE(an_owner_record_round_trips_and_cannot_break_a_line) {
  Owner o{"run\nsecond-line", "host", 7, "t", false};
  auto text = owner_record(o, "# owner ");
  BOOST_TEST(lines_of(text).size() == 5u);
  for (auto& l : lines_of(text))
    BOOST_TEST(l.starts_with("# owner ccci."));
  auto labels = parse_owner_record("server { listen 80; }\n" + text + "# other comment=1\n", "# owner ");
  BOOST_TEST(labels.size() == 5u);
  BOOST_TEST(labels.at("ccci.run") == "run?second-line");
  BOOST_TEST(labels.at("ccci.pid") == "7");
}

// ------------------------------------------------------------- decision

BOOST_AUTO_TEST_CASE(another_hosts_objects_are_never_removed) {
  auto o = owner_of(1234, "t0", "r", "other-machine");
  auto d = judge_owner(o, "this-machine", {std::nullopt, LeaseState::free, RunRecord::unfinished});
  BOOST_TEST((d.verdict == GcVerdict::other_host));
  BOOST_TEST(d.why.find("other-machine") != std::string::npos, d.why);
}

BOOST_AUTO_TEST_CASE(an_owner_whose_pid_runs_the_same_process_is_live) {
  auto o = owner_of(1234, "2026-12-01T10:00:00.00Z", "r", "h");
  auto d = judge_owner(o, "h", {"2026-12-01T10:00:00.00Z", LeaseState::unknown, RunRecord::unknown});
  BOOST_TEST((d.verdict == GcVerdict::live));
  BOOST_TEST(d.why.find("pid 1234") != std::string::npos, d.why);
}

BOOST_AUTO_TEST_CASE(an_owner_whose_pid_is_gone_is_gone) {
  auto o = owner_of(1234, "2026-12-01T10:00:00.00Z", "r", "h");
  auto d = judge_owner(o, "h", {std::nullopt, LeaseState::free, RunRecord::unfinished});
  BOOST_TEST((d.verdict == GcVerdict::remove));
  BOOST_TEST(d.why == "owner pid 1234 on host h (run r, started 2026-12-01T10:00:00.00Z) is gone");
}

BOOST_AUTO_TEST_CASE(a_pid_reused_by_a_later_process_is_not_the_owner) {
  auto o = owner_of(1234, "2026-12-01T10:00:00.00Z", "r", "h");
  auto d = judge_owner(o, "h", {"2026-12-01T11:30:00.00Z", LeaseState::unknown, RunRecord::unknown});
  BOOST_TEST((d.verdict == GcVerdict::remove));
  BOOST_TEST(d.why.find("now another process (started 2026-12-01T11:30:00.00Z)") != std::string::npos, d.why);
}

BOOST_AUTO_TEST_CASE(a_held_lease_keeps_an_owner_alive_whatever_its_pid_says) {
  // E.g. a run in another pid namespace: its pid means nothing here.
  auto o = owner_of(1234, "t0", "r", "h");
  auto d = judge_owner(o, "h", {std::nullopt, LeaseState::held, RunRecord::unfinished});
  BOOST_TEST((d.verdict == GcVerdict::live));
  BOOST_TEST(d.why.find("lease") != std::string::npos, d.why);
}

BOOST_AUTO_TEST_CASE(labels_without_host_pid_or_start_time_are_left_alone) {
  auto d = judge_owner(owner_of(0, "t0", "r", "h"), "h", {std::nullopt, LeaseState::free, RunRecord::unfinished});
  BOOST_TEST((d.verdict == GcVerdict::unknown));
  d = judge_owner(owner_of(1234, "", "r", "h"), "h", {std::nullopt, LeaseState::free, RunRecord::unfinished});
  BOOST_TEST((d.verdict == GcVerdict::unknown));
  // What a ccci from before owner labels put on its secrets: the run alone.
  auto old = owner_from_labels({{"ccci.run", "20261201T180445Z-app-3398d0"}});
  BOOST_TEST_REQUIRE(old.has_value());
  d = judge_owner(*old, "h", {std::nullopt, LeaseState::unknown, RunRecord::unknown});
  BOOST_TEST((d.verdict == GcVerdict::unknown));
  BOOST_TEST(d.why.find("no host, pid or start time") != std::string::npos, d.why);
}

BOOST_AUTO_TEST_CASE(a_warm_canonical_stays_unless_its_run_never_became_one) {
  auto o = owner_of(1234, "t0", "r", "h");
  o.canonical = true;
  // Its promotion finished long ago: the pid is gone by design.
  BOOST_TEST((judge_owner(o, "h", {std::nullopt, LeaseState::free, RunRecord::kept}).verdict == GcVerdict::canonical));
  BOOST_TEST(
      (judge_owner(o, "h", {std::nullopt, LeaseState::unknown, RunRecord::unknown}).verdict == GcVerdict::canonical));
  // A promotion killed mid-install, or one that was red and tore down
  // partly: never a canonical.
  auto died = judge_owner(o, "h", {std::nullopt, LeaseState::free, RunRecord::unfinished});
  BOOST_TEST((died.verdict == GcVerdict::remove));
  BOOST_TEST(died.why.find("never became a warm canonical") != std::string::npos, died.why);
  BOOST_TEST((judge_owner(o, "h", {std::nullopt, LeaseState::free, RunRecord::finished}).verdict == GcVerdict::remove));
  // A promotion still running is live, whatever its record says.
  BOOST_TEST((judge_owner(o, "h", {"t0", LeaseState::held, RunRecord::unfinished}).verdict == GcVerdict::live));
}

// ---------------------------------------------------------------- facts

BOOST_AUTO_TEST_CASE(a_process_start_time_is_stable_and_tells_processes_apart) {
  auto mine = process_start_time(::getpid());
  BOOST_TEST_REQUIRE(mine.has_value());
  BOOST_TEST(mine->size() == std::string("2026-12-01T10:00:00.00Z").size(), *mine);
  BOOST_TEST(mine->ends_with("Z"));
  BOOST_TEST((process_start_time(::getpid()) == mine));
  BOOST_TEST(me().started == *mine);
  BOOST_TEST(me().pid == static_cast<long>(::getpid()));
  BOOST_TEST(me().host == this_hostname());

  auto child = Child::spawn({"sleep", "30"});
  auto theirs = process_start_time(child.pid());
  BOOST_TEST_REQUIRE(theirs.has_value());
  BOOST_TEST(*theirs >= *mine); // started after this process, and the text sorts as time
  child.kill_group();
  child.wait();
  BOOST_TEST(!process_start_time(child.pid()).has_value());
  BOOST_TEST(!process_start_time(0).has_value());
}

BOOST_AUTO_TEST_CASE(a_zombie_is_not_a_live_owner) {
  // Exited and not yet reaped: it holds no lock and no descriptor any more.
  auto child = Child::spawn({"true"});
  for (int i = 0; i < 200 && process_start_time(child.pid()); ++i)
    ::usleep(10'000);
  BOOST_TEST(!process_start_time(child.pid()).has_value());
  BOOST_TEST(child.running()); // not reaped: the pid is still the child's
  child.wait();
}

BOOST_AUTO_TEST_CASE(a_lease_is_held_free_or_unknown) {
  TempTree t("ccci-unit-gc-");
  auto file = t / "run" / lease_file_name;
  BOOST_TEST((lease_state(file) == LeaseState::unknown));
  fs::create_directories(file.parent_path());
  {
    FileLock lease(file);
    BOOST_TEST_REQUIRE(lease.try_lock());
    BOOST_TEST((lease_state(file) == LeaseState::held));
  }
  BOOST_TEST((lease_state(file) == LeaseState::free));
}

// --------------------------------------------------- labels on a compose

BOOST_AUTO_TEST_CASE(every_object_a_stack_deploy_makes_carries_the_labels) {
  TempTree t("ccci-unit-gc-");
  t.write("compose.yml", R"(version: "3.8"
services:
  app:
    image: nginx:1
    deploy:
      labels:
        - "traefik.enable=true"
        - "ccci.run=forged-by-the-recipe"
    labels:
      x.y: "1"
    volumes: [data:/data]
    networks: [internal, proxy]
  worker:
    image: busybox:1
    deploy:
      labels:
        a: b
volumes:
  data:
  cache:
    external: true
networks:
  internal:
  proxy:
    external: true
secrets:
  token:
    external: true
    name: app_token_v1
  file_one:
    file: token.txt
configs:
  conf:
    file: app.conf
)");
  t.write("token.txt", "x");
  t.write("app.conf", "x");
  auto c = load_compose(t.dir(), {"compose.yml"}, {});
  add_labels(c, owner_labels(Owner{"r1", "h", 12, "t0", false}));
  auto doc = YAML::Load(render_compose(c));
  auto app_deploy = read_deploy_labels(doc["services"]["app"]["deploy"]["labels"]);
  BOOST_TEST(app_deploy.at("ccci.run") == "r1"); // the recipe's own value replaced
  BOOST_TEST(app_deploy.at("traefik.enable") == "true");
  BOOST_TEST(doc["services"]["app"]["deploy"]["labels"].IsSequence()); // the recipe's form kept
  BOOST_TEST(doc["services"]["app"]["labels"]["ccci.pid"].as<std::string>() == "12");
  BOOST_TEST(doc["services"]["app"]["labels"]["x.y"].as<std::string>() == "1");
  BOOST_TEST(doc["services"]["worker"]["deploy"]["labels"]["ccci.host"].as<std::string>() == "h");
  BOOST_TEST(doc["services"]["worker"]["deploy"]["labels"]["a"].as<std::string>() == "b");
  BOOST_TEST(doc["services"]["worker"]["labels"]["ccci.started"].as<std::string>() == "t0");
  BOOST_TEST(doc["volumes"]["data"]["labels"]["ccci.run"].as<std::string>() == "r1");
  BOOST_TEST(doc["networks"]["internal"]["labels"]["ccci.run"].as<std::string>() == "r1");
  BOOST_TEST(doc["networks"]["default"]["labels"]["ccci.role"].as<std::string>() == "test");
  BOOST_TEST(doc["secrets"]["file_one"]["labels"]["ccci.run"].as<std::string>() == "r1");
  BOOST_TEST(doc["configs"]["conf"]["labels"]["ccci.run"].as<std::string>() == "r1");
  // External objects are not the stack's to label: docker refuses labels there.
  BOOST_TEST(!doc["volumes"]["cache"]["labels"]);
  BOOST_TEST(!doc["networks"]["proxy"]["labels"]);
  BOOST_TEST(!doc["secrets"]["token"]["labels"]);
  // The labels are quoted strings, as docker wants them.
  BOOST_TEST(render_compose(c).find("ccci.pid: \"12\"") != std::string::npos, render_compose(c));
}

// ------------------------------------------------------ gc on a FakeSwarm

namespace {

struct GcFixture {
  TempTree tree{"ccci-unit-gc-"};
  FakeSwarm swarm;
  GcOptions options;
  std::vector<std::string> said;

  GcFixture() {
    options.runs_dir = tree / "runs";
    options.temp_dir = tree / "tmp";
    fs::create_directories(options.runs_dir);
    fs::create_directories(options.temp_dir);
  }
  void add(std::string kind, std::string name, const Owner& o) {
    swarm.owned.push_back({std::move(kind), std::move(name), owner_labels(o)});
  }
  GcReport gc() {
    said.clear();
    auto r = collect_garbage(swarm, options, [&](const std::string& l) { said.push_back(l); });
    for (auto& l : said)
      BOOST_TEST_MESSAGE(l);
    return r;
  }
  bool still_owned(const std::string& name) const {
    return std::any_of(swarm.owned.begin(), swarm.owned.end(), [&](auto& o) { return o.name == name; });
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(gc_removes_a_dead_runs_objects_and_nothing_else) {
  GcFixture f;
  auto dead = dead_owner();
  auto other_host = owner_of(dead.pid, dead.started, "far-run", "not-" + this_hostname());
  auto reused = owner_of(::getpid(), "1999-01-01T00:00:00.00Z", "old-run");
  for (const char* kind : {"service", "secret", "config", "volume", "network"})
    f.add(kind, std::string("dead_") + kind, dead);
  f.add("edge-route", "/edge/sites/dead.conf", dead);
  f.add("service", "live_app", me());
  f.add("secret", "far_secret", other_host);
  f.add("secret", "reused_secret", reused);
  f.swarm.owned.push_back({"secret", "hand_made", {{"com.docker.stack.namespace", "x"}}});

  auto r = f.gc();
  BOOST_TEST(r.exit_code() == 0);
  BOOST_TEST(r.removed() == 7);
  for (auto name : {"dead_service", "dead_secret", "dead_config", "dead_volume", "dead_network",
                    "/edge/sites/dead.conf", "reused_secret"})
    BOOST_TEST(!f.still_owned(name), name);
  for (auto name : {"live_app", "far_secret", "hand_made"})
    BOOST_TEST(f.still_owned(name), name);
  BOOST_TEST(f.swarm.count("remove_owned") == 7);
  BOOST_TEST(any_line(f.said, {"gc: removed volume dead_volume: owner pid", "dead-run", "is gone"}));
  BOOST_TEST(any_line(f.said, {"gc: removed secret reused_secret", "now another process"}));
  BOOST_TEST(any_line(f.said, {"gc: keep service live_app", "is running"}));
  BOOST_TEST(any_line(f.said, {"gc: keep secret far_secret", "only that host can tell"}));
  BOOST_TEST(!any_line(f.said, {"hand_made"})); // not ccci's: not even listed
  BOOST_TEST(f.said.back() == "gc: 7 object(s) of 2 dead run(s) removed, 2 kept (1 of live runs, 0 of warm "
                              "canonicals, 1 of other hosts, 0 with incomplete labels), 0 could not be removed");
}

BOOST_AUTO_TEST_CASE(a_dry_run_lists_and_removes_nothing) {
  GcFixture f;
  auto dead = dead_owner();
  f.add("service", "dead_app", dead);
  f.add("secret", "dead_token", dead);
  f.options.dry_run = true;
  auto r = f.gc();
  BOOST_TEST(r.removed() == 0);
  BOOST_TEST(r.count(GcVerdict::remove) == 2);
  BOOST_TEST(f.swarm.count("remove_owned") == 0);
  BOOST_TEST(f.still_owned("dead_app"));
  BOOST_TEST(any_line(f.said, {"gc: would remove service dead_app: owner pid"}));
  BOOST_TEST(any_line(f.said, {"gc: would remove secret dead_token"}));
  BOOST_TEST(f.said.back().find("nothing removed") != std::string::npos, f.said.back());
}

BOOST_AUTO_TEST_CASE(what_cannot_be_removed_is_named_and_fails_gc) {
  GcFixture f;
  auto dead = dead_owner();
  f.add("volume", "dead_data", dead);
  f.add("secret", "dead_token", dead);
  f.swarm.refuse_removal = {"dead_data"};
  auto r = f.gc();
  BOOST_TEST(r.exit_code() == 1);
  BOOST_TEST(r.removed() == 1);
  BOOST_TEST(any_line(f.said, {"gc: could not remove volume dead_data: docker volume rm dead_data: exit 1: in use"}));
  BOOST_TEST(f.said.back().find("1 could not be removed") != std::string::npos, f.said.back());
}

BOOST_AUTO_TEST_CASE(a_lease_held_in_the_runs_dir_keeps_a_run_whose_pid_is_gone) {
  GcFixture f;
  auto dead = dead_owner("leased-run");
  f.add("service", "leased_app", dead);
  fs::create_directories(f.options.runs_dir / "leased-run");
  FileLock lease(f.options.runs_dir / "leased-run" / lease_file_name);
  BOOST_TEST_REQUIRE(lease.try_lock());
  auto r = f.gc();
  BOOST_TEST(r.removed() == 0);
  BOOST_TEST(f.still_owned("leased_app"));
  BOOST_TEST(any_line(f.said, {"gc: keep service leased_app: run leased-run holds its lease"}));
  lease.unlock();
  r = f.gc();
  BOOST_TEST(r.removed() == 1);
}

BOOST_AUTO_TEST_CASE(a_warm_canonical_survives_gc_and_a_dead_promotion_does_not) {
  GcFixture f;
  auto kept = dead_owner("promote-kept");
  kept.canonical = true;
  auto died = dead_owner("promote-died");
  died.canonical = true;
  auto elsewhere = dead_owner("promote-elsewhere"); // run dir not in this runs dir
  elsewhere.canonical = true;
  f.add("service", "kept_app", kept);
  f.add("service", "died_app", died);
  f.add("service", "elsewhere_app", elsewhere);
  auto results = empty_results();
  results.run_id = "promote-kept";
  results.kept_running = true;
  write(f.options.runs_dir / "promote-kept" / "results.json", to_json(results));
  fs::create_directories(f.options.runs_dir / "promote-died"); // killed before results.json
  auto r = f.gc();
  BOOST_TEST(f.still_owned("kept_app"));
  BOOST_TEST(f.still_owned("elsewhere_app"));
  BOOST_TEST(!f.still_owned("died_app"));
  BOOST_TEST(r.count(GcVerdict::canonical) == 2);
  BOOST_TEST(any_line(f.said, {"gc: keep service kept_app: warm canonical of run promote-kept"}));
}

BOOST_AUTO_TEST_CASE(gc_removes_a_dead_processes_temp_dirs_and_no_other_directory) {
  GcFixture f;
  auto tmp = f.options.temp_dir;
  auto made = [&](const std::string& name, const std::optional<Owner>& o) {
    fs::create_directories(tmp / name / "inner");
    write(tmp / name / "inner" / "file", "x");
    if (o) write(tmp / name / temp_owner_file, owner_record(*o));
    return tmp / name;
  };
  auto dead = made("ccci-git-dead01", dead_owner());
  auto live = made("ccci-git-live01", me());
  auto no_record = made("ccci-unit-scratch", std::nullopt); // a test's tree, a hand-made dir
  auto not_ours = made("other-dead01", dead_owner());       // not named ccci-*
  auto target = made("elsewhere", dead_owner());
  fs::create_directory_symlink(target, tmp / "ccci-link");
  auto r = f.gc();
  BOOST_TEST(!fs::exists(dead));
  BOOST_TEST(fs::exists(live));
  BOOST_TEST(fs::exists(no_record / "inner" / "file"));
  BOOST_TEST(fs::exists(not_ours));
  BOOST_TEST(fs::exists(target / "inner" / "file")); // a link is not followed
  BOOST_TEST(r.removed() == 1);
  BOOST_TEST(any_line(f.said, {"gc: removed temp-dir", "ccci-git-dead01", "is gone"}));
}

BOOST_AUTO_TEST_CASE(an_owned_temp_dir_records_this_process) {
  set_process_run("unit-run", false);
  auto dir = owned_temp_dir("ccci-unit-owned-");
  auto labels = parse_owner_record(read(dir / temp_owner_file));
  auto o = owner_from_labels(labels);
  BOOST_TEST_REQUIRE(o.has_value());
  BOOST_TEST(o->run == "unit-run");
  BOOST_TEST(o->pid == static_cast<long>(::getpid()));
  BOOST_TEST(o->started == *process_start_time(::getpid()));
  BOOST_TEST((judge_owner(*o, this_hostname(), {process_start_time(o->pid)}).verdict == GcVerdict::live));
}

// ------------------------------------------- a run: lease, labels, gc first

namespace {

void git(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string(), "-c", "user.name=t", "-c", "user.email=t@t"});
  auto r = run_process(args);
  BOOST_TEST_REQUIRE(r.ok(), r.err);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_labels_what_it_makes_holds_its_lease_and_reaps_the_dead_before_deploying) {
  TempTree t("ccci-unit-gc-");
  auto repo = t / "repo";
  fs::create_directories(repo);
  git(repo, {"init", "--quiet", "--initial-branch=main"});
  write(repo / ".env.sample", "TYPE=app\nDOMAIN=app.example.com\nSECRET_TOKEN_VERSION=v1\n");
  write(repo / "compose.yml", "version: \"3.8\"\nservices:\n  app:\n    image: busybox:1.36\n    secrets: [token]\n"
                              "    deploy:\n      labels:\n        - \"coop-cloud.${STACK_NAME}.version=1.0.0+1\"\n"
                              "secrets:\n  token:\n    external: true\n"
                              "    name: ${STACK_NAME}_token_${SECRET_TOKEN_VERSION}\n");
  git(repo, {"add", "-A"});
  git(repo, {"commit", "--quiet", "-m", "1.0.0+1"});
  git(repo, {"tag", "-a", "1.0.0+1", "-m", "1.0.0+1"});

  FakeSwarm swarm;
  auto dead = dead_owner("killed-run");
  swarm.owned.push_back({"service", "killed_app", owner_labels(dead)});
  RunOptions o;
  o.recipe_dir = repo;
  o.recipe = "app";
  o.tiers = {ccci::Tier::install};
  o.runs_dir = t / "runs";
  o.run_id = "unit-gc-run";
  o.plugin_dir = t / "no-plugins";
  o.recipes_dir = t / "no-meta";
  o.deploy_timeout = std::chrono::seconds(5);
  // The run's lease is held while it deploys: seen from inside its deploy.
  std::optional<LeaseState> lease_during_deploy;
  swarm.on_deploy = [&](const std::string&) {
    lease_during_deploy = lease_state(o.runs_dir / o.run_id / lease_file_name);
  };
  std::ostringstream terminal;
  int code = run_recipe(o, terminal, swarm);
  BOOST_TEST_MESSAGE(terminal.str());
  BOOST_TEST(code == 0);

  // The dead run's object went first, before anything was deployed.
  auto removed = swarm.find("remove_owned service killed_app");
  BOOST_TEST_REQUIRE(removed >= 0);
  BOOST_TEST(removed < swarm.find("deploy "));
  BOOST_TEST(terminal.str().find("gc: removed service killed_app: owner pid") != std::string::npos);
  BOOST_TEST((lease_during_deploy == LeaseState::held));
  BOOST_TEST((lease_state(o.runs_dir / o.run_id / lease_file_name) == LeaseState::free));

  // Its secret and its rendered compose carry its owner: this process.
  auto secret = swarm.find("create_secret");
  BOOST_TEST_REQUIRE(secret >= 0);
  auto rendered = YAML::LoadFile((o.runs_dir / o.run_id / "compose.rendered.yml").string());
  auto labels = read_deploy_labels(rendered["services"]["app"]["deploy"]["labels"]);
  auto owner = owner_from_labels(labels);
  BOOST_TEST_REQUIRE(owner.has_value());
  BOOST_TEST(owner->run == "unit-gc-run");
  BOOST_TEST(owner->pid == static_cast<long>(::getpid()));
  BOOST_TEST(owner->started == *process_start_time(::getpid()));
  BOOST_TEST(owner->host == this_hostname());
  BOOST_TEST(!owner->canonical);
  // Teardown took the run's own labelled objects; nothing of it is left.
  BOOST_TEST(swarm.owned.empty());
}
