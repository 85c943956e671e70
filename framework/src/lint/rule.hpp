// What a lint rule is: an id, a severity, a one-line summary and a check over
// the recipe — its rendered Compose and backup plan, every compose*.yml of its
// tree, its README.md, .env.sample and abra.sh, and its git tags. Each rule
// lives in a file of its own (lint/rules/<id>.cpp); lint/rules.cpp is the one
// list of them. Ids are `<CODE>-<slug>`: abra's `R001`–`R015` keep abra's
// codes and severities, ccci's own rules are `C001`… (docs/architecture.md).
#pragma once

#include "backup/plan.hpp"
#include "lint/tree.hpp"
#include "recipe/compose.hpp"

#include <fmt/core.h>

#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace ccci::host {

/// An error fails the lint tier; a warning is reported and does not.
enum class Severity { error, warning };
std::string_view to_string(Severity s); ///< "error", "warning"
inline std::ostream& operator<<(std::ostream& os, Severity s) { return os << to_string(s); }

struct LintFinding {
  std::string rule; ///< e.g. "C001-version-label-matches-tag"
  Severity severity = Severity::error;
  bool satisfied = false;
  std::string detail; ///< what was seen, naming services/labels/files
  std::string fix;    ///< how to fix, concrete
  /// Not "": the rule was not judged, and why (then `satisfied` is false and
  /// means nothing). Never reported as a pass.
  std::string not_judged = "";
  bool needs_network = false; ///< the rule is never judged offline (R006, R013)
};

/// What a recipe is linted on. It only borrows: it lives for one lint_recipe call.
struct LintInput {
  const Compose& compose; ///< the files COMPOSE_FILE selects, merged and rendered
  const BackupPlan& plan;
  std::string_view tag; ///< the release tag under test; "" for a branch or a commit
  /// The recipe's files at the ref; nullptr when not read (then rules that
  /// look at compose see the rendered compose, and rules of other files are
  /// not judged).
  const RecipeTree* tree = nullptr;
  /// Every tag of the recipe's repository; nullptr when they could not be
  /// read (`tags_error` says why).
  const std::vector<RecipeTag>* tags = nullptr;
  std::string_view tags_error = "";
};

/// What one rule concluded about one recipe; the rule's id and severity are
/// added from the rule itself, so a check cannot misreport them.
struct LintVerdict {
  bool satisfied = false;
  std::string detail;          ///< what was seen; said also when satisfied, so a pass names what was checked
  std::string fix;             ///< "" when satisfied
  std::string not_judged = ""; ///< not "": the rule could not be judged, and why
};

struct LintRule {
  std::string_view id; ///< `<CODE>-<slug>`, stable: results.json names its check `lint/<id>`
  Severity severity;
  std::string_view summary; ///< one line: what the rule asks of a recipe
  LintVerdict (*check)(const LintInput& input);
  /// Judged only with the network (abra asks the catalogue or the forge):
  /// listed, and reported as not judged, never as passed.
  bool needs_network = false;
};

/// Every rule, in the order the lint table lists them.
std::span<const LintRule* const> lint_rules();

} // namespace ccci::host

// So a severity reads as its name in messages.
template <>
struct fmt::formatter<ccci::host::Severity> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(ccci::host::Severity s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(ccci::host::to_string(s), ctx);
  }
};
