// Ownership and reaping on the real swarm (docs/architecture.md, "Ownership
// and reaping"): a `ccci run` killed with SIGKILL mid-deploy, then the next
// run, or `ccci gc`, leaves nothing of it; a live run beside a gc is
// untouched; a warm canonical survives gc.
//
// Every ccci here runs under a hostname of its test case's own (a UTS
// namespace: `unshare --uts`). To the runs of other tests on this swarm,
// and to theirs, the objects are another host's, which gc never touches: so
// the killed run's leftovers stay until this test's own gc, and this test's
// gc can judge only its own test's objects as this host's.
#define BOOST_TEST_MODULE integration_gc
#include <boost/test/unit_test.hpp>

#include "model/naming.hpp"
#include "os/process.hpp"
#include "os/spawn.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"
#include "swarm/docker.hpp"
#include "swarm/edge.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path source = CCCI_SOURCE_DIR;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::string docker_out(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv).out;
}

bool mentions(const std::string& output, std::initializer_list<std::string_view> parts) {
  for (auto& line : lines_of(output)) {
    bool all = true;
    for (auto p : parts)
      all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

// The hostname this test case's ccci processes run under.
std::string test_host(const std::string& tag) { return "ccci-gc-" + tag + "-" + random_hex(6); }

std::vector<std::string> under_host(const std::string& host) {
  return {"unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", host};
}

// The example recipe with a volume and a network of its own, so that every
// kind of object a stack deploy makes is there to be left behind.
fs::path make_repo(const std::string& name, std::vector<std::string> variants) {
  auto dir = fresh_dir(work / "gc", name);
  std::vector<std::string> argv{(source / "scripts/make-recipe-repo").string(),
                                (source / "recipes/custom-html-tiny/recipe").string(), dir.string(), "--force"};
  variants.push_back((source / "tests/integration/fixtures/gc-volume-and-network.patch").string());
  for (auto& v : variants)
    argv.insert(argv.end(), {"--variant", v});
  auto r = run_logged(argv);
  BOOST_TEST_REQUIRE(r.ok(), r.out);
  return dir;
}

fs::path never_healthy_repo() {
  return make_repo("never-healthy", {(source / "recipes/custom-html-tiny/variants/never-healthy.patch").string()});
}

fs::path route_file(const std::string& stack) {
  return edge_settings_from_environment().dir / "sites" / (stack + ".conf");
}

// Whatever a test case left of `stack` goes at its end, passed or failed.
struct StackGuard {
  std::string stack;
  bool warm = false; ///< a canonical: never force its containers
  ~StackGuard() {
    if (stack.empty() || leftovers_of(stack).empty()) return;
    remove_edge_routes(edge_settings_from_environment(), stack);
    teardown_stack(stack, !warm);
  }
};

// A `ccci run` in the background, its output in a file.
struct BackgroundRun {
  Child child;
  fs::path log;
  std::string run_id;
};

BackgroundRun start_run(const std::string& host, const fs::path& repo, const fs::path& runs_dir,
                        const std::string& run_id, std::vector<std::string> extra = {}) {
  auto argv = under_host(host);
  argv.insert(argv.end(), {CCCI_BIN, "run", "--recipe-dir", repo.string(), "--recipe", "custom-html-tiny", "--tiers",
                           "install", "--runs-dir", runs_dir.string(), "--run-id", run_id});
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto log = runs_dir / (run_id + ".out");
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  BOOST_TEST_REQUIRE(fd >= 0);
  SpawnOptions so;
  so.capture = false;
  so.output_fd = fd;
  auto child = Child::spawn(argv, so);
  ::close(fd);
  return {std::move(child), log, run_id};
}

// Names of the objects of `kind` that docker lists with the run's label.
std::vector<std::string> labelled(const std::string& kind, const std::string& run_id) {
  auto filter = "label=ccci.run=" + run_id;
  if (kind == "container") return lines_of(docker_out({"ps", "-a", "--filter", filter, "--format", "{{.Names}}"}));
  return lines_of(docker_out({kind, "ls", "--filter", filter, "--format", "{{.Name}}"}));
}

// Waits (bounded) until the run's service, container and volume exist:
// mid-deploy. Returns the stack's name, read from docker's own label.
std::string wait_until_deployed(BackgroundRun& run) {
  for (int i = 0; i < 600; ++i) {
    BOOST_TEST_REQUIRE(run.child.running(), "the run ended before its stack was up: " << read(run.log));
    run.child.poll();
    auto services = labelled("service", run.run_id);
    if (!services.empty() && !labelled("container", run.run_id).empty() && !labelled("volume", run.run_id).empty()) {
      auto ns = docker_out({"service", "inspect", "--format", "{{index .Spec.Labels \"com.docker.stack.namespace\"}}",
                            services.front()});
      return lines_of(ns).front();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BOOST_FAIL("the run's stack did not come up: " << read(run.log));
  return "";
}

void kill_9(BackgroundRun& run) {
  run.child.signal(SIGKILL);
  auto status = run.child.wait(); // reaped: a zombie would still look like its owner
  BOOST_TEST(status.signal == SIGKILL);
  BOOST_TEST_MESSAGE("killed run's output:\n" << read(run.log));
}

// The run's label on one object, asked of docker directly; nullopt when
// docker no longer has the object (a replaced task's container).
std::optional<std::string> run_label(const std::string& kind, const std::string& name) {
  std::string labels = kind == "service" || kind == "secret" || kind == "config" ? ".Spec.Labels"
                       : kind == "container"                                     ? ".Config.Labels"
                                                                                 : ".Labels";
  auto r = run_process({"docker", kind, "inspect", "--format", "{{index " + labels + " \"ccci.run\"}}", name});
  if (!r.ok()) return std::nullopt;
  return lines_of(r.out).empty() ? "" : lines_of(r.out).front();
}

// Every kind of object a stack deploy makes is there, every one of them
// carrying the run's label, and so is the route file with its owner record.
void expect_labelled_leftovers(const std::string& stack, const std::string& run_id) {
  auto left = leftovers_of(stack);
  for (const char* kind : {"service", "container", "network", "volume", "secret", "config"})
    BOOST_TEST(!labelled(kind, run_id).empty(), "no " << kind << " labelled ccci.run=" << run_id);
  for (auto& object : left) {
    auto space = object.find(' ');
    auto label = run_label(object.substr(0, space), object.substr(space + 1));
    BOOST_TEST((!label || *label == run_id), object << " lacks ccci.run=" << run_id);
  }
  auto route = route_file(stack);
  BOOST_TEST_REQUIRE(fs::exists(route));
  BOOST_TEST(read(route).find("# owner ccci.run=" + run_id + "\n") != std::string::npos, read(route));
}

// Every object of `before` is still there (a never-healthy service's tasks
// are replaced meanwhile, so more containers may have come).
void expect_still_there(const std::vector<std::string>& before, const std::string& stack) {
  auto now = leftovers_of(stack);
  for (auto& object : before)
    if (!object.starts_with("container "))
      BOOST_TEST((std::find(now.begin(), now.end(), object) != now.end()), "gone: " << object);
}

// `output` says `verb` of every object of `before` (of its containers, at
// least one: a replaced task's may have been pruned by the swarm meanwhile).
void expect_each_said(const std::string& output, const std::vector<std::string>& before, const std::string& verb,
                      const std::string& stack) {
  for (auto& object : before)
    if (!object.starts_with("container "))
      BOOST_TEST(mentions(output, {"gc: " + verb + " " + object + ":"}), "not said: " << verb << " " << object);
  BOOST_TEST(mentions(output, {"gc: " + verb + " container " + stack + "_app."}));
}

Outcome ccci_as(const std::string& host, const fs::path& runs_dir, std::vector<std::string> args) {
  return run_ccci({.binary = CCCI_BIN, .args = std::move(args), .runs_dir = runs_dir, .prefix = under_host(host)});
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_killed_mid_deploy_leaves_nothing_after_the_next_run) {
  auto host = test_host("next");
  auto runs = fresh_dir(work / "runs", "runs");
  auto run = start_run(host, never_healthy_repo(), runs, "gc-killed-" + random_hex(4), {"--deploy-timeout", "300"});
  StackGuard guard{wait_until_deployed(run)};
  kill_9(run);
  expect_labelled_leftovers(guard.stack, run.run_id);
  auto before = leftovers_of(guard.stack);

  auto next = ccci_as(
      host, runs,
      {"run", "--recipe-dir", make_repo("healthy", {}).string(), "--recipe", "custom-html-tiny", "--tiers", "install"});
  BOOST_TEST(next.exit_code == 0, next.output);
  expect_each_said(next.output, before, "removed", guard.stack);
  BOOST_TEST(mentions(next.output, {"gc: removed service " + guard.stack + "_app:", "is gone"}));
  BOOST_TEST(mentions(next.output, {"gc: removed edge-route " + route_file(guard.stack).string()}));
  auto left = leftovers_of(guard.stack);
  BOOST_TEST(left.empty(), "left of the killed run: " << (left.empty() ? "" : left.front()));
  BOOST_TEST(!fs::exists(route_file(guard.stack)));
  BOOST_TEST_REQUIRE(next.results.has_value());
  BOOST_TEST(next.results->clean_teardown);
}

BOOST_AUTO_TEST_CASE(after_a_kill_gc_dry_run_lists_and_removes_nothing_then_gc_removes_all) {
  auto host = test_host("dry");
  auto runs = fresh_dir(work / "runs", "runs");
  auto run = start_run(host, never_healthy_repo(), runs, "gc-dry-" + random_hex(4), {"--deploy-timeout", "300"});
  StackGuard guard{wait_until_deployed(run)};
  kill_9(run);
  expect_labelled_leftovers(guard.stack, run.run_id);
  auto before = leftovers_of(guard.stack);

  auto dry = ccci_as(host, runs, {"gc", "--dry-run"});
  BOOST_TEST(dry.exit_code == 0, dry.output);
  expect_each_said(dry.output, before, "would remove", guard.stack);
  BOOST_TEST(mentions(dry.output, {"gc: would remove service " + guard.stack + "_app:", "run " + run.run_id}));
  BOOST_TEST(mentions(dry.output, {"gc: would remove edge-route", guard.stack + ".conf"}));
  BOOST_TEST(mentions(dry.output, {"gc --dry-run:", "nothing removed"}));
  expect_still_there(before, guard.stack);
  BOOST_TEST(fs::exists(route_file(guard.stack)));

  // From any other host the same objects are not to be judged.
  auto elsewhere = ccci_as(host + "-elsewhere", runs, {"gc", "--dry-run"});
  BOOST_TEST(elsewhere.exit_code == 0);
  expect_each_said(elsewhere.output, before, "keep", guard.stack);
  BOOST_TEST(mentions(elsewhere.output, {"gc: keep service " + guard.stack + "_app: made on host " + host}));
  BOOST_TEST(!mentions(elsewhere.output, {"would remove", guard.stack}));

  auto gc = ccci_as(host, runs, {"gc"});
  BOOST_TEST(gc.exit_code == 0, gc.output);
  expect_each_said(gc.output, before, "removed", guard.stack);
  BOOST_TEST(mentions(gc.output, {"0 could not be removed"}));
  auto left = leftovers_of(guard.stack);
  BOOST_TEST(left.empty(), "left after gc: " << (left.empty() ? "" : left.front()));
  BOOST_TEST(!fs::exists(route_file(guard.stack)));
}

BOOST_AUTO_TEST_CASE(a_live_run_beside_a_gc_is_untouched_and_ends_green) {
  auto host = test_host("live");
  auto runs = fresh_dir(work / "runs", "runs");
  auto run = start_run(host, make_repo("healthy", {}), runs, "gc-live-" + random_hex(4));
  StackGuard guard{wait_until_deployed(run)};
  auto gc = ccci_as(host, runs, {"gc"});
  BOOST_TEST(gc.exit_code == 0, gc.output);
  // gc saw the run's objects, judged them its own host's and live, and took none.
  BOOST_TEST(mentions(gc.output, {"gc: keep service " + guard.stack + "_app:", "run " + run.run_id}), gc.output);
  BOOST_TEST(!mentions(gc.output, {"gc: removed", guard.stack}), gc.output);
  auto status = run.child.wait();
  BOOST_TEST_MESSAGE("live run's output:\n" << read(run.log));
  BOOST_TEST(status.exit_code == 0);
  auto results = results_from_json(read(runs / run.run_id / "results.json"), "results.json");
  BOOST_TEST((results.tier(Tier::install).status == Status::pass), results.tier(Tier::install).reason);
  BOOST_TEST(results.clean_teardown);
  BOOST_TEST(leftovers_of(guard.stack).empty());
}

BOOST_AUTO_TEST_CASE(a_warm_canonical_survives_gc) {
  auto host = test_host("warm");
  auto runs = fresh_dir(work / "runs", "runs");
  auto promote = ccci_as(host, runs,
                         {"run", "--recipe-dir", make_repo("healthy", {}).string(), "--recipe", "custom-html-tiny",
                          "--tiers", "install", "--keep-running"});
  BOOST_TEST_REQUIRE(promote.results.has_value(), promote.output);
  StackGuard guard{promote.results->stack, /*warm=*/true};
  BOOST_TEST_REQUIRE(promote.exit_code == 0, promote.output);
  BOOST_TEST_REQUIRE(promote.results->kept_running);
  auto before = leftovers_of(guard.stack);
  BOOST_TEST_REQUIRE(!before.empty());
  BOOST_TEST(labelled("service", promote.results->run_id).size() == 1u);
  BOOST_TEST(docker_out({"service", "inspect", "--format", "{{index .Spec.Labels \"ccci.role\"}}",
                         guard.stack + "_app"}) == "canonical\n");

  // Its owner is gone by design; the runs dir says it was kept running.
  auto gc = ccci_as(host, runs, {"gc"});
  BOOST_TEST(gc.exit_code == 0, gc.output);
  BOOST_TEST(mentions(gc.output, {"gc: keep service " + guard.stack + "_app: warm canonical of run"}), gc.output);
  // With no run directory to go by, still kept.
  auto blind = ccci_as(host, fresh_dir(work / "runs", "elsewhere"), {"gc"});
  BOOST_TEST(blind.exit_code == 0, blind.output);
  BOOST_TEST(mentions(blind.output, {"gc: keep service " + guard.stack + "_app: labelled a warm canonical"}));
  BOOST_TEST((leftovers_of(guard.stack) == before));
  BOOST_TEST(fs::exists(route_file(guard.stack)));
  BOOST_TEST(!mentions(gc.output + blind.output, {"gc: removed", guard.stack}));

  // The test's own cleanup, as a promotion replacing it would.
  remove_edge_routes(edge_settings_from_environment(), guard.stack);
  auto report = teardown_stack(guard.stack, /*throwaway=*/false);
  BOOST_TEST(report.leftovers.empty());
  BOOST_TEST(leftovers_of(guard.stack).empty());
}
