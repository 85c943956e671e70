#include "jobs/child_runs.hpp"

#include "jobs/job_progress.hpp"

#include "model/errors.hpp"
#include "os/fd.hpp"
#include "os/signals.hpp"
#include "os/spawn.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <list>
#include <optional>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ccci::host {

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InfraFailure(fmt::format("cannot read /proc/self/exe to re-run ccci: {}", ec.message()));
  return p;
}

namespace {

using clock = std::chrono::steady_clock;

struct Running {
  std::size_t index;
  Child child;
  clock::time_point since;
  std::optional<clock::time_point> terminated; ///< when it was sent SIGTERM
};

Child start(const ChildRunOptions& options, const fs::path& argv0, const ChildJob& job) {
  std::vector<std::string> argv{argv0.string()};
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  Fd log(::open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) throw InfraFailure(fmt::format("{}: cannot create the log: {}", job.log.string(), std::strerror(errno)));
  SpawnOptions spawn;
  // /proc/self/exe, not its target's path: a rebuild that replaced the
  // binary since we started must not break the runs still to come.
  spawn.program = options.program.empty() ? fs::path("/proc/self/exe") : options.program;
  spawn.capture = false;
  spawn.output_fd = log.get();
  spawn.extra_env = options.extra_env;
  return Child::spawn(argv, spawn);
}

} // namespace

bool run_children(std::vector<ChildJob>& jobs, const ChildRunOptions& options) {
  const fs::path argv0 = options.program.empty() ? self_exe() : options.program;
  const std::size_t parallel = std::max<std::size_t>(options.parallel, 1);
  // A list: a Child never moves while it runs.
  std::list<Running> running;
  // What is still to start, in order; a follow-up that on_finish appends
  // goes first.
  std::deque<std::size_t> pending;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    pending.push_back(i);
  std::exception_ptr failure;
  bool stopping = false;
  std::optional<clock::time_point> escalated; ///< when a second stop request was passed on
  auto last_note = clock::now();
  const auto began = clock::now();
  auto last_progress = began;
  bool changed = false; ///< runs started, ended or were told to stop since the last progress line
  auto say = [&](const std::string& line) {
    if (options.on_note)
      options.on_note(line);
    else
      std::cerr << line << "\n";
  };

  // SIGTERM, once: a `ccci run` tears its stack down on it. Each child
  // leads its own group, so a terminal's ^C reached only us and nobody gets
  // the signal twice.
  auto terminate = [](Running& r) {
    if (r.terminated) return;
    r.child.signal(SIGTERM);
    r.terminated = clock::now();
  };

  while (!pending.empty() || !running.empty()) {
    if (!stopping && (stop_requested || failure)) {
      stopping = true;
      changed = true;
      for (auto& r : running)
        terminate(r);
    }
    // Start nothing more, also none that on_finish appends meanwhile.
    if (stopping) pending.clear();
    if (stopping && !escalated && stop_escalated()) {
      // docs/architecture.md, "Stopping": tell them, then cut them short.
      escalated = clock::now();
      std::vector<std::string> names;
      for (auto& r : running) {
        auto& job = jobs[r.index];
        job.cut_short = true;
        names.push_back(job.label.empty() ? job.log.stem().string() : job.label);
        r.child.signal(SIGTERM);
      }
      say(fmt::format(
          "second stop signal ({}): {}", signal_name(static_cast<int>(last_stop_signal)),
          names.empty()
              ? std::string("no run is still running")
              : fmt::format("cutting short {} run(s): {}; each got a second SIGTERM (skip the "
                            "teardown's waits, write results.json) and is SIGKILLed with its "
                            "process group in {}s; `ccci gc` removes what they leave",
                            names.size(), fmt::join(names, ", "),
                            std::chrono::duration_cast<std::chrono::seconds>(options.escalation_grace).count())));
    }
    while (!stopping && !failure && !pending.empty() && running.size() < parallel) {
      const std::size_t next = pending.front();
      auto& job = jobs[next];
      try {
        running.push_back({next, start(options, argv0, job), clock::now(), std::nullopt});
      } catch (const std::exception&) {
        failure = std::current_exception();
        break;
      }
      job.started = true;
      job.started_at = running.back().since;
      changed = true;
      pending.pop_front();
      if (options.on_start) options.on_start(next);
    }
    if (failure && !stopping) continue;
    // Here, after the starts, so a run that ended and the one that took its
    // place make one line, not two.
    if (options.on_progress && !running.empty() &&
        ((changed && options.progress_on_change) || clock::now() - last_progress >= options.progress_every)) {
      options.on_progress(running_line(jobs, clock::now(), began, stopping));
      last_progress = clock::now();
      changed = false;
    }

    const auto now = clock::now();
    for (auto& r : running) {
      auto& job = jobs[r.index];
      if (!r.terminated && job.timeout.count() > 0 && now - r.since >= job.timeout) {
        job.timed_out = true;
        terminate(r);
      }
      const bool past_grace = r.terminated && now - *r.terminated >= options.stop_grace;
      const bool past_escalation = escalated && now - *escalated >= options.escalation_grace;
      if ((past_grace || past_escalation) && !job.killed) {
        job.killed = true;
        r.child.kill_group();
      }
    }
    for (auto it = running.begin(); it != running.end();) {
      auto status = it->child.poll();
      if (!status) {
        ++it;
        continue;
      }
      auto& job = jobs[it->index];
      job.seconds = std::chrono::duration<double>(clock::now() - it->since).count();
      job.exit_code = status->exit_code;
      job.signal = status->signal;
      job.finished = true;
      changed = true;
      auto index = it->index;
      it = running.erase(it);
      const std::size_t known = jobs.size();
      if (options.on_finish) options.on_finish(index);
      // Follow-ups start before the jobs not started yet, in the order appended.
      for (std::size_t i = jobs.size(); i > known; --i)
        pending.push_front(i - 1);
    }
    if (options.on_still_running && clock::now() - last_note >= options.still_running_every) {
      last_note = clock::now();
      for (auto& r : running)
        options.on_still_running(r.index, std::chrono::duration<double>(clock::now() - r.since).count());
    }
    if (!running.empty()) ::usleep(200 * 1000); // a signal cuts it short
  }
  if (failure) std::rethrow_exception(failure);
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

} // namespace ccci::host
