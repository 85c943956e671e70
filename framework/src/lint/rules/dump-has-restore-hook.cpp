// dump-has-restore-hook: a backup pre-hook that dumps a database (pg_dump,
// pg_dumpall, mysqldump, mariadb-dump, mongodump) is only half a backup: a
// restore puts the dump file back and the database never sees it unless a
// backupbot.restore.post-hook (or pre-hook) loads it.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <cctype>
#include <regex>

namespace ccci::host::lint {

namespace {

using namespace std::string_view_literals;

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

LintVerdict check(const LintInput& in) {
  const BackupPlan& plan = in.plan;
  if (plan.empty()) return verdict({}, {}, "no backup configured (no service has backupbot.backup=true)");

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
  return verdict(problems, fixes, std::move(ok));
}

} // namespace

extern const LintRule dump_has_restore_hook{
    "dump-has-restore-hook", Severity::error,
    "a backup pre-hook that dumps a database comes with a restore hook that loads the dump", check};

} // namespace ccci::host::lint
