// backupbot's labels to a backup plan (backup/plan.hpp).
#include "backup/plan.hpp"
#include "backup/paths.hpp"
#include "model/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

using namespace backup_text;

constexpr std::string_view enable_label = "backupbot.backup";
constexpr std::string_view volume_label_prefix = "backupbot.backup.volumes.";
constexpr std::string_view path_label_suffix = ".path";

// ---------------------------------------------------------------- labels -> plan

/// The compose files by name, for messages about labels (which file set a
/// label is lost once the files are merged).
std::string file_names(const Compose& compose) {
  std::string out;
  for (const auto& f : compose.files)
    out += (out.empty() ? "" : ", ") + fs::path(f).filename().string();
  return out.empty() ? std::string("compose") : out;
}

std::string label(const ComposeService& s, std::string_view key) {
  auto it = s.labels.find(std::string(key));
  return it == s.labels.end() ? std::string{} : std::string(trim(it->second));
}

bool backup_enabled(const ComposeService& s) { return iequals(label(s, enable_label), "true"); }

bool mounts(const ComposeService& s, const std::string& volume) {
  return std::find(s.volumes.begin(), s.volumes.end(), volume) != s.volumes.end();
}

[[noreturn]] void unmounted_volume(const Compose& compose, const ComposeService& s, const std::string& key,
                                   const std::string& volume) {
  std::string mounted;
  for (const auto& v : s.volumes)
    mounted += (mounted.empty() ? "" : ", ") + v;
  throw RecipeDefect(
      fmt::format("{}: service '{}' has the label '{}' for volume '{}', which the service does not mount "
                  "(it mounts {}); fix the volume name in the label or mount the volume in the service",
                  file_names(compose), s.name, key, volume, mounted.empty() ? "no named volume" : mounted));
}

/// "backup.sql, /dumps/, ./x" -> {"backup.sql", "dumps", "x"}. A path that
/// climbs out of the volume (..) could never be in the volume's backup.
std::vector<std::string> label_paths(const Compose& compose, const ComposeService& s, const std::string& key,
                                     std::string_view value) {
  std::vector<std::string> paths;
  while (true) {
    const auto comma = value.find(',');
    const auto item = trim(value.substr(0, comma));
    for (auto part : components(item))
      if (part == "..")
        throw RecipeDefect(fmt::format("{}: service '{}', label '{}': the path '{}' leaves the volume; "
                                       "give paths relative to the volume root, e.g. backup.sql or dumps/",
                                       file_names(compose), s.name, key, item));
    auto path = normalize(item);
    // An empty item or "." means the volume root: the whole volume, no limit.
    if (!path.empty() && std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return paths;
}

ServiceBackup plan_service(const Compose& compose, const ComposeService& s) {
  ServiceBackup backup;
  backup.service = s.name;
  backup.pre_hook = label(s, "backupbot.backup.pre-hook");
  backup.post_hook = label(s, "backupbot.backup.post-hook");
  backup.restore_pre_hook = label(s, "backupbot.restore.pre-hook");
  backup.restore_post_hook = label(s, "backupbot.restore.post-hook");

  std::map<std::string, std::vector<std::string>> limits;
  std::set<std::string> excluded;
  for (const auto& [key, value] : s.labels) {
    if (!key.starts_with(volume_label_prefix)) continue;
    std::string volume = key.substr(volume_label_prefix.size());
    const bool path_label = volume.ends_with(path_label_suffix);
    if (path_label) volume.resize(volume.size() - path_label_suffix.size());
    // Any volume label naming a volume the service lacks is a typo that
    // would silently back up the wrong thing (or nothing).
    if (!mounts(s, volume)) unmounted_volume(compose, s, key, volume);
    if (path_label)
      limits[volume] = label_paths(compose, s, key, value);
    else if (iequals(trim(value), "false"))
      excluded.insert(volume);
  }

  for (const auto& volume : s.volumes) {
    if (excluded.count(volume)) {
      backup.excluded.push_back(volume);
      continue;
    }
    auto target = s.volume_targets.find(volume);
    backup.volumes.push_back(
        VolumeSelection{volume, target == s.volume_targets.end() ? std::string{} : target->second, limits[volume]});
  }
  return backup;
}

} // namespace

// ---------------------------------------------------------------- plan

BackupPlan plan_backup(const Compose& compose, const std::string& stack) {
  BackupPlan plan;
  plan.stack = stack;
  for (const auto& s : compose.services)
    if (backup_enabled(s)) plan.services.push_back(plan_service(compose, s));
  return plan;
}

std::string archive_volume_root(const std::string& stack, const std::string& volume) {
  return fmt::format("{}{}_{}/_data", volumes_dir, stack, volume);
}

} // namespace ccci::host
