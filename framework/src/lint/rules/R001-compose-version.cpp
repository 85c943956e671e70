// R001-compose-version (abra, warning): abra expects every compose file to
// declare the compose format it is written for, `version: "3.8"`; a file
// without it, or with another, may be read differently by other tools.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

constexpr std::string_view expected = "3.8";

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  const auto files = compose_views(in);
  for (const auto& f : files) {
    if (f.version == expected) continue;
    problems.push_back(f.version ? fmt::format("{} has `version: \"{}\"`", f.name, *f.version)
                                 : fmt::format("{} has no top-level `version:`", f.name));
    fixes.push_back(fmt::format("put `version: \"{}\"` at the top of {}", expected, f.name));
  }
  return verdict(problems, fixes,
                 fmt::format("{} compose file(s), each with `version: \"{}\"`", files.size(), expected));
}

} // namespace

extern const LintRule R001_compose_version{"R001-compose-version", Severity::warning,
                                           "every compose file has the expected version, `version: \"3.8\"`", check};

} // namespace ccci::host::lint
