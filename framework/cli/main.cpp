// The ccci command line.
#include "cli.hpp"
#include "model/errors.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::cli;

namespace {

constexpr const char* overview = R"(ccci — deploys a Co-op Cloud recipe onto a Docker Swarm, drives it through the
test tiers (install, upgrade, backup, restore, custom, lint) and reports how far
it got: results.json, a level, the clean_teardown and no_secret_leak flags, and
the exit status.

Usage:
  ccci run --recipe-dir PATH [options]   test one recipe at one ref
  ccci doctor [--json]                   the tools, the docker daemon and the swarm
  ccci sweep [options]                   the weekly sweep over enrolled recipes
  ccci canary [--only NAME]              prove ccci's own verdicts on known recipes
  ccci triage RECIPE --repeat N          rerun a red recipe: genuine, flake, load or harness?
  ccci help [COMMAND]                    this text, or a command's options

Exit status: 0 green, 1 red (a tier failed or a secret leaked), 2 bad usage or
bad ccci input (nothing deployed), 3 unverified (infrastructure trouble,
interrupted, or teardown not clean).

Environment: CCCI_STATE_DIR (default /var/lib/ccci), CCCI_RUNS_DIR (default
$CCCI_STATE_DIR/runs), CCCI_PLUGIN_DIR, CCCI_RECIPES_DIR, CCCI_EDGE_PORT (8480), CCCI_EDGE_DIR
(/var/lib/ccci/edge).
)";

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || (args[0] == "help" && args.size() == 1)) {
      std::cout << overview;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "help") args = {args[1], "--help"};
    if (args[0] == "--version") {
      std::cout << "ccci " << CCCI_VERSION << "\n";
      return 0;
    }
    Args rest(args.begin() + 1, args.end());
    if (args[0] == "run") return cmd_run(rest);
    if (args[0] == "doctor") return cmd_doctor(rest);
    if (args[0] == "sweep") return cmd_sweep(rest);
    if (args[0] == "canary") return cmd_canary(rest);
    if (args[0] == "triage") return cmd_triage(rest);
    throw InputError(
        fmt::format("no command '{}'; commands: run, doctor, sweep, canary, triage (see `ccci --help`)", args[0]));
  } catch (const InputError& e) {
    std::cerr << "ccci: " << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "ccci: " << e.what() << "; see `ccci " << (args.empty() ? "" : args[0]) << " --help`\n";
    return 2;
  } catch (const std::exception& e) {
    // Anything else escaped the run's own handling: no verdict.
    std::cerr << "ccci: internal error: " << e.what() << "\n";
    return 3;
  }
}
