// The one tier table: every tier's name, order, level rung and what it does.
// Tier-list parsing, meta validation, the level's rungs, dispatch
// (tiers/all.cpp), `--help` and canary specs all read it; adding a tier is
// a row here and one file in tiers/ (docs/architecture.md).
#pragma once

#include <ccci/plugin.hpp>

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ccci::host {

/// Which deployment a tier runs on (docs/architecture.md, "Chains"): the
/// install stack (install, then custom on that same deployment), the upgrade
/// stack (base, seed, upgrade, backup, restore), or none (lint reads the
/// recipe). The two stacks are independent, so their chains may run at once.
enum class Chain { install, upgrade, none };
/// What the upgrade chain's files in the run dir carry when it runs in a
/// process of its own: compose.upgrade-chain.rendered.yml, evidence/upgrade-chain/.
inline constexpr std::string_view upgrade_chain_tag = "upgrade-chain";

struct TierInfo {
  Tier tier;
  std::string_view name; ///< as in results.json, --tiers and recipe meta
  int rung;              ///< the level rung it belongs to (docs/results-schema.md, "level")
  std::string_view rung_name;
  bool needs_app; ///< runs against a deployed app: it needs install to have passed
  /// Its deployment. A tier's prerequisites are install and the earlier
  /// tiers of its own chain: one of those failed or unverified makes it `na`
  /// (run/policy.cpp gate_for), whichever order the chains run in.
  Chain chain;
  std::string_view summary; ///< one line, for --help
};

/// In run order. Tiers of one rung are adjacent.
inline constexpr std::array<TierInfo, 6> tier_table{{
    {Tier::install, "install", 1, "install", true, Chain::install,
     "fresh stack, generated secrets, deploy, converge, readiness, the plugin's install checks"},
    {Tier::upgrade, "upgrade", 2, "upgrade", true, Chain::upgrade,
     "deploy the previous release, seed data, redeploy the target in place, verify data and checks"},
    {Tier::backup, "backup", 3, "backup+restore", true, Chain::upgrade,
     "backupbot labels: pre-hooks, copy the volumes into a .tar.gz, post-hooks, verify the archive"},
    {Tier::restore, "restore", 3, "backup+restore", true, Chain::upgrade,
     "fresh deploy on wiped volumes, restore the archive between the restore hooks, verify the seeded data"},
    {Tier::custom, "custom", 4, "custom", true, Chain::install, "the plugin's recipe-specific functional checks"},
    {Tier::lint, "lint", 5, "lint", false, Chain::none,
     "static rules over the recipe at the exact ref, whatever the others found"},
}};

/// The tiers in run order, derived from the table.
inline constexpr auto all_tiers = [] {
  std::array<Tier, tier_table.size()> out{};
  for (std::size_t i = 0; i < tier_table.size(); ++i)
    out[i] = tier_table[i].tier;
  return out;
}();

const TierInfo& tier_info(Tier t);
std::optional<Tier> tier_from_string(std::string_view s);
/// "install, upgrade, backup, restore, custom, lint" (with `sep`).
std::string tier_names(std::string_view sep = ", ");
/// Parses "install,custom" (InputError naming the bad tier and listing the
/// tiers otherwise; an empty list is an error too).
std::set<Tier> parse_tier_list(std::string_view list, std::string_view option = "--tiers");

} // namespace ccci::host
