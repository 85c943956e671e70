// The lint tier: static rules over a recipe at the exact ref, no deploy.
#pragma once

#include "backup/plan.hpp"
#include "recipe/compose.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

struct LintFinding {
  std::string rule;     ///< e.g. "version-label-matches-tag"
  std::string severity; ///< "error" (fails the tier) or "warning"
  bool satisfied = false;
  std::string detail; ///< what was seen, naming services/labels/files
  std::string fix;    ///< how to fix, concrete
};

/// Applies every rule (each rule yields exactly one finding, satisfied or not):
/// - version-label-matches-tag (error): a `coop-cloud.*.version` label
///   exists and equals `tag` when testing a release tag (satisfied with a
///   note when `tag` is empty: not a release);
/// - images-pinned (error): every service image has an explicit tag that is
///   not `latest` (a digest counts as pinned);
/// - secrets-configs-declared (error): every secret and config a service uses
///   is declared at top level (load_compose already refuses otherwise, so this
///   is satisfied whenever a Compose exists; kept so the table lists it);
/// - db-backup-is-a-dump (error): a database service (image or mount target
///   looks like postgres/mariadb/mysql/mongo: /var/lib/postgresql/data,
///   /var/lib/mysql, /data/db) with backupbot.backup=true must not back up
///   its live data directory — its volume needs a `.path` selection of dump
///   files, not the whole volume;
/// - dump-has-restore-hook (error): a service whose backup pre-hook produces
///   a dump (pg_dump, mysqldump, mariadb-dump, mongodump) must have a
///   backupbot.restore.post-hook (or pre-hook) that loads it.
std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag);

/// A fixed-width table: rule | severity | satisfied | detail / how to fix.
std::string lint_table(const std::vector<LintFinding>& findings);

} // namespace ccci::host
