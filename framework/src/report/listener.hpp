// A run reports through events; the terminal, the run's log and
// results.json are listeners (docs/architecture.md, "Reporting").
#pragma once

#include "model/results.hpp"
#include "swarm/secrets.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// Where a wait stands (docs/architecture.md, "Reporting"). `state` is what
/// is waited for and what was last seen ("converging: app 0/1, db 1/1"): a
/// change of it is news. `clock` is how long against which bound ("12s of
/// 300s, deploy timeout from --deploy-timeout"): it changes every second and
/// is no news by itself.
struct LiveStatus {
  std::string state;
  std::string clock;
};

class RunListener {
public:
  virtual ~RunListener() = default;
  /// Free text: the run's header, notes, a check's log lines.
  virtual void line(std::string_view /*text*/) {}
  /// "converging: app 0/1" while `tier` works.
  virtual void progress(std::string_view /*tier*/, std::string_view /*text*/) {}
  /// Transient: where a wait of `tier` stands now, replaced by the next
  /// status or line. A listener shows it or not, as its medium allows.
  virtual void status(std::string_view /*tier*/, const LiveStatus& /*now*/) {}
  virtual void check_done(const CheckRecord& /*check*/) {}
  virtual void tier_done(const TierResult& /*tier*/) {}
  /// The verdict is final: every field of `results` is set.
  virtual void run_finished(const RunResults& /*results*/, const std::filesystem::path& /*results_file*/) {}
};

/// Forwards every event to each listener, in the order they were added.
class Listeners final : public RunListener {
public:
  void add(RunListener& l) { listeners_.push_back(&l); }
  void line(std::string_view text) override;
  void progress(std::string_view tier, std::string_view text) override;
  void status(std::string_view tier, const LiveStatus& now) override;
  void check_done(const CheckRecord& check) override;
  void tier_done(const TierResult& tier) override;
  void run_finished(const RunResults& results, const std::filesystem::path& results_file) override;

private:
  std::vector<RunListener*> listeners_;
};

/// The one door every event of a run goes through on its way to the
/// listeners that write (the terminal, ccci.log, results.json): each string
/// of it (lines, check messages, tier reasons, evidence, the whole result
/// set) passes `redactor` first, so no call site has to remember to.
class RedactingListener final : public RunListener {
public:
  RedactingListener(const LeakMatcher& redactor, RunListener& next) : redactor_(redactor), next_(next) {}
  void line(std::string_view text) override;
  void progress(std::string_view tier, std::string_view text) override;
  void status(std::string_view tier, const LiveStatus& now) override;
  void check_done(const CheckRecord& check) override;
  void tier_done(const TierResult& tier) override;
  void run_finished(const RunResults& results, const std::filesystem::path& results_file) override;

private:
  const LeakMatcher& redactor_;
  RunListener& next_;
};

/// `r` with every string field passed through `redactor`.
RunResults redacted(const RunResults& r, const LeakMatcher& redactor);

/// Writes results.json atomically when the run finishes.
class ResultsJsonWriter final : public RunListener {
public:
  void run_finished(const RunResults& results, const std::filesystem::path& results_file) override;
};

} // namespace ccci::host
