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

std::vector<LintFinding> lint_recipe(const LintInput& input) {
  std::vector<LintFinding> findings;
  for (const LintRule* rule : lint_rules()) {
    LintVerdict v = rule->check(input);
    LintFinding f{std::string(rule->id), rule->severity,          v.satisfied,        std::move(v.detail),
                  std::move(v.fix),      std::move(v.not_judged), rule->needs_network};
    // A rule that was not judged is never counted as satisfied.
    if (!f.not_judged.empty()) f.satisfied = false;
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<LintFinding> lint_recipe(const Compose& compose, const BackupPlan& plan, const std::string& tag) {
  return lint_recipe(LintInput{compose, plan, tag});
}

std::string_view lint_outcome(const LintFinding& f) {
  if (!f.not_judged.empty()) return "not judged";
  if (f.satisfied) return "pass";
  return f.severity == Severity::error ? "FAIL" : "warn";
}

namespace {

std::string_view summary_of(const std::string& id) {
  for (const LintRule* r : lint_rules())
    if (r->id == id) return r->summary;
  return "";
}

} // namespace

std::string lint_table(const std::vector<LintFinding>& findings) {
  // Details and fixes stay on one line each (never wrapped) so they can be
  // searched and copied whole; each goes on its own line under the summary.
  TextTable table({{"rule"}, {"severity"}, {"result"}, {"what it asks / what was seen"}},
                  {.underline = true, .notes_under_last_column = true});
  for (const auto& f : findings) {
    std::vector<std::string> notes;
    if (!f.not_judged.empty())
      notes.push_back("not judged: " + f.not_judged);
    else if (!f.detail.empty())
      notes.push_back("seen: " + f.detail);
    if (f.not_judged.empty() && !f.satisfied && !f.fix.empty()) notes.push_back("fix: " + f.fix);
    auto summary = summary_of(f.rule);
    table.add_row({f.rule, std::string(to_string(f.severity)), std::string(lint_outcome(f)),
                   summary.empty() ? std::string("-") : std::string(summary)},
                  std::move(notes));
  }
  return table.render();
}

} // namespace ccci::host
