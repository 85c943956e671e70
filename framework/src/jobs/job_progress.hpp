// Which child runs are going (docs/architecture.md, "Reporting"): the one
// line canary and triage print when a run starts or ends and every
// `ChildRunOptions::progress_every` (jobs/child_runs.hpp). Pure.
#pragma once

#include "jobs/child_runs.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ccci::host {

/// "45s", "3m05s", "1h02m".
std::string short_duration(std::chrono::steady_clock::duration d);

/// "running 2 of 12 (5 done, 3m05s in): bad-restore 45s, good-simple 12s",
/// the running ones in the order they started; "stopping: waiting for ..."
/// once a stop request came. `began` is when the first one was started.
std::string running_line(const std::vector<ChildJob>& jobs, std::chrono::steady_clock::time_point now,
                         std::chrono::steady_clock::time_point began, bool stopping);

} // namespace ccci::host
