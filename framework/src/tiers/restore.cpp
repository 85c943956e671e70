// restore: as on a new server — the stack and its volumes removed, the target
// deployed fresh, the archive copied back between the restore hooks, and the
// seeded data must come back.
#include "backup/archive.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>

namespace ccci::host {

namespace {

// Puts one service's volumes back between its restore hooks.
bool restore_service(RunContext& run, TierResult& tier, const BackupArtifact& backup, const ServiceBackup& svc) {
  auto passed = [&] { return tier.checks.back().status == Status::pass; };
  if (!svc.restore_pre_hook.empty()) {
    run.record(tier,
               run.shell_hook(fmt::format("restore/pre-hook:{}", svc.service), svc.service, svc.restore_pre_hook));
    if (!passed()) return false;
  }
  auto container = run.swarm.container_of(run.stack, svc.service);
  for (auto& vol : svc.volumes) {
    auto tar = volume_tar_for_restore(backup.archive, run.stack, vol.volume);
    auto name = fmt::format("restore/copy:{}/{}", svc.service, vol.volume);
    if (!tar) {
      run.record(tier, {name, Status::fail, fmt::format("the archive holds nothing of volume {}", vol.volume), 0});
      return false;
    }
    auto r = run.swarm.copy_into(container, vol.target, *tar);
    run.record(tier, {name, r.ok() ? Status::pass : Status::fail,
                      r.ok() ? fmt::format("{} bytes of tar into {}:{}", tar->size(), svc.service, vol.target)
                             : fmt::format("docker cp into {}:{} failed ({}): {}", svc.service, vol.target,
                                           r.describe(), r.err),
                      0});
    if (!r.ok()) return false;
  }
  if (!svc.restore_post_hook.empty()) {
    run.record(tier,
               run.shell_hook(fmt::format("restore/post-hook:{}", svc.service), svc.service, svc.restore_post_hook));
    if (!passed()) return false;
  }
  return true;
}

} // namespace

void run_restore(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  if (!run.state.backup) {
    // The policy only lets restore run after a passing backup; a sequence
    // that gets here without one is ccci's own bug, not the recipe's.
    run.record(tier, {"restore/archive", Status::unver, "no backup archive from the backup tier to restore from", 0});
    run.finish_tier(tier, started);
    return;
  }
  const auto& backup = *run.state.backup;
  run.reset_stack("restoring into fresh volumes");
  bool ok = run.deploy(tier, Deployed::target, started) && run.converge(tier, "restore/converged", false);
  for (auto& svc : backup.plan.services) {
    if (!ok) break;
    ok = restore_service(run, tier, backup, svc);
  }
  if (ok && run.converge(tier, "restore/reconverged", false) && run.readiness(tier)) {
    // The data must come back: the verify hooks look for what was seeded.
    run.state.seeded = true;
    run.run_hooks(tier, Hook::verify);
    run.plugin_checks(tier, Tier::restore, "restore/");
  }
  run.finish_tier(tier, started);
}

} // namespace ccci::host
