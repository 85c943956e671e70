// The one way ccci runs another program to completion: a Child (os/spawn)
// with captured output, optional stdin, a timeout, and cancellation on
// SIGINT/SIGTERM. A timeout or a stop kills the program's whole process
// group, so what it started (docker exec, git's helpers) goes with it.
// Captured output is bounded (head and tail kept, the middle counted), and a
// program's stdin or stdout may instead be a stream handled chunk by chunk:
// a volume's tar goes through ccci in fixed memory whatever its size
// (docs/architecture.md, "Bounded memory and permissions").
#pragma once

#include "os/signals.hpp"
#include "os/spawn.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
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
  /// At most this many bytes of each of stdout and stderr are kept: the
  /// first and the last half, with a line saying how much was dropped
  /// between (ProcessResult::dropped_out/err count it).
  std::size_t max_output = default_max_output;
  static constexpr std::size_t default_max_output = 8u << 20;
};

struct ProcessResult {
  int exit_code = -1; ///< -1 when killed by a signal or not started
  int signal = 0;     ///< the terminating signal, 0 if none
  bool timed_out = false;
  bool interrupted = false; ///< ccci itself was asked to stop meanwhile
  std::string out;
  std::string err;
  std::size_t dropped_out = 0, dropped_err = 0; ///< bytes over ProcessOptions::max_output, not kept
  bool ok() const { return exit_code == 0; }
  /// "exit 1", "killed by SIGSEGV", "timed out after 30s"...
  std::string describe() const;
};

/// Runs `argv` (argv[0] looked up on PATH). Never throws for the child's
/// failure; throws InfraFailure only when the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// run_process for several programs at once: all are started, then each is
/// finished in order, so they take the longest one's time, not the sum.
/// For independent reads (listings of different kinds); one that cannot be
/// started throws, and those already started are killed and reaped.
std::vector<ProcessResult> run_processes(const std::vector<std::vector<std::string>>& argvs,
                                         const ProcessOptions& options = {});

/// A program's stdout, read chunk by chunk.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  /// Up to `size` bytes into `buffer`, waiting for them; 0 at the end of the
  /// stream, or when it was cut (timeout, stop: the ProcessResult says).
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

/// A program's stdin, written chunk by chunk.
class ByteSink {
public:
  virtual ~ByteSink() = default;
  /// Writes all of `data`, waiting as the program reads; false when the
  /// stream is cut (the program closed its stdin or ended, a timeout, a
  /// stop: the ProcessResult says), and every later write is false too.
  virtual bool write(std::string_view data) = 0;
};

/// run_process, with the program's stdout handed to `consume` as a stream
/// instead of collected (`out` stays empty); stderr is collected meanwhile,
/// bounded, and the timeout and stop requests hold while `consume` reads.
/// What `consume` leaves unread is read and discarded, so the program is
/// never cut off mid-write. When `consume` throws, the program's stdout is
/// closed and it is waited for: if it failed by itself (a non-zero exit, a
/// timeout, a stop), its result is returned, as the better explanation;
/// else the exception goes on.
ProcessResult run_process_reading_stdout(const std::vector<std::string>& argv, const ProcessOptions& options,
                                         const std::function<void(ByteSource&)>& consume);

/// run_process, with the program's stdin fed by `produce` through a ByteSink
/// (`options.input` is not used); stdin is closed when `produce` returns.
/// When `produce` throws, the result is returned if a write had been cut
/// (the program's failure explains it); else the program's group is killed
/// and the exception goes on.
ProcessResult run_process_feeding_stdin(const std::vector<std::string>& argv, const ProcessOptions& options,
                                        const std::function<void(ByteSink&)>& produce);

} // namespace ccci::host
