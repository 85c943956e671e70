// How ccci learns it was asked to stop: SIGINT/SIGTERM/SIGHUP set a flag that long
// waits poll, so a stop turns into teardown instead of an abrupt exit.
#pragma once

#include <chrono>
#include <csignal>
#include <string>

namespace ccci::host {

/// Set (to the signal's number) by the SIGINT/SIGTERM/SIGHUP handler that
/// install_stop_handlers() installs.
/// Long waits poll it and give up early; teardown ignores it.
extern volatile std::sig_atomic_t stop_requested;
void install_stop_handlers();

/// Sleeps up to `d`, waking early when a stop is requested.
void interruptible_sleep(std::chrono::milliseconds d);

/// `"name"` of a signal number, e.g. "SIGSEGV".
std::string signal_name(int sig);

} // namespace ccci::host
