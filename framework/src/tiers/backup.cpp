// backup: backupbot's labels (backup/plan.hpp) turned into a .tar.gz of the
// stack's volumes between the pre- and post-hooks, verified, then handed
// read-only to the plugin's archive checks.
#include "backup/archive.hpp"
#include "os/fs.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

// One attempt, as backupbot takes a backup of the stack: every pre-hook,
// then the copy of every selected volume, then every post-hook
// (docs/architecture.md, "Backup and restore"). Each step is recorded in
// `steps`; false when a hook or a copy failed (no archive to judge). A
// failing pre-hook stops the attempt: what it was to prepare (a dump) is not
// there to copy.
bool copy_volumes(RunContext& run, const BackupPlan& plan, const fs::path& archive, std::vector<CheckRecord>& steps,
                  Clock::time_point started) {
  for (const auto& hook : plan.hooks_at(HookPoint::backup_pre)) {
    run.check_stop();
    steps.push_back(run.backupbot_hook(hook));
    if (steps.back().status != Status::pass) return false;
  }
  bool ok = true;
  {
    ArchiveWriter writer(archive);
    for (const auto& vol : plan.volumes) {
      run.check_stop();
      const auto name = fmt::format("backup/copy:{}/{}", vol.service(), vol.volume);
      auto container = run.swarm.container_of(run.stack, vol.service());
      if (container.empty()) {
        steps.push_back(
            {name, Status::fail,
             fmt::format("no running container of service {} to copy volume {} from", vol.service(), vol.volume),
             seconds_since(started)});
        ok = false;
        continue;
      }
      const std::vector<std::string> paths = vol.paths.empty() ? std::vector<std::string>{"."} : vol.paths;
      for (const auto& rel : paths) {
        auto src = rel == "." ? vol.target() + "/." : vol.target() + "/" + rel;
        auto parent = fs::path(rel).parent_path().string();
        auto prefix = archive_volume_root(run.stack, vol.volume) + (rel == "." || parent.empty() ? "" : "/" + parent);
        // Streamed from docker cp into the archive: a volume never sits in
        // memory whole (docs/architecture.md, "Bounded memory and permissions").
        auto copy = run.swarm.copy_from(container, src, [&](ByteSource& tar) { writer.add_tar_stream(tar, prefix); });
        if (!copy.ok()) {
          steps.push_back(
              {name, Status::fail,
               fmt::format("docker cp {}:{} failed ({}): {}", vol.service(), src, copy.describe(), copy.err),
               seconds_since(started)});
          ok = false;
          continue;
        }
      }
    }
    writer.close();
  }
  for (const auto& hook : plan.hooks_at(HookPoint::backup_post)) {
    run.check_stop();
    steps.push_back(run.backupbot_hook(hook));
    ok = ok && steps.back().status == Status::pass;
  }
  return ok;
}

// The whole backup is retried, at most 3 times, and only when the archive's
// integrity check says it was cut short.
bool take_backup(RunContext& run, TierResult& tier, BackupArtifact& artifact) {
  for (int attempt = 1; attempt <= 3; ++attempt) {
    run.check_stop();
    auto started = Clock::now();
    create_private_directories(run.run_dir / "backup");
    artifact.archive = run.run_dir / "backup" / fmt::format("{}.tar.gz", run.stack);
    std::vector<CheckRecord> steps;
    bool ok = copy_volumes(run, artifact.plan, artifact.archive, steps, started);
    for (auto& s : steps)
      run.record(tier, s);
    if (!ok) return false;
    auto verdict = verify_archive(artifact.archive, artifact.plan);
    if (verdict.truncated && attempt < 3) {
      run.events.progress(
          "backup", fmt::format("attempt {} of 3: archive truncated ({}); backing up again", attempt, verdict.error));
      run.record(tier, {"backup/attempt", Status::pass,
                        fmt::format("attempt {} produced a truncated archive ({}); retried (at most 3 attempts)",
                                    attempt, verdict.error),
                        seconds_since(started)});
      continue;
    }
    run.record(tier, {"backup/archive_complete", verdict.ok() ? Status::pass : Status::fail,
                      fmt::format("{}: {}", fs::relative(artifact.archive, run.run_dir).string(), verdict.describe()),
                      seconds_since(started)});
    return verdict.ok();
  }
  return false;
}

} // namespace

void run_backup(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  BackupArtifact artifact;
  try {
    artifact.plan = plan_backup(run.state.target->compose, run.stack);
  } catch (const RecipeDefect& e) {
    run.record(tier, {"backup/labels", Status::fail, e.what(), 0});
    run.finish_tier(tier, started);
    return;
  }
  if (artifact.plan.empty()) {
    run.skip_tier(tier, "not backup-capable: no service has the label backupbot.backup=true");
    return;
  }
  if (artifact.plan.volumes.empty()) {
    run.record(
        tier, {"backup/volumes", Status::fail,
               fmt::format("backupbot.backup=true on service {} enables the backup of the stack, but {}: the "
                           "backup would hold nothing; mount the data in a named volume, or drop the label",
                           artifact.plan.enabled_by.front(),
                           artifact.plan.excluded.empty()
                               ? std::string("no service mounts a named volume")
                               : fmt::format("every volume is excluded ({})", fmt::join(artifact.plan.excluded, ", "))),
               0});
    run.finish_tier(tier, started);
    return;
  }
  bool ok = run.seed_once(tier) && take_backup(run, tier, artifact);
  if (ok && run.plugin) {
    ArchiveReader reader(artifact.archive, run.stack);
    auto ctx = run.app_context();
    for (auto& a : run.plugin->plugin().archive_checks()) {
      run.check_stop();
      auto check = a.run;
      run.record(tier, run_isolated(
                           fmt::format("backup/archive:{}", a.name),
                           [&reader, check](Context& c) { return check(c, reader); }, ctx, run.meta.check_timeout,
                           [&](const std::string& l) { run.events.line(fmt::format("    | {}", l)); }));
    }
  }
  run.state.backup = std::move(artifact);
  run.finish_tier(tier, started);
}

} // namespace ccci::host
