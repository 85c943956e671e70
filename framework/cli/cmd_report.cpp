// ccci report: what runs left behind, made into what people and CI systems
// read. The first word picks the report; each is its own small function.
#include "cli.hpp"
#include "model/errors.hpp"
#include "os/fs.hpp"
#include "report/junit.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

namespace {

constexpr const char* report_usage = "Usage: ccci report junit RUN_DIR [--out FILE]\n";

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
    std::cout << report_usage
              << "\nThe JUnit XML of one finished run, made from RUN_DIR/results.json: one <testsuite>\n"
                 "per tier, one <testcase> per check, a <recipe>.ccci suite for clean_teardown and\n"
                 "no_secret_leak (docs/junit.md; schema docs/junit.xsd). The same bytes `ccci run\n"
                 "--junit FILE` writes as the run finishes.\n\n"
              << d << "\nExample:\n  ccci report junit /var/lib/ccci/runs/20261201T203732Z-custom-html-tiny-3f2a1c\n";
    return 0;
  }
  if (!vm.count("run-dir"))
    throw InputError("ccci report junit: the run directory is required (<runs-dir>/<run-id>, where results.json "
                     "is); see `ccci report --help`");
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

} // namespace

int cmd_report(const Args& args) {
  if (!args.empty() && args[0] == "junit") return report_junit(Args(args.begin() + 1, args.end()));
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << report_usage << "\nReports made from what runs left behind:\n"
              << "  junit   the JUnit XML of one finished run (see `ccci report junit --help`)\n";
    return 0;
  }
  throw InputError(fmt::format("ccci report{}{}: not yet: the static HTML site is still to come; what is here is "
                               "`ccci report junit RUN_DIR [--out FILE]` (see `ccci report --help`)",
                               args.empty() ? "" : " ", args.empty() ? "" : args[0]));
}

} // namespace ccci::cli
