// The one way ccci runs another program to completion: a Child (os/spawn)
// with captured output, optional stdin, a timeout, and cancellation on
// SIGINT/SIGTERM. A timeout or a stop kills the program's whole process
// group, so what it started (docker exec, git's helpers) goes with it.
#pragma once

#include "os/signals.hpp"
#include "os/spawn.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

struct ProcessOptions {
  std::optional<std::string> input; ///< written to stdin, then closed
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  std::filesystem::path cwd;          ///< "" = inherit
  std::vector<std::string> extra_env; ///< "K=V" added to the environment
  bool inherit_env = true;            ///< false: only extra_env (SpawnOptions::inherit_env)
  bool merge_stderr = false;          ///< stderr into `out`
  bool ignore_stop = false;           ///< keep going after SIGINT (teardown)
};

struct ProcessResult {
  int exit_code = -1; ///< -1 when killed by a signal or not started
  int signal = 0;     ///< the terminating signal, 0 if none
  bool timed_out = false;
  bool interrupted = false; ///< ccci itself was asked to stop meanwhile
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
  /// "exit 1", "killed by SIGSEGV", "timed out after 30s"...
  std::string describe() const;
};

/// Runs `argv` (argv[0] looked up on PATH). Never throws for the child's
/// failure; throws InfraFailure only when the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

} // namespace ccci::host
