// The ccci subcommands: one file each, dispatched by main.cpp.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ccci::cli {

using Args = std::vector<std::string>;

int cmd_run(const Args& args);
int cmd_doctor(const Args& args);
int cmd_sweep(const Args& args);
int cmd_canary(const Args& args);
int cmd_triage(const Args& args);

/// $name, or `fallback` when unset or empty.
std::string env_or(const char* name, const std::string& fallback);

/// Where the running binary lives (for finding plugins and recipes beside it).
std::filesystem::path exe_dir();

/// The default plugin and recipe-meta directories: the environment, an
/// installed layout beside the binary, then the source tree.
std::filesystem::path default_plugin_dir();
std::filesystem::path default_recipes_dir();
std::filesystem::path default_state_dir();
/// The ccci source tree (scripts/, recipes/, tests/canaries/): $CCCI_SOURCE_DIR,
/// else the tree this binary was built from.
std::filesystem::path default_source_dir();

} // namespace ccci::cli
