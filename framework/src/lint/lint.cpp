#include "lint/lint.hpp"

#include "report/table.hpp"

namespace ccci::host {

std::string_view to_string(Severity s) {
  switch (s) {
  case Severity::error: return "error";
  case Severity::warning: return "warning";
  }
  return "?";
}

std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag) {
  const LintInput input{compose, plan, tag};
  std::vector<LintFinding> findings;
  for (const LintRule* rule : lint_rules()) {
    LintVerdict v = rule->check(input);
    findings.push_back({std::string(rule->id), rule->severity, v.satisfied, std::move(v.detail), std::move(v.fix)});
  }
  return findings;
}

std::string lint_table(const std::vector<LintFinding>& findings) {
  // Details and fixes stay on one line each (never wrapped) so they can be
  // searched and copied whole; the fix goes on its own line under the detail.
  TextTable table({{"rule"}, {"severity"}, {"satisfied"}, {"detail / how to fix"}},
                  {.underline = true, .notes_under_last_column = true});
  for (const auto& f : findings) {
    std::vector<std::string> notes;
    if (!f.satisfied && !f.fix.empty()) notes.push_back("fix: " + f.fix);
    table.add_row({f.rule, std::string(to_string(f.severity)), f.satisfied ? "yes" : "NO", f.detail}, std::move(notes));
  }
  return table.render();
}

} // namespace ccci::host
