// R006-published-catalogue-version (abra, warning): abra asks the recipe
// catalogue (recipes.coopcloud.tech) whether a version is published. That
// needs the network, and a test run must not depend on it or on the
// catalogue's day, so ccci lists the rule and never judges it.
#include "lint/helpers.hpp"

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput&) {
  return not_judged("needs the network: abra asks the recipe catalogue whether a version is published");
}

} // namespace

extern const LintRule R006_published_catalogue_version{"R006-published-catalogue-version", Severity::warning,
                                                       "the recipe has a version published in the catalogue", check,
                                                       /*needs_network=*/true};

} // namespace ccci::host::lint
