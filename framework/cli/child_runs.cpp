#include "child_runs.hpp"

#include "model/errors.hpp"
#include "os/process.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InfraFailure(fmt::format("cannot read /proc/self/exe to re-run ccci: {}", ec.message()));
  return p;
}

namespace {

pid_t spawn(const fs::path& exe, const ChildJob& job) {
  std::vector<std::string> argv{exe.string()};
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  std::vector<char*> cargv;
  for (auto& a : argv)
    cargv.push_back(a.data());
  cargv.push_back(nullptr);
  int fd = ::open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InfraFailure(fmt::format("{}: cannot create the log: {}", job.log.string(), std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw InfraFailure(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    // Its own process group: a terminal's ^C reaches us, and we pass it on
    // once, so a child never gets it twice.
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    // /proc/self/exe, not its target's path: a rebuild that replaced the
    // binary since we started must not break the runs still to come.
    ::execv("/proc/self/exe", cargv.data());
    _exit(127);
  }
  ::setpgid(pid, pid);
  ::close(fd);
  return pid;
}

} // namespace

bool run_children(std::vector<ChildJob>& jobs, std::size_t parallel, const std::function<void(std::size_t)>& on_start,
                  const std::function<void(std::size_t)>& on_finish,
                  const std::function<void(std::size_t, double)>& on_still_running) {
  using clock = std::chrono::steady_clock;
  const auto exe = self_exe();
  struct Running {
    std::size_t index;
    pid_t pid;
    clock::time_point since;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  bool forwarded = false;
  auto last_note = clock::now();
  if (parallel == 0) parallel = 1;
  while (next < jobs.size() || !running.empty()) {
    while (!stop_requested && next < jobs.size() && running.size() < parallel) {
      auto& job = jobs[next];
      running.push_back({next, spawn(exe, job), clock::now()});
      job.started = true;
      on_start(next);
      ++next;
    }
    if (stop_requested && !forwarded) {
      for (auto& r : running)
        ::kill(r.pid, static_cast<int>(stop_requested));
      forwarded = true;
      if (next < jobs.size()) next = jobs.size(); // start nothing more
    }
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      pid_t got = ::waitpid(it->pid, &status, WNOHANG);
      if (got == 0 || (got < 0 && errno == EINTR)) {
        ++it;
        continue;
      }
      auto& job = jobs[it->index];
      job.seconds = std::chrono::duration<double>(clock::now() - it->since).count();
      if (got > 0 && WIFEXITED(status)) job.exit_code = WEXITSTATUS(status);
      if (got > 0 && WIFSIGNALED(status)) job.signal = WTERMSIG(status);
      auto index = it->index;
      it = running.erase(it);
      on_finish(index);
    }
    if (on_still_running && clock::now() - last_note >= std::chrono::minutes(1)) {
      last_note = clock::now();
      for (auto& r : running)
        on_still_running(r.index, std::chrono::duration<double>(clock::now() - r.since).count());
    }
    ::usleep(200 * 1000);
  }
  return !stop_requested;
}

std::string tail_of(const fs::path& file, std::size_t n) {
  std::ifstream in(file);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n) lines.pop_front();
  }
  std::string out;
  for (auto& l : lines)
    out += (out.empty() ? "" : " | ") + l;
  return out;
}

} // namespace ccci::cli
