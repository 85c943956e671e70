// R010-traefik-enabled (abra, error): a Co-op Cloud app is reached through
// Traefik by its domain; without `traefik.enable=true` on a service, Traefik
// routes nothing to the app.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  const auto services = merged_services(compose_views(in));
  for (const auto& s : services) {
    auto it = s.labels.find("traefik.enable");
    if (it != s.labels.end() && it->second == "true")
      return verdict({}, {}, fmt::format("service {} has `traefik.enable=true`", s.name));
  }
  return verdict({"no service has the deploy label `traefik.enable=true`"},
                 {"add `traefik.enable=true` (and its router and service labels) to the app service's deploy.labels"},
                 "");
}

} // namespace

extern const LintRule R010_traefik_enabled{"R010-traefik-enabled", Severity::error,
                                           "Traefik routing is enabled (`traefik.enable=true` on a service)", check};

} // namespace ccci::host::lint
