// R002-healthchecks (abra, warning): a service without a healthcheck is
// "running" as soon as its process starts, so a deploy converges on an app
// that does not answer yet, or at all. Any compose file may set it.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  const auto services = merged_services(compose_views(in));
  for (const auto& s : services) {
    if (s.healthcheck.value_or(false)) continue;
    problems.push_back(fmt::format("{} service {}: {}", at(s.file, s.line), s.name,
                                   s.healthcheck ? "healthcheck disabled" : "no healthcheck"));
    fixes.push_back(fmt::format("give service {} a `healthcheck:` with a `test:` that proves it answers", s.name));
  }
  return verdict(problems, fixes, fmt::format("all {} service(s) have a healthcheck enabled", services.size()));
}

} // namespace

extern const LintRule R002_healthchecks{"R002-healthchecks", Severity::warning,
                                        "every service has a healthcheck enabled", check};

} // namespace ccci::host::lint
