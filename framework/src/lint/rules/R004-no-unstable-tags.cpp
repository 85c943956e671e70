// R004-no-unstable-tags (abra, warning): `latest` moves, so a release that
// names it deploys different software on different days.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t tagged = 0;
  for (const auto& f : compose_views(in)) {
    for (const auto& s : f.services) {
      if (!s.image) continue;
      const ImageRef ref = parse_image(*s.image);
      if (ref.tag.empty()) continue;
      ++tagged;
      if (ref.tag != "latest") continue;
      problems.push_back(fmt::format("{} service {}: image `{}` uses the unstable tag `latest`", at(f.name, s.line),
                                     s.name, *s.image));
      fixes.push_back(
          fmt::format("replace `latest` in {} by the release it is today, `{}:<version>`", f.name, ref.repository));
    }
  }
  return verdict(problems, fixes, fmt::format("none of {} tagged image(s) uses `latest`", tagged));
}

} // namespace

extern const LintRule R004_no_unstable_tags{"R004-no-unstable-tags", Severity::warning,
                                            "no image uses the unstable tag `latest`", check};

} // namespace ccci::host::lint
