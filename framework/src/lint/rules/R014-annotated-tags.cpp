// R014-annotated-tags (abra, error): abra reads a recipe's versions from its
// annotated tags (a tag object, with a message); a lightweight tag is a bare
// ref that abra refuses as a recipe version.
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  if (!in.tags)
    return not_judged(in.tags_error.empty()
                          ? "the repository's tags were not read"
                          : fmt::format("the repository's tags could not be read: {}", in.tags_error));
  std::vector<std::string> lightweight;
  for (const auto& t : *in.tags)
    if (!t.annotated) lightweight.push_back(t.name);
  if (lightweight.empty())
    return verdict({}, {},
                   in.tags->empty() ? "the repository has no tags yet"
                                    : fmt::format("all {} tag(s) are annotated", in.tags->size()));
  std::vector<std::string> fixes;
  for (const auto& t : lightweight)
    fixes.push_back(fmt::format("`git tag -a -f -m {0} {0} {0}^{{commit}}`", t));
  return verdict({fmt::format("lightweight tag(s), not annotated: {}", join(lightweight, ", "))},
                 {fmt::format("re-create each as an annotated tag and push it with --force: {}", join(fixes, ", "))},
                 "");
}

} // namespace

extern const LintRule R014_annotated_tags{"R014-annotated-tags", Severity::error,
                                          "every tag of the repository is annotated (recipe versions)", check};

} // namespace ccci::host::lint
