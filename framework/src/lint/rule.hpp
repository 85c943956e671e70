// What a lint rule is: an id, a severity, a one-line summary and a check over
// the rendered Compose and its backup plan. Each rule lives in a file of its
// own (lint/rules/<id>.cpp); lint/rules.cpp is the one list of them.
#pragma once

#include "backup/plan.hpp"
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
  std::string rule; ///< e.g. "version-label-matches-tag"
  Severity severity = Severity::error;
  bool satisfied = false;
  std::string detail; ///< what was seen, naming services/labels/files
  std::string fix;    ///< how to fix, concrete
};

/// What a recipe is linted on. It only borrows: it lives for one lint_recipe call.
struct LintInput {
  const Compose& compose;
  const BackupPlan& plan;
  std::string_view tag; ///< the release tag under test; "" for a branch or a commit
};

/// What one rule concluded about one recipe; the rule's id and severity are
/// added from the rule itself, so a check cannot misreport them.
struct LintVerdict {
  bool satisfied = false;
  std::string detail; ///< what was seen; said also when satisfied, so a pass names what was checked
  std::string fix;    ///< "" when satisfied
};

struct LintRule {
  std::string_view id; ///< stable: results.json names its check `lint/<id>`
  Severity severity;
  std::string_view summary; ///< one line: what the rule asks of a recipe
  LintVerdict (*check)(const LintInput& input);
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
