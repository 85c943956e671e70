#include "recipe/recipe.hpp"

#include "model/version.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "recipe/envfile.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

ProcessResult git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = std::chrono::minutes(5);
  return run_process(argv, o);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

} // namespace

std::vector<std::string> recipe_tags(const fs::path& dir) {
  auto r = git(dir, {"tag", "--list"});
  std::vector<std::string> tags;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) tags.push_back(line);
  return tags;
}

ResolvedRef resolve_recipe_ref(const fs::path& dir, const std::optional<std::string>& version,
                               const std::optional<std::string>& ref) {
  if (!fs::is_directory(dir))
    throw InputError(fmt::format("{}: not a directory; --recipe-dir takes a recipe's git checkout", dir.string()));
  // The directory must be a repository's top, not somewhere inside another
  // repository (which would silently test that repository's HEAD).
  auto top = git(dir, {"rev-parse", "--show-toplevel"});
  std::error_code ec;
  bool is_top = top.ok() && fs::equivalent(first_line(top.out), dir, ec);
  if (!is_top)
    throw InputError(fmt::format("{}: not a recipe: not a git repository{} (recipes are git repos with "
                                 "compose.yml and .env.sample at the top; clone one, e.g. `git clone "
                                 "<recipe-url>`)",
                                 dir.string(),
                                 top.ok() ? fmt::format(" of its own (it lies inside {})", first_line(top.out)) : ""));
  if (version && ref) throw InputError("--version and --ref exclude each other: give one");
  ResolvedRef out;
  if (version) {
    if (!parse_version(*version))
      throw InputError(fmt::format("--version {}: not a release tag (expected <recipe-semver>+<upstream>, "
                                   "e.g. 1.1.0+1.22.1); use --ref for other refs",
                                   *version));
    out.ref = *version;
    out.version = *version;
  } else if (ref) {
    out.ref = *ref;
  } else {
    auto newest = newest_release(recipe_tags(dir));
    out.ref = newest ? newest->tag : "HEAD";
    if (newest) out.version = newest->tag;
  }
  auto rev = git(dir, {"rev-parse", "--verify", "--quiet", out.ref + "^{commit}"});
  if (!rev.ok())
    throw InputError(fmt::format("{}: no commit for '{}' in this repository (see `git -C {} tag` for "
                                 "the release tags)",
                                 dir.string(), out.ref, dir.string()));
  out.commit = first_line(rev.out);
  if (out.version.empty()) {
    // A ref that points at exactly a release tag is that release.
    auto at = git(dir, {"tag", "--points-at", out.commit});
    std::istringstream in(at.out);
    std::vector<std::string> tags;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) tags.push_back(line);
    if (auto v = newest_release(tags)) out.version = v->tag;
  }
  bool has_compose = git(dir, {"cat-file", "-e", out.commit + ":compose.yml"}).ok();
  bool has_env = git(dir, {"cat-file", "-e", out.commit + ":.env.sample"}).ok();
  if (!has_compose && !has_env)
    throw InputError(fmt::format("{}: not a recipe: commit {} of '{}' has neither compose.yml nor "
                                 ".env.sample at its root",
                                 dir.string(), out.commit.substr(0, 12), out.ref));
  return out;
}

void checkout_private_tree(const fs::path& dir, const std::string& commit, const fs::path& dest) {
  ProcessOptions o;
  o.timeout = std::chrono::minutes(5);
  auto clone = run_process(
      {"git", "clone", "--quiet", "--shared", "--no-checkout", fs::absolute(dir).string(), dest.string()}, o);
  if (!clone.ok())
    throw InfraFailure(fmt::format("git clone of {} failed ({}): {}", dir.string(), clone.describe(), clone.err));
  auto co = git(dest, {"-c", "advice.detachedHead=false", "checkout", "--quiet", commit});
  if (!co.ok()) throw InfraFailure(fmt::format("git checkout {} in {} failed: {}", commit, dest.string(), co.err));
}

AppEnv make_app_env(const fs::path& tree, const std::string& domain, const std::string& stack, const Env& overrides) {
  auto env_path = tree / ".env.sample";
  if (!fs::exists(env_path))
    throw RecipeDefect(".env.sample: missing; abra needs it to create an app (add one with at least "
                       "TYPE, DOMAIN and COMPOSE_FILE)");
  const std::string sample = read_file(env_path);
  Env env = parse_env_file(sample, ".env.sample");
  if (fs::exists(tree / "abra.sh"))
    for (auto& [k, v] : parse_abra_exports(read_file(tree / "abra.sh"), "abra.sh"))
      env[k] = v;
  env["DOMAIN"] = domain;
  env["STACK_NAME"] = stack;
  for (auto& [k, v] : overrides)
    env[k] = v;
  return {env, compose_files(env), parse_secret_modifiers(sample, ".env.sample")};
}

} // namespace ccci::host
