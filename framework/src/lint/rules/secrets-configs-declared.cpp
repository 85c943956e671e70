// secrets-configs-declared: every secret and config a service uses is
// declared at top level. load_compose refuses undeclared references already,
// so this is satisfied whenever a Compose exists; checking again costs
// nothing, keeps the rule honest should that ever change, and lists the rule
// in the table.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host::lint {

namespace {

bool declared(const std::vector<ComposeObject>& objects, const std::string& key) {
  return std::any_of(objects.begin(), objects.end(), [&](const ComposeObject& o) { return o.key == key; });
}

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t secrets = 0, configs = 0;
  auto check_used = [&](const ComposeService& s, const std::vector<std::string>& used,
                        const std::vector<ComposeObject>& top, std::string_view kind, std::string_view section,
                        std::size_t& count) {
    for (const auto& key : used) {
      ++count;
      if (declared(top, key)) continue;
      problems.push_back(fmt::format("service {} uses {} `{}`, not declared at top level", s.name, kind, key));
      fixes.push_back(fmt::format("declare `{}` under the top-level `{}:` of compose.yml", key, section));
    }
  };
  for (const auto& s : in.compose.services) {
    check_used(s, s.secrets, in.compose.secrets, "secret", "secrets", secrets);
    check_used(s, s.configs, in.compose.configs, "config", "configs", configs);
  }
  return verdict(problems, fixes,
                 fmt::format("{} secret and {} config reference(s), all declared at top level", secrets, configs));
}

} // namespace

extern const LintRule secrets_configs_declared{"secrets-configs-declared", Severity::error,
                                               "every secret and config a service uses is declared at top level",
                                               check};

} // namespace ccci::host::lint
