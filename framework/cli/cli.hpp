// The ccci subcommands: one file each, listed in one table (main.cpp) from
// which `ccci --help` is printed and by which main dispatches. What every
// command repeats (directories from the environment, seconds options) is
// here, in common.cpp; the commands hold no logic of their own.
#pragma once

#include <boost/program_options.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::cli {

using Args = std::vector<std::string>;

struct Command {
  std::string_view name;
  std::string_view summary; ///< one line in `ccci --help`
  std::string_view usage;   ///< the arguments after the name, for `ccci --help`
  int (*fn)(const Args& args);
};

/// Every command, in the order `ccci --help` lists them.
std::span<const Command> commands();

int cmd_run(const Args& args);
int cmd_doctor(const Args& args);
int cmd_sweep(const Args& args);
int cmd_canary(const Args& args);
int cmd_triage(const Args& args);
int cmd_gc(const Args& args);
int cmd_report(const Args& args);

/// $name, or `fallback` when unset or empty.
std::string env_or(const char* name, const std::string& fallback);

/// Where the running binary lives (for finding plugins and recipes beside it).
std::filesystem::path exe_dir();

/// The default plugin and recipe-meta directories: the environment, an
/// installed layout beside the binary, then the source tree.
std::filesystem::path default_plugin_dir();
std::filesystem::path default_recipes_dir();
/// $CCCI_STATE_DIR, else /var/lib/ccci.
std::filesystem::path default_state_dir();
/// $CCCI_RUNS_DIR, else <state_dir>/runs.
std::filesystem::path default_runs_dir(const std::filesystem::path& state_dir = default_state_dir());
/// Where the dashboard goes: $CCCI_REPORT_DIR, else <state_dir>/report.
std::filesystem::path default_report_dir(const std::filesystem::path& state_dir);
/// The ccci source tree (scripts/, recipes/, tests/canaries/): $CCCI_SOURCE_DIR,
/// else the tree this binary was built from.
std::filesystem::path default_source_dir();

/// Parses the arguments of `ccci <command>` against `options` (and
/// `positional`, when given) into a variables map. A word that no option or
/// position takes is an InputError naming it: program_options alone would
/// drop it, and the run would go ahead without what the word meant to say.
boost::program_options::variables_map
parse_options(std::string_view command, const Args& args, const boost::program_options::options_description& options,
              const boost::program_options::positional_options_description* positional = nullptr);

/// The value of the path option `--name`, else `fallback`.
std::filesystem::path path_option(const boost::program_options::variables_map& vm, const char* name,
                                  const std::filesystem::path& fallback);

/// The int option `--name` as a positive number of seconds; nullopt when it
/// was not given. Throws InputError (exit 2) naming the option for 0 or less.
std::optional<std::chrono::seconds> seconds_option(const boost::program_options::variables_map& vm, const char* name);

/// The directory option `--name`, else `fallback`; throws InputError (exit 2)
/// naming the option when the path exists and is not a directory.
std::filesystem::path dir_option(const boost::program_options::variables_map& vm, const char* name,
                                 const std::filesystem::path& fallback);

/// The file option `--name` that ccci will write (made absolute); nullopt
/// when it was not given. Throws InputError (exit 2) naming the option when
/// the path is a directory, its parent is missing or not a directory, or
/// ccci may not write there: found before anything is deployed, not when
/// the file is due.
std::optional<std::filesystem::path> output_file_option(const boost::program_options::variables_map& vm,
                                                        const char* name);

/// The string option `--name` as a TCP port (1-65535); nullopt when it was
/// not given. Throws InputError naming the option and the range otherwise.
std::optional<int> port_option(const boost::program_options::variables_map& vm, const char* name, int fallback);

/// `--stop-grace SECONDS`, for the commands that start child runs: how long a
/// stopped child `ccci run` may take to tear down before it is SIGKILLed.
void add_stop_grace_option(boost::program_options::options_description& d);
std::chrono::seconds stop_grace_option(const boost::program_options::variables_map& vm);

} // namespace ccci::cli
