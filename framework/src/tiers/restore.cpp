// restore: as on a new server — the stack and its volumes removed, the target
// deployed fresh, the archive's volumes put back between the restore pre- and
// post-hooks of every service, and the seeded data must come back.
#include "backup/archive.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>

namespace ccci::host {

namespace {

// All restore pre-hooks, the volumes put back, all restore post-hooks: as
// backupbot restores a stack (docs/architecture.md, "Backup and restore").
// Stops at the first failure.
bool restore_volumes(RunContext& run, TierResult& tier, const BackupArtifact& backup) {
  const auto& plan = backup.plan;
  auto hooks = [&](HookPoint point) {
    for (const auto& hook : plan.hooks_at(point)) {
      run.check_stop();
      run.record(tier, run.backupbot_hook(hook));
      if (tier.checks.back().status != Status::pass) return false;
    }
    return true;
  };
  if (!hooks(HookPoint::restore_pre)) return false;
  for (const auto& vol : plan.volumes) {
    run.check_stop();
    auto name = fmt::format("restore/copy:{}/{}", vol.service(), vol.volume);
    auto container = run.swarm.container_of(run.stack, vol.service());
    if (container.empty()) {
      run.record(tier, {name, Status::fail,
                        fmt::format("no running container of service {} to put volume {} back through", vol.service(),
                                    vol.volume),
                        0});
      return false;
    }
    // Streamed from the archive into docker cp, block by block
    // (docs/architecture.md, "Bounded memory and permissions").
    VolumeTar tar;
    auto r = run.swarm.copy_into(container, vol.target(), [&](ByteSink& sink) {
      tar = write_volume_tar(backup.archive, run.stack, vol.volume, sink);
    });
    if (r.ok() && tar.entries == 0) {
      run.record(tier, {name, Status::fail, fmt::format("the archive holds nothing of volume {}", vol.volume), 0});
      return false;
    }
    run.record(tier, {name, r.ok() ? Status::pass : Status::fail,
                      r.ok() ? fmt::format("{} bytes of tar into volume {} ({}:{})", tar.bytes, vol.volume,
                                           vol.service(), vol.target())
                             : fmt::format("docker cp into {}:{} failed ({}): {}", vol.service(), vol.target(),
                                           r.describe(), r.err),
                      0});
    if (!r.ok()) return false;
  }
  return hooks(HookPoint::restore_post);
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
  bool ok = run.deploy(tier, Deployed::target, started) && run.converge(tier, "restore/converged", false) &&
            restore_volumes(run, tier, backup);
  if (ok && run.converge(tier, "restore/reconverged", false) && run.readiness(tier)) {
    // The data must come back: the verify hooks look for what was seeded.
    run.state.seeded = true;
    run.run_hooks(tier, Hook::verify);
    run.plugin_checks(tier, Tier::restore, "restore/");
  }
  run.finish_tier(tier, started);
}

} // namespace ccci::host
