// What a person watching a run sees, and the run's log: progress lines with
// the elapsed time, a live status while ccci waits, and a summary at the end.
// It is given events already redacted (RedactingListener, report/listener.hpp).
#pragma once

#include "model/results.hpp"
#include "report/listener.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>

namespace ccci::host {

/// What the terminal stream is (os/terminal.hpp tells): a status is
/// rewritten in place only on a live terminal (docs/architecture.md,
/// "Reporting").
struct TerminalStyle {
  bool live = false;       ///< a terminal that understands "\r" and erase-line
  std::size_t columns = 0; ///< its width; 0: unknown (80 is assumed)
};

class ConsoleReporter final : public RunListener {
public:
  using Clock = std::chrono::steady_clock;
  /// Tests give a clock they move by hand.
  explicit ConsoleReporter(std::ostream& terminal, TerminalStyle style = {},
                           std::function<Clock::time_point()> now = Clock::now);
  /// A status still shown keeps its line: what is printed next starts below.
  ~ConsoleReporter() override;
  ConsoleReporter(const ConsoleReporter&) = delete;
  ConsoleReporter& operator=(const ConsoleReporter&) = delete;
  /// From now on every line also goes to `log_file`, which is never live.
  void open_log(const std::filesystem::path& log_file);
  /// Every physical line from now on starts with `prefix` ("" for none): two
  /// chains of one run write to one terminal and one ccci.log, and a person
  /// tells them apart by it (docs/architecture.md, "Chains"). While two
  /// processes share the terminal no status is rewritten in place (one
  /// would overwrite the other's): statuses print as lines, as into a pipe.
  void set_prefix(std::string prefix);
  /// Writes what is buffered (before a fork, so the child does not write it
  /// a second time).
  void flush();
  /// "[  12.3s] install  docker stack deploy <stack> (1.1.0+1.22.1)"
  void progress(std::string_view tier, std::string_view text) override;
  /// A live terminal rewrites one line in place; a file or a pipe (and the
  /// log) gets a progress line when the state changes, or every
  /// `quiet_status_every` while it does not, never a "\r" or an escape.
  void status(std::string_view tier, const LiveStatus& now) override;
  void check_done(const CheckRecord& check) override;
  void tier_done(const TierResult& tier) override;
  /// The summary.
  void run_finished(const RunResults& r, const std::filesystem::path& results_file) override;
  void line(std::string_view text) override;

  static constexpr std::chrono::seconds quiet_status_every{10};

private:
  /// One stream and what of a status it has shown.
  struct Sink {
    std::ostream* out = nullptr;
    bool live = false;
    std::size_t columns = 0;
    bool showing = false;   ///< a live status is on the current line
    std::string last_state; ///< "": the next status is news
    Clock::time_point last_print{};
    void permanent(std::string_view text);
    void status(const std::string& state, const std::string& text, Clock::time_point now);
  };
  std::string stamped(std::string_view tier, std::string_view text) const;
  /// `text` with the prefix at the start of each of its lines.
  std::string prefixed(std::string_view text) const;

  std::function<Clock::time_point()> now_;
  Sink terminal_;
  std::ofstream log_;
  Sink log_sink_;
  std::string prefix_;
  Clock::time_point started_;
};

} // namespace ccci::host
