// backupbot's labels to a backup plan for the whole stack: which volumes (and
// which paths of them) a backup takes, and the hooks around it, in the order
// they run. Pure. The semantics are docs/architecture.md, "Backup and
// restore: backupbot's semantics".
#pragma once

#include "recipe/compose.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// Where a backupbot hook runs: its label says.
enum class HookPoint { backup_pre, backup_post, restore_pre, restore_post };
/// "backupbot.backup.pre-hook", ...
std::string_view label_of(HookPoint point);
/// "backup/pre-hook", "restore/post-hook", ...: the check name, less ":<service>".
std::string_view check_prefix_of(HookPoint point);

/// One hook label of one service. It runs in that service's running
/// container, with its environment.
struct BackupHook {
  std::string service;
  HookPoint point = HookPoint::backup_pre;
  std::string command; ///< the label's value, as written
};

/// A service mounting a volume, and where.
struct VolumeMount {
  std::string service;
  std::string target; ///< e.g. "/var/lib/postgresql/data"
};

/// One volume the backup takes: once, however many services mount it.
struct VolumeSelection {
  std::string volume;              ///< compose key, e.g. "db"
  std::vector<VolumeMount> mounts; ///< every service mounting it, in compose order; never empty
  std::vector<std::string> paths;  ///< relative to the volume root; empty = the whole volume

  /// The copy goes through the first service that mounts the volume.
  const std::string& service() const { return mounts.front().service; }
  const std::string& target() const { return mounts.front().target; }
  /// Where `service` mounts this volume, or "" when it does not.
  std::string target_in(std::string_view service) const;
};

struct BackupPlan {
  std::string stack;
  std::vector<std::string> enabled_by;  ///< services with backupbot.backup=true, in compose order
  std::vector<VolumeSelection> volumes; ///< every named volume of the stack not excluded, in mount order
  std::vector<std::string> excluded;    ///< volumes excluded with backupbot.backup.volumes.<vol>=false
  std::vector<BackupHook> hooks;        ///< every hook label, in compose service order
  /// No service has backupbot.backup=true: the stack is not backed up.
  bool empty() const { return enabled_by.empty(); }
  /// The hooks of one point, in the order they run (compose service order).
  std::vector<BackupHook> hooks_at(HookPoint point) const;
};

/// Reads backupbot labels (deploy.labels, list or map form — already a map
/// in ComposeService). `backupbot.backup=true` on any service enables the
/// stack: every named volume of every service is included, once, unless
/// `backupbot.backup.volumes.<vol>=false`; `backupbot.backup.volumes.<vol>.path=a,b`
/// limits it to those paths (comma-separated, relative, leading "/" or "./"
/// stripped). Volume labels and hooks may sit on any service. A volume label
/// naming a volume no service mounts, or a path leaving the volume, throws
/// RecipeDefect naming the service, the label and the volume. Without the
/// enabling label the plan is empty (and holds nothing else).
BackupPlan plan_backup(const Compose& compose, const std::string& stack);

/// "var/lib/docker/volumes/<stack>_<volume>/_data"
std::string archive_volume_root(const std::string& stack, const std::string& volume);

/// The script backupbot runs for a hook, given to `bash -c`: a leading
/// `sh -c` / `bash -c` and then one pair of outer quotes stripped, behind
/// `set -o pipefail;` so a failure inside a pipe is the hook's failure.
std::string hook_script(std::string_view hook);

} // namespace ccci::host
