#include "os/process.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace ccci::host {

namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

} // namespace

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out";
  if (interrupted) return "interrupted";
  return ExitStatus{exit_code, signal}.describe();
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw InfraFailure("run_process: empty command line");
  const std::string input = options.input.value_or("");
  SpawnOptions spawn;
  spawn.cwd = options.cwd;
  spawn.extra_env = options.extra_env;
  spawn.inherit_env = options.inherit_env;
  spawn.pipe_stdin = !input.empty(); // else /dev/null: EOF at once
  spawn.merge_stderr = options.merge_stderr;
  Child child = Child::spawn(argv, spawn);

  ProcessResult result;
  size_t written = 0;
  for (Fd* fd : {&child.in(), &child.out(), &child.err()})
    if (*fd) set_nonblocking(fd->get());
  auto deadline = std::chrono::steady_clock::now() + options.timeout;

  char buf[65536];
  int idle_ms = 1;
  while (true) {
    // With both outputs closed only the exit is left to wait for; a program
    // that closed them early still gets the timeout.
    if (!child.out() && !child.err() && child.poll()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      child.kill_group();
      break;
    }
    if (stop_requested && !options.ignore_stop) {
      result.interrupted = true;
      child.kill_group();
      break;
    }
    pollfd fds[3];
    Fd* owners[3];
    int n = 0;
    const std::pair<Fd*, short> watched[] = {{&child.out(), POLLIN}, {&child.err(), POLLIN}, {&child.in(), POLLOUT}};
    for (auto [fd, events] : watched)
      if (*fd) {
        owners[n] = fd;
        fds[n++] = {fd->get(), events, 0};
      }
    if (n == 0) {
      // Nothing to read: back off up to the 100ms the poll below waits.
      ::poll(nullptr, 0, idle_ms);
      idle_ms = std::min(idle_ms * 2, 100);
      continue;
    }
    int r = ::poll(fds, static_cast<nfds_t>(n), 100);
    if (r < 0 && errno != EINTR) {
      // Cannot watch the child any more: do not leave it running unwatched.
      child.kill_group();
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      Fd& fd = *owners[i];
      if (&fd == &child.in()) {
        ssize_t w = ::write(fd.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) fd.reset();
        continue;
      }
      ssize_t got = ::read(fd.get(), buf, sizeof buf);
      if (got > 0) {
        (&fd == &child.out() ? result.out : result.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd.reset();
      }
    }
  }
  for (Fd* fd : {&child.in(), &child.out(), &child.err()})
    fd->reset();

  auto status = child.wait();
  result.exit_code = status.exit_code;
  result.signal = status.signal;
  if (result.timed_out || result.interrupted) result.exit_code = -1;
  return result;
}

} // namespace ccci::host
