// Stop signals to a real `ccci run` on the real swarm (docs/architecture.md,
// "Stopping"): SIGTERM and SIGHUP mid-run tear down and leave the run
// unverified; a second SIGTERM during teardown says what it skipped and
// results.json is still written. The signal is sent when the run's own
// output shows it reached the step, never after a fixed delay.
#define BOOST_TEST_MODULE integration_signals
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/fd.hpp"
#include "os/spawn.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"
#include "swarm/docker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using namespace std::chrono_literals;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// A `ccci run` of never-healthy (it converges forever, so a signal always
// finds it mid-install), its output in a file the test watches.
class LiveRun {
public:
  explicit LiveRun(const std::string& name) : runs_(fresh_dir(work / "runs", name)), out_(runs_ / "ccci.out") {
    Fd log(::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    BOOST_TEST_REQUIRE(static_cast<bool>(log));
    SpawnOptions o;
    o.program = CCCI_BIN;
    o.capture = false;
    o.output_fd = log.get();
    child_ = Child::spawn({CCCI_BIN, "run", "--recipe-dir", (repos / "never-healthy").string(), "--recipe",
                           "custom-html-tiny", "--deploy-timeout", "300", "--runs-dir", runs_.string()},
                          o);
  }
  ~LiveRun() {
    // A run the test gave up on must not keep deploying.
    if (child_.running()) child_.kill_group();
  }
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;

  std::string output() const { return fs::exists(out_) ? read(out_) : ""; }

  // Until the output holds `text`; false when the run ended first or the
  // bound (a safety net against a hung run, not a timing claim) passed.
  bool wait_for(const std::string& text, std::chrono::seconds bound = 180s) {
    auto until = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < until) {
      if (output().find(text) != std::string::npos) return true;
      if (child_.poll()) return output().find(text) != std::string::npos;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  void signal(int sig) { child_.signal(sig); }

  int wait() {
    auto s = child_.wait();
    BOOST_TEST_MESSAGE(output());
    return s.signal ? 128 + s.signal : s.exit_code;
  }

  std::optional<RunResults> results() const {
    for (auto& entry : fs::directory_iterator(runs_))
      if (fs::exists(entry.path() / "results.json"))
        return results_from_json(read(entry.path() / "results.json"), entry.path().string());
    return std::nullopt;
  }

  fs::path run_dir(const std::string& run_id) const { return runs_ / run_id; }

private:
  fs::path runs_, out_;
  Child child_;
};

// The signal named on the tier that ran and on every selected tier after it.
void expect_unverified_by(const RunResults& r, const std::string& sig) {
  BOOST_TEST((r.tier(Tier::install).status == Status::unver), r.tier(Tier::install).reason);
  BOOST_TEST(r.tier(Tier::install).reason.starts_with("interrupted by " + sig), r.tier(Tier::install).reason);
  for (Tier t : {Tier::upgrade, Tier::custom, Tier::lint}) {
    BOOST_TEST((r.tier(t).status == Status::unver), ccci::to_string(t) << ": " << r.tier(t).reason);
    BOOST_TEST(r.tier(t).reason == "not run: interrupted by " + sig, ccci::to_string(t) << ": " << r.tier(t).reason);
  }
  // No check a stop cut short is a pass or a fail.
  for (auto& c : r.tier(Tier::install).checks)
    if (c.message.starts_with("interrupted by")) BOOST_TEST((c.status == Status::unver), c.name);
}

void stop_mid_run(int sig) {
  const auto name = signal_name(sig);
  LiveRun run(name);
  BOOST_TEST_REQUIRE(run.wait_for("converging:"), run.output());
  run.signal(sig);
  BOOST_TEST(run.wait() == 3);
  auto r = run.results();
  BOOST_TEST_REQUIRE(r.has_value(), run.output());
  expect_unverified_by(*r, name);
  BOOST_TEST(run.output().find("interrupted by " + name + ": tearing down") != std::string::npos, run.output());
  BOOST_TEST(r->clean_teardown);
  BOOST_TEST(r->no_secret_leak);
  BOOST_TEST(r->exit_code == 3);
  // The evidence of why the run was cut short is still read after the stop:
  // the stack's tasks, each named by the stack's service.
  auto dir = fs::path(r->run_id.empty() ? "" : run.run_dir(r->run_id));
  BOOST_TEST_REQUIRE(fs::exists(dir / "evidence" / "tasks.txt"), run.output());
  BOOST_TEST(read(dir / "evidence" / "tasks.txt").find(r->stack + "_app") != std::string::npos,
             read(dir / "evidence" / "tasks.txt"));
  auto left = leftovers_of(r->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

} // namespace

BOOST_AUTO_TEST_CASE(sigterm_mid_run_tears_down_and_is_unverified) { stop_mid_run(SIGTERM); }

BOOST_AUTO_TEST_CASE(sighup_mid_run_tears_down_and_is_unverified) { stop_mid_run(SIGHUP); }

// The teardown keeps retrying what will not go; a second SIGTERM makes it
// stop and say what is left. What will not go is the test's own: a volume
// named as the stack's (so the teardown tries to remove it) held by a
// container of the test's (so it cannot).
BOOST_AUTO_TEST_CASE(a_second_sigterm_during_teardown_says_what_it_skipped_and_still_writes_results) {
  LiveRun run("second-sigterm");
  BOOST_TEST_REQUIRE(run.wait_for("converging:"), run.output());
  const auto out0 = run.output();
  const auto at = out0.find(" as stack ");
  BOOST_TEST_REQUIRE(at != std::string::npos, out0);
  const auto stack = out0.substr(at + 10, out0.find(',', at) - at - 10);
  const auto volume = stack + "_held";
  const auto holder = "ccci-test-holder-" + stack;
  // Removed however the test ends: they are the test's, not the run's.
  struct Cleanup {
    std::string holder, volume;
    ~Cleanup() {
      docker({"rm", "-f", holder});
      docker({"volume", "rm", volume});
    }
  } cleanup{holder, volume};
  auto held = docker({"run", "-d", "--name", holder, "-v", volume + ":/held", "--entrypoint", "sleep",
                      "ccci-local/nginx:bookworm", "600"});
  BOOST_TEST_REQUIRE(held.ok(), held.err);

  run.signal(SIGTERM);
  // The teardown of this stack: the upgrade chain's, on a stack of its own,
  // may start first (docs/architecture.md, "Chains").
  BOOST_TEST_REQUIRE(run.wait_for("removing stack " + stack), run.output());
  run.signal(SIGTERM);
  BOOST_TEST(run.wait() == 3);
  const auto out = run.output();
  BOOST_TEST(out.find("second stop signal (SIGTERM): the teardown skipped retrying the removal of what is still "
                      "there (volume " +
                      volume + "); `ccci gc` removes it; results.json is still written") != std::string::npos,
             out);
  auto r = run.results();
  BOOST_TEST_REQUIRE(r.has_value(), out);
  expect_unverified_by(*r, "SIGTERM");
  BOOST_TEST(r->exit_code == 3);
  // The flag says what docker shows: the held volume is still there.
  BOOST_TEST(!r->clean_teardown);
  BOOST_TEST((r->teardown_leftovers == std::vector<std::string>{"volume " + volume}));

  BOOST_TEST(docker({"rm", "-f", holder}).ok());
  BOOST_TEST(docker({"volume", "rm", volume}).ok());
  auto left = leftovers_of(r->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

// A stop while ccci prepares the run (here: in its first git command, a
// stand-in that hangs) is the stop, not bad input: exit 3, saying so, and
// nothing deployed.
BOOST_AUTO_TEST_CASE(a_stop_while_preparing_is_the_stop_not_bad_input) {
  auto dir = fresh_dir(work / "runs", "preparing");
  auto bin = dir / "bin";
  fs::create_directories(bin);
  write(bin / "git", "#!/bin/sh\ntouch '" + (dir / "git-started").string() + "'\nexec sleep 120\n");
  fs::permissions(bin / "git", fs::perms::owner_all);
  const char* path = std::getenv("PATH");
  SpawnOptions o;
  o.program = CCCI_BIN;
  o.merge_stderr = true;
  o.extra_env = {"PATH=" + bin.string() + ":" + (path ? path : "/usr/bin:/bin")};
  auto child = Child::spawn(
      {CCCI_BIN, "run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--runs-dir", (dir / "runs").string()},
      o);
  for (int i = 0; i < 600 && !fs::exists(dir / "git-started"); ++i)
    std::this_thread::sleep_for(50ms);
  BOOST_TEST_REQUIRE(fs::exists(dir / "git-started"));
  child.signal(SIGTERM);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(child.out().get(), buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  auto status = child.wait();
  BOOST_TEST_MESSAGE(out);
  BOOST_TEST(status.exit_code == 3, out);
  BOOST_TEST(out.find("ccci run: interrupted by SIGTERM while preparing the run, before anything was deployed") !=
                 std::string::npos,
             out);
}
