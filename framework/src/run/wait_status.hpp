// What a wait shows while it waits (docs/architecture.md, "Reporting"): the
// services' counts while converging, the probe's attempts while waiting for
// readiness. Pure: the steps (run/steps.cpp) feed it what they saw.
#pragma once

#include "recipe/meta.hpp"
#include "report/listener.hpp"
#include "swarm/swarm.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

struct ServicesSummary {
  /// "app 0/1 (1 health: starting), db 1/1", or "no services yet"
  std::string text;
  /// Every service runs as many tasks as it wants, none unhealthy or still
  /// starting its healthcheck, none updating.
  bool settled = false;
  /// Every service runs as many tasks as it wants, whatever else is awaited.
  bool replicas_ready = false;
};

/// The services of `stack` as converge reports them, by their short names.
ServicesSummary summarize_services(const std::vector<ServiceState>& services, std::string_view stack);

/// "converging: <services>" against "12s of 300s, deploy timeout from the meta".
LiveStatus converge_status(const ServicesSummary& services, double elapsed_seconds, const DeployTimeout& timeout);

/// One readiness probe's wait: what was last seen is the news; the attempt
/// of how many, every answer so far (runs of the same one counted) and the
/// time spent are its clock. `probe` is 1-based, of `probes`.
LiveStatus readiness_status(const ReadinessProbe& p, std::size_t probe, std::size_t probes,
                            const std::vector<std::string>& seen, double elapsed_seconds);

/// "no answer ×3, 502 ×2, 200": runs of the same answer, counted.
std::string runs_of(const std::vector<std::string>& seen);

} // namespace ccci::host
