// `ccci run`: one recipe at one ref through the selected tiers, then
// teardown, the leak scan and results.json.
#pragma once

#include "model/results.hpp"
#include "plugin/plugin_host.hpp"
#include "swarm/edge.hpp"

#include <chrono>
#include <cstddef>
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
  /// One stack, the install chain then the upgrade chain, never at once
  /// (--sequential; docs/architecture.md, "Chains").
  bool sequential = false;
  /// Where the JUnit XML goes when the run finishes (docs/junit.md); the
  /// command line has checked that it can be written there.
  std::optional<std::filesystem::path> junit;
  /// A parent command's key (jobs/child_leaks.hpp): when set, the run keeps
  /// the fingerprints of its secrets in its run dir for the parent's leak
  /// scan. run_recipe takes it from CCCI_LEAK_FINGERPRINT_KEY when empty.
  std::string fingerprint_key;
  /// The terminal is live (os/terminal.hpp): a wait's status is rewritten in
  /// place on it, `terminal_columns` wide (0: unknown); otherwise it is
  /// printed as lines (docs/architecture.md, "Reporting").
  bool terminal_live = false;
  std::size_t terminal_columns = 0;
};

class Swarm;

/// Runs and returns the exit code (0 green, 1 red, 3 unverified). Throws
/// InputError (exit 2) before anything is deployed when ccci's own input is
/// wrong. Talks to the real swarm (DockerSwarm with `options.edge`).
int run_recipe(const RunOptions& options, std::ostream& terminal);

/// The same against any Swarm (tests drive it with a FakeSwarm). `plugin`,
/// when given, is used instead of looking one up from the options.
int run_recipe(const RunOptions& options, std::ostream& terminal, Swarm& swarm,
               std::optional<LoadedPlugin> plugin = std::nullopt);

} // namespace ccci::host
