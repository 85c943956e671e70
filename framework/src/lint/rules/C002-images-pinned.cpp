// C002-images-pinned (ccci, error): an image without a tag, or with
// `latest`, is whatever the registry holds on the day of the deploy, so the
// same release can deploy different software. A digest names exactly one
// image and counts as pinned. abra's R003/R004 only warn; ccci refuses, since
// a test of such a release proves nothing about the next deploy of it. Every
// compose file counts: an overlay's image is deployed when it is selected.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t images = 0;
  for (const auto& f : compose_views(in)) {
    for (const auto& s : f.services) {
      if (!s.image) continue;
      ++images;
      const ImageRef ref = parse_image(*s.image);
      if (ref.digest) continue;
      std::string why;
      if (ref.tag.empty())
        why = "has no tag, so docker pulls `latest`";
      else if (ref.tag == "latest")
        why = "uses the moving `latest` tag";
      else
        continue;
      problems.push_back(fmt::format("{} service {}: image `{}` {}", at(f.name, s.line), s.name, *s.image, why));
      fixes.push_back(fmt::format("pin service {}'s image in {} to a version tag, e.g. `{}:<version>` (or a digest "
                                  "`{}@sha256:<digest>`), so the release deploys the same image every time",
                                  s.name, f.name, ref.repository, ref.repository));
    }
  }
  return verdict(problems, fixes, fmt::format("all {} image(s) carry an explicit version tag or digest", images));
}

} // namespace

extern const LintRule C002_images_pinned{"C002-images-pinned", Severity::error,
                                         "every service image has an explicit tag that is not `latest`, or a digest",
                                         check};

} // namespace ccci::host::lint
