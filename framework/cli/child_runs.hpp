// Child `ccci run`s for `ccci canary` and `ccci triage`: each one a separate
// process of this same binary (/proc/self/exe), so one run's crash cannot
// take the others down; output to a log file; a bounded number at once; a
// SIGINT/SIGTERM to us is passed on to them so each tears down its stack.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ccci::cli {

struct ChildJob {
  std::vector<std::string> args; ///< after the program: {"run", "--recipe-dir", ...}
  std::filesystem::path log;     ///< stdout and stderr go here
  // Filled in:
  int exit_code = -1; ///< -1: killed by a signal or never started
  int signal = 0;
  bool started = false;
  double seconds = 0;
};

/// This binary, for re-running itself.
std::filesystem::path self_exe();

/// Runs `jobs`, at most `parallel` at once, in order. `on_start(i)` and
/// `on_finish(i)` are called from this thread (for progress lines). After a
/// stop request no new job starts; running ones get the signal and are
/// waited for (they tear down). `on_still_running(i, seconds)` is called
/// for each running job once a minute. Returns false when stopped early.
bool run_children(std::vector<ChildJob>& jobs, std::size_t parallel, const std::function<void(std::size_t)>& on_start,
                  const std::function<void(std::size_t)>& on_finish,
                  const std::function<void(std::size_t, double)>& on_still_running = {});

/// The last `n` lines of a file, for messages.
std::string tail_of(const std::filesystem::path& file, std::size_t n);

} // namespace ccci::cli
