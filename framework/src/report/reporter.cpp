#include "report/reporter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ccci::host {

namespace {

// Carriage return, then erase to the end of the line (ECMA-48 EL).
constexpr std::string_view rewrite = "\r\x1b[K";

// The first `columns - 1` characters of UTF-8 `text`: a line as wide as the
// terminal would wrap, and "\r" goes back only to the start of the last row.
std::string_view fit(std::string_view text, std::size_t columns) {
  const std::size_t room = (columns ? columns : 80) - 1;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_char = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_char && chars++ == room) return text.substr(0, i);
  }
  return text;
}

} // namespace

// One insertion and one flush per line, the log opened for appending: with
// two processes writing (the chains), each line arrives whole in the
// terminal and in ccci.log.
void ConsoleReporter::Sink::permanent(std::string_view text) {
  if (!out) return;
  std::string whole;
  whole.reserve(text.size() + rewrite.size() + 1);
  if (showing) whole += rewrite;
  whole += text;
  whole += '\n';
  showing = false;
  last_state.clear();
  *out << whole << std::flush;
}

void ConsoleReporter::Sink::status(const std::string& state, const std::string& text, Clock::time_point now) {
  if (!out) return;
  if (live) {
    *out << rewrite << fit(text, columns) << std::flush;
    showing = true;
    return;
  }
  if (state == last_state && now - last_print < quiet_status_every) return;
  *out << (std::string(text) + '\n') << std::flush;
  last_state = state;
  last_print = now;
}

ConsoleReporter::ConsoleReporter(std::ostream& terminal, TerminalStyle style, std::function<Clock::time_point()> now)
    : now_(std::move(now)), started_(now_()) {
  terminal_.out = &terminal;
  terminal_.live = style.live;
  terminal_.columns = style.columns;
}

ConsoleReporter::~ConsoleReporter() {
  if (terminal_.showing) *terminal_.out << '\n' << std::flush;
}

void ConsoleReporter::open_log(const std::filesystem::path& log_file) {
  log_.open(log_file, std::ios::app);
  if (log_) log_sink_.out = &log_;
}

void ConsoleReporter::set_prefix(std::string prefix) {
  prefix_ = std::move(prefix);
  if (!prefix_.empty()) terminal_.live = false;
}

void ConsoleReporter::flush() {
  if (terminal_.out) terminal_.out->flush();
  if (log_) log_.flush();
}

std::string ConsoleReporter::prefixed(std::string_view text) const {
  if (prefix_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size() + prefix_.size() + 1);
  for (std::size_t start = 0;;) {
    auto end = text.find('\n', start);
    out += prefix_;
    out += text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

void ConsoleReporter::line(std::string_view text) {
  auto whole = prefixed(text);
  terminal_.permanent(whole);
  log_sink_.permanent(whole);
}

std::string ConsoleReporter::stamped(std::string_view tier, std::string_view text) const {
  double elapsed = std::chrono::duration<double>(now_() - started_).count();
  return fmt::format("[{:6.1f}s] {:<8} {}", elapsed, tier, text);
}

void ConsoleReporter::progress(std::string_view tier, std::string_view text) { line(stamped(tier, text)); }

void ConsoleReporter::status(std::string_view tier, const LiveStatus& now) {
  auto text = prefixed(stamped(tier, now.clock.empty() ? now.state : fmt::format("{} — {}", now.state, now.clock)));
  auto state = fmt::format("{} {}", tier, now.state);
  auto t = now_();
  terminal_.status(state, text, t);
  log_sink_.status(state, text, t);
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
