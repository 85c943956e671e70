// The two chains of a run at once on two stacks, on the real swarm
// (docs/architecture.md, "Chains"): the same results as one stack, the
// fallback to one stack when two cannot coexist, and a stop that tears both
// down. Signals are sent when the run's own output shows both stacks
// deploying, never after a fixed delay.
#define BOOST_TEST_MODULE integration_chains
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/fd.hpp"
#include "os/spawn.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
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

Outcome run_repo(const std::string& repo, const std::string& name, std::vector<std::string> extra) {
  std::vector<std::string> args{"run", "--recipe-dir", (repos / repo).string(), "--recipe", "custom-html-tiny"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ccci({.binary = CCCI_BIN, .args = args, .runs_dir = fresh_dir(work / "runs", name)});
}

void expect_both_stacks_gone(const RunResults& r) {
  BOOST_TEST(r.clean_teardown);
  for (const auto& stack : {r.stack, r.chains.upgrade_stack}) {
    if (stack.empty()) continue;
    auto left = leftovers_of(stack);
    BOOST_TEST(left.empty(), stack << " left behind: " << (left.empty() ? "" : left.front()));
  }
}

} // namespace

// The upgrade base never converges; install and custom pass on their own
// stack. Every tier's status and every check's name and status are the same
// at once and one after the other.
BOOST_AUTO_TEST_CASE(a_failing_upgrade_chain_gives_the_same_results_at_once_and_sequential) {
  auto parallel = run_repo("base-never-healthy", "parallel", {"--deploy-timeout", "25"});
  auto sequential = run_repo("base-never-healthy", "sequential", {"--deploy-timeout", "25", "--sequential"});
  BOOST_TEST_REQUIRE(parallel.results.has_value(), parallel.output);
  BOOST_TEST_REQUIRE(sequential.results.has_value(), sequential.output);
  BOOST_TEST(parallel.results->chains.parallel, parallel.results->chains.why);
  BOOST_TEST(!sequential.results->chains.parallel);
  BOOST_TEST(sequential.results->chains.why == "--sequential");
  BOOST_TEST(parallel.output.find("[upgrade chain] ") != std::string::npos);
  BOOST_TEST(parallel.output.find("[install chain] ") != std::string::npos);
  BOOST_TEST((parallel.tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST((parallel.tier(Tier::custom).status == Status::pass), parallel.tier(Tier::custom).reason);
  for (Tier t : all_tiers) {
    const auto& a = parallel.tier(t);
    const auto& b = sequential.tier(t);
    BOOST_TEST((a.status == b.status), ccci::to_string(t) << ": " << a.reason << " / " << b.reason);
    BOOST_TEST_REQUIRE(a.checks.size() == b.checks.size(), ccci::to_string(t));
    for (std::size_t i = 0; i < a.checks.size(); ++i) {
      BOOST_TEST(a.checks[i].name == b.checks[i].name);
      BOOST_TEST((a.checks[i].status == b.checks[i].status), a.checks[i].name);
    }
  }
  BOOST_TEST(parallel.results->level.level == sequential.results->level.level);
  BOOST_TEST(parallel.exit_code == sequential.exit_code);
  BOOST_TEST(parallel.results->no_secret_leak);
  expect_both_stacks_gone(*parallel.results);
  expect_both_stacks_gone(*sequential.results);
}

BOOST_AUTO_TEST_CASE(a_published_host_port_falls_back_to_one_stack_saying_why) {
  auto o = run_repo("published-port", "published-port", {"--tiers", "install,upgrade"});
  BOOST_TEST_REQUIRE(o.results.has_value(), o.output);
  BOOST_TEST(!o.results->chains.parallel);
  BOOST_TEST(o.results->chains.upgrade_stack.empty());
  BOOST_TEST(o.results->chains.why.find("service app publishes host port 18481") != std::string::npos,
             o.results->chains.why);
  BOOST_TEST(o.output.find("chains: one stack, the install chain then the upgrade chain, because two stacks of the "
                           "recipe cannot exist at once: service app publishes host port 18481") != std::string::npos,
             o.output);
  BOOST_TEST((o.tier(Tier::upgrade).status == Status::pass), o.tier(Tier::upgrade).reason);
  BOOST_TEST(o.exit_code == 0);
  expect_both_stacks_gone(*o.results);
}

// Both stacks are converging (never-healthy never gets there) when SIGTERM
// comes: the run forwards it to the chain's process, and both tear down.
BOOST_AUTO_TEST_CASE(sigterm_mid_run_tears_down_both_stacks) {
  const auto runs = fresh_dir(work / "runs", "sigterm");
  const auto out = runs / "ccci.out";
  Fd log(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  BOOST_TEST_REQUIRE(static_cast<bool>(log));
  SpawnOptions so;
  so.program = CCCI_BIN;
  so.capture = false;
  so.output_fd = log.get();
  auto child = Child::spawn({CCCI_BIN, "run", "--recipe-dir", (repos / "never-healthy").string(), "--recipe",
                             "custom-html-tiny", "--deploy-timeout", "300", "--runs-dir", runs.string()},
                            so);
  auto output = [&] { return fs::exists(out) ? read(out) : std::string(); };
  // A safety net against a hung run, not a timing claim.
  auto until = std::chrono::steady_clock::now() + 180s;
  auto both_converging = [&] {
    auto text = output();
    return text.find("[install chain] ") != std::string::npos &&
           text.find("install  converging:") != std::string::npos &&
           text.find("upgrade  converging:") != std::string::npos;
  };
  while (!both_converging() && !child.poll() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(50ms);
  BOOST_TEST_REQUIRE(both_converging(), output());
  child.signal(SIGTERM);
  auto status = child.wait();
  BOOST_TEST_MESSAGE(output());
  BOOST_TEST(status.exit_code == 3);
  std::optional<RunResults> r;
  for (auto& entry : fs::directory_iterator(runs))
    if (fs::exists(entry.path() / "results.json"))
      r = results_from_json(read(entry.path() / "results.json"), entry.path().string());
  BOOST_TEST_REQUIRE(r.has_value(), output());
  BOOST_TEST(r->chains.parallel);
  BOOST_TEST(!r->chains.upgrade_stack.empty());
  BOOST_TEST((r->tier(Tier::install).status == Status::unver), r->tier(Tier::install).reason);
  BOOST_TEST((r->tier(Tier::upgrade).status == Status::unver), r->tier(Tier::upgrade).reason);
  BOOST_TEST(output().find("[upgrade chain] interrupted by SIGTERM: tearing down") != std::string::npos, output());
  BOOST_TEST(r->no_secret_leak);
  expect_both_stacks_gone(*r);
}
