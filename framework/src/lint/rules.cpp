// The one list of lint rules. Adding a rule: its file in lint/rules/, its
// declaration and its place in the list here, and a test of its own.
#include "lint/rule.hpp"

namespace ccci::host {

namespace lint {
extern const LintRule version_label_matches_tag;
extern const LintRule images_pinned;
extern const LintRule secrets_configs_declared;
extern const LintRule db_backup_is_a_dump;
extern const LintRule dump_has_restore_hook;
extern const LintRule backupbot_label_once;
} // namespace lint

std::span<const LintRule* const> lint_rules() {
  // The lint table and the tier's checks follow this order.
  static const LintRule* const all[] = {
      &lint::version_label_matches_tag, &lint::images_pinned,         &lint::secrets_configs_declared,
      &lint::db_backup_is_a_dump,       &lint::dump_has_restore_hook, &lint::backupbot_label_once,
  };
  return all;
}

} // namespace ccci::host
