// R008-env-sample (abra, error): `abra app new` copies .env.sample into the
// app's env; a recipe without one cannot be deployed by abra at all.
#include "lint/helpers.hpp"

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  if (!in.tree) return not_judged("the recipe tree was not read");
  if (in.tree->env_sample) return verdict({}, {}, ".env.sample is provided");
  return verdict(
      {".env.sample: missing"},
      {"add a .env.sample with at least TYPE, DOMAIN and COMPOSE_FILE (abra copies it into a new app's env)"}, "");
}

} // namespace

extern const LintRule R008_env_sample{"R008-env-sample", Severity::error, "a .env.sample is provided", check};

} // namespace ccci::host::lint
