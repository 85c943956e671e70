// The order in which a sweep starts its cold runs: the longest expected
// first (docs/architecture.md, "Sweep jobs"). Only the start order: labels,
// summaries and the registry stay in enrolled order. What a recipe is
// expected to cost is for ordering only, never a promise or a timeout.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// What one recipe's cold run and its promotion are expected to cost, in
/// seconds, and where the number comes from, e.g. "last run 31 s" or
/// "estimate 5 deploys x 63 s".
struct ExpectedCost {
  double seconds = 0;
  std::string why;
};

/// A finished run as its results.json says it: only what ordering needs.
struct PastRun {
  std::string run_id, recipe, started, finished; ///< times as results.json writes them (ISO 8601 UTC)
  int exit_code = 3;
};

/// The wall time of `recipe`'s most recent sweep run among `runs` that ended
/// with a verdict (exit 0 or 1), plus its promotion's (`<run_id>-promote`)
/// when that finished too; nullopt when there is none. A run whose times
/// cannot be read, or end before they start, is left out. Pure.
std::optional<double> last_run_seconds(const std::vector<PastRun>& runs, std::string_view recipe);

/// docker's duration syntax as compose takes it ("1m30s", "2s", "500ms",
/// "1h", "1.5s"); nullopt for anything else.
std::optional<double> docker_duration_seconds(std::string_view text);

/// docker's defaults for what a healthcheck leaves out (HEALTHCHECK in the
/// Dockerfile reference).
inline constexpr double docker_default_interval = 30;
inline constexpr double docker_default_start_period = 0;
/// What a deploy costs at least, when no service has a healthcheck: the
/// stack deployed and its tasks running.
inline constexpr double minimum_deploy_seconds = 5;

/// How long a service takes to be seen healthy, as its compose `healthcheck:`
/// says: the start period it is given, then one interval to its first check
/// that counts (docker's defaults for what is absent). `retries` bounds the
/// time to *unhealthy*, not to healthy, so it does not enter. 0 without a
/// healthcheck, or a disabled one (an image's own HEALTHCHECK is not in the
/// compose, so not seen).
double seconds_to_healthy(const YAML::Node& service);

/// What the static estimate reads of a recipe beside its compose files.
struct EstimateInputs {
  bool upgrade = false; ///< an upgrade base exists and upgrade is not a declared skip
  bool restore = true;  ///< restore is not a declared skip (it also needs backupbot labels)
};

/// The static estimate of a recipe's cold run and promotion from its compose
/// files (in merge order; a later file's healthcheck for a service replaces
/// an earlier one's): the deploys the run makes — install, base and upgrade
/// when `inputs.upgrade`, restore when a service carries
/// `backupbot.backup=true` and `inputs.restore`, and the promotion's install
/// (assumed green) — times the slowest service's seconds_to_healthy, at least
/// minimum_deploy_seconds each. The deploys are counted one after another,
/// though a run's two chains overlap: an estimate for ordering only. Pure.
ExpectedCost estimate_cost(const std::vector<YAML::Node>& compose_files, const EstimateInputs& inputs);

/// The start order: indices into `costs`, the longest expected first, ties
/// in the order given (the enrolled order). Pure.
std::vector<std::size_t> longest_first(const std::vector<ExpectedCost>& costs);

struct StartOrder {
  std::vector<ExpectedCost> costs; ///< one per recipe, in the order given
  std::vector<std::size_t> order;  ///< longest_first(costs)
};

/// Each recipe's expected cost — from history (last_run_seconds over
/// `past`) when it has one, else `estimate(i)`, asked only then — and the
/// start order. Pure when `estimate` is.
StartOrder plan_start_order(const std::vector<std::string>& recipes, const std::vector<PastRun>& past,
                            const std::function<ExpectedCost(std::size_t)>& estimate);

/// "start order (longest expected first): notes (estimate 5 deploys x 63 s),
/// links (last run 31 s)", `names[i]` naming `costs[i]`.
std::string start_order_line(const std::vector<std::string>& names, const std::vector<ExpectedCost>& costs,
                             const std::vector<std::size_t>& order);

/// The runs of `recipes` in `runs_dir` that a sweep made (directories
/// `sweep-…-<recipe>` and `sweep-…-<recipe>-promote`) and that have a
/// results.json; one that cannot be read or parsed is skipped, never fatal.
std::vector<PastRun> read_past_sweep_runs(const std::filesystem::path& runs_dir,
                                          const std::vector<std::string>& recipes);

} // namespace ccci::host
