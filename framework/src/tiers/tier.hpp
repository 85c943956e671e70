// The tiers, one file each, behind one signature: a tier gets the run's
// context and its own result (status `na`, selected, not blocked) and fills
// it in. Which tiers exist and in what order is the tier table
// (model/tiers.hpp); tiers/all.cpp maps each to its function.
#pragma once

#include "run/context.hpp"

namespace ccci::host {

using TierFunction = void (*)(RunContext& run, TierResult& tier);

void run_install(RunContext& run, TierResult& tier);
void run_upgrade(RunContext& run, TierResult& tier);
void run_backup(RunContext& run, TierResult& tier);
void run_restore(RunContext& run, TierResult& tier);
void run_custom(RunContext& run, TierResult& tier);
void run_lint(RunContext& run, TierResult& tier);

/// The function of tier `t`.
TierFunction tier_function(Tier t);

} // namespace ccci::host
