// The weekly sweep: per enrolled recipe, sync the upstream (and mirror),
// test the newest release cold when it is newer than the canonical, promote
// it when green, and label the outcome from the registry after the fact.
#pragma once

#include "jobs/child_runs.hpp"
#include "model/results.hpp"
#include "sweep/registry.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ccci::host {

enum class SweepAction { run, skip_no_new_version, skip_never_released };

struct SweepDecision {
  SweepAction action;
  std::string reason;
};

/// Keyed on version order, never on commits: a new commit on main without a
/// new tag is not a new version.
SweepDecision sweep_decision(const std::optional<std::string>& latest_tag, const std::optional<Canonical>& canonical);

/// Only an enrolled recipe's green, cold run of a tagged release (not a ref
/// or PR run) becomes the canonical.
bool should_promote(bool enrolled, bool green, bool cold, bool ref_run, bool tagged);

/// The label a sweep shows, read from the registry after the fact, never
/// from an exit code alone: `PASS (promoted)` only if the registry now holds
/// `latest`.
std::string sweep_label(const SweepDecision& decision, std::optional<int> run_exit,
                        const std::optional<Canonical>& after, const std::string& latest);

/// The note a sweep adds for a run's `warn` checks (unsatisfied lint
/// warnings: they leave the label as it is, so the note is where they show),
/// e.g. "2 warning(s): lint/R002-healthchecks, lint/R005-semver-like-tags";
/// "" when there are none.
std::string warnings_note(const RunResults& results);

/// How many recipes a sweep tests at once when `--jobs` is not given
/// (docs/architecture.md, "Sweep jobs"): one per core and one per 2 GiB of
/// memory, whichever allows fewer, at least 1 and at most
/// `max_default_sweep_jobs`. Pure: the machine's numbers are arguments.
inline constexpr std::size_t max_default_sweep_jobs = 4;
/// The most `--jobs` accepts: more is a typo, not a machine.
inline constexpr std::size_t max_sweep_jobs = 64;
std::size_t default_sweep_jobs(unsigned cores, std::uint64_t memory_bytes);

/// default_sweep_jobs for this machine (its online cores and physical memory).
std::size_t machine_sweep_jobs();

struct SweepOptions {
  std::filesystem::path state_dir;
  std::filesystem::path runs_dir;
  std::filesystem::path recipes_dir; ///< recipe meta: enrollment and `upstream`
  std::string source;                ///< upstream base: <source>/<recipe> unless the meta names one
  std::optional<std::string> mirror; ///< push main and tags to <mirror>/<recipe>
  std::vector<std::string> only;     ///< limit to these recipes
  std::vector<std::string> run_args; ///< extra `ccci run` arguments (plugin dir...)
  /// Where the dashboard is rewritten after the summary ("" = not at all).
  /// A failure to write it is said in the output and the summary and leaves
  /// the exit status alone: the verdicts are the summary's, the site a view.
  std::filesystem::path report_dir;
  /// After a stop request, how long a child run may take to tear down.
  std::chrono::seconds stop_grace = default_stop_grace;
  /// At most this many child runs at once (jobs/child_runs.hpp); a recipe's
  /// promotion always follows its own cold run.
  std::size_t jobs = 1;
};

/// Runs one sweep and returns its exit status: 0 all PASS or SKIP, 1 a FAIL
/// or GREEN-BUT-PROMOTE-FAILED, 3 only UNVER troubles. Throws InputError
/// (exit 2) when nothing is enrolled, InfraFailure when another sweep holds
/// the lock.
int run_sweep(const SweepOptions& options, std::ostream& out);

} // namespace ccci::host
