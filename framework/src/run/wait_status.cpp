#include "run/wait_status.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ccci::host {

ServicesSummary summarize_services(const std::vector<ServiceState>& services, std::string_view stack) {
  ServicesSummary out;
  out.settled = !services.empty();
  out.replicas_ready = !services.empty();
  std::vector<std::string> parts;
  for (const auto& s : services) {
    auto short_name =
        s.name.size() > stack.size() && s.name.starts_with(stack) ? s.name.substr(stack.size() + 1) : s.name;
    const bool updating = s.update_state == "updating";
    const bool ok = s.running >= s.desired && s.unhealthy == 0 && s.starting == 0 && !updating;
    out.settled = out.settled && ok;
    out.replicas_ready = out.replicas_ready && s.running >= s.desired;
    std::vector<std::string> notes;
    if (s.unhealthy) notes.push_back(fmt::format("{} unhealthy", s.unhealthy));
    if (s.starting) notes.push_back(fmt::format("{} health: starting", s.starting));
    if (updating) notes.push_back("updating");
    parts.push_back(fmt::format("{} {}/{}{}", short_name, s.running, s.desired,
                                notes.empty() ? "" : fmt::format(" ({})", fmt::join(notes, ", "))));
  }
  out.text = parts.empty() ? "no services yet" : fmt::format("{}", fmt::join(parts, ", "));
  return out;
}

LiveStatus converge_status(const ServicesSummary& services, double elapsed_seconds, const DeployTimeout& timeout) {
  return {fmt::format("converging: {}", services.text),
          fmt::format("{:.0f}s of {}s, deploy timeout from {}", elapsed_seconds, timeout.value.count(),
                      timeout.origin.empty() ? timeout.source : timeout.origin)};
}

std::string runs_of(const std::vector<std::string>& seen) {
  std::vector<std::string> runs;
  for (std::size_t i = 0; i < seen.size();) {
    std::size_t j = i;
    while (j < seen.size() && seen[j] == seen[i])
      ++j;
    runs.push_back(j - i > 1 ? fmt::format("{} ×{}", seen[i], j - i) : seen[i]);
    i = j;
  }
  return fmt::format("{}", fmt::join(runs, ", "));
}

LiveStatus readiness_status(const ReadinessProbe& p, std::size_t probe, std::size_t probes,
                            const std::vector<std::string>& seen, double elapsed_seconds) {
  std::string which = probes > 1 ? fmt::format(" (probe {} of {})", probe, probes) : "";
  std::string want = p.expect_status ? fmt::format("want {}", p.expect_status) : "want an answer from the app";
  std::string state = seen.empty() ? fmt::format("ready: GET {}{}, {}", p.path, which, want)
                                   : fmt::format("ready: GET {}{} → {}, {}", p.path, which, seen.back(), want);
  return {std::move(state),
          fmt::format("attempt {} of {}, {}s apart; seen {}; {:.0f}s", seen.size(), p.attempts, p.interval.count(),
                      seen.empty() ? "nothing yet" : runs_of(seen), elapsed_seconds)};
}

} // namespace ccci::host
