// The one list of lint rules. Adding a rule: its file in lint/rules/<id>.cpp,
// its declaration and its place in the list here, its file in
// framework/CMakeLists.txt, and tests of its own (docs/architecture.md).
#include "lint/rule.hpp"

namespace ccci::host {

namespace lint {
// abra's `abra recipe lint` rules, with abra's codes and severities.
extern const LintRule R001_compose_version;
extern const LintRule R002_healthchecks;
extern const LintRule R003_images_tagged;
extern const LintRule R004_no_unstable_tags;
extern const LintRule R005_semver_like_tags;
extern const LintRule R006_published_catalogue_version;
extern const LintRule R007_readme_metadata;
extern const LintRule R008_env_sample;
extern const LintRule R009_one_service_named_app;
extern const LintRule R010_traefik_enabled;
extern const LintRule R011_images_present;
extern const LintRule R012_config_versions_vendored;
extern const LintRule R013_recipe_repo_exists;
extern const LintRule R014_annotated_tags;
extern const LintRule R015_short_secret_names;
// ccci's own rules.
extern const LintRule C001_version_label_matches_tag;
extern const LintRule C002_images_pinned;
extern const LintRule C003_secrets_configs_declared;
extern const LintRule db_backup_is_a_dump;
extern const LintRule dump_has_restore_hook;
extern const LintRule backupbot_label_once;
} // namespace lint

std::span<const LintRule* const> lint_rules() {
  // The lint table and the tier's checks follow this order.
  static const LintRule* const all[] = {
      &lint::R001_compose_version,       &lint::R002_healthchecks,
      &lint::R003_images_tagged,         &lint::R004_no_unstable_tags,
      &lint::R005_semver_like_tags,      &lint::R006_published_catalogue_version,
      &lint::R007_readme_metadata,       &lint::R008_env_sample,
      &lint::R009_one_service_named_app, &lint::R010_traefik_enabled,
      &lint::R011_images_present,        &lint::R012_config_versions_vendored,
      &lint::R013_recipe_repo_exists,    &lint::R014_annotated_tags,
      &lint::R015_short_secret_names,    &lint::C001_version_label_matches_tag,
      &lint::C002_images_pinned,         &lint::C003_secrets_configs_declared,
      &lint::db_backup_is_a_dump,        &lint::dump_has_restore_hook,
      &lint::backupbot_label_once,
  };
  return all;
}

} // namespace ccci::host
