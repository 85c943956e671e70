// ccci doctor: what this machine has of what ccci and its plugins need.
#include "cli.hpp"
#include "model/errors.hpp"
#include "os/tools.hpp"
#include "plugin/plugin_host.hpp"
#include "swarm/docker_swarm.hpp"
#include "swarm/engine.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <set>

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ccci::host;

namespace ccci::cli {

int cmd_doctor(const Args& args) {
  po::options_description d("ccci doctor options");
  d.add_options()("json", "print JSON for machines")                                                  //
      ("plugin-dir", po::value<std::string>()->value_name("DIR"), "plugins whose tools to check too") //
      ("help,h", "show these options");
  auto vm = parse_options("doctor", args, d);
  if (vm.count("help")) {
    std::cout << "Usage: ccci doctor [--json]\n\nEvery tool ccci and the installed plugins need (declared in "
                 "code), found or missing,\nwith path and version; the docker daemon and the swarm; how ccci reads "
                 "from docker\n(the Engine API on the local socket, or the CLI and why; CCCI_DOCKER_API=0 "
                 "forces the CLI).\nExits 1 when something is missing.\n\n"
              << d;
    return 0;
  }
  // Who needs which tool: ccci itself, then every plugin in the plugin dir.
  std::map<std::string, std::set<std::string>> needed_by;
  std::vector<std::string> order;
  auto need = [&](const std::string& tool, const std::string& who) {
    if (!needed_by.count(tool)) order.push_back(tool);
    needed_by[tool].insert(who);
  };
  for (auto& t : framework_tools())
    need(t.name, "ccci");
  std::vector<std::string> problems;
  auto plugin_dir = path_option(vm, "plugin-dir", default_plugin_dir());
  if (vm.count("plugin-dir") && !fs::is_directory(plugin_dir))
    throw InputError(fmt::format("--plugin-dir {}: not a directory; give the directory of the recipe plugins "
                                 "(<recipe>.so), or leave the option out",
                                 plugin_dir.string()));
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(plugin_dir, ec)) {
    if (entry.path().extension() != ".so") continue;
    try {
      LoadedPlugin p(entry.path());
      for (auto& t : p.plugin().required_tools())
        need(t, p.plugin().recipe());
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
  }
  std::vector<std::string> names(order.begin(), order.end());
  auto tools = fingerprint(names);
  for (auto& t : tools)
    if (!t.found())
      problems.push_back(fmt::format("{} is missing (needed by {})", t.name, fmt::join(needed_by[t.name], ", ")));

  auto info = DockerSwarm().info();
  bool reachable = info.reachable;
  std::string server = info.server_version, swarm_state = info.state;
  bool manager = info.manager;
  if (reachable) {
    if (swarm_state != "active" || !manager)
      problems.push_back(fmt::format("this node is not an active swarm manager (state {}): run `docker swarm init "
                                     "--advertise-addr 127.0.0.1`",
                                     swarm_state));
  } else {
    problems.push_back(fmt::format("the docker daemon is not reachable: {}", info.error));
  }

  if (vm.count("json")) {
    json::array jt;
    for (auto& t : tools) {
      json::array who;
      for (auto& w : needed_by[t.name])
        who.emplace_back(w);
      jt.push_back(json::object{
          {"name", t.name}, {"path", t.path}, {"version", t.version}, {"found", t.found()}, {"needed_by", who}});
    }
    json::array jp;
    for (auto& p : problems)
      jp.emplace_back(p);
    std::cout << json::serialize(json::object{
                     {"tools", jt},
                     {"docker",
                      json::object{{"reachable", reachable}, {"server_version", server}, {"reads", engine_reads()}}},
                     {"swarm", json::object{{"state", swarm_state}, {"manager", manager}}},
                     {"plugin_dir", plugin_dir.string()},
                     {"problems", jp},
                     {"ok", problems.empty()}})
              << "\n";
  } else {
    std::cout << fmt::format("{:<10} {:<6} {:<28} {:<24} {}\n", "tool", "found", "path", "needed by", "version");
    for (auto& t : tools)
      std::cout << fmt::format("{:<10} {:<6} {:<28} {:<24} {}\n", t.name, t.found() ? "yes" : "NO",
                               t.found() ? t.path : "-", fmt::format("{}", fmt::join(needed_by[t.name], ", ")),
                               t.version);
    std::cout << fmt::format("docker daemon: {}\n", reachable ? "reachable, server " + server : "NOT reachable");
    std::cout << fmt::format("docker reads: {}\n", engine_reads());
    std::cout << fmt::format("swarm: {}{}\n", swarm_state.empty() ? "unknown" : swarm_state,
                             manager ? ", manager" : "");
    std::cout << fmt::format("plugins: {}\n", plugin_dir.string());
    for (auto& p : problems)
      std::cout << "problem: " << p << "\n";
    std::cout << (problems.empty() ? "ok\n" : fmt::format("{} problem(s)\n", problems.size()));
  }
  return problems.empty() ? 0 : 1;
}

} // namespace ccci::cli
