// R007-readme-metadata (abra, warning): the catalogue shows a recipe from
// the metadata list of its README.md (`* **Category**: Apps`, …), so each
// field must be there and filled in (not empty, not the template's `?`).
#include "lint/helpers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <sstream>

namespace ccci::host::lint {

namespace {

constexpr std::array<std::string_view, 8> fields{"Category", "Status", "Image", "Healthcheck",
                                                 "Backups",  "Email",  "Tests", "SSO"};

/// The value of `**Field**:` in the README ("" when the field is missing or empty).
std::optional<std::string> field_value(const std::string& readme, std::string_view field) {
  const std::string marker = fmt::format("**{}**:", field);
  std::istringstream in(readme);
  for (std::string line; std::getline(in, line);) {
    auto pos = line.find(marker);
    if (pos == std::string::npos) continue;
    std::string value = line.substr(pos + marker.size());
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    return value;
  }
  return std::nullopt;
}

LintVerdict check(const LintInput& in) {
  if (!in.tree) return not_judged("the recipe tree was not read");
  if (!in.tree->readme)
    return verdict({"README.md: missing"},
                   {fmt::format("add a README.md with a metadata list (`* **Category**: Apps`, …) for {}",
                                fmt::join(fields, ", "))},
                   "");
  std::vector<std::string> missing, empty;
  for (auto field : fields) {
    auto value = field_value(*in.tree->readme, field);
    if (!value)
      missing.emplace_back(field);
    else if (value->empty() || *value == "?")
      empty.emplace_back(field);
  }
  std::vector<std::string> problems, fixes;
  if (!missing.empty()) {
    problems.push_back(fmt::format("README.md has no `**{}**:` metadata", fmt::join(missing, "**:`, `**")));
    fixes.push_back(
        fmt::format("add `* **<Field>**: <value>` lines to README.md's metadata for {}", fmt::join(missing, ", ")));
  }
  if (!empty.empty()) {
    problems.push_back(fmt::format("README.md metadata not filled in: {}", fmt::join(empty, ", ")));
    fixes.push_back(fmt::format("fill in {} in README.md's metadata", fmt::join(empty, ", ")));
  }
  return verdict(problems, fixes, fmt::format("README.md fills in all {} metadata fields", fields.size()));
}

} // namespace

extern const LintRule R007_readme_metadata{"R007-readme-metadata", Severity::warning,
                                           "README.md's metadata (category, status, image, …) is filled in", check};

} // namespace ccci::host::lint
