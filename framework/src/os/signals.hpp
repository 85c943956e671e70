// How ccci learns it was asked to stop: SIGINT/SIGTERM/SIGHUP set a flag that long
// waits poll, so a stop turns into teardown instead of an abrupt exit. A
// second stop signal escalates: teardown skips its waits and does only what
// is quick (docs/architecture.md, "Stopping").
#pragma once

#include <chrono>
#include <csignal>
#include <string>
#include <sys/types.h>

namespace ccci::host {

/// Set (to the first signal's number) by the SIGINT/SIGTERM/SIGHUP handler
/// that install_stop_handlers() installs.
/// Long waits poll it and give up early; teardown ignores it.
extern volatile std::sig_atomic_t stop_requested;
/// How many stop signals arrived, and the number of the latest.
extern volatile std::sig_atomic_t stop_signals;
extern volatile std::sig_atomic_t last_stop_signal;
void install_stop_handlers();

/// From now on every stop signal this process gets is also sent, once, to
/// `pid` (0: to none): the upgrade chain's process of a run, which leads a
/// process group of its own and so gets no signal meant for the run's group
/// (docs/architecture.md, "Chains"). Safe from a signal handler's view: it
/// only stores the pid.
void forward_stop_signals_to(pid_t pid);

/// Blocks SIGINT, SIGTERM, SIGHUP and cancel_signal, returning the mask
/// before: across a fork, so that the child, whose handlers are not yet
/// installed, cannot die of one (it is pending until restore_signal_mask).
sigset_t block_stop_signals();
void restore_signal_mask(const sigset_t& mask);

/// The signal a run sends its upgrade chain when install did not pass: a
/// stop request like SIGTERM (waits cut short, teardown), whose reason says
/// it was cancelled, not interrupted.
inline constexpr int cancel_signal = SIGUSR1;
/// In the chain's process: cancel_signal becomes a stop request.
void install_cancel_handler();
/// The stop was the run's cancel_signal.
bool cancelled();

/// A second stop signal arrived while ccci was stopping: teardown stops
/// waiting for containers and stops retrying; the sweep's parent SIGKILLs
/// its children after telling them.
bool stop_escalated();

/// Thrown where a wait or a command was cut short by a stop request, for the
/// sequencer to mark the step unver and tear down. `what` names the step
/// ("docker stack deploy"), "" when none was running.
struct Interrupted {
  std::string what;
};

/// "interrupted by SIGTERM": the reason a cut-short step gets.
std::string interrupted_reason();

/// Sleeps up to `d`, waking early when a stop is requested.
void interruptible_sleep(std::chrono::milliseconds d);

/// `"name"` of a signal number, e.g. "SIGSEGV".
std::string signal_name(int sig);

} // namespace ccci::host
