#include "jobs/job_progress.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace ccci::host {

std::string short_duration(std::chrono::steady_clock::duration d) {
  const long long s = std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(d).count());
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

std::string running_line(const std::vector<ChildJob>& jobs, std::chrono::steady_clock::time_point now,
                         std::chrono::steady_clock::time_point began, bool stopping) {
  std::vector<const ChildJob*> running;
  std::size_t done = 0;
  for (const auto& j : jobs) {
    if (j.finished)
      ++done;
    else if (j.started)
      running.push_back(&j);
  }
  std::stable_sort(running.begin(), running.end(),
                   [](const ChildJob* a, const ChildJob* b) { return a->started_at < b->started_at; });
  std::vector<std::string> names;
  for (const auto* j : running)
    names.push_back(fmt::format("{} {}", j->label.empty() ? j->log.stem().string() : j->label,
                                short_duration(now - j->started_at)));
  return fmt::format("{}{} of {} ({} done, {} in){}{}", stopping ? "stopping: waiting for " : "running ",
                     running.size(), jobs.size(), done, short_duration(now - began), names.empty() ? "" : ": ",
                     fmt::join(names, ", "));
}

} // namespace ccci::host
