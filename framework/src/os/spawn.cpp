#include "os/spawn.hpp"

#include "os/signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ccci::host {

std::string ExitStatus::describe() const {
  if (signal) return fmt::format("killed by {}", signal_name(signal));
  return fmt::format("exit {}", exit_code);
}

SpawnError::SpawnError(std::string step, int err, const std::string& subject)
    : InfraFailure(fmt::format("cannot {} for {}: {}", step, subject, std::strerror(err))), step_(std::move(step)),
      reason_(std::strerror(err)) {}

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

namespace {

// Set in a child made by Child::fork: what it spawns stays in its group.
bool inside_forked_child = false;

struct Pipe {
  Fd read, write;
};

// O_CLOEXEC: no other child inherits these ends, so EOF arrives when this
// child (and what it started) closes them, not when an unrelated one exits.
Pipe make_pipe(const std::string& subject) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw SpawnError("create a pipe", errno, subject);
  return {Fd(fds[0]), Fd(fds[1])};
}

ExitStatus from_wait_status(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

// In the child, right after fork. Its own group: a kill of the group reaches
// everything it starts, and a terminal's ^C reaches only ccci. Default
// dispositions: our stop handler means nothing in the child.
void enter_child(bool own_group) {
  if (own_group) ::setpgid(0, 0);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGHUP, SIG_DFL);
}

// extra_env overrides: an inherited variable of the same name is left out
// (with duplicates, getenv and Go's os.Getenv both take the first).
std::vector<std::string> child_environment(const std::vector<std::string>& extra_env, bool inherit) {
  auto overridden = [&](std::string_view entry) {
    auto key = entry.substr(0, entry.find('=') + 1);
    return std::any_of(extra_env.begin(), extra_env.end(), [&](const std::string& kv) { return kv.starts_with(key); });
  };
  std::vector<std::string> env;
  for (char** e = environ; inherit && *e; ++e)
    if (!overridden(*e)) env.emplace_back(*e);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

} // namespace

Child Child::spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) throw InfraFailure("spawn: empty command line");
  std::filesystem::path program = options.program;
  if (program.empty()) {
    auto found = find_on_path(argv[0]);
    if (!found) throw InfraFailure(fmt::format("'{}' not found on PATH; install it (see `ccci doctor`)", argv[0]));
    program = *found;
  }
  const std::string subject = fmt::format("`{}`", argv[0]);

  // Everything the child needs is made before fork: between fork and exec
  // only async-signal-safe calls are allowed (no allocation).
  auto env_storage = child_environment(options.extra_env, options.inherit_env);
  auto envp = c_strings(env_storage);
  std::vector<std::string> arg_storage = argv;
  auto args = c_strings(arg_storage);
  Fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) throw SpawnError("open /dev/null", errno, subject);
  Pipe in, out, err;
  if (options.pipe_stdin) in = make_pipe(subject);
  if (options.capture) {
    out = make_pipe(subject);
    if (!options.merge_stderr) err = make_pipe(subject);
  }
  const int child_in = options.pipe_stdin ? in.read.get() : devnull.get();
  const int child_out = options.capture ? out.write.get() : options.output_fd; // -1: inherit
  const int child_err = !options.capture ? options.output_fd : options.merge_stderr ? child_out : err.write.get();
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  const bool own_group = !inside_forked_child;

  pid_t pid = ::fork();
  if (pid < 0) throw SpawnError("fork", errno, subject);
  if (pid == 0) {
    enter_child(own_group);
    // ccci ignores SIGPIPE to see EPIPE; a pipeline in the child expects the
    // default. A blocked mask would survive exec, so clear it too.
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(child_in, 0);
    if (child_out >= 0) ::dup2(child_out, 1);
    if (child_err >= 0) ::dup2(child_err, 2);
    if (cwd && ::chdir(cwd) != 0) ::_exit(126);
    ::execve(program.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  // Also here: whichever of the two runs first, the group exists before
  // anyone signals it.
  if (own_group) ::setpgid(pid, pid);
  Child child;
  child.pid_ = pid;
  child.leads_group_ = own_group;
  child.in_ = std::move(in.write);
  child.out_ = std::move(out.read);
  child.err_ = std::move(err.read);
  return child; // the child's ends close here, so its exit is seen as EOF
}

Child Child::fork(const std::function<int(int channel)>& body) { return fork_child(body, false); }

Child Child::fork_run_part(const std::function<int(int channel)>& body) { return fork_child(body, true); }

Child Child::fork_child(const std::function<int(int channel)>& body, bool run_part) {
  const std::string subject = run_part ? "the upgrade chain's process" : "a forked child process";
  Pipe channel = make_pipe(subject);
  const bool own_group = run_part || !inside_forked_child;
  // A child that flushes stdio would otherwise write our pending output a
  // second time.
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw SpawnError("fork", errno, subject);
  if (pid == 0) {
    enter_child(own_group);
    inside_forked_child = !run_part;
    if (run_part) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() == 1) ::raise(SIGTERM); // the run died before the line above
    }
    ::close(channel.read.get());
    int code = 70;
    try {
      code = body(channel.write.get());
    } catch (...) {
      // Nowhere to report it: the exit status says it.
    }
    ::close(channel.write.get());
    ::_exit(code);
  }
  if (own_group) ::setpgid(pid, pid);
  Child child;
  child.pid_ = pid;
  child.leads_group_ = own_group;
  child.channel_ = std::move(channel.read);
  return child;
}

Child::~Child() { reset(); }

bool write_all(int fd, std::string_view data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

std::string Child::read_channel_to_end() {
  std::string received;
  char buf[65536];
  while (channel_) {
    ssize_t got = ::read(channel_.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    received.append(buf, static_cast<std::size_t>(got));
  }
  return received;
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), leads_group_(other.leads_group_),
      status_(std::exchange(other.status_, std::nullopt)), in_(std::move(other.in_)), out_(std::move(other.out_)),
      err_(std::move(other.err_)), channel_(std::move(other.channel_)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, -1);
    leads_group_ = other.leads_group_;
    status_ = std::exchange(other.status_, std::nullopt);
    in_ = std::move(other.in_);
    out_ = std::move(other.out_);
    err_ = std::move(other.err_);
    channel_ = std::move(other.channel_);
  }
  return *this;
}

void Child::reset() noexcept {
  in_.reset();
  out_.reset();
  err_.reset();
  channel_.reset();
  if (running()) {
    kill_group();
    wait();
  }
  pid_ = -1;
  status_.reset();
}

std::optional<ExitStatus> Child::poll() {
  if (!running()) return status_;
  int status = 0;
  pid_t got = ::waitpid(pid_, &status, WNOHANG);
  if (got == 0 || (got < 0 && errno == EINTR)) return std::nullopt;
  status_ = got > 0 ? from_wait_status(status) : ExitStatus{};
  return status_;
}

ExitStatus Child::wait() {
  if (!running()) return status_.value_or(ExitStatus{});
  int status = 0;
  pid_t got;
  while ((got = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  status_ = got > 0 ? from_wait_status(status) : ExitStatus{};
  return *status_;
}

ExitStatus Child::wait_then_kill_group() {
  if (!running()) return status_.value_or(ExitStatus{});
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  if (leads_group_) ::kill(-pid_, SIGKILL);
  return wait();
}

void Child::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

void Child::kill_group() {
  if (!running()) return;
  if (leads_group_) ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

} // namespace ccci::host
