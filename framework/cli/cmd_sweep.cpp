// ccci sweep: the weekly sweep over enrolled recipes.
#include "cli.hpp"
#include "model/errors.hpp"
#include "model/text.hpp"
#include "os/process.hpp"
#include "sweep/sweep.hpp"

#include <boost/algorithm/string.hpp>
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

int cmd_sweep(const Args& args) {
  po::options_description d("ccci sweep options");
  d.add_options() //
      ("state-dir", po::value<std::string>()->value_name("DIR"),
       "registry, checkouts, lock and sweep summaries (default: $CCCI_STATE_DIR)")                           //
      ("runs-dir", po::value<std::string>()->value_name("DIR"), "run directories (default: $CCCI_RUNS_DIR)") //
      ("recipes-dir", po::value<std::string>()->value_name("DIR"),
       "recipe meta; recipes with `enroll: true` are swept (default: $CCCI_RECIPES_DIR)") //
      ("source", po::value<std::string>()->value_name("BASE"),
       "upstream base: <BASE>/<recipe> is fetched unless the meta names an `upstream`")                 //
      ("mirror", po::value<std::string>()->value_name("BASE"), "push main and tags to <BASE>/<recipe>") //
      ("only", po::value<std::string>()->value_name("LIST"), "comma-separated recipes to sweep")        //
      ("plugin-dir", po::value<std::string>()->value_name("DIR"), "where recipe plugins are looked up") //
      ("report-dir", po::value<std::string>()->value_name("DIR"),
       "the dashboard rewritten after the sweep (default: $CCCI_REPORT_DIR, else <state-dir>/report)") //
      ("jobs", po::value<int>()->value_name("N"),
       fmt::format("test up to N recipes at once, from 1 to {} (default: {} on this machine: one per core and per "
                   "2 GiB of memory, at most {})",
                   max_sweep_jobs, machine_sweep_jobs(), max_default_sweep_jobs)
           .c_str()) //
      ("help,h", "show these options");
  add_stop_grace_option(d);
  auto vm = parse_options("sweep", args, d);
  if (vm.count("help")) {
    std::cout << "Usage: ccci sweep [options]\n\n"
                 "For every enrolled recipe: fetch its upstream's main and tags (and push them to the\n"
                 "mirror), find the newest release by version order, and when it is newer than the\n"
                 "canonical, run it cold through every tier; a green tagged release is promoted: a\n"
                 "faithful install left running as the warm canonical, recorded in the registry\n"
                 "after it converged. With --jobs N, up to N recipes are tested at once, a recipe's\n"
                 "promotion always after its own cold run; labels and the summary keep enrolled order.\n"
                 "Labels are read back from the registry: PASS (promoted),\n"
                 "GREEN-BUT-PROMOTE-FAILED, FAIL, SKIP no-new-version, SKIP never-released, UNVER.\n"
                 "Then the dashboard (`ccci report`) is rewritten in --report-dir; a failure to write\n"
                 "it is said in the output and summary.json and leaves the exit status alone.\n"
                 "One sweep at a time. Exit: 0 all PASS/SKIP, 1 a FAIL or failed promote, 2 nothing\n"
                 "enrolled or bad options, 3 infrastructure trouble or another sweep running.\n\n"
              << d;
    return 0;
  }
  SweepOptions o;
  o.state_dir = dir_option(vm, "state-dir", default_state_dir());
  o.runs_dir = dir_option(vm, "runs-dir", default_runs_dir(o.state_dir));
  o.recipes_dir = path_option(vm, "recipes-dir", default_recipes_dir());
  if (vm.count("source")) o.source = vm["source"].as<std::string>();
  if (vm.count("mirror")) o.mirror = vm["mirror"].as<std::string>();
  if (vm.count("only")) boost::split(o.only, vm["only"].as<std::string>(), boost::is_any_of(","));
  o.run_args = {"--plugin-dir", path_option(vm, "plugin-dir", default_plugin_dir()).string(), "--recipes-dir",
                o.recipes_dir.string()};
  o.report_dir = dir_option(vm, "report-dir", default_report_dir(o.state_dir));
  o.stop_grace = stop_grace_option(vm);
  o.jobs = machine_sweep_jobs();
  if (vm.count("jobs")) {
    const int n = vm["jobs"].as<int>();
    if (n < 1 || static_cast<std::size_t>(n) > max_sweep_jobs)
      throw InputError(fmt::format("--jobs {}: must be from 1 to {} (recipes tested at once; leave it out for {} on "
                                   "this machine)",
                                   n, max_sweep_jobs, machine_sweep_jobs()));
    o.jobs = static_cast<std::size_t>(n);
  }
  // A stop becomes SIGTERM to the child run, which tears its stack down,
  // and a sweep that waits for it: never an orphaned run.
  install_stop_handlers();
  try {
    return run_sweep(o, std::cout);
  } catch (const InfraFailure& e) {
    std::cerr << "ccci sweep: " << strip_url_credentials(e.what()) << "\n";
    return 3;
  }
}

} // namespace ccci::cli
