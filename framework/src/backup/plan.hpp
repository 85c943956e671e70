// backupbot's labels to a backup plan: which services' volumes (and which
// paths of them) a backup takes, and the hooks around it. Pure.
#pragma once

#include "recipe/compose.hpp"

#include <string>
#include <vector>

namespace ccci::host {

/// One volume of a service to back up.
struct VolumeSelection {
  std::string volume;             ///< compose key, e.g. "db"
  std::string target;             ///< where the service mounts it, e.g. "/var/lib/postgresql/data"
  std::vector<std::string> paths; ///< relative to the volume root; empty = the whole volume
};

struct ServiceBackup {
  std::string service;                             ///< compose service name
  std::string pre_hook, post_hook;                 ///< backupbot.backup.pre-hook / post-hook ("" = none)
  std::string restore_pre_hook, restore_post_hook; ///< backupbot.restore.pre-hook / post-hook
  std::vector<VolumeSelection> volumes;            ///< included volumes, in the service's order
  std::vector<std::string> excluded;               ///< volumes excluded with backupbot.backup.volumes.<vol>=false
};

struct BackupPlan {
  std::string stack;
  std::vector<ServiceBackup> services; ///< only services with backupbot.backup=true
  bool empty() const { return services.empty(); }
};

/// Reads backupbot labels (deploy.labels, list or map form — already a map
/// in ComposeService): `backupbot.backup=true` enables a service; all its
/// named volumes are included unless `backupbot.backup.volumes.<vol>=false`;
/// `backupbot.backup.volumes.<vol>.path=a,b` limits a volume to those paths
/// (comma-separated, relative, leading "/" or "./" stripped). A path label or
/// exclusion naming a volume the service does not mount throws RecipeDefect
/// naming the service, the label and the volume.
BackupPlan plan_backup(const Compose& compose, const std::string& stack);

/// "var/lib/docker/volumes/<stack>_<volume>/_data"
std::string archive_volume_root(const std::string& stack, const std::string& volume);

} // namespace ccci::host
