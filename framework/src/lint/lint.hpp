// The lint tier: static rules over a recipe at the exact ref, no deploy.
#pragma once

#include "backup/plan.hpp"
#include "lint/rule.hpp"
#include "recipe/compose.hpp"

#include <string>
#include <vector>

namespace ccci::host {

/// Applies every rule of lint_rules(), in order; each rule yields exactly one
/// finding, satisfied or not, so the table lists every rule and a pass says
/// what was checked. What each rule asks is in its file, lint/rules/<id>.cpp.
std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag);

/// A fixed-width table: rule | severity | satisfied | detail / how to fix.
std::string lint_table(const std::vector<LintFinding>& findings);

} // namespace ccci::host
