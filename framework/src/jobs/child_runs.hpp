// Child `ccci run`s, the one way canary, triage and the sweep start them:
// each one a separate process of this same binary (/proc/self/exe), so one
// run's crash cannot take the others down; output to a log file; a bounded
// number at once. On a stop request (SIGINT/SIGTERM/SIGHUP to us) no new one starts
// and each running one gets SIGTERM and is waited for while it tears its
// stack down; only one that is still there after the grace period is
// SIGKILLed, with its process group. A second stop request escalates: each
// running one is told (a second SIGTERM: it skips its teardown's waits and
// writes its results) and SIGKILLed with its group after a short grace.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ccci::host {

struct ChildJob {
  std::vector<std::string> args; ///< after the program: {"run", "--recipe-dir", ...}
  std::filesystem::path log;     ///< stdout and stderr go here
  /// 0: no bound. Past it the job is stopped as on a stop request: SIGTERM,
  /// then SIGKILL after the grace period.
  std::chrono::seconds timeout{0};
  // Filled in:
  int exit_code = -1; ///< -1: killed by a signal or never started
  int signal = 0;
  bool started = false;
  bool timed_out = false;
  bool killed = false;    ///< still running at the end of the grace period: SIGKILLed
  bool cut_short = false; ///< running when a second stop request came
  /// How messages name it; "": the log's file name without its extension.
  std::string label;
  double seconds = 0;
  bool finished = false; ///< it ran and has exited (or was killed)
  std::chrono::steady_clock::time_point started_at{};
};

/// How long a stopped child run has to tear down before it is SIGKILLed.
/// Teardown waits for containers to stop; a large stack takes minutes.
inline constexpr std::chrono::seconds default_stop_grace = std::chrono::minutes(10);

/// A second stop request: time to write results.json, not to wait for
/// containers.
inline constexpr std::chrono::seconds default_escalation_grace = std::chrono::seconds(15);

struct ChildRunOptions {
  std::size_t parallel = 1; ///< at most this many at once (0 counts as 1)
  std::chrono::milliseconds stop_grace = default_stop_grace;
  /// After a second stop request: how long the running ones have to finish
  /// what is quick before they are SIGKILLed.
  std::chrono::milliseconds escalation_grace = default_escalation_grace;
  /// What ccci says when a second stop request cuts runs short; unset: stderr.
  std::function<void(const std::string&)> on_note;
  /// What to run; empty: this binary. Tests run other programs.
  std::filesystem::path program;
  /// "K=V" added to each child's environment (the leak guard's key).
  std::vector<std::string> extra_env;
  /// Called from the calling thread, for progress lines. `on_finish` may
  /// append jobs to the vector (a follow-up of the one that ended: the
  /// sweep's promotion after its cold run): they start before the jobs not
  /// started yet (with `parallel` 1, right after the run they follow), never
  /// beside the run they follow; after a stop request none starts.
  std::function<void(std::size_t)> on_start, on_finish;
  /// Called for each running job every `still_running_every`.
  std::function<void(std::size_t, double seconds)> on_still_running;
  std::chrono::milliseconds still_running_every = std::chrono::minutes(1);
  /// Which runs are going (jobs/job_progress.hpp `running_line`): called
  /// after runs started or ended, and every `progress_every` while none do.
  std::function<void(const std::string&)> on_progress;
  std::chrono::milliseconds progress_every = std::chrono::seconds(30);
  /// false: only every `progress_every`, for a caller that says itself when
  /// its one run starts and ends (the sweep).
  bool progress_on_change = true;
};

/// This binary, for re-running itself.
std::filesystem::path self_exe();

/// Runs `jobs` in order, at most `options.parallel` at once. Returns false
/// when stopped early (a stop request). When a job cannot be started (its
/// log cannot be created), the running ones are stopped as on a stop
/// request and waited for, then the InfraFailure is rethrown.
bool run_children(std::vector<ChildJob>& jobs, const ChildRunOptions& options);

/// The last `n` lines of a file, for messages.
std::string tail_of(const std::filesystem::path& file, std::size_t n);

} // namespace ccci::host
