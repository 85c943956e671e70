// ccci report: what runs left behind, made into what people and CI systems
// read: the static dashboard from the state and runs directories
// (docs/architecture.md, "Dashboard"), or one run's JUnit XML
// (docs/junit.md). The first word `junit` picks the latter.
#include "cli.hpp"
#include "model/errors.hpp"
#include "os/fs.hpp"
#include "report/junit.hpp"
#include "report/site.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

namespace {

// A directory the report only reads: given on the command line it must be
// there (a typo would render an empty site and say nothing); its default
// may be missing on a machine that has not swept yet.
fs::path input_dir_option(const po::variables_map& vm, const char* name, const fs::path& fallback) {
  auto dir = dir_option(vm, name, fallback);
  std::error_code ec;
  if (vm.count(name) && !fs::is_directory(dir, ec))
    throw InputError(fmt::format("--{} {}: no such directory; give the directory ccci {} into", name, dir.string(),
                                 std::string_view(name) == "recipes-dir" ? "reads recipe metas" : "wrote"));
  return dir;
}

constexpr const char* junit_usage = "Usage: ccci report junit RUN_DIR [--out FILE]\n";

// `ccci report junit RUN_DIR [--out FILE]`: the JUnit XML of a finished run,
// from its results.json; the same bytes `ccci run --junit` wrote (docs/junit.md).
int report_junit(const Args& args) {
  po::options_description d("ccci report junit options");
  d.add_options() //
      ("out", po::value<std::string>()->value_name("FILE"),
       "write the XML to FILE (atomically, mode 0644) instead of to stdout") //
      ("help,h", "show these options");
  po::options_description all;
  all.add(d).add_options()("run-dir", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("run-dir", 1);
  auto vm = parse_options("report junit", args, all, &positional);
  if (vm.count("help")) {
    std::cout << junit_usage
              << "\nThe JUnit XML of one finished run, made from RUN_DIR/results.json: one <testsuite>\n"
                 "per tier, one <testcase> per check, a <recipe>.ccci suite for clean_teardown and\n"
                 "no_secret_leak (docs/junit.md; schema docs/junit.xsd). The same bytes `ccci run\n"
                 "--junit FILE` writes as the run finishes.\n\n"
              << d << "\nExample:\n  ccci report junit /var/lib/ccci/runs/20261201T203732Z-custom-html-tiny-3f2a1c\n";
    return 0;
  }
  if (!vm.count("run-dir"))
    throw InputError("ccci report junit: the run directory is required (<runs-dir>/<run-id>, where results.json "
                     "is); see `ccci report junit --help`");
  const auto out = output_file_option(vm, "out");
  const fs::path run_dir = vm["run-dir"].as<std::string>();
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec))
    throw InputError(fmt::format("{}: not a directory; give a run directory (<runs-dir>/<run-id>, where "
                                 "results.json is)",
                                 run_dir.string()));
  const auto file = run_dir / "results.json";
  auto text = read_file(file, ec);
  if (ec)
    throw InputError(fmt::format("{}: cannot read it ({}); a run writes it as it finishes: give the directory of a "
                                 "finished run",
                                 file.string(), ec.message()));
  const auto xml = junit_xml(results_from_json(text, file.string()));
  if (!out) {
    std::cout << xml << std::flush;
    return std::cout ? 0 : 3;
  }
  try {
    write_junit_file(*out, xml);
  } catch (const InfraFailure& e) {
    std::cerr << "ccci report junit: " << e.what() << "\n";
    return 3;
  }
  return 0;
}

int report_site(const Args& args) {
  po::options_description d("ccci report options");
  d.add_options() //
      ("state-dir", po::value<std::string>()->value_name("DIR"),
       "registry and sweep summaries (default: $CCCI_STATE_DIR)")                                            //
      ("runs-dir", po::value<std::string>()->value_name("DIR"), "run directories (default: $CCCI_RUNS_DIR)") //
      ("recipes-dir", po::value<std::string>()->value_name("DIR"),
       "recipe metas: which recipes are enrolled (default: $CCCI_RECIPES_DIR)") //
      ("out", po::value<std::string>()->value_name("DIR"),
       "where the site goes (default: $CCCI_REPORT_DIR, else <state-dir>/report)") //
      ("help,h", "show these options");
  auto vm = parse_options("report", args, d);
  if (vm.count("help")) {
    std::cout << "Usage: ccci report [options]\n       ccci report junit RUN_DIR [--out FILE]   (see `ccci report "
                 "junit --help`)\n\n"
                 "Writes the static dashboard: index.html (every enrolled recipe's canonical, last sweep\n"
                 "label, latest run's level and tiers), a page per recipe (its runs and sweeps over\n"
                 "time), a page per run (tiers, checks, level cap, flags, leaks, environment, its\n"
                 "evidence and rendered compose copied beside it unless its leak scan found a leak),\n"
                 "and a badge per recipe. No script, no remote asset: it works from file:// and from\n"
                 "any web server (dirs 0755, files 0644). `ccci sweep` rewrites it after each sweep.\n"
                 "Exit: 0 written, 2 bad options or paths, 3 the site could not be written.\n\n"
              << d;
    return 0;
  }
  SiteOptions o;
  o.state_dir = input_dir_option(vm, "state-dir", default_state_dir());
  o.runs_dir = input_dir_option(vm, "runs-dir", default_runs_dir(o.state_dir));
  o.recipes_dir = input_dir_option(vm, "recipes-dir", default_recipes_dir());
  o.out_dir = dir_option(vm, "out", default_report_dir(o.state_dir));
  try {
    auto r = write_site(o);
    for (auto& n : r.notes)
      std::cout << "note: " << n << "\n";
    std::cout << fmt::format("dashboard: {} page(s), {} run file(s) copied, {} stale file(s) removed\n", r.pages,
                             r.files_copied, r.removed)
              << fmt::format("index {}\n", r.index.string());
    return 0;
  } catch (const InfraFailure& e) {
    std::cerr << "ccci report: " << e.what() << "\n";
    return 3;
  } catch (const fs::filesystem_error& e) {
    std::cerr << "ccci report: cannot write the site in " << o.out_dir.string() << ": " << e.what() << "\n";
    return 3;
  }
}

} // namespace

int cmd_report(const Args& args) {
  if (!args.empty() && args[0] == "junit") return report_junit(Args(args.begin() + 1, args.end()));
  return report_site(args);
}

} // namespace ccci::cli
