// ccci gc: removes what runs that died left behind.
#include "cli.hpp"
#include "gc/gc.hpp"
#include "model/errors.hpp"
#include "swarm/docker_swarm.hpp"

#include <boost/program_options.hpp>

#include <iostream>

namespace po = boost::program_options;
using namespace ccci::host;

namespace ccci::cli {

int cmd_gc(const Args& args) {
  po::options_description d("ccci gc options");
  d.add_options() //
      ("dry-run", "list what would be removed, and why; remove nothing")(
          "runs-dir", po::value<std::string>()->value_name("DIR"),
          "where run directories (their leases and results.json) are (default: $CCCI_RUNS_DIR)") //
      ("help,h", "show these options");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: ccci gc [--dry-run] [--runs-dir DIR]\n\n"
                 "Everything ccci makes for a run carries labels naming its owner: ccci.run (the run\n"
                 "id), ccci.host, ccci.pid, ccci.started (when that process started) and ccci.role\n"
                 "(canonical for a run kept running by --keep-running, the sweep's promotion). Stack\n"
                 "services and containers, secrets, configs, volumes and networks carry them as docker\n"
                 "labels, the edge's route files as comment lines, ccci's temporary directories\n"
                 "($TMPDIR/ccci-*) in a .ccci-owner file. A live run also holds a lease: a lock on\n"
                 "<runs-dir>/<run-id>/lease.\n\n"
                 "gc removes what a run that died (SIGKILL, OOM, a reboot) left: an object whose owner\n"
                 "was on this host and whose pid runs no more, or runs a process that started at\n"
                 "another time, and whose lease is not held. It never touches a live run's objects, a\n"
                 "warm canonical's (only a promotion replacing it removes it), another host's, or\n"
                 "anything without ccci labels. One line per object says what was done and why, then\n"
                 "a summary. `ccci run` and `ccci sweep` do the same before they deploy, saying only\n"
                 "what they remove.\n\n"
                 "Exit: 0 nothing left that should go, 1 something could not be removed (named),\n"
                 "2 bad options, 3 docker unreachable or this node not a swarm manager.\n\n"
              << d << "\nExample:\n  ccci gc --dry-run\n";
    return 0;
  }
  GcOptions o;
  o.runs_dir = path_option(vm, "runs-dir", default_runs_dir());
  o.dry_run = vm.count("dry-run") > 0;
  try {
    DockerSwarm swarm(edge_settings_from_environment());
    swarm.require_manager();
    auto report = collect_garbage(swarm, o, [](const std::string& line) { std::cout << line << "\n"; });
    return report.exit_code();
  } catch (const InfraFailure& e) {
    std::cerr << "ccci gc: " << e.what() << "\n";
    return 3;
  }
}

} // namespace ccci::cli
