// The lint tier's rules. Each rule looks at the rendered Compose (and the
// backup plan derived from its labels) and yields exactly one finding, so the
// table always lists every rule and a pass says what was checked.
#include "lint/lint.hpp"

#include <fmt/format.h>

#include <regex>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace ccci::host {

namespace {

using namespace std::string_view_literals;

const ComposeService* find_service(const Compose& compose, const std::string& name) {
  auto it = std::find_if(compose.services.begin(), compose.services.end(),
                         [&](const ComposeService& s) { return s.name == name; });
  return it == compose.services.end() ? nullptr : &*it;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

LintFinding finding(std::string rule, std::vector<std::string> problems, std::vector<std::string> fixes,
                    std::string ok_detail) {
  LintFinding f;
  f.rule = std::move(rule);
  f.severity = "error";
  f.satisfied = problems.empty();
  f.detail = f.satisfied ? std::move(ok_detail) : join(problems, "; ");
  f.fix = f.satisfied ? "" : join(fixes, "; ");
  return f;
}

// ---------------------------------------------------------------------------
// version-label-matches-tag

/// The service and key carrying abra's version label, for naming it.
std::pair<std::string, std::string> version_label_site(const Compose& compose) {
  for (const auto& s : compose.services)
    for (const auto& [k, v] : s.labels)
      if (k.starts_with("coop-cloud.") && k.ends_with(".version") && k.size() > 19) return {s.name, k};
  return {};
}

/// Where a missing label should go: the service the domain routes to is the
/// app abra talks about; otherwise the first service.
std::string app_service(const Compose& compose) {
  if (!compose.routes.empty()) return compose.routes.front().service;
  return compose.services.empty() ? "app" : compose.services.front().name;
}

LintFinding rule_version_label(const Compose& compose, const std::string& tag) {
  const std::string rule = "version-label-matches-tag";
  if (tag.empty()) {
    // A branch or commit has no release version to compare with.
    return finding(rule, {}, {},
                   compose.version_label
                       ? fmt::format("not testing a release tag, so nothing to compare; the version label is `{}`",
                                     *compose.version_label)
                       : "not testing a release tag, so nothing to compare (note: no coop-cloud.*.version "
                         "label is set; the next release needs one)");
  }
  if (!compose.version_label) {
    return finding(
        rule, {fmt::format("no `coop-cloud.<stack>.version` deploy label on any service; release tag is `{}`", tag)},
        {fmt::format("add `coop-cloud.${{STACK_NAME}}.version={}` to service {}'s deploy.labels so abra "
                     "knows which release is deployed",
                     tag, app_service(compose))},
        "");
  }
  auto [service, key] = version_label_site(compose);
  if (*compose.version_label != tag) {
    return finding(
        rule,
        {fmt::format("service {} has `{}={}` but the release tag is `{}`", service, key, *compose.version_label, tag)},
        {fmt::format("set `coop-cloud.${{STACK_NAME}}.version={}` in service {}'s deploy.labels "
                     "(the label must be bumped with every release)",
                     tag, service)},
        "");
  }
  return finding(rule, {}, {}, fmt::format("service {} has `{}={}`, equal to the release tag", service, key, tag));
}

// ---------------------------------------------------------------------------
// images-pinned

struct ImageRef {
  std::string repository; ///< without tag and digest
  std::string tag;        ///< "" when none
  bool digest = false;
};

ImageRef parse_image(const std::string& image) {
  ImageRef ref;
  std::string rest = image;
  if (auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = true;
    rest = rest.substr(0, at);
  }
  // A colon before the last slash is a registry port ("registry:5000/app"), not a tag.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  ref.repository = rest;
  return ref;
}

LintFinding rule_images_pinned(const Compose& compose) {
  std::vector<std::string> problems, fixes;
  for (const auto& s : compose.services) {
    const ImageRef ref = parse_image(s.image);
    if (ref.digest) continue; // a digest names exactly one image
    std::string why;
    if (ref.tag.empty())
      why = "has no tag, so docker pulls `latest`";
    else if (ref.tag == "latest")
      why = "uses the moving `latest` tag";
    else
      continue;
    problems.push_back(fmt::format("service {}: image `{}` {}", s.name, s.image, why));
    fixes.push_back(fmt::format("pin service {}'s image to a version tag, e.g. `{}:<version>` (or a digest "
                                "`{}@sha256:<digest>`), so the release deploys the same image every time",
                                s.name, ref.repository, ref.repository));
  }
  return finding(
      "images-pinned", std::move(problems), std::move(fixes),
      fmt::format("all {} service image(s) carry an explicit version tag or digest", compose.services.size()));
}

// ---------------------------------------------------------------------------
// secrets-configs-declared

bool declared(const std::vector<ComposeObject>& objects, const std::string& key) {
  return std::any_of(objects.begin(), objects.end(), [&](const ComposeObject& o) { return o.key == key; });
}

LintFinding rule_secrets_configs_declared(const Compose& compose) {
  // load_compose refuses undeclared references already; checking again costs
  // nothing and keeps this rule honest should that ever change.
  std::vector<std::string> problems, fixes;
  std::size_t secrets = 0, configs = 0;
  auto check = [&](const ComposeService& s, const std::vector<std::string>& used, const std::vector<ComposeObject>& top,
                   std::string_view kind, std::string_view section, std::size_t& count) {
    for (const auto& key : used) {
      ++count;
      if (declared(top, key)) continue;
      problems.push_back(fmt::format("service {} uses {} `{}`, not declared at top level", s.name, kind, key));
      fixes.push_back(fmt::format("declare `{}` under the top-level `{}:` of compose.yml", key, section));
    }
  };
  for (const auto& s : compose.services) {
    check(s, s.secrets, compose.secrets, "secret", "secrets", secrets);
    check(s, s.configs, compose.configs, "config", "configs", configs);
  }
  return finding("secrets-configs-declared", std::move(problems), std::move(fixes),
                 fmt::format("{} secret and {} config reference(s), all declared at top level", secrets, configs));
}

// ---------------------------------------------------------------------------
// Databases: what they look like and how they are dumped.

struct Engine {
  std::string_view name;         ///< "postgres", "mysql", "mongo"
  std::string_view dump_tool;    ///< suggested in fixes
  std::string_view dump_file;    ///< suggested path selection
  std::string_view load_example; ///< restore hook suggestion; {} = dump file
};

constexpr Engine postgres{"postgres", "pg_dump", "backup.sql",
                          "psql -U \"$$POSTGRES_USER\" -d \"$$POSTGRES_DB\" -f {}"};
constexpr Engine mysql{"mysql", "mysqldump", "backup.sql",
                       "sh -c 'mysql -u root -p\"$$MYSQL_ROOT_PASSWORD\" \"$$MYSQL_DATABASE\" < {}'"};
constexpr Engine mongo{"mongo", "mongodump", "backup.archive", "mongorestore --drop --archive={}"};

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

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

/// The dump tool a hook runs, matched as a whole word ("" = none).
std::string dump_tool_in(const std::string& hook) {
  for (auto tool : {"pg_dumpall"sv, "pg_dump"sv, "mysqldump"sv, "mariadb-dump"sv, "mongodump"sv}) {
    for (auto pos = hook.find(tool); pos != std::string::npos; pos = hook.find(tool, pos + 1)) {
      const bool start = pos == 0 || !word_char(hook[pos - 1]);
      const std::size_t end = pos + tool.size();
      if (start && (end == hook.size() || !word_char(hook[end]))) return std::string(tool);
    }
  }
  return "";
}

/// The file a hook redirects its output to (`> FILE`, not `2>` or `&>`), or
/// given with --archive= / --result-file= / --file=; "" when it cannot tell.
std::string dump_file_in(const std::string& hook) {
  auto token_at = [&](std::size_t i) {
    while (i < hook.size() && (hook[i] == ' ' || hook[i] == '>'))
      ++i;
    std::string t;
    while (i < hook.size() && hook[i] != ' ' && hook[i] != ';' && hook[i] != '|' && hook[i] != '&' && hook[i] != ')')
      t.push_back(hook[i++]);
    std::erase_if(t, [](char c) { return c == '"' || c == '\''; });
    return t;
  };
  for (auto flag : {"--archive="sv, "--result-file="sv, "--file="sv})
    if (auto pos = hook.find(flag); pos != std::string::npos) return token_at(pos + flag.size());
  for (std::size_t pos = hook.find('>'); pos != std::string::npos; pos = hook.find('>', pos + 1)) {
    if (pos > 0 && (std::isdigit(static_cast<unsigned char>(hook[pos - 1])) || hook[pos - 1] == '&')) continue;
    if (auto t = token_at(pos + 1); !t.empty() && !t.starts_with('&') && t != "/dev/null") return t;
  }
  return "";
}

// ---------------------------------------------------------------------------
// db-backup-is-a-dump

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

LintFinding rule_db_backup_is_a_dump(const Compose& compose, const BackupPlan& plan) {
  const std::string rule = "db-backup-is-a-dump";
  if (plan.empty()) return finding(rule, {}, {}, "no backup configured (no service has backupbot.backup=true)");

  std::vector<std::string> problems, fixes, fine;
  for (const auto& sb : plan.services) {
    const ComposeService* svc = find_service(compose, sb.service);
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
  return finding(rule, std::move(problems), std::move(fixes), std::move(ok));
}

// ---------------------------------------------------------------------------
// dump-has-restore-hook

const Engine& engine_of_tool(const std::string& tool) {
  if (tool.starts_with("pg_")) return postgres;
  if (tool == "mongodump") return mongo;
  return mysql;
}

// A restore hook loads a dump when it runs a load tool, or a script of the
// recipe's own (immich's `/pg_backup.sh restore`); one that only moves or
// removes files (`rm -f backup.sql`) puts nothing back into the database.
bool hook_loads_a_dump(const std::string& hook) {
  static const std::regex loader(
      R"((^|[^A-Za-z0-9_-])(psql|pg_restore|mysql|mariadb|mongorestore)([^A-Za-z0-9_-]|$)|\.sh\b)");
  return std::regex_search(hook, loader);
}

LintFinding rule_dump_has_restore_hook(const BackupPlan& plan) {
  const std::string rule = "dump-has-restore-hook";
  if (plan.empty()) return finding(rule, {}, {}, "no backup configured (no service has backupbot.backup=true)");

  std::vector<std::string> problems, fixes, fine;
  for (const auto& sb : plan.services) {
    const std::string tool = dump_tool_in(sb.pre_hook);
    if (tool.empty()) continue;
    if (hook_loads_a_dump(sb.restore_post_hook) || hook_loads_a_dump(sb.restore_pre_hook)) {
      fine.push_back(fmt::format("service {}: the {} dump is loaded by backupbot.restore.{}-hook", sb.service, tool,
                                 hook_loads_a_dump(sb.restore_post_hook) ? "post" : "pre"));
      continue;
    }
    const std::string file = dump_file_in(sb.pre_hook);
    const std::string shown = file.empty() ? std::string("the dump file") : file;
    const std::string hooks =
        sb.restore_post_hook.empty() && sb.restore_pre_hook.empty()
            ? std::string("there is no backupbot.restore.post-hook")
            : fmt::format("its restore hook (`{}`) runs no load tool or script",
                          sb.restore_post_hook.empty() ? sb.restore_pre_hook : sb.restore_post_hook);
    problems.push_back(fmt::format("service {}: backupbot.backup.pre-hook dumps with {} (`{}`) but {}, so a restore "
                                   "puts {} back and never loads it",
                                   sb.service, tool, sb.pre_hook, hooks, shown));
    fixes.push_back(fmt::format(
        "add `backupbot.restore.post-hook` to service {}'s deploy.labels that loads {}, e.g. `{}`", sb.service, shown,
        fmt::format(fmt::runtime(engine_of_tool(tool).load_example),
                    file.empty() ? std::string("<dump file>") : file)));
  }
  std::string ok = fine.empty() ? "no backupbot.backup.pre-hook produces a database dump" : join(fine, "; ");
  return finding(rule, std::move(problems), std::move(fixes), std::move(ok));
}

} // namespace

std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag) {
  return {rule_version_label(compose, tag), rule_images_pinned(compose), rule_secrets_configs_declared(compose),
          rule_db_backup_is_a_dump(compose, plan), rule_dump_has_restore_hook(plan)};
}

std::string lint_table(const std::vector<LintFinding>& findings) {
  std::size_t rule_w = 4; // "rule"
  for (const auto& f : findings)
    rule_w = std::max(rule_w, f.rule.size());
  // Details and fixes stay on one line each (never wrapped) so they can be
  // searched and copied whole; the fix goes on its own line under the detail.
  std::string out =
      fmt::format("{:<{}}  {:<8}  {:<9}  {}\n", "rule", rule_w, "severity", "satisfied", "detail / how to fix");
  out += fmt::format("{:-<{}}  {:-<8}  {:-<9}  {:-<19}\n", "", rule_w, "", "", "");
  for (const auto& f : findings) {
    out += fmt::format("{:<{}}  {:<8}  {:<9}  {}\n", f.rule, rule_w, f.severity, f.satisfied ? "yes" : "NO", f.detail);
    if (!f.satisfied && !f.fix.empty()) out += fmt::format("{:<{}}  fix: {}\n", "", rule_w + 2 + 8 + 2 + 9, f.fix);
  }
  return out;
}

} // namespace ccci::host
