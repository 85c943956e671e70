// What a backupbot hook's text says it does: the commands it runs and the
// files they write. The lint rules judge dumps from it (docs/architecture.md,
// "Backup and restore"); nothing here runs a shell. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// One simple command of a hook: `sh -c '...'` and `bash -c '...'` are
/// opened, so a command nested in them is listed as its own.
struct HookCommand {
  std::string program;             ///< the command word as written, e.g. "pg_dump", "/pg_backup.sh"
  std::vector<std::string> args;   ///< the words after it, quotes removed, redirections left out
  std::vector<std::string> writes; ///< the files it writes, as written (absolute or not)
  std::vector<std::string> reads;  ///< the files its input is redirected from (`< file`)
  bool script = false;             ///< it runs a script (`x.sh`, `./x`, `bash x.sh`), whose writes its text cannot show
};

/// The simple commands of `hook`, in order (split at `;`, `&&`, `||`, `|`,
/// `&` and newlines). Writes are read from output redirections (`>`, `>>`,
/// `&>`, `1>`; never `2>` or /dev/null), `tee`, the destination of `cp`/`mv`,
/// `-f`/`--file`, `-o`/`--output`, `-r`/`--result-file` and `--archive=`
/// (also attached, `-f/x`, or ending a short-option cluster, `-czf x`), and
/// for a script, the absolute paths it is given.
std::vector<HookCommand> hook_commands(std::string_view hook);

/// Every file the commands of `hook` write, in order, once each.
std::vector<std::string> files_written_by(std::string_view hook);

/// The base name of a program path: "/usr/bin/pg_dump" -> "pg_dump".
std::string_view program_name(std::string_view program);

} // namespace ccci::host
