// R005-semver-like-tags (abra, warning): abra orders image tags to propose
// upgrades; only a version-like tag (`1.2.3`, `v1.2`, `15-alpine`) can be
// ordered, so a tag like `bookworm` is never upgraded by tooling.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <regex>

namespace ccci::host::lint {

namespace {

bool semver_like(const std::string& tag) {
  // A number, up to three more dot-separated numbers, and an optional
  // suffix after `-`, `+`, `_` or `.` (a variant such as `-alpine`).
  static const std::regex re(R"(v?[0-9]+(\.[0-9]+){0,3}([-+_.][0-9A-Za-z][0-9A-Za-z.+_-]*)?)");
  return std::regex_match(tag, re);
}

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t tagged = 0;
  for (const auto& f : compose_views(in)) {
    for (const auto& s : f.services) {
      if (!s.image) continue;
      const ImageRef ref = parse_image(*s.image);
      if (ref.tag.empty() || ref.tag == "latest") continue; // R003 and R004 say so
      ++tagged;
      if (semver_like(ref.tag)) continue;
      problems.push_back(fmt::format("{} service {}: image `{}` has tag `{}`, which is not semver-like",
                                     at(f.name, s.line), s.name, *s.image, ref.tag));
      fixes.push_back(
          fmt::format("use a version tag for service {} in {}, e.g. `{}:1.2.3`", s.name, f.name, ref.repository));
    }
  }
  return verdict(problems, fixes, fmt::format("all {} tag(s) are semver-like", tagged));
}

} // namespace

extern const LintRule R005_semver_like_tags{"R005-semver-like-tags", Severity::warning,
                                            "every image tag is semver-like (`1.2.3`, `v1.2`, `15-alpine`)", check};

} // namespace ccci::host::lint
