// The ccci command line: one table of commands, from which `ccci --help`
// is printed and by which main dispatches.
#include "cli.hpp"
#include "model/errors.hpp"
#include "model/text.hpp"
#include "model/tiers.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <sys/stat.h>

namespace po = boost::program_options;
using namespace ccci::host;
using namespace ccci::cli;

namespace {

int cmd_help(const Args& args);

constexpr Command command_table[] = {
    {"run", "test one recipe at one ref", "--recipe-dir PATH [options]", cmd_run},
    {"doctor", "the tools, the docker daemon and the swarm", "[--json]", cmd_doctor},
    {"sweep", "the weekly sweep over enrolled recipes", "[options]", cmd_sweep},
    {"canary", "prove ccci's own verdicts on known recipes", "[--only NAME]", cmd_canary},
    {"triage", "rerun a red recipe: genuine, flake, load or harness?", "RECIPE --repeat N", cmd_triage},
    {"report", "reports from finished runs: the static HTML dashboard, or one run's JUnit XML",
     "[--out DIR] | junit RUN_DIR [--out FILE]", cmd_report},
    {"gc", "remove what runs that died left; never a live run's or a canonical's", "[--dry-run]", cmd_gc},
    {"help", "this text, or a command's options", "[COMMAND]", cmd_help},
};

// The tier names come from the tier table.
constexpr const char* intro = R"(ccci — deploys a Co-op Cloud recipe onto a Docker Swarm, drives it through the
test tiers ({}) and reports how far
it got: results.json, a level, the clean_teardown and no_secret_leak flags, and
the exit status.
)";

constexpr const char* exit_and_environment = R"(
Exit status: 0 green, 1 red (a tier failed or a secret leaked), 2 bad usage or
bad ccci input (nothing deployed), 3 unverified (infrastructure trouble,
interrupted, or teardown not clean).

Environment: CCCI_STATE_DIR (default /var/lib/ccci), CCCI_RUNS_DIR (default
$CCCI_STATE_DIR/runs), CCCI_REPORT_DIR (default $CCCI_STATE_DIR/report),
CCCI_PLUGIN_DIR, CCCI_RECIPES_DIR, CCCI_EDGE_PORT (8480), CCCI_EDGE_DIR
(/var/lib/ccci/edge, or /var/lib/ccci/edge-<port> on another port).
)";

std::string overview() {
  std::vector<std::string> synopses;
  std::size_t width = 0;
  for (const auto& c : commands()) {
    synopses.push_back(fmt::format("ccci {} {}", c.name, c.usage));
    width = std::max(width, synopses.back().size());
  }
  std::string text = fmt::format(fmt::runtime(intro), tier_names()) + "\nUsage:\n";
  for (std::size_t i = 0; i < synopses.size(); ++i)
    text += fmt::format("  {:<{}}   {}\n", synopses[i], width, commands()[i].summary);
  return text + exit_and_environment;
}

const Command* find_command(std::string_view name) {
  auto all = commands();
  auto it = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
  if (it != all.end()) return &*it;
  std::string names;
  for (const auto& c : all)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", c.name);
  throw InputError(fmt::format("no command '{}'; commands: {} (see `ccci --help`)", name, names));
}

// `ccci help` is the overview; `ccci help COMMAND` is `ccci COMMAND --help`.
int cmd_help(const Args& args) {
  if (args.empty()) {
    std::cout << overview();
    return 0;
  }
  return find_command(args[0])->fn({"--help"});
}

} // namespace

std::span<const Command> ccci::cli::commands() { return command_table; }

int main(int argc, char** argv) {
  // Whatever ccci (or a program it starts) creates is its own: run files may
  // hold an app's data (docs/architecture.md, "Bounded memory and
  // permissions"). The places that matter also set their modes explicitly.
  ::umask(077);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::cout << overview();
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "ccci " << CCCI_VERSION << "\n";
      return 0;
    }
    return find_command(args[0])->fn(Args(args.begin() + 1, args.end()));
  } catch (const InputError& e) {
    // A --source, --mirror or `upstream` URL may carry credentials.
    std::cerr << "ccci: " << strip_url_credentials(e.what()) << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "ccci: " << strip_url_credentials(e.what()) << "; see `ccci " << (args.empty() ? "" : args[0])
              << " --help`\n";
    return 2;
  } catch (const std::exception& e) {
    // Anything else escaped the run's own handling: no verdict.
    std::cerr << "ccci: internal error: " << strip_url_credentials(e.what()) << "\n";
    return 3;
  }
}
