// R011-images-present (abra, error): a service needs an image to run. An
// overlay may leave it to compose.yml, so a service passes when any of the
// recipe's compose files gives it one.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  const auto services = merged_services(compose_views(in));
  for (const auto& s : services) {
    if (s.image && !s.image->empty()) continue;
    problems.push_back(fmt::format("{} service {}: no `image:` in any compose file", at(s.file, s.line), s.name));
    fixes.push_back(fmt::format("add `image: <repository>:<version>` to service {} in {}", s.name, s.file));
  }
  return verdict(problems, fixes, fmt::format("all {} service(s) have an image", services.size()));
}

} // namespace

extern const LintRule R011_images_present{"R011-images-present", Severity::error, "every service has an image", check};

} // namespace ccci::host::lint
