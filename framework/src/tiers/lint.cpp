// lint: static rules (lint/) over the recipe at the exact ref; it runs
// whatever the deployed tiers found.
#include "lint/lint.hpp"
#include "os/fs.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>

namespace ccci::host {

void run_lint(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  if (!run.render_target(tier, started)) {
    run.finish_tier(tier, started);
    return;
  }
  const auto& compose = run.state.target->compose;
  BackupPlan plan;
  try {
    plan = plan_backup(compose, run.stack);
  } catch (const RecipeDefect& e) {
    run.record(tier, {"lint/backup-labels", Status::fail, e.what(), 0});
  }
  auto findings = lint_recipe(compose, plan, run.results.version);
  auto table = lint_table(findings);
  write_file_atomically(run.run_dir / "lint.txt", table);
  run.events.line(table);
  for (auto& f : findings) {
    bool failing = !f.satisfied && f.severity == Severity::error;
    run.record(tier, {fmt::format("lint/{}", f.rule), failing ? Status::fail : Status::pass,
                      f.satisfied ? f.detail : fmt::format("{}: {}; fix: {}", f.severity, f.detail, f.fix), 0});
  }
  run.finish_tier(tier, started);
}

} // namespace ccci::host
