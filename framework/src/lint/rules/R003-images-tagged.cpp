// R003-images-tagged (abra, warning): an image without a tag deploys
// whatever `latest` is that day. abra asks for a tag even beside a digest,
// since the tag is what people and upgrade tools read.
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
      if (!ref.tag.empty()) continue;
      problems.push_back(fmt::format("{} service {}: image `{}` has no tag{}", at(f.name, s.line), s.name, *s.image,
                                     ref.digest ? " (only a digest)" : ""));
      fixes.push_back(fmt::format("name a tag in {}: `{}:<version>`", f.name, ref.repository));
    }
  }
  return verdict(problems, fixes, fmt::format("all {} image(s) name a tag", images));
}

} // namespace

extern const LintRule R003_images_tagged{"R003-images-tagged", Severity::warning, "every image names a tag", check};

} // namespace ccci::host::lint
