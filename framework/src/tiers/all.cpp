// The one place a tier's code is named (with its row in model/tiers.hpp).
#include "tiers/tier.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace ccci::host {

namespace {

constexpr std::pair<Tier, TierFunction> functions[] = {
    {Tier::install, run_install}, {Tier::upgrade, run_upgrade}, {Tier::backup, run_backup},
    {Tier::restore, run_restore}, {Tier::custom, run_custom},   {Tier::lint, run_lint},
};

} // namespace

TierFunction tier_function(Tier t) {
  for (auto& [tier, fn] : functions)
    if (tier == t) return fn;
  throw std::logic_error(fmt::format("tier {} has no function in tiers/all.cpp", ccci::to_string(t)));
}

} // namespace ccci::host
