// What lint reads of a recipe besides the rendered compose: every compose*.yml
// of the tree (not only those COMPOSE_FILE selects, as `abra recipe lint`
// reads them), README.md, .env.sample, abra.sh, and the kind of every tag of
// its git repository (docs/architecture.md, "Lint").
#pragma once

#include "model/errors.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

struct Compose;

/// A service as one compose file writes it; an overlay may set only a part.
struct FileService {
  std::string name;
  int line = 0;                              ///< 1-based line of the service's key
  std::optional<std::string> image;          ///< interpolated; nullopt when this file sets none
  std::map<std::string, std::string> labels; ///< deploy.labels, list or map form, interpolated
  std::optional<bool> healthcheck;           ///< nullopt: none here; false: disabled (`disable: true`, NONE)
  std::vector<std::string> secrets;          ///< keys of the secrets it uses
  std::vector<std::string> configs;          ///< keys of the configs it uses
};

/// A top-level `secrets:` or `configs:` entry as written.
struct FileObject {
  std::string key;
  std::string raw_name; ///< its `name:` before interpolation ("" when none), so `${X_VERSION}` shows
  int line = 0;
};

/// One compose file of the recipe tree, read on its own.
struct ComposeFileView {
  std::string name;                   ///< relative to the recipe, e.g. "compose.smtp.yml"
  std::optional<std::string> version; ///< top-level `version:`
  std::vector<FileService> services;
  std::vector<FileObject> secrets;
  std::vector<FileObject> configs;
  std::string error; ///< not "": the file is not a compose map (what and where); nothing else is set
};

struct RecipeTree {
  /// compose.yml first (abra's base), then every other compose*.yml by name.
  std::vector<ComposeFileView> compose_files;
  std::optional<std::string> readme;     ///< README.md's text, nullopt when absent
  std::optional<std::string> env_sample; ///< .env.sample's text
  std::optional<std::string> abra_sh;    ///< abra.sh's text
};

/// Reads one compose file's text: services, images, labels and healthchecks
/// interpolated against `env` (an expression that cannot be interpolated is
/// kept as written), secrets and configs as written. Never throws: YAML that
/// does not parse, or is not a map, sets `error` with the line.
ComposeFileView read_compose_file(std::string_view text, const std::string& name, const Env& env);

/// The view of an already rendered Compose (the files COMPOSE_FILE selects,
/// merged), for linting when the tree is not at hand.
ComposeFileView view_of(const Compose& compose);

/// Reads the recipe tree at `dir`: the top-level compose*.yml files,
/// README.md, .env.sample and abra.sh. Throws InfraFailure when a file
/// present cannot be read.
RecipeTree read_recipe_tree(const std::filesystem::path& dir, const Env& env);

/// A tag of the recipe's repository and whether it is annotated (a tag
/// object) or lightweight (a bare ref to a commit).
struct RecipeTag {
  std::string name;
  bool annotated = false;
};

/// Parses `git for-each-ref --format='%(objecttype) %(refname:strip=2)' refs/tags`.
std::vector<RecipeTag> parse_tag_kinds(std::string_view listing);

/// Every tag of the git repository at `repo`, through os/process. Throws
/// InfraFailure when git cannot list them.
std::vector<RecipeTag> read_recipe_tags(const std::filesystem::path& repo);

} // namespace ccci::host
