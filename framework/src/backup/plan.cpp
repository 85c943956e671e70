// backupbot's labels to a backup plan for the stack (backup/plan.hpp).
#include "backup/plan.hpp"
#include "backup/paths.hpp"
#include "model/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

using namespace backup_text;

constexpr std::string_view enable_label = "backupbot.backup";
constexpr std::string_view volume_label_prefix = "backupbot.backup.volumes.";
constexpr std::string_view path_label_suffix = ".path";
constexpr HookPoint all_points[] = {HookPoint::backup_pre, HookPoint::backup_post, HookPoint::restore_pre,
                                    HookPoint::restore_post};

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

/// Every named volume of the stack, in the order services mount them, with
/// the services that mount it.
std::vector<VolumeSelection> stack_volumes(const Compose& compose) {
  std::vector<VolumeSelection> out;
  for (const auto& s : compose.services)
    for (const auto& volume : s.volumes) {
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& v) { return v.volume == volume; });
      if (it == out.end()) it = out.insert(out.end(), VolumeSelection{volume, {}, {}});
      auto target = s.volume_targets.find(volume);
      it->mounts.push_back({s.name, target == s.volume_targets.end() ? std::string{} : target->second});
    }
  return out;
}

[[noreturn]] void unmounted_volume(const Compose& compose, const ComposeService& s, const std::string& key,
                                   const std::string& volume, const std::vector<VolumeSelection>& volumes) {
  std::string mounted;
  for (const auto& v : volumes)
    mounted += (mounted.empty() ? "" : ", ") + v.volume;
  throw RecipeDefect(fmt::format("{}: service '{}' has the label '{}' for volume '{}', which no service of the stack "
                                 "mounts (the stack mounts {}); fix the volume name in the label or mount the volume",
                                 file_names(compose), s.name, key, volume,
                                 mounted.empty() ? "no named volume" : mounted));
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

/// What the volume labels of every service say, by volume: the labels are
/// the stack's, wherever they sit.
struct VolumeLabels {
  std::set<std::string> excluded;
  std::map<std::string, std::vector<std::string>> paths; ///< a path label's paths ({} = the whole volume)
};

VolumeLabels read_volume_labels(const Compose& compose, const std::vector<VolumeSelection>& volumes) {
  VolumeLabels out;
  for (const auto& s : compose.services)
    for (const auto& [key, value] : s.labels) {
      if (!key.starts_with(volume_label_prefix)) continue;
      std::string volume = key.substr(volume_label_prefix.size());
      const bool path_label = volume.ends_with(path_label_suffix);
      if (path_label) volume.resize(volume.size() - path_label_suffix.size());
      // A label naming a volume the stack lacks is a typo that would
      // silently back up the wrong thing (or nothing).
      if (std::none_of(volumes.begin(), volumes.end(), [&](const auto& v) { return v.volume == volume; }))
        unmounted_volume(compose, s, key, volume, volumes);
      if (path_label) {
        // Two services limiting one volume: the backup takes both selections.
        auto paths = label_paths(compose, s, key, value);
        auto [it, fresh] = out.paths.try_emplace(volume, paths);
        if (!fresh && (it->second.empty() || paths.empty()))
          it->second.clear();
        else if (!fresh)
          for (auto& p : paths)
            if (std::find(it->second.begin(), it->second.end(), p) == it->second.end()) it->second.push_back(p);
      } else if (iequals(trim(value), "false")) {
        out.excluded.insert(volume);
      }
    }
  return out;
}

} // namespace

// ---------------------------------------------------------------- plan

std::string_view label_of(HookPoint point) {
  switch (point) {
  case HookPoint::backup_pre: return "backupbot.backup.pre-hook";
  case HookPoint::backup_post: return "backupbot.backup.post-hook";
  case HookPoint::restore_pre: return "backupbot.restore.pre-hook";
  case HookPoint::restore_post: return "backupbot.restore.post-hook";
  }
  return "?";
}

std::string_view check_prefix_of(HookPoint point) {
  switch (point) {
  case HookPoint::backup_pre: return "backup/pre-hook";
  case HookPoint::backup_post: return "backup/post-hook";
  case HookPoint::restore_pre: return "restore/pre-hook";
  case HookPoint::restore_post: return "restore/post-hook";
  }
  return "?";
}

std::string VolumeSelection::target_in(std::string_view service) const {
  for (const auto& m : mounts)
    if (m.service == service) return m.target;
  return {};
}

std::vector<BackupHook> BackupPlan::hooks_at(HookPoint point) const {
  std::vector<BackupHook> out;
  std::copy_if(hooks.begin(), hooks.end(), std::back_inserter(out), [&](const auto& h) { return h.point == point; });
  return out;
}

BackupPlan plan_backup(const Compose& compose, const std::string& stack) {
  BackupPlan plan;
  plan.stack = stack;
  for (const auto& s : compose.services)
    if (backup_enabled(s)) plan.enabled_by.push_back(s.name);
  if (plan.empty()) return plan;

  auto volumes = stack_volumes(compose);
  const auto labels = read_volume_labels(compose, volumes);
  for (auto& v : volumes) {
    if (labels.excluded.count(v.volume)) {
      plan.excluded.push_back(v.volume);
      continue;
    }
    if (auto it = labels.paths.find(v.volume); it != labels.paths.end()) v.paths = it->second;
    plan.volumes.push_back(std::move(v));
  }
  for (const auto& s : compose.services)
    for (auto point : all_points)
      if (auto command = label(s, label_of(point)); !command.empty())
        plan.hooks.push_back({s.name, point, std::move(command)});
  return plan;
}

std::string archive_volume_root(const std::string& stack, const std::string& volume) {
  return fmt::format("{}{}_{}/_data", volumes_dir, stack, volume);
}

std::string hook_script(std::string_view hook) {
  std::string_view body = trim(hook);
  for (std::string_view shell : {"sh -c", "bash -c"})
    if (body.starts_with(shell) &&
        (body.size() == shell.size() || body[shell.size()] == ' ' || body[shell.size()] == '\t')) {
      body = trim(body.substr(shell.size()));
      break;
    }
  // One pair of outer quotes, as backupbot strips them: the first and last
  // characters, whether or not they quote the same word.
  if (body.size() >= 2 && body.front() == body.back() && (body.front() == '\'' || body.front() == '"'))
    body = body.substr(1, body.size() - 2);
  return fmt::format("set -o pipefail;{}", body);
}

} // namespace ccci::host
