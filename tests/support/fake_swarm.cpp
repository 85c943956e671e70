#include "support/fake_swarm.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <stdexcept>

#include "model/errors.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

void FakeSwarm::create_secret(const std::string& name, const std::string&, const std::string& stack,
                              const Owner& owner) {
  note("create_secret " + name);
  secrets_.insert(name);
  auto labels = owner_labels(owner);
  labels["com.docker.stack.namespace"] = stack;
  owned.push_back({"secret", name, labels});
}

std::vector<OwnedObject> FakeSwarm::owned_objects() {
  note("owned_objects");
  return owned;
}

std::vector<std::string> FakeSwarm::remove_owned(const std::vector<OwnedObject>& objects) {
  std::vector<std::string> out;
  for (auto& o : objects) {
    note(fmt::format("remove_owned {} {}", o.kind, o.name));
    if (refuse_removal.count(o.name)) {
      out.push_back(fmt::format("docker {} rm {}: exit 1: in use", o.kind, o.name));
      continue;
    }
    std::erase_if(owned, [&](const OwnedObject& x) { return x.kind == o.kind && x.name == o.name; });
    out.emplace_back();
  }
  return out;
}

DeployOutcome FakeSwarm::deploy_stack(const std::string& stack, const std::filesystem::path& compose_file) {
  auto file = compose_file.filename().string();
  note("deploy " + file);
  if (on_deploy) on_deploy(file);
  ++deploys_;
  if (auto it = refuse_deploy.find(file); it != refuse_deploy.end()) return {false, "exit 1", it->second};
  services_.clear();
  for (auto s : YAML::LoadFile(compose_file.string())["services"]) {
    services_.push_back(s.first.as<std::string>());
    const YAML::Node service = s.second;
    if (!service.IsMap() || !service["deploy"] || !service["deploy"]["labels"]) continue;
    auto labels = read_deploy_labels(service["deploy"]["labels"]);
    if (!labels.count(owner_label::run)) continue;
    auto name = fmt::format("{}_{}", stack, s.first.as<std::string>());
    std::erase_if(owned, [&](const OwnedObject& x) { return x.kind == "service" && x.name == name; });
    labels["com.docker.stack.namespace"] = stack;
    owned.push_back({"service", name, labels});
  }
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

/// A ustar archive of one regular file, as `docker cp CONTAINER:PATH -` writes one
/// (written by libarchive, as the project writes archives).
std::string one_file_tar(const std::string& name, const std::string& data) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_ustar(a);
  archive_write_set_bytes_in_last_block(a, 1);
  auto write = [](struct archive*, void* sink, const void* buf, std::size_t n) -> la_ssize_t {
    static_cast<std::string*>(sink)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a, &out, nullptr, write, nullptr) != ARCHIVE_OK)
    throw std::runtime_error("fake swarm: tar: cannot open the archive writer");
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  archive_entry_set_mtime(e, 1700000000, 0);
  bool ok = archive_write_header(a, e) == ARCHIVE_OK &&
            archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size());
  archive_entry_free(e);
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  const char* why = archive_error_string(a);
  std::string error = ok ? "" : (why ? why : "unknown libarchive error");
  archive_write_free(a);
  if (!ok) throw std::runtime_error("fake swarm: tar: " + error);
  return out;
}

} // namespace

namespace {

// A string handed out in small pieces, as a pipe would.
class PieceSource final : public ByteSource {
public:
  explicit PieceSource(std::string data) : data_(std::move(data)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min({size, data_.size() - at_, std::size_t{700}});
    std::copy_n(data_.data() + at_, n, buffer);
    at_ += n;
    return n;
  }

private:
  std::string data_;
  std::size_t at_ = 0;
};

class CountingSink final : public ByteSink {
public:
  bool write(std::string_view data) override {
    bytes += data.size();
    return true;
  }
  std::size_t bytes = 0;
};

} // namespace

ProcessResult FakeSwarm::copy_from(const std::string& container, const std::string& path,
                                   const std::function<void(ByteSource&)>& consume) {
  note(fmt::format("copy_from {}:{}", container, path));
  ProcessResult r;
  if (!volumes_hold_data) {
    r.exit_code = 1;
    r.err = "the fake swarm holds no volume data";
    return r;
  }
  r.exit_code = 0;
  const bool directory = path.ends_with("/.");
  PieceSource source(one_file_tar(directory ? "./data.txt" : std::filesystem::path(path).filename().string(),
                                  "copied from " + path + "\n"));
  consume(source);
  return r;
}

ProcessResult FakeSwarm::copy_into(const std::string& container, const std::string& dir,
                                   const std::function<void(ByteSink&)>& produce) {
  note(fmt::format("copy_into {}:{}", container, dir));
  CountingSink sink;
  produce(sink);
  copied_into.push_back(sink.bytes);
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
  std::erase_if(owned, [&](const OwnedObject& x) {
    auto ns = x.labels.find("com.docker.stack.namespace");
    return ns != x.labels.end() && ns->second == stack;
  });
  return {};
}

std::vector<std::string> FakeSwarm::publish_routes(const std::string& stack, const std::vector<Route>& routes,
                                                   const Owner&) {
  if (!routes.empty()) note(fmt::format("publish_routes {} ({})", stack, routes.size()));
  return {};
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
