// C003-secrets-configs-declared (ccci, error): every secret and config a
// service uses is declared at top level, in its own compose file or in
// compose.yml (the base every COMPOSE_FILE chain starts from). load_compose
// refuses undeclared references of the selected files already; this rule
// also reads the overlays COMPOSE_FILE does not select, which break only on
// the day an operator selects them.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host::lint {

namespace {

bool declared(const std::vector<FileObject>& objects, const std::string& key) {
  return std::any_of(objects.begin(), objects.end(), [&](const FileObject& o) { return o.key == key; });
}

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t secrets = 0, configs = 0;
  const auto files = compose_views(in);
  const ComposeFileView* base = nullptr;
  for (const auto& f : files)
    if (f.name == "compose.yml") base = &f;
  auto check_used = [&](const ComposeFileView& f, const FileService& s, const std::vector<std::string>& used,
                        bool secret, std::size_t& count) {
    for (const auto& key : used) {
      ++count;
      const auto& own = secret ? f.secrets : f.configs;
      if (declared(own, key) || (base && declared(secret ? base->secrets : base->configs, key))) continue;
      const std::string_view kind = secret ? "secret" : "config";
      problems.push_back(
          fmt::format("{} service {} uses {} `{}`, not declared at top level", at(f.name, s.line), s.name, kind, key));
      fixes.push_back(
          fmt::format("declare `{}` under the top-level `{}:` of {}", key, secret ? "secrets" : "configs", f.name));
    }
  };
  for (const auto& f : files)
    for (const auto& s : f.services) {
      check_used(f, s, s.secrets, true, secrets);
      check_used(f, s, s.configs, false, configs);
    }
  return verdict(problems, fixes,
                 fmt::format("{} secret and {} config reference(s), all declared at top level", secrets, configs));
}

} // namespace

extern const LintRule C003_secrets_configs_declared{
    "C003-secrets-configs-declared", Severity::error,
    "every secret and config a service uses is declared at top level (its file or compose.yml)", check};

} // namespace ccci::host::lint
