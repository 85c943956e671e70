// C005-dump-has-restore-hook: a backup pre-hook that writes a file the backup
// then takes (a dump, whatever tool or script writes it) is only half a
// backup: a restore puts the file back into its volume and nothing reads it
// unless a restore hook on that service loads it. What a hook writes is read
// from its text (backup/hook_text.hpp): output redirections, -f/--file,
// -o/--output, tee, cp/mv destinations, paths given to a script.
#include "backup/hook_text.hpp"
#include "backup/paths.hpp"
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host::lint {

namespace {

using namespace std::string_view_literals;
namespace text = backup_text;

/// A file a pre-hook writes that the backup takes.
struct SelectedWrite {
  std::string file;   ///< as the hook names it
  std::string volume; ///< the volume it lies in
  std::string how;    ///< "path backup.sql" / "the whole volume"
};

/// The files `hook` writes that the backup takes, as seen from its service:
/// under a selected volume's mount target there, within a selected path.
std::vector<SelectedWrite> selected_writes(const BackupPlan& plan, const BackupHook& hook) {
  std::vector<SelectedWrite> out;
  for (const auto& file : files_written_by(hook.command)) {
    // A relative path or one built from a variable: where it lands is the
    // container's business, unknowable from the text.
    if (!file.starts_with('/')) continue;
    const std::string written = text::normalize(file);
    for (const auto& v : plan.volumes) {
      const std::string target = text::normalize(v.target_in(hook.service));
      if (target.empty() || !text::within(written, target)) continue;
      const std::string rel = written == target ? std::string{} : written.substr(target.size() + 1);
      if (v.paths.empty()) {
        out.push_back({file, v.volume, "the whole volume"});
        break;
      }
      auto hit = std::find_if(v.paths.begin(), v.paths.end(), [&](const std::string& p) {
        return text::within(rel, p) || (!rel.empty() && text::within(p, rel)) || rel.empty();
      });
      if (hit != v.paths.end()) out.push_back({file, v.volume, "path " + *hit});
      break;
    }
  }
  return out;
}

bool mentions(const HookCommand& cmd, const std::vector<SelectedWrite>& writes) {
  auto names = [&](const std::string& word) {
    return std::any_of(writes.begin(), writes.end(), [&](const SelectedWrite& w) {
      const auto base = program_name(w.file);
      return word.find(w.file) != std::string::npos || (!base.empty() && word.find(base) != std::string::npos);
    });
  };
  return std::any_of(cmd.args.begin(), cmd.args.end(), names) || std::any_of(cmd.reads.begin(), cmd.reads.end(), names);
}

/// Commands that only tidy up: they never load anything back.
bool tidies_only(std::string_view name) {
  for (auto n : {"rm"sv, "true"sv, ":"sv, "echo"sv, "printf"sv, "chown"sv, "chmod"sv, "mkdir"sv, "ls"sv, "touch"sv,
                 "test"sv, "["sv, "sleep"sv})
    if (name == n) return true;
  return false;
}

bool load_tool(std::string_view name) {
  for (auto n : {"psql"sv, "pg_restore"sv, "mysql"sv, "mariadb"sv, "mongorestore"sv, "redis-cli"sv, "sqlite3"sv})
    if (name == n) return true;
  return false;
}

/// A restore hook loads the dump when one of its commands runs a load tool
/// or a script of the recipe's own (immich's `/pg_backup.sh restore`), or
/// reads the dump file; one that only moves or removes files (`rm -f
/// backup.sql`) puts nothing back into the service.
bool loads(const BackupHook& hook, const std::vector<SelectedWrite>& writes) {
  for (const auto& cmd : hook_commands(hook.command)) {
    const auto name = program_name(cmd.program);
    if (tidies_only(name)) continue;
    if (cmd.script || load_tool(name) || mentions(cmd, writes)) return true;
  }
  return false;
}

/// The engine whose dump tool a hook runs, for a load example; null if none.
const Engine* engine_of(const BackupHook& hook) {
  for (const auto& cmd : hook_commands(hook.command)) {
    const auto name = program_name(cmd.program);
    if (name == "pg_dump" || name == "pg_dumpall") return &postgres;
    if (name == "mysqldump" || name == "mariadb-dump") return &mysql;
    if (name == "mongodump") return &mongo;
  }
  return nullptr;
}

LintVerdict check(const LintInput& in) {
  const BackupPlan& plan = in.plan;
  if (plan.empty()) return verdict({}, {}, "no backup configured (no service has backupbot.backup=true)");

  std::vector<std::string> problems, fixes, fine;
  for (const auto& hook : plan.hooks_at(HookPoint::backup_pre)) {
    const auto writes = selected_writes(plan, hook);
    if (writes.empty()) continue;
    std::vector<BackupHook> restore_hooks;
    for (const auto& h : plan.hooks)
      if (h.service == hook.service && (h.point == HookPoint::restore_pre || h.point == HookPoint::restore_post))
        restore_hooks.push_back(h);
    auto loader =
        std::find_if(restore_hooks.begin(), restore_hooks.end(), [&](const BackupHook& h) { return loads(h, writes); });
    const auto& w = writes.front();
    if (loader != restore_hooks.end()) {
      fine.push_back(fmt::format("service {}: the {} its pre-hook writes is loaded by its {}", hook.service, w.file,
                                 label_of(loader->point)));
      continue;
    }
    const std::string why = restore_hooks.empty()
                                ? fmt::format("service {} has no backupbot.restore.post-hook or pre-hook", hook.service)
                                : fmt::format("its {} (`{}`) neither reads it nor runs a load tool or script",
                                              label_of(restore_hooks.front().point), restore_hooks.front().command);
    problems.push_back(fmt::format("service {}: backupbot.backup.pre-hook (`{}`) writes {}, which the backup takes "
                                   "(volume {}, {}), but {}, so a restore puts the file back and nothing loads it",
                                   hook.service, hook.command, w.file, w.volume, w.how, why));
    const Engine* e = engine_of(hook);
    fixes.push_back(
        e ? fmt::format("add `backupbot.restore.post-hook` to service {}'s deploy.labels that loads {}, e.g. `{}`",
                        hook.service, w.file, fmt::format(fmt::runtime(e->load_example), w.file))
          : fmt::format("add `backupbot.restore.post-hook` to service {}'s deploy.labels that loads {} back (the "
                        "reverse of its pre-hook)",
                        hook.service, w.file));
  }
  std::string ok =
      fine.empty() ? "no backupbot.backup.pre-hook writes a file the backup takes (no dump to load)" : join(fine, "; ");
  return verdict(problems, fixes, std::move(ok));
}

} // namespace

extern const LintRule dump_has_restore_hook{
    "C005-dump-has-restore-hook", Severity::error,
    "a backup pre-hook that writes a file the backup takes comes with a restore hook on its service that loads it",
    check};

} // namespace ccci::host::lint
