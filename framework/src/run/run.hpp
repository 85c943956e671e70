// `ccci run`: one recipe at one ref through the selected tiers, then
// teardown, the leak scan and results.json.
#pragma once

#include "model/results.hpp"
#include "swarm/edge.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>

namespace ccci::host {

struct RunOptions {
  std::filesystem::path recipe_dir;
  std::string recipe; ///< "" = the directory's name
  std::optional<std::string> version;
  std::optional<std::string> ref;
  std::set<Tier> tiers{all_tiers.begin(), all_tiers.end()};
  std::filesystem::path runs_dir;
  std::string run_id;                                 ///< "" = generated
  std::optional<std::filesystem::path> plugin;        ///< explicit plugin .so
  std::filesystem::path plugin_dir;                   ///< where <recipe>.so are looked up
  std::filesystem::path recipes_dir;                  ///< where <recipe>/ccci.yml is looked up
  std::optional<std::chrono::seconds> deploy_timeout; ///< overrides the meta
  std::optional<std::chrono::seconds> check_timeout;  ///< overrides the meta
  EdgeSettings edge;
  std::optional<std::string> canonical; ///< the recipe's canonical version (an upgrade base)
  bool keep_running = false;            ///< leave a green install deployed (the sweep's promotion)
};

/// Runs and returns the exit code (0 green, 1 red, 3 unverified). Throws
/// InputError (exit 2) before anything is deployed when ccci's own input is
/// wrong.
int run_recipe(const RunOptions& options, std::ostream& terminal);

/// Parses "install,custom" (InputError naming the bad tier otherwise).
std::set<Tier> parse_tier_list(std::string_view list);

} // namespace ccci::host
