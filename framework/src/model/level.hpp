// The pure rules that turn checks into verdicts (docs/architecture.md,
// "Verdicts"). No Docker here: unit-tested directly.
#pragma once

#include "model/results.hpp"

namespace ccci::host {

/// The teeth rule. A tier passes only if at least one check passed and none
/// failed or was unverified; any fail makes it fail; else any unver (or no
/// check at all) makes it unver — zero checks is never a pass. A `warn`
/// check counts as neither: the tier passes on its other checks, and the
/// reason counts the warnings. The reason names the first failing check.
struct TierVerdict {
  Status status;
  std::string reason;
};
TierVerdict judge_tier(const std::vector<CheckRecord>& checks);

/// Rungs: L1 install, L2 upgrade, L3 backup + restore, L4 custom, L5 lint.
/// The level is the highest rung that passed with every rung below it
/// passed or skipped on purpose (a skip declared in recipe meta). A fail,
/// unver, na or undeclared skip stops the climb; the cap says which rung and
/// why. A rung made only of declared skips is climbed over but not counted.
LevelCap compute_level(const std::vector<TierResult>& tiers);

} // namespace ccci::host
