#include "os/ownership.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

std::optional<long long> boot_time() {
  std::error_code ec;
  auto text = read_file("/proc/stat", ec);
  if (ec) return std::nullopt;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("btime ")) return std::stoll(line.substr(6));
  return std::nullopt;
}

struct Process {
  Owner owner; ///< run, canonical
  bool set = false;
};

Process& current_run() {
  static Process p;
  return p;
}

} // namespace

std::optional<std::string> process_start_time(long pid) {
  if (pid <= 0) return std::nullopt;
  std::error_code ec;
  auto stat = read_file(fs::path("/proc") / std::to_string(pid) / "stat", ec);
  if (ec) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces and
  // parentheses itself: the fields after the last ')' are unambiguous.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  fields >> state; // field 3
  if (state == "Z" || state == "X") return std::nullopt;
  std::string field;
  for (int i = 4; i <= 22 && fields >> field; ++i) {
  }
  unsigned long long ticks = 0;
  auto [end, err] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  if (err != std::errc{} || end != field.data() + field.size()) return std::nullopt;
  auto boot = boot_time();
  long hz = ::sysconf(_SC_CLK_TCK);
  if (!boot || hz <= 0) return std::nullopt;
  std::time_t seconds = static_cast<std::time_t>(*boot + static_cast<long long>(ticks / static_cast<unsigned>(hz)));
  auto hundredths = (ticks % static_cast<unsigned>(hz)) * 100 / static_cast<unsigned>(hz);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:02}Z", buf, hundredths);
}

std::string this_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

Owner this_process_owner(const std::string& run, bool canonical) {
  Owner o;
  o.run = run;
  o.host = this_hostname();
  o.pid = static_cast<long>(::getpid());
  o.started = process_start_time(o.pid).value_or("");
  o.canonical = canonical;
  return o;
}

void set_process_run(const std::string& run, bool canonical) {
  current_run() = {Owner{run, "", 0, "", canonical}, true};
}

Owner process_owner() {
  auto& p = current_run();
  return this_process_owner(p.set ? p.owner.run : fmt::format("ccci-{}", ::getpid()), p.set && p.owner.canonical);
}

LeaseState lease_state(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return LeaseState::unknown;
  FileLock lock(file);
  if (!lock.try_lock()) return LeaseState::held;
  lock.unlock();
  return LeaseState::free;
}

TempDir owned_temp_dir(std::string_view prefix) {
  TempDir dir(prefix);
  write_file_atomically(dir / temp_owner_file, owner_record(process_owner()));
  return dir;
}

} // namespace ccci::host
