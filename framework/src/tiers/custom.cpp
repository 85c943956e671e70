// custom: the plugin's recipe-specific checks against the installed app.
#include "tiers/tier.hpp"

namespace ccci::host {

void run_custom(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  if (!run.plugin || run.plugin->checks_for(Tier::custom).empty()) {
    run.skip_tier(tier, run.plugin ? "the plugin registers no custom checks" : "no plugin for this recipe");
    return;
  }
  run.plugin_checks(tier, Tier::custom, "custom/");
  run.finish_tier(tier, started);
}

} // namespace ccci::host
