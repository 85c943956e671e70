// The tiers, one file each, behind one signature: a tier gets the run's
// context and its own result (status `na`, selected, not blocked) and fills
// it in. Which tiers exist and in what order is the tier table
// (model/tiers.hpp); tiers/all.cpp maps each to its function.
#pragma once

#include "model/upgrade_base.hpp"
#include "run/context.hpp"

namespace ccci::host {

using TierFunction = void (*)(RunContext& run, TierResult& tier);

void run_install(RunContext& run, TierResult& tier);
void run_upgrade(RunContext& run, TierResult& tier);
void run_backup(RunContext& run, TierResult& tier);
void run_restore(RunContext& run, TierResult& tier);
void run_custom(RunContext& run, TierResult& tier);
void run_lint(RunContext& run, TierResult& tier);

/// The release the upgrade tier deploys first (its commit in `base_commit`),
/// or none and why (the tier is then a skip).
UpgradeBase upgrade_base_of(RunContext& run, std::string& base_commit);

/// The function of tier `t`.
TierFunction tier_function(Tier t);

} // namespace ccci::host
