// R009-one-service-named-app (abra, error): abra talks to a recipe's `app`
// service (its version label, its deploy timeout, `abra app run`), so one
// service must carry that name.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  const auto services = merged_services(compose_views(in));
  auto app = std::find_if(services.begin(), services.end(), [](const MergedService& s) { return s.name == "app"; });
  if (app != services.end())
    return verdict({}, {}, fmt::format("service app is defined in {}", at(app->file, app->line)));
  std::vector<std::string> names;
  for (const auto& s : services)
    names.push_back(s.name);
  return verdict({fmt::format("no service is named `app` (services: {})", names.empty() ? "none" : join(names, ", "))},
                 {fmt::format("rename the main service{} to `app` in compose.yml",
                              names.empty() ? "" : fmt::format(" ({})", names.front()))},
                 "");
}

} // namespace

extern const LintRule R009_one_service_named_app{"R009-one-service-named-app", Severity::error,
                                                 "one service is named `app`", check};

} // namespace ccci::host::lint
