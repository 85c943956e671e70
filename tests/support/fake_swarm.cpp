#include "support/fake_swarm.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

namespace ccci::test {

using namespace ccci::host;

void FakeSwarm::note(std::string line) {
  if (!journal.empty()) {
    std::ofstream out(journal, std::ios::app);
    out << line << "\n";
  }
  log.push_back(std::move(line));
}

void FakeSwarm::create_secret(const std::string& name, const std::string&, const std::string&, const std::string&) {
  note("create_secret " + name);
  secrets_.insert(name);
}

DeployOutcome FakeSwarm::deploy_stack(const std::string&, const std::filesystem::path& compose_file) {
  auto file = compose_file.filename().string();
  note("deploy " + file);
  if (on_deploy) on_deploy(file);
  ++deploys_;
  if (auto it = refuse_deploy.find(file); it != refuse_deploy.end()) return {false, "exit 1", it->second};
  services_.clear();
  for (auto s : YAML::LoadFile(compose_file.string())["services"])
    services_.push_back(s.first.as<std::string>());
  deployed_file_ = file;
  return {true, "exit 0", ""};
}

std::vector<ServiceState> FakeSwarm::services(const std::string& stack) {
  if (infra_failure_after_deploys && deploys_ >= infra_failure_after_deploys)
    throw InfraFailure("the fake daemon stopped answering");
  bool up = !never_converges.count(deployed_file_);
  std::vector<ServiceState> out;
  for (auto& s : services_) {
    ServiceState st;
    st.name = stack + "_" + s;
    st.desired = 1;
    st.running = up ? 1 : 0;
    st.healthy = up ? 1 : 0;
    st.starting = up ? 0 : 1;
    out.push_back(st);
  }
  return out;
}

std::string FakeSwarm::container_of(const std::string& stack, const std::string& service) {
  for (auto& s : services_)
    if (s == service) return stack + "_" + service + ".1";
  return "";
}

ProcessResult FakeSwarm::exec(const std::string& container, const std::vector<std::string>& argv) {
  note(fmt::format("exec {} {}", container, argv.empty() ? "" : argv.front()));
  ProcessResult r;
  r.exit_code = 0;
  return r;
}

ProcessResult FakeSwarm::exec_shell(const std::string& container, const std::string& command) {
  note(fmt::format("hook {}: {}", container, command));
  ProcessResult r;
  r.exit_code = 0;
  for (auto& f : failing_hooks)
    if (command.find(f) != std::string::npos) {
      r.exit_code = 1;
      r.out = failing_hook_output;
    }
  return r;
}

namespace {

/// A ustar archive of one regular file, as `docker cp CONTAINER:PATH -` writes one.
std::string one_file_tar(const std::string& name, const std::string& data) {
  std::string h(512, '\0');
  auto put = [&](std::size_t offset, const std::string& value) { h.replace(offset, value.size(), value); };
  put(0, name);
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, fmt::format("{:011o}", data.size()));
  put(136, fmt::format("{:011o}", 1700000000));
  h[156] = '0';
  put(257, "ustar");
  put(263, "00");
  put(148, "        "); // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  put(148, fmt::format("{:06o}", sum));
  h[154] = '\0';
  std::string body = data;
  body.resize((body.size() + 511) / 512 * 512, '\0');
  return h + body + std::string(1024, '\0');
}

} // namespace

ProcessResult FakeSwarm::copy_from(const std::string& container, const std::string& path) {
  note(fmt::format("copy_from {}:{}", container, path));
  ProcessResult r;
  if (!volumes_hold_data) {
    r.exit_code = 1;
    r.err = "the fake swarm holds no volume data";
    return r;
  }
  r.exit_code = 0;
  const bool directory = path.ends_with("/.");
  r.out = one_file_tar(directory ? "./data.txt" : std::filesystem::path(path).filename().string(),
                       "copied from " + path + "\n");
  return r;
}

ProcessResult FakeSwarm::copy_into(const std::string& container, const std::string& dir, const std::string&) {
  note(fmt::format("copy_into {}:{}", container, dir));
  ProcessResult r;
  r.exit_code = 0;
  return r;
}

std::string FakeSwarm::task_table(const std::string& stack) {
  note("task_table " + stack);
  std::string out = "NAME\tIMAGE\tDESIRED\tCURRENT\tERROR\n";
  for (auto& s : services_)
    out += fmt::format("{}_{}.1\tfake\tRunning\tRunning\t\n", stack, s);
  return out;
}

std::string FakeSwarm::service_log(const std::string&, const std::string& service, int) {
  note("service_log " + service);
  return fmt::format("log of {}\n", service);
}

TeardownReport FakeSwarm::remove_stack(const std::string& stack, bool) {
  note("remove_stack " + stack);
  services_.clear();
  deployed_file_.clear();
  secrets_.clear();
  return {};
}

void FakeSwarm::publish_routes(const std::string& stack, const std::vector<Route>& routes) {
  if (!routes.empty()) note(fmt::format("publish_routes {} ({})", stack, routes.size()));
}

int FakeSwarm::find(const std::string& prefix, int from) const {
  for (int i = std::max(from, 0); i < static_cast<int>(log.size()); ++i)
    if (log[static_cast<std::size_t>(i)].starts_with(prefix)) return i;
  return -1;
}

int FakeSwarm::count(const std::string& prefix) const {
  int n = 0;
  for (auto& l : log)
    n += l.starts_with(prefix);
  return n;
}

} // namespace ccci::test
