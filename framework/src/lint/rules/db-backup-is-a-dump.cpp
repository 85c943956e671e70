// db-backup-is-a-dump: the files of a running database (postgres, mariadb,
// mysql, mongo) copied while it writes are not a consistent backup. A
// database service with backupbot.backup=true must therefore not archive its
// live data directory (/var/lib/postgresql/data, /var/lib/mysql, /data/db,
// ...), known by its mount target or its image: its volume needs a `.path`
// selection of dump files, not the whole volume.
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

/// Where a backed-up volume keeps live database files: the data directory
/// it holds (the deeper of mount target and known data dir), or "" if none.
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

/// The absolute path a selection entry archives, "" / "." meaning the whole volume.
std::string selected_path(const std::string& target, std::string path) {
  while (path.starts_with("./"))
    path.erase(0, 2);
  while (path.starts_with('/'))
    path.erase(0, 1);
  path = trim_slashes(path);
  if (path.empty() || path == ".") return trim_slashes(target);
  return trim_slashes(target) + "/" + path;
}

std::vector<std::string> service_names(const BackupPlan& plan) {
  std::vector<std::string> names;
  for (const auto& sb : plan.services)
    names.push_back(sb.service);
  return names;
}

/// The selected absolute paths of `v` that are, or contain, the live data
/// directory `root` (a whole-volume selection is its mount target).
std::vector<std::string> live_selections(const VolumeSelection& v, const std::string& root) {
  std::vector<std::string> live;
  if (v.paths.empty()) live.push_back(trim_slashes(v.target));
  for (const auto& p : v.paths)
    if (std::string abs = selected_path(v.target, p); within(root, abs)) live.push_back(abs);
  return live;
}

/// The concrete fix for a live-data selection: select the file the pre-hook
/// already dumps to when it lies in this volume, else a conventional name.
std::string dump_selection_fix(const ServiceBackup& sb, const VolumeSelection& v, const Engine& e) {
  const std::string target = trim_slashes(v.target);
  const std::string hook_file = dump_file_in(sb.pre_hook);
  if (!hook_file.empty() && within(hook_file, target) && hook_file != target)
    return fmt::format("add `backupbot.backup.volumes.{}.path={}` to service {}'s deploy.labels so only the dump "
                       "its pre-hook writes ({}) is archived",
                       v.volume, hook_file.substr(target.size() + 1), sb.service, hook_file);
  return fmt::format("add `backupbot.backup.volumes.{}.path={}` to service {}'s deploy.labels so only the dump is "
                     "archived, and have backupbot.backup.pre-hook write it with {} to {}/{}",
                     v.volume, e.dump_file, sb.service, e.dump_tool, target, e.dump_file);
}

LintVerdict check(const LintInput& in) {
  const BackupPlan& plan = in.plan;
  if (plan.empty()) return verdict({}, {}, "no backup configured (no service has backupbot.backup=true)");

  std::vector<std::string> problems, fixes, fine;
  for (const auto& sb : plan.services) {
    const ComposeService* svc = find_service(in.compose, sb.service);
    const Engine* by_image = svc ? engine_from_image(svc->image) : nullptr;
    // A database image whose volumes sit at no known data directory keeps
    // its data somewhere unusual: every whole volume of it may be live data.
    const bool unknown_layout = by_image && std::none_of(sb.volumes.begin(), sb.volumes.end(), [](const auto& v) {
                                  return !live_root(v.target).path.empty();
                                });
    for (const auto& v : sb.volumes) {
      LiveRoot root = live_root(v.target);
      if (root.path.empty() && unknown_layout) root = {trim_slashes(v.target), by_image};
      if (root.path.empty()) continue;
      if (by_image) root.engine = by_image; // the image knows better than a path

      const std::vector<std::string> live = live_selections(v, root.path);
      if (live.empty()) {
        fine.push_back(fmt::format("service {}: volume {} limited to {}", sb.service, v.volume, join(v.paths, ",")));
        continue;
      }
      const Engine& e = *root.engine;
      problems.push_back(fmt::format(
          "service {} ({}) backs up {} of volume {} — the live data directory {} of a running database, "
          "which is not a consistent backup",
          sb.service, e.name, v.paths.empty() ? std::string("the whole") : join(live, ","), v.volume, root.path));
      fixes.push_back(dump_selection_fix(sb, v, e));
    }
  }
  std::string ok = fine.empty() ? fmt::format("no database data directory among the backed-up volumes of {}",
                                              join(service_names(plan), ", "))
                                : join(fine, "; ");
  return verdict(problems, fixes, std::move(ok));
}

} // namespace

extern const LintRule db_backup_is_a_dump{
    "db-backup-is-a-dump", Severity::error,
    "a backed-up database volume archives a dump, not the live data directory of the running database", check};

} // namespace ccci::host::lint
