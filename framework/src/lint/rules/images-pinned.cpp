// images-pinned: an image without a tag, or with `latest`, is whatever the
// registry holds on the day of the deploy, so the same release can deploy
// different software. A digest names exactly one image and counts as pinned.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  for (const auto& s : in.compose.services) {
    const ImageRef ref = parse_image(s.image);
    if (ref.digest) continue;
    std::string why;
    if (ref.tag.empty())
      why = "has no tag, so docker pulls `latest`";
    else if (ref.tag == "latest")
      why = "uses the moving `latest` tag";
    else
      continue;
    problems.push_back(fmt::format("service {}: image `{}` {}", s.name, s.image, why));
    fixes.push_back(fmt::format("pin service {}'s image to a version tag, e.g. `{}:<version>` (or a digest "
                                "`{}@sha256:<digest>`), so the release deploys the same image every time",
                                s.name, ref.repository, ref.repository));
  }
  return verdict(
      problems, fixes,
      fmt::format("all {} service image(s) carry an explicit version tag or digest", in.compose.services.size()));
}

} // namespace

extern const LintRule images_pinned{"images-pinned", Severity::error,
                                    "every service image has an explicit tag that is not `latest`, or a digest", check};

} // namespace ccci::host::lint
