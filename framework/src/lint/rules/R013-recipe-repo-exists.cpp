// R013-recipe-repo-exists (abra, warning): abra asks git.coopcloud.tech
// whether the recipe's repository exists. That needs the network, so ccci
// lists the rule and never judges it.
#include "lint/helpers.hpp"

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput&) {
  return not_judged("needs the network: abra asks git.coopcloud.tech whether the recipe's repository exists");
}

} // namespace

extern const LintRule R013_recipe_repo_exists{"R013-recipe-repo-exists", Severity::warning,
                                              "the recipe's repository exists on git.coopcloud.tech", check,
                                              /*needs_network=*/true};

} // namespace ccci::host::lint
