// The tier policy: pure decisions about which tiers run, which are skipped
// or unreachable, and the exit status (docs/architecture.md, "Verdicts").
// No Docker, no files: unit-tested in tests/unit/test_policy.cpp.
#pragma once

#include "model/results.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ccci::host {

/// Before anything runs: a tier declared in the meta's expected_skips is an
/// intentional skip with its reason; one not selected with --tiers is a
/// plain skip.
void apply_pre_skips(RunResults& r, const std::map<std::string, std::string>& expected_skips,
                     const std::set<Tier>& selected);

/// What of a plugin's code each tier would run.
struct PluginUse {
  std::set<Tier> checks; ///< tiers the plugin registers checks for
  bool seeds = false, verifies = false, archive_checks = false;
};
/// The tiers that run plugin code: install (its checks), upgrade (seeds,
/// verifies, the install checks again, its own), backup (seeds, archive
/// checks), restore (verifies, its own), custom (its checks).
std::set<Tier> tiers_running_plugin_code(const PluginUse& use);

/// A tool only the plugin declared is missing: every tier still to run that
/// would run plugin code is unver with the tools named; ccci's own tiers
/// still run.
void mark_plugin_tiers_unver(RunResults& r, const PluginUse& use, const std::vector<std::string>& missing_tools);

enum class GateKind {
  run,     ///< run it now
  decided, ///< already has a status (a pre-skip or pre-unver): leave it
  blocked, ///< an earlier tier it needs did not pass: stays `na` with the reason
  skip,    ///< does not apply now (restore without an archive)
};
struct TierGate {
  GateKind kind = GateKind::run;
  std::string reason;
  bool declared_skip = false;
};

/// Whether tier `t` runs, given the results of the tiers before it. A tier
/// that needs the app needs install to have passed and no earlier tier of its
/// chain (model/tiers.hpp) to have failed or been unverified; restore needs
/// the backup tier's archive; lint always runs. `install_beside`: the tier's
/// chain runs at the same time as install, whose verdict is not known yet
/// (a failed install cancels the chain and its tiers are `na`).
TierGate gate_for(Tier t, const RunResults& r, bool install_beside = false);
/// Applies a non-run gate to the tier's result.
void apply_gate(TierResult& tier, const TierGate& gate);

/// After an interruption, an infrastructure failure or an internal error:
/// the tier that was running and every selected tier not yet attempted are
/// unver, with the reasons.
void mark_unverified(RunResults& r, std::optional<Tier> current, const std::string& current_reason,
                     const std::string& rest_reason, const std::set<Tier>& selected);

/// A tier still `na` and never reached says why.
void explain_unreached(RunResults& r);

/// Some tier failed or is unverified: evidence is worth collecting.
bool needs_evidence(const RunResults& r);
/// Every selected tier passed (a promotion keeps such an install running).
bool all_selected_passed(const RunResults& r, const std::set<Tier>& selected);

/// 0 green, 1 red (a tier failed, or a secret leaked), 3 unverified (a tier
/// unver, or teardown not verified clean — unless the app was kept running on
/// purpose). Bad input (2) never gets here.
int exit_code_for(const RunResults& r);

} // namespace ccci::host
