#include "os/process.hpp"

#include "model/errors.hpp"
#include "model/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <exception>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <unistd.h>

namespace ccci::host {

namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

enum class Stdin { none, input, stream };

// One program from spawn to reaping: its pipes watched with poll, stderr
// (and stdout unless streamed) collected into bounded buffers, the deadline
// and stop requests checked at every wait. run_process and the two
// streaming forms are this, driven differently.
class Session {
public:
  Session(const std::vector<std::string>& argv, const ProcessOptions& options, Stdin in, bool stream_out)
      : options_(options), stream_out_(stream_out), out_(options.max_output / 2, options.max_output / 2),
        err_(options.max_output / 2, options.max_output / 2),
        deadline_(std::chrono::steady_clock::now() + options.timeout) {
    if (argv.empty()) throw InfraFailure("run_process: empty command line");
    if (in == Stdin::input) input_ = options.input.value_or("");
    SpawnOptions spawn;
    spawn.cwd = options.cwd;
    spawn.extra_env = options.extra_env;
    spawn.inherit_env = options.inherit_env;
    // Without input: /dev/null, EOF at once.
    spawn.pipe_stdin = in == Stdin::stream || (in == Stdin::input && !input_.empty());
    spawn.merge_stderr = options.merge_stderr;
    child_ = Child::spawn(argv, spawn);
    for (Fd* fd : {&child_.in(), &child_.out(), &child_.err()})
      if (*fd) set_nonblocking(fd->get());
  }

  // Cut: a timeout or a stop happened, the group is killed.
  bool cut() const { return result_.timed_out || result_.interrupted; }
  bool sink_cut() const { return sink_cut_; }

  std::size_t read_out(char* buffer, std::size_t size) {
    while (child_.out() && !cut()) {
      ssize_t got = ::read(child_.out().get(), buffer, size);
      if (got > 0) return static_cast<std::size_t>(got);
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        child_.out().reset();
        return 0;
      }
      if (!wait_for(child_.out(), POLLIN)) return 0;
    }
    return 0;
  }

  bool write_in(std::string_view data) {
    while (!data.empty()) {
      if (!child_.in() || cut()) return cut_sink();
      ssize_t w = ::write(child_.in().get(), data.data(), data.size());
      if (w > 0) {
        data.remove_prefix(static_cast<std::size_t>(w));
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EINTR) {
        child_.in().reset(); // EPIPE: the program stopped reading
        return cut_sink();
      }
      if (!wait_for(child_.in(), POLLOUT)) return cut_sink();
    }
    return true;
  }

  void close_in() { child_.in().reset(); }
  void close_out() { child_.out().reset(); }
  void kill() { child_.kill_group(); }

  // Writes what is left of `input`, reads both outputs to their end (a
  // streamed stdout is discarded: its reader is done), then reaps.
  ProcessResult finish() {
    std::size_t written = 0;
    char buf[65536];
    int idle_ms = 1;
    while (!cut()) {
      // With both outputs closed only the exit is left to wait for; a
      // program that closed them early still gets the timeout.
      if (!child_.out() && !child_.err() && child_.poll()) break;
      if (!check_deadline()) break;
      pollfd fds[3];
      Fd* owners[3];
      int n = 0;
      const std::pair<Fd*, short> watched[] = {
          {&child_.out(), POLLIN}, {&child_.err(), POLLIN}, {&child_.in(), POLLOUT}};
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
        child_.kill_group();
        break;
      }
      for (int i = 0; i < n; ++i) {
        if (!fds[i].revents) continue;
        Fd& fd = *owners[i];
        if (&fd == &child_.in()) {
          ssize_t w = ::write(fd.get(), input_.data() + written, input_.size() - written);
          if (w > 0) written += static_cast<size_t>(w);
          if (w < 0 && errno != EAGAIN) written = input_.size();
          if (written >= input_.size()) fd.reset();
          continue;
        }
        drain(fd, buf, sizeof buf);
      }
    }
    for (Fd* fd : {&child_.in(), &child_.out(), &child_.err()})
      fd->reset();
    auto status = child_.wait();
    result_.exit_code = status.exit_code;
    result_.signal = status.signal;
    if (cut()) result_.exit_code = -1;
    result_.out = out_.str();
    result_.err = err_.str();
    result_.dropped_out = out_.dropped();
    result_.dropped_err = err_.dropped();
    return std::move(result_);
  }

private:
  bool cut_sink() {
    sink_cut_ = true;
    return false;
  }

  // False (and the group killed) once the deadline passed or a stop came.
  bool check_deadline() {
    if (std::chrono::steady_clock::now() >= deadline_) {
      result_.timed_out = true;
      child_.kill_group();
      return false;
    }
    if (stop_requested && !options_.ignore_stop) {
      result_.interrupted = true;
      child_.kill_group();
      return false;
    }
    return true;
  }

  // One read of a collected output (or of a streamed stdout nobody reads
  // any more), closed at its end.
  void drain(Fd& fd, char* buf, std::size_t size) {
    ssize_t got = ::read(fd.get(), buf, size);
    if (got > 0) {
      const std::string_view chunk(buf, static_cast<std::size_t>(got));
      if (&fd == &child_.err())
        err_.append(chunk);
      else if (!stream_out_)
        out_.append(chunk);
    } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
      fd.reset();
    }
  }

  // Waits until `fd` is ready for `events` (or hung up), collecting stderr
  // (and a collected stdout) meanwhile. False on a timeout or a stop.
  bool wait_for(Fd& fd, short events) {
    char buf[16384];
    while (check_deadline()) {
      if (!fd) return true;
      pollfd fds[3];
      Fd* owners[3];
      int n = 0;
      owners[n] = &fd;
      fds[n++] = {fd.get(), events, 0};
      for (Fd* other : {&child_.err(), &child_.out()})
        if (other != &fd && *other && (other == &child_.err() || !stream_out_)) {
          owners[n] = other;
          fds[n++] = {other->get(), POLLIN, 0};
        }
      int r = ::poll(fds, static_cast<nfds_t>(n), 100);
      if (r < 0 && errno != EINTR) {
        child_.kill_group();
        return false;
      }
      for (int i = 1; i < n; ++i)
        if (fds[i].revents) drain(*owners[i], buf, sizeof buf);
      if (fds[0].revents) return true;
    }
    return false;
  }

  const ProcessOptions& options_;
  bool stream_out_;
  std::string input_;
  BoundedText out_, err_;
  std::chrono::steady_clock::time_point deadline_;
  Child child_;
  ProcessResult result_;
  bool sink_cut_ = false;
};

class SessionSource final : public ByteSource {
public:
  explicit SessionSource(Session& s) : s_(s) {}
  std::size_t read(char* buffer, std::size_t size) override { return s_.read_out(buffer, size); }

private:
  Session& s_;
};

class SessionSink final : public ByteSink {
public:
  explicit SessionSink(Session& s) : s_(s) {}
  bool write(std::string_view data) override { return s_.write_in(data); }

private:
  Session& s_;
};

} // namespace

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out";
  if (interrupted) return "interrupted";
  return ExitStatus{exit_code, signal}.describe();
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  Session session(argv, options, Stdin::input, false);
  return session.finish();
}

std::vector<ProcessResult> run_processes(const std::vector<std::vector<std::string>>& argvs,
                                         const ProcessOptions& options) {
  // Each session's pipes are read only when its turn comes: a program with
  // more to say than a pipe holds waits for it, and no program waits on
  // another, so this cannot deadlock. A Session's Child kills and reaps its
  // program if an exception unwinds past it.
  std::vector<std::unique_ptr<Session>> sessions;
  sessions.reserve(argvs.size());
  for (auto& argv : argvs)
    sessions.push_back(std::make_unique<Session>(argv, options, Stdin::input, false));
  std::vector<ProcessResult> out;
  out.reserve(sessions.size());
  for (auto& s : sessions)
    out.push_back(s->finish());
  return out;
}

ProcessResult run_process_reading_stdout(const std::vector<std::string>& argv, const ProcessOptions& options,
                                         const std::function<void(ByteSource&)>& consume) {
  Session session(argv, options, Stdin::none, true);
  SessionSource source(session);
  try {
    consume(source);
  } catch (...) {
    auto failure = std::current_exception();
    // Closing its stdout ends a program still writing (EPIPE); one that
    // failed by itself has said why on stderr.
    session.close_out();
    auto result = session.finish();
    // SIGPIPE (or a shell's 128+SIGPIPE for it) is the closing's doing.
    const bool failed_by_itself =
        result.timed_out || result.interrupted || (result.exit_code > 0 && result.exit_code != 128 + SIGPIPE);
    if (failed_by_itself) return result;
    std::rethrow_exception(failure);
  }
  return session.finish();
}

ProcessResult run_process_feeding_stdin(const std::vector<std::string>& argv, const ProcessOptions& options,
                                        const std::function<void(ByteSink&)>& produce) {
  Session session(argv, options, Stdin::stream, false);
  SessionSink sink(session);
  try {
    produce(sink);
  } catch (...) {
    auto failure = std::current_exception();
    if (session.sink_cut()) {
      session.close_in();
      return session.finish();
    }
    // Our side failed with the program still reading: it must not take a
    // half stream for a whole one.
    session.kill();
    session.finish();
    std::rethrow_exception(failure);
  }
  session.close_in();
  return session.finish();
}

} // namespace ccci::host
