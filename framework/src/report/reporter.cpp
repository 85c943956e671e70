#include "report/reporter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ccci::host {

ConsoleReporter::ConsoleReporter(std::ostream& terminal) : terminal_(terminal) {}

void ConsoleReporter::open_log(const std::filesystem::path& log_file) { log_.open(log_file, std::ios::app); }

// One insertion and one flush per line, the log opened for appending: with
// two processes writing (the chains), each line arrives whole in the
// terminal and in ccci.log.
void ConsoleReporter::line(std::string_view text) {
  std::string out;
  out.reserve(text.size() + prefix_.size() + 1);
  std::size_t start = 0;
  while (true) {
    auto end = text.find('\n', start);
    out += prefix_;
    out += text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  terminal_ << out << std::flush;
  if (log_) log_ << out << std::flush;
}

void ConsoleReporter::flush() {
  terminal_.flush();
  if (log_) log_.flush();
}

void ConsoleReporter::progress(std::string_view tier, std::string_view text) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  line(fmt::format("[{:6.1f}s] {:<8} {}", elapsed, tier, text));
}

void ConsoleReporter::check_done(const CheckRecord& c) {
  progress(c.name.substr(0, c.name.find('/')),
           fmt::format("{:<5} {} ({:.1f}s): {}", to_string(c.status), c.name, c.duration, c.message));
}

void ConsoleReporter::tier_done(const TierResult& t) {
  progress(ccci::to_string(t.tier), fmt::format("=> {}: {}", to_string(t.status), t.reason));
}

void ConsoleReporter::run_finished(const RunResults& r, const std::filesystem::path& results_file) {
  line("");
  line(fmt::format("ccci {} {} ({}) run {}", r.recipe, r.version.empty() ? r.ref : r.version, r.commit.substr(0, 12),
                   r.run_id));
  for (auto& t : r.tiers) {
    auto status = std::string(to_string(t.status));
    if (t.status == Status::skip) status += t.declared_skip ? " (declared)" : " (UNDECLARED)";
    line(fmt::format("  {:<8} {:<18} {:>6.1f}s  {}", ccci::to_string(t.tier), status, t.duration, t.reason));
    for (auto& c : t.checks)
      line(fmt::format("      {:<5} {} — {}", to_string(c.status), c.name, c.message));
  }
  line(fmt::format("  level    L{} of 5{}", r.level.level,
                   r.level.rung.empty() ? "" : fmt::format(", capped at {}: {}", r.level.rung, r.level.reason)));
  // Warnings do not change the verdict, so they are named here where a
  // green summary would otherwise hide them.
  std::vector<std::string> warnings;
  for (auto& t : r.tiers)
    for (auto& c : t.checks)
      if (c.status == Status::warn) warnings.push_back(c.name);
  if (!warnings.empty())
    line(fmt::format("  warnings {} (listed, not failing): {}", warnings.size(), fmt::join(warnings, ", ")));
  line(fmt::format("  flags    clean_teardown={} no_secret_leak={}", r.clean_teardown, r.no_secret_leak));
  for (auto& l : r.teardown_leftovers)
    line(fmt::format("  left behind: {}", l));
  for (auto& f : r.leak_findings)
    line(fmt::format("  leak     {}", f));
  for (auto& e : r.evidence)
    line(fmt::format("  evidence {}", e));
  line(fmt::format("  results  {}", results_file.string()));
  static constexpr const char* verdicts[] = {"GREEN", "RED", "BAD INPUT", "UNVERIFIED"};
  line(fmt::format("  verdict  {} (exit {})", r.exit_code >= 0 && r.exit_code <= 3 ? verdicts[r.exit_code] : "?",
                   r.exit_code));
}

} // namespace ccci::host
