// ccci run: one recipe at one ref through the tiers.
#include "cli.hpp"
#include "model/errors.hpp"
#include "model/text.hpp"
#include "model/tiers.hpp"
#include "model/version.hpp"
#include "os/process.hpp"
#include "os/signals.hpp"
#include "os/terminal.hpp"
#include "run/run.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

namespace {

po::options_description run_options() {
  po::options_description d("ccci run options");
  d.add_options() //
      ("recipe-dir", po::value<std::string>()->value_name("PATH"),
       "the recipe's git checkout (required)") //
      ("recipe", po::value<std::string>()->value_name("NAME"),
       "recipe name for meta and plugin lookup (default: the directory's name)") //
      ("version", po::value<std::string>()->value_name("TAG"),
       "test this release tag, e.g. 1.1.0+1.22.1 (default: the newest release tag)") //
      ("ref", po::value<std::string>()->value_name("REF"),
       "test any other ref instead: a branch, a PR head, a commit") //
      ("tiers", po::value<std::string>()->value_name("LIST"),
       fmt::format("comma-separated tiers to run (default: all): {}", tier_names(",")).c_str()) //
      ("runs-dir", po::value<std::string>()->value_name("DIR"),
       "where the run directory goes (default: $CCCI_RUNS_DIR)")                                               //
      ("run-id", po::value<std::string>()->value_name("ID"), "name of the run directory (default: generated)") //
      ("plugin", po::value<std::string>()->value_name("SO"),
       "load this plugin instead of <plugin-dir>/<recipe>.so")                                          //
      ("plugin-dir", po::value<std::string>()->value_name("DIR"), "where recipe plugins are looked up") //
      ("recipes-dir", po::value<std::string>()->value_name("DIR"),
       "where recipe meta (<recipe>/ccci.yml) is looked up") //
      ("deploy-timeout", po::value<int>()->value_name("SECONDS"),
       "convergence bound per deploy (default: the recipe meta's deploy_timeout)") //
      ("check-timeout", po::value<int>()->value_name("SECONDS"),
       "per plugin check (default: the recipe meta's check_timeout)") //
      ("edge-port", po::value<std::string>()->value_name("PORT"),
       "host port of the managed edge proxy (default: $CCCI_EDGE_PORT or 8480)") //
      ("canonical", po::value<std::string>()->value_name("TAG"),
       "the recipe's canonical release, a candidate upgrade base (the sweep passes it)") //
      ("junit", po::value<std::string>()->value_name("FILE"),
       "also write the run as JUnit XML to FILE (mode 0644) when it finishes, whatever the verdict")     //
      ("keep-running", "leave the app deployed when every selected tier passed (the sweep's promotion)") //
      ("sequential", "one stack: the install chain (install, custom), then the upgrade chain (upgrade, backup, "
                     "restore), never at once (default: both at once on two stacks when they can coexist)") //
      ("help,h", "show these options");
  return d;
}

} // namespace

int cmd_run(const Args& args) {
  auto desc = run_options();
  auto vm = parse_options("run", args, desc);
  if (vm.count("help")) {
    std::cout << "Usage: ccci run --recipe-dir PATH [options]\n\n"
                 "Deploys the recipe at one ref as a fresh stack, runs the selected tiers,\n"
                 "tears everything down, verifies the teardown, scans every artifact for\n"
                 "generated secret values and writes <runs-dir>/<run-id>/results.json.\n\n"
              << desc << "\nTiers, in order (level rung in brackets):\n";
    for (auto& t : tier_table)
      std::cout << fmt::format("  {:<8} [L{}] {}\n", t.name, t.rung, t.summary);
    std::cout << "\nExample:\n  ccci run --recipe-dir ~/recipes/custom-html-tiny --tiers install,custom\n";
    return 0;
  }
  if (!vm.count("recipe-dir"))
    throw InputError("ccci run: --recipe-dir is required (the recipe's git checkout); see `ccci run --help`");

  RunOptions o;
  o.recipe_dir = vm["recipe-dir"].as<std::string>();
  if (vm.count("recipe")) o.recipe = vm["recipe"].as<std::string>();
  if (vm.count("version")) o.version = vm["version"].as<std::string>();
  if (vm.count("ref")) o.ref = vm["ref"].as<std::string>();
  if (vm.count("tiers")) o.tiers = parse_tier_list(vm["tiers"].as<std::string>());
  o.runs_dir = dir_option(vm, "runs-dir", default_runs_dir());
  if (vm.count("run-id")) o.run_id = vm["run-id"].as<std::string>();
  if (vm.count("plugin")) o.plugin = fs::absolute(vm["plugin"].as<std::string>());
  o.plugin_dir = path_option(vm, "plugin-dir", default_plugin_dir());
  o.recipes_dir = path_option(vm, "recipes-dir", default_recipes_dir());
  // A --recipes-dir that is not there is a typo, not a recipe without meta.
  if (vm.count("recipes-dir") && !fs::is_directory(o.recipes_dir))
    throw InputError(fmt::format("--recipes-dir {}: not a directory; give the directory that holds "
                                 "<recipe>/ccci.yml, or leave the option out",
                                 o.recipes_dir.string()));
  if (auto t = seconds_option(vm, "deploy-timeout")) o.deploy_timeout = *t;
  o.edge = edge_settings_from_environment(port_option(vm, "edge-port", default_edge_port));
  if (auto t = seconds_option(vm, "check-timeout")) o.check_timeout = *t;
  if (vm.count("canonical")) {
    o.canonical = vm["canonical"].as<std::string>();
    if (!parse_version(*o.canonical))
      throw InputError(fmt::format("--canonical {}: not a release tag (expected <recipe-semver>+<upstream>, e.g. "
                                   "1.1.0+1.22.1); pass the canonical's tag, or leave the option out",
                                   *o.canonical));
  }
  o.keep_running = vm.count("keep-running") > 0;
  o.sequential = vm.count("sequential") > 0;
  o.junit = output_file_option(vm, "junit");
  o.terminal_live = is_live_terminal(STDOUT_FILENO);
  o.terminal_columns = terminal_columns(STDOUT_FILENO);
  install_stop_handlers();
  try {
    return run_recipe(o, std::cout);
  } catch (const std::exception& e) {
    // A stop during the checkout, before anything is deployed, makes git
    // fail: that is the stop, not bad input or an internal error.
    if (!stop_requested) throw;
    std::cerr << "ccci run: " << interrupted_reason() << " while preparing the run, before anything was deployed ("
              << strip_url_credentials(e.what()) << ")\n";
    return 3;
  }
}

} // namespace ccci::cli
