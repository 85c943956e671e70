// upgrade: the base release deployed and seeded, then the target redeployed
// in place on the same volumes, reconverged, the seeded data verified and
// the install checks run again.
#include "model/upgrade_base.hpp"
#include "os/process.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>

namespace ccci::host {

namespace {

std::string commit_of(const std::filesystem::path& recipe_dir, const std::string& tag) {
  auto rev = run_process({"git", "-C", recipe_dir.string(), "rev-parse", tag + "^{commit}"});
  return rev.out.substr(0, rev.out.find('\n'));
}

} // namespace

UpgradeBase upgrade_base_of(RunContext& run, std::string& base_commit) {
  auto base = choose_upgrade_base(run.tags, run.results.version, run.meta.upgrade_base, run.options.canonical);
  if (base.tag) {
    base_commit = commit_of(run.options.recipe_dir, *base.tag);
    if (base_commit == run.results.commit)
      base = {std::nullopt, fmt::format("same version on both sides: {} is the commit under test", *base.tag)};
  }
  return base;
}

void run_upgrade(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  std::string base_commit;
  auto base = upgrade_base_of(run, base_commit);
  if (!base.tag) {
    run.skip_tier(tier, base.reason);
    return;
  }
  run.events.progress("upgrade", fmt::format("base {}", base.reason));
  run.reset_stack("deploying the upgrade base");
  try {
    run.state.base = run.render_release(*base.tag, base_commit, "base");
  } catch (const RecipeDefect& e) {
    run.record(tier,
               {"upgrade/base_render", Status::fail,
                fmt::format("the base release {} does not render: {}", *base.tag, e.what()), seconds_since(started)});
    run.finish_tier(tier, started);
    return;
  }
  bool ok = run.deploy(tier, Deployed::base, started) && run.converge(tier, "upgrade/base_converged", false) &&
            run.readiness(tier) && run.seed_once(tier);
  if (ok) {
    run.events.progress("upgrade", fmt::format("redeploying {} in place over {}", run.target_label(), *base.tag));
    ok = run.deploy(tier, Deployed::target, started) && run.converge(tier, "upgrade/reconverged", true) &&
         run.readiness(tier);
    if (ok) {
      run.run_hooks(tier, Hook::verify);
      run.plugin_checks(tier, Tier::install, "upgrade/install:");
      run.plugin_checks(tier, Tier::upgrade, "upgrade/");
    }
  }
  run.finish_tier(tier, started);
  if (tier.status == Status::pass)
    tier.reason = fmt::format("{} -> {}: {}", *base.tag, run.target_label(), tier.reason);
}

} // namespace ccci::host
