// The one place ccci creates processes. A Child owns a pid and the parent's
// ends of its pipes; every child leads its own process group, so a timeout
// or a crash can take down everything it started (docker exec, git, shells)
// and a terminal's ^C reaches only ccci, which decides what to pass on.
// The exception: programs started inside a forked child (a plugin check's
// `docker exec`, git) stay in that child's group, so killing the check's
// group on its timeout takes them too.
// run_process (os/process.hpp), the plugin isolation (plugin/plugin_host)
// and the child `ccci run`s (jobs/child_runs) are built on it.
#pragma once

#include "model/errors.hpp"
#include "os/fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// How a child ended.
struct ExitStatus {
  int exit_code = -1; ///< -1 when killed by a signal (or lost to another waiter)
  int signal = 0;     ///< the terminating signal, 0 if none
  bool ok() const { return exit_code == 0; }
  /// "exit 1", "killed by SIGSEGV"
  std::string describe() const;
};

/// The OS refused to create a pipe or the process. `step()` says which
/// ("create a pipe", "fork"), `reason()` the errno text, for callers that
/// word their own message.
class SpawnError : public InfraFailure {
public:
  /// what(): "cannot <step> for <subject>: <errno text>"
  SpawnError(std::string step, int err, const std::string& subject);
  const std::string& step() const { return step_; }
  const std::string& reason() const { return reason_; }

private:
  std::string step_, reason_;
};

struct SpawnOptions {
  /// The file to execute; empty: argv[0] looked up on PATH.
  std::filesystem::path program;
  std::filesystem::path cwd;          ///< "" = inherit
  std::vector<std::string> extra_env; ///< "K=V" added to (and overriding) the environment
  /// false: the child sees only `extra_env`, nothing of ccci's environment
  /// (the docker CLI, whose environment could reach a stack: swarm/docker.hpp).
  bool inherit_env = true;
  bool pipe_stdin = false; ///< a pipe whose write end is in(); else /dev/null
  /// stdout and stderr to pipes read through out() and err(); when false
  /// they go to `output_fd`, or are inherited when it is -1.
  bool capture = true;
  bool merge_stderr = false; ///< stderr goes where stdout goes
  int output_fd = -1;        ///< borrowed; only read when `capture` is false
};

/// Absolute path of `program` on PATH (or `program` itself when it names a
/// path and is executable), or nullopt.
std::optional<std::filesystem::path> find_on_path(const std::string& program);

/// Writes all of `data` to `fd` (a forked child's channel), retrying on
/// EINTR; false when the reader is gone.
bool write_all(int fd, std::string_view data);

class Child {
public:
  /// Starts `argv`. Throws InfraFailure when the program is not on PATH and
  /// SpawnError when the OS refuses; a program that cannot be executed
  /// exits 127 (126 when `cwd` cannot be entered).
  static Child spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

  /// Forks without exec: `body` runs in the child with the write end of a
  /// pipe whose read end is channel(), and what it returns is the child's
  /// exit status; an exception escaping it exits 70. The child leaves with
  /// _exit, so none of the parent's atexit handlers or destructors run
  /// twice. Stdio is inherited. Throws SpawnError.
  static Child fork(const std::function<int(int channel)>& body);
  /// fork(), for a process that goes on as a part of a run (the upgrade
  /// chain, docs/architecture.md "Chains"): it leads its own group and, like
  /// the run, starts checks that lead theirs. The stop handlers are reset to
  /// the default, as in any child: `body` installs its own. It gets SIGTERM
  /// when this process dies (a SIGKILL of the run's group does not reach
  /// its group), so it tears down rather than outlive the run.
  static Child fork_run_part(const std::function<int(int channel)>& body);

  Child() = default;
  /// A child not yet reaped is killed with its group and reaped: an
  /// exception unwinding past a Child leaves no process behind.
  ~Child();
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  /// Started and not yet reaped.
  bool running() const { return pid_ > 0 && !status_; }
  const std::optional<ExitStatus>& status() const { return status_; }

  Fd& in() { return in_; }
  Fd& out() { return out_; }
  Fd& err() { return err_; }
  Fd& channel() { return channel_; }
  /// Everything the child writes on its channel until it closes it (at its
  /// exit), read as it comes so the child never blocks on a full pipe.
  std::string read_channel_to_end();

  /// Reaps the child if it has ended; never blocks.
  std::optional<ExitStatus> poll();
  /// Blocks until the child ends (retrying on EINTR) and reaps it.
  ExitStatus wait();
  /// wait(), but before reaping, SIGKILL what is left of the child's group:
  /// processes it started and did not wait for. The unreaped child keeps
  /// the group id reserved, so the kill cannot reach a stranger's group.
  ExitStatus wait_then_kill_group();

  /// `sig` to the child alone, which decides what to pass on (a `ccci run`
  /// tears down on SIGTERM). Nothing once reaped: the pid may be reused.
  void signal(int sig);
  /// SIGKILL to the child's whole process group: what it started goes too
  /// (only the child itself when it was started inside a forked child and
  /// so shares that one's group). Nothing once reaped, for the same reason.
  void kill_group();

private:
  static Child fork_child(const std::function<int(int channel)>& body, bool run_part);
  void reset() noexcept;

  pid_t pid_ = -1;
  bool leads_group_ = true;
  std::optional<ExitStatus> status_;
  Fd in_, out_, err_, channel_;
};

} // namespace ccci::host
