// The lint tier's core: static rules over a recipe at the exact ref, no deploy.
#pragma once

#include "backup/plan.hpp"
#include "lint/rule.hpp"
#include "recipe/compose.hpp"

#include <string>
#include <vector>

namespace ccci::host {

/// Applies every rule of lint_rules(), in order; each rule yields exactly one
/// finding — satisfied, unsatisfied, or not judged (with why) — so the table
/// lists every rule and a pass says what was checked. What each rule asks is
/// in its file, lint/rules/<id>.cpp.
std::vector<LintFinding> lint_recipe(const LintInput& input);

/// The same over the rendered compose alone (no tree, no tags): the rules of
/// other files and of tags are not judged.
std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag);

/// How a finding reads in the table and in results.json: "pass", "FAIL"
/// (an unsatisfied error), "warn" (an unsatisfied warning), "not judged".
std::string_view lint_outcome(const LintFinding& finding);

/// A fixed-width table: rule | severity | result | summary, and under each
/// summary what was seen and, when unsatisfied, how to fix it.
std::string lint_table(const std::vector<LintFinding>& findings);

} // namespace ccci::host
