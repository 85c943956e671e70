// C004-db-backup-is-a-dump: the files of a running database (postgres,
// mariadb, mysql, mongo) copied while it writes are not a consistent backup.
// Once backupbot.backup=true enables the stack, every volume of every service
// is backed up (docs/architecture.md, "Backup and restore"), so a database's
// live data directory (/var/lib/postgresql/data, /var/lib/mysql, /data/db,
// ..., known by its mount target or its service's image) must not be among
// what the backup takes: its volume needs a `.path` selection of dump files,
// or an exclusion.
#include "backup/hook_text.hpp"
#include "backup/paths.hpp"
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace ccci::host::lint {

namespace {

using namespace std::string_view_literals;

/// Live data directories of the official (and bitnami) images.
constexpr std::array<std::pair<std::string_view, const Engine*>, 9> data_dirs{{
    {"/var/lib/postgresql/data", &postgres},
    {"/var/lib/postgresql", &postgres},
    {"/bitnami/postgresql", &postgres},
    {"/var/lib/mysql", &mysql},
    {"/bitnami/mariadb", &mysql},
    {"/bitnami/mysql", &mysql},
    {"/data/db", &mongo},
    {"/var/lib/mongodb", &mongo},
    {"/bitnami/mongodb", &mongo},
}};

std::string trim_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  return p;
}

/// True when `inner` is `outer` or lies beneath it.
bool within(const std::string& inner, const std::string& outer) {
  return inner == outer || (inner.starts_with(outer) && (outer == "/" || inner[outer.size()] == '/'));
}

const Engine* engine_from_image(const std::string& image) {
  std::string name = parse_image(image).repository;
  if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.find("express") != std::string::npos || name.find("admin") != std::string::npos) return nullptr; // web UIs
  for (auto prefix : {"postgres"sv, "postgis"sv, "pgvector"sv, "pgvecto"sv, "timescaledb"sv})
    if (name.starts_with(prefix)) return &postgres;
  if (name.find("postgres") != std::string::npos) return &postgres; // e.g. immich-app/postgres
  for (auto prefix : {"mariadb"sv, "mysql"sv, "percona"sv})
    if (name.starts_with(prefix)) return &mysql;
  if (name.starts_with("mongo")) return &mongo;
  return nullptr;
}

/// Where a mounted volume keeps live database files: the data directory it
/// holds (the deeper of mount target and known data dir), or "" if none.
struct LiveRoot {
  std::string path;
  const Engine* engine = nullptr;
};

LiveRoot live_root(const std::string& target) {
  const std::string t = trim_slashes(target);
  for (const auto& [dir, engine] : data_dirs) {
    const std::string d(dir);
    if (within(t, d)) return {t, engine};
    if (within(d, t)) return {d, engine};
  }
  return {};
}

/// The absolute path a selected path archives, as seen at `target`.
std::string selected_path(const std::string& target, const std::string& path) {
  const std::string relative = backup_text::normalize(path);
  return relative.empty() ? trim_slashes(target) : trim_slashes(target) + "/" + relative;
}

/// The selected absolute paths of `v` (mounted at `target`) that are, or
/// contain, the live data directory `root` (a whole volume: its mount target).
std::vector<std::string> live_selections(const VolumeSelection& v, const std::string& target, const std::string& root) {
  std::vector<std::string> live;
  if (v.paths.empty()) live.push_back(trim_slashes(target));
  for (const auto& p : v.paths)
    if (std::string abs = selected_path(target, p); within(root, abs)) live.push_back(abs);
  return live;
}

/// A database image whose mounts sit at no known data directory keeps its
/// data somewhere unusual: every whole volume it mounts may be live data.
bool unknown_layout(const BackupPlan& plan, const std::string& service) {
  return std::none_of(plan.volumes.begin(), plan.volumes.end(), [&](const VolumeSelection& v) {
    const auto target = v.target_in(service);
    return !target.empty() && !live_root(target).path.empty();
  });
}

/// The file a pre-hook of `service` already dumps to inside `target`, or "".
std::string hook_dump_in(const BackupPlan& plan, const std::string& service, const std::string& target) {
  for (const auto& hook : plan.hooks_at(HookPoint::backup_pre)) {
    if (hook.service != service) continue;
    for (const auto& file : files_written_by(hook.command))
      if (file.starts_with('/') && within(trim_slashes(file), target) && trim_slashes(file) != target)
        return trim_slashes(file);
  }
  return "";
}

/// The concrete fix for a live-data selection: select the file the pre-hook
/// already dumps to when it lies in this volume, else a conventional name.
std::string dump_selection_fix(const BackupPlan& plan, const VolumeSelection& v, const VolumeMount& m,
                               const Engine& e) {
  const std::string target = trim_slashes(m.target);
  const std::string hook_file = hook_dump_in(plan, m.service, target);
  if (!hook_file.empty())
    return fmt::format("add `backupbot.backup.volumes.{}.path={}` to service {}'s deploy.labels so only the dump "
                       "its pre-hook writes ({}) is archived",
                       v.volume, hook_file.substr(target.size() + 1), m.service, hook_file);
  return fmt::format("add `backupbot.backup.volumes.{}.path={}` to service {}'s deploy.labels so only the dump is "
                     "archived, and have a backupbot.backup.pre-hook on service {} write it with {} to {}/{} (or "
                     "exclude the volume with `backupbot.backup.volumes.{}=false` if it holds nothing to keep)",
                     v.volume, e.dump_file, m.service, m.service, e.dump_tool, target, e.dump_file, v.volume);
}

LintVerdict check(const LintInput& in) {
  const BackupPlan& plan = in.plan;
  if (plan.empty()) return verdict({}, {}, "no backup configured (no service has backupbot.backup=true)");

  std::vector<std::string> problems, fixes, fine;
  for (const auto& v : plan.volumes) {
    for (const auto& m : v.mounts) {
      const ComposeService* svc = find_service(in.compose, m.service);
      const Engine* by_image = svc ? engine_from_image(svc->image) : nullptr;
      LiveRoot root = live_root(m.target);
      if (root.path.empty() && by_image && unknown_layout(plan, m.service)) root = {trim_slashes(m.target), by_image};
      if (root.path.empty()) continue;
      if (by_image) root.engine = by_image; // the image knows better than a path

      const std::vector<std::string> live = live_selections(v, m.target, root.path);
      if (live.empty()) {
        fine.push_back(fmt::format("volume {} (service {}) limited to {}", v.volume, m.service, join(v.paths, ",")));
        break;
      }
      const Engine& e = *root.engine;
      problems.push_back(fmt::format(
          "the backup takes {} of volume {}, which service {} ({}) mounts at {} — the live data directory {} of a "
          "running database, which is not a consistent backup (backupbot.backup=true on service {} backs up every "
          "volume of the stack unless excluded)",
          v.paths.empty() ? std::string("the whole") : join(live, ","), v.volume, m.service, e.name,
          trim_slashes(m.target), root.path, plan.enabled_by.front()));
      fixes.push_back(dump_selection_fix(plan, v, m, e));
      break;
    }
  }
  std::string ok = fine.empty() ? fmt::format("no database data directory among the {} backed-up volume(s) of the "
                                              "stack",
                                              plan.volumes.size())
                                : join(fine, "; ");
  return verdict(problems, fixes, std::move(ok));
}

} // namespace

extern const LintRule db_backup_is_a_dump{
    "C004-db-backup-is-a-dump", Severity::error,
    "a backed-up database volume archives a dump, not the live data directory of the running database", check};

} // namespace ccci::host::lint
