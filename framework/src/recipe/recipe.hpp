// A recipe checkout on disk: which commit to test, a private tree of it, and
// the env an app of it gets (as abra would write it).
#pragma once

#include "model/errors.hpp"
#include "recipe/envfile.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

struct ResolvedRef {
  std::string ref;     ///< what was asked for (a tag, a branch, a sha)
  std::string commit;  ///< full sha
  std::string version; ///< the release tag when the ref is one, else ""
};

/// Checks that `dir` is a recipe (a git repository whose commit at the ref
/// has compose.yml or .env.sample) and resolves what to test: `version` (a
/// release tag), or `ref`, or else the newest release tag, or else HEAD.
/// Throws InputError (exit 2) with the path and the fix otherwise.
ResolvedRef resolve_recipe_ref(const std::filesystem::path& dir, const std::optional<std::string>& version,
                               const std::optional<std::string>& ref);

/// The release tags of the repository at `dir`.
std::vector<std::string> recipe_tags(const std::filesystem::path& dir);

/// A private work tree of `commit` at `dest`, so two runs of one recipe
/// never share a tree. Throws InfraFailure when git fails.
void checkout_private_tree(const std::filesystem::path& dir, const std::string& commit,
                           const std::filesystem::path& dest);

struct AppEnv {
  Env env; ///< everything compose interpolation sees
  std::vector<std::string> compose_files;
  /// .env.sample's secret modifiers, by version variable.
  std::map<std::string, SecretModifiers> secret_modifiers;
};

/// The app's env, built the way abra builds it: `.env.sample` (required),
/// then `abra.sh`'s literal exports, then DOMAIN and STACK_NAME, then the
/// recipe meta's overrides; and the secret modifiers of .env.sample. A
/// malformed .env.sample (or secret modifier) is a RecipeDefect.
AppEnv make_app_env(const std::filesystem::path& tree, const std::string& domain, const std::string& stack,
                    const Env& overrides);

} // namespace ccci::host
