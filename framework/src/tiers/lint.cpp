// lint: static rules (lint/) over the recipe at the exact ref; it runs
// whatever the deployed tiers found. The rules read the rendered compose, its
// backup plan, every compose*.yml of the checked-out tree, its README.md,
// .env.sample and abra.sh, and the tags of the recipe's repository.
#include "lint/lint.hpp"
#include "os/fs.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>

namespace ccci::host {

namespace {

/// How a finding becomes a check: an unsatisfied error fails the tier, an
/// unsatisfied warning is `warn` (listed, not failing), a rule that needs the
/// network is a `skip` (listed as not judged, never as passed), and one that
/// could not be judged here is `unver`.
CheckRecord check_of(const LintFinding& f) {
  std::string name = fmt::format("lint/{}", f.rule);
  if (!f.not_judged.empty())
    return {name, f.needs_network ? Status::skip : Status::unver, fmt::format("not judged: {}", f.not_judged), 0};
  if (f.satisfied) return {name, Status::pass, f.detail, 0};
  return {name, f.severity == Severity::error ? Status::fail : Status::warn,
          fmt::format("{}: {}; fix: {}", f.severity, f.detail, f.fix), 0};
}

} // namespace

void run_lint(RunContext& run, TierResult& tier) {
  auto started = Clock::now();
  if (!run.render_target(tier, started)) {
    run.finish_tier(tier, started);
    return;
  }
  const Release& target = *run.state.target;
  BackupPlan plan;
  try {
    plan = plan_backup(target.compose, run.stack);
  } catch (const RecipeDefect& e) {
    run.record(tier, {"lint/backup-labels", Status::fail, e.what(), 0});
  }
  std::optional<RecipeTree> tree;
  try {
    tree = read_recipe_tree(target.tree, target.env);
  } catch (const InfraFailure& e) {
    run.record(tier, {"lint/read-tree", Status::unver, e.what(), 0});
  }
  if (tree)
    for (const auto& f : tree->compose_files)
      if (!f.error.empty())
        run.record(tier, {fmt::format("lint/parse:{}", f.name), Status::fail,
                          fmt::format("{} (lint reads every compose*.yml of the recipe, selected by COMPOSE_FILE or "
                                      "not; fix the file or remove it)",
                                      f.error),
                          0});
  std::optional<std::vector<RecipeTag>> tags;
  std::string tags_error;
  try {
    tags = read_recipe_tags(run.options.recipe_dir);
  } catch (const InfraFailure& e) {
    tags_error = e.what();
  }
  LintInput input{target.compose,          plan,      run.results.version, tree ? &*tree : nullptr,
                  tags ? &*tags : nullptr, tags_error};
  auto findings = lint_recipe(input);
  auto table = lint_table(findings);
  run.write_artifact("lint.txt", table);
  run.events.line(table);
  for (const auto& f : findings)
    run.record(tier, check_of(f));
  run.finish_tier(tier, started);
}

} // namespace ccci::host
