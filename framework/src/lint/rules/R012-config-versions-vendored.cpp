// R012-config-versions-vendored (abra, error): swarm configs are immutable,
// so a recipe names each one with a version variable
// (`name: ${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}`) that abra.sh
// exports and bumps with the file. A variable abra.sh does not export leaves
// the name ending in `_`, and a changed file then fails to deploy.
#include "lint/helpers.hpp"
#include "recipe/envfile.hpp"

#include <fmt/format.h>

#include <cctype>

namespace ccci::host::lint {

namespace {

/// The `_VERSION` variables a config name refers to: `${X_VERSION}`,
/// `${X_VERSION:-d}`, `$X_VERSION`.
std::vector<std::string> version_variables(const std::string& raw) {
  std::vector<std::string> out;
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '$') continue;
    if (i + 1 < raw.size() && raw[i + 1] == '$') {
      ++i; // `$$` is a literal dollar
      continue;
    }
    std::size_t start = i + 1 + (i + 1 < raw.size() && raw[i + 1] == '{' ? 1 : 0);
    std::size_t end = start;
    while (end < raw.size() && name_char(raw[end]))
      ++end;
    std::string var = raw.substr(start, end - start);
    if (var.ends_with("_VERSION")) out.push_back(var);
    i = end - 1;
  }
  return out;
}

LintVerdict check(const LintInput& in) {
  if (!in.tree) return not_judged("the recipe tree was not read");
  Env exports;
  std::string abra_sh_problem;
  if (!in.tree->abra_sh)
    abra_sh_problem = "there is no abra.sh";
  else
    try {
      exports = parse_abra_exports(*in.tree->abra_sh, "abra.sh");
    } catch (const RecipeDefect& e) {
      abra_sh_problem = e.what();
    }
  std::vector<std::string> problems, fixes;
  std::size_t vendored = 0;
  for (const auto& f : in.tree->compose_files) {
    for (const auto& c : f.configs) {
      for (const auto& var : version_variables(c.raw_name)) {
        if (exports.count(var)) {
          ++vendored;
          continue;
        }
        problems.push_back(fmt::format("{} config {}: `{}` names `{}`, which abra.sh does not export{}",
                                       at(f.name, c.line), c.key, c.raw_name, var,
                                       abra_sh_problem.empty() ? "" : " (" + abra_sh_problem + ")"));
        fixes.push_back(
            fmt::format("add `export {}=v1` to abra.sh (bump it whenever config {}'s file changes)", var, c.key));
      }
    }
  }
  return verdict(problems, fixes, fmt::format("{} config version variable(s), all exported by abra.sh", vendored));
}

} // namespace

extern const LintRule R012_config_versions_vendored{
    "R012-config-versions-vendored", Severity::error,
    "every config version variable (`${X_VERSION}` in a config name) is exported by abra.sh", check};

} // namespace ccci::host::lint
