#include "os/signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace ccci::host {

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t stop_signals = 0;
volatile std::sig_atomic_t last_stop_signal = 0;

namespace {
volatile std::sig_atomic_t forward_to = 0;

void on_stop_signal(int sig) {
  if (!stop_requested) stop_requested = sig;
  if (stop_signals < 1000) stop_signals = stop_signals + 1;
  last_stop_signal = sig;
  if (forward_to > 0) ::kill(static_cast<pid_t>(forward_to), sig);
}
} // namespace

void forward_stop_signals_to(pid_t pid) { forward_to = pid; }

void install_cancel_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ::sigaction(cancel_signal, &sa, nullptr);
}

sigset_t block_stop_signals() {
  sigset_t block, old;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, cancel_signal})
    sigaddset(&block, sig);
  ::sigprocmask(SIG_BLOCK, &block, &old);
  return old;
}

void restore_signal_mask(const sigset_t& mask) { ::sigprocmask(SIG_SETMASK, &mask, nullptr); }

bool cancelled() { return stop_requested == cancel_signal; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: blocking calls return EINTR and we notice
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  // A closed terminal or ssh session: its default action would kill ccci
  // mid-deploy and leave the stack behind.
  ::sigaction(SIGHUP, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

bool stop_escalated() { return stop_requested && stop_signals >= 2; }

std::string interrupted_reason() {
  if (cancelled()) return "cancelled: install did not pass on the other stack";
  return fmt::format("interrupted by {}", signal_name(stop_requested ? static_cast<int>(stop_requested) : SIGTERM));
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

} // namespace ccci::host
