// The two chains of one run (docs/architecture.md, "Chains"): whether they
// may run at once on separate stacks, and how the upgrade chain's results
// join the run's. Pure: unit-tested in tests/unit/test_chains.cpp.
#pragma once

#include "model/results.hpp"
#include "recipe/compose.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

struct ChainDecision {
  bool parallel = false;
  /// Why the chains run one after the other ("" when parallel, or when
  /// there is no second chain to run beside install).
  std::string why;
};

/// What decides whether two stacks of the recipe may exist at once.
struct ChainFacts {
  bool sequential_option = false;             ///< --sequential
  std::optional<std::string> meta_sequential; ///< the meta's `sequential: <reason>`
  std::string meta_file;                      ///< named with it
  /// The upgrade tier will deploy (selected, not decided, a base to deploy):
  /// without it, backup and restore run on the install's deployment.
  bool upgrade_deploys = false;
  bool swarm_shared = true; ///< a forked child's calls reach the same swarm
};

/// Parallel unless `--sequential`, the meta asks for it, the upgrade chain
/// has no deployment of its own, or the rendered target `compose` (for
/// `stack`) cannot be deployed twice: a service publishing a host port, an
/// external secret, config or volume with a fixed name, a host bind mount
/// (both stacks would write the same host files).
ChainDecision decide_chains(const ChainFacts& facts, const Compose& compose, const std::string& stack);

/// What two stacks of `compose` could not share, in words, one per clash.
std::vector<std::string> coexistence_clashes(const Compose& compose, const std::string& stack);

/// The upgrade chain's results (its process's RunResults) into the run's:
/// the chain's tiers, and its evidence (named relative to the run dir).
void merge_chain_tiers(RunResults& into, const RunResults& chain);
/// The chain's teardown into the run's, once the run's own stack is torn
/// down (or kept running): clean only when both are, leftovers of both.
void merge_chain_teardown(RunResults& into, const RunResults& chain);

} // namespace ccci::host
