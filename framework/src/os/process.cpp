#include "os/process.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ccci::host {

volatile std::sig_atomic_t stop_requested = 0;

namespace {

void on_stop_signal(int sig) { stop_requested = sig; }

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void kill_group(pid_t pid) {
  // The child leads its own process group, so helpers it started (docker
  // exec, shells) go too.
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

} // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: blocking calls return EINTR and we notice
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

void interruptible_sleep(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!stop_requested && std::chrono::steady_clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    ::usleep(static_cast<useconds_t>(std::min<long>(left.count(), 100) * 1000));
  }
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out";
  if (interrupted) return "interrupted";
  if (signal) return fmt::format("killed by {}", signal_name(signal));
  return fmt::format("exit {}", exit_code);
}

std::optional<std::filesystem::path> find_on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return std::filesystem::path(program);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    auto dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw InfraFailure("run_process: empty command line");
  auto program = find_on_path(argv[0]);
  if (!program) throw InfraFailure(fmt::format("'{}' not found on PATH; install it (see `ccci doctor`)", argv[0]));

  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC))
    throw InfraFailure(fmt::format("pipe: {}", std::strerror(errno)));

  // extra_env overrides: an inherited variable of the same name is left out
  // (with duplicates, getenv and Go's os.Getenv both take the first).
  auto overridden = [&](std::string_view entry) {
    auto key = entry.substr(0, entry.find('=') + 1);
    return std::any_of(options.extra_env.begin(), options.extra_env.end(),
                       [&](const std::string& kv) { return kv.starts_with(key); });
  };
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e)
    if (!overridden(*e)) env_storage.emplace_back(*e);
  for (auto& kv : options.extra_env)
    env_storage.push_back(kv);
  std::vector<char*> envp;
  for (auto& s : env_storage)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) throw InfraFailure(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(options.merge_stderr ? out_pipe[1] : err_pipe[1], 2);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) _exit(126);
    ::execve(program->c_str(), args.data(), envp.data());
    _exit(127);
  }
  ::setpgid(pid, pid);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  ProcessResult result;
  std::string input = options.input.value_or("");
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    set_nonblocking(in_fd);
  }
  set_nonblocking(out_pipe[0]);
  set_nonblocking(err_pipe[0]);
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  auto deadline = std::chrono::steady_clock::now() + options.timeout;

  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      kill_group(pid);
      break;
    }
    if (stop_requested && !options.ignore_stop) {
      result.interrupted = true;
      kill_group(pid);
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    int r = ::poll(fds, static_cast<nfds_t>(n), 100);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      if (fd == in_fd) {
        ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) {
        (fd == out_fd ? result.out : result.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        ::close(fd);
        (fd == out_fd ? out_fd : err_fd) = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd})
    if (fd >= 0) ::close(fd);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (result.timed_out || result.interrupted) result.exit_code = -1;
  return result;
}

} // namespace ccci::host
