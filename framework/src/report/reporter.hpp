// What a person watching a run sees, and the run's log: progress lines with
// the elapsed time, and a summary at the end. It is given events already
// redacted (RedactingListener, report/listener.hpp).
#pragma once

#include "model/results.hpp"
#include "report/listener.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

namespace ccci::host {

class ConsoleReporter final : public RunListener {
public:
  explicit ConsoleReporter(std::ostream& terminal);
  /// From now on every line also goes to `log_file`.
  void open_log(const std::filesystem::path& log_file);
  /// Every physical line from now on starts with `prefix` ("" for none): two
  /// chains of one run write to one terminal and one ccci.log, and a person
  /// tells them apart by it (docs/architecture.md, "Chains").
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  /// Writes what is buffered (before a fork, so the child does not write it
  /// a second time).
  void flush();
  /// "[  12.3s] install  converging: app 0/1 (health: starting)"
  void progress(std::string_view tier, std::string_view text) override;
  void check_done(const CheckRecord& check) override;
  void tier_done(const TierResult& tier) override;
  /// The summary.
  void run_finished(const RunResults& r, const std::filesystem::path& results_file) override;
  void line(std::string_view text) override;

private:
  std::ostream& terminal_;
  std::ofstream log_;
  std::string prefix_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace ccci::host
