// install: a fresh stack from the target release, converged, ready, and the
// plugin's install checks.
#include "tiers/tier.hpp"

namespace ccci::host {

void run_install(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  if (run.render_target(tier, started) && run.deploy(tier, Deployed::target, started) &&
      run.converge(tier, "install/converged", false)) {
    run.readiness(tier);
    run.plugin_checks(tier, Tier::install, "install/");
  }
  run.finish_tier(tier, started);
}

} // namespace ccci::host
