// What one run has made and deployed. The run owns it for its whole length,
// so anything that looks at "what is on the swarm" (evidence, teardown)
// reads a value that is still alive, whichever tier stopped early.
#pragma once

#include "backup/plan.hpp"
#include "model/errors.hpp"
#include "recipe/compose.hpp"
#include "recipe/envfile.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ccci::host {

/// One release of the recipe, checked out and rendered for this run's stack.
struct Release {
  std::string version; ///< release tag, or "" for a non-tag ref
  std::string commit;
  std::filesystem::path tree;
  Env env;
  Compose compose;
  std::filesystem::path rendered; ///< the compose file handed to the swarm
  bool routes_reported = false;   ///< its edge routes and skip notes are in a tier's checks
  /// .env.sample's secret modifiers, by version variable (recipe/envfile.hpp).
  std::map<std::string, SecretModifiers> secret_modifiers;
};

/// The archive the backup tier made, and the plan it followed.
struct BackupArtifact {
  BackupPlan plan;
  std::filesystem::path archive;
};

enum class Deployed { nothing, target, base };

struct RunState {
  std::optional<Release> target; ///< rendered once, by the first tier that needs it
  std::optional<Release> base;   ///< the upgrade base, once the upgrade tier rendered it
  Deployed deployed = Deployed::nothing;
  bool seeded = false; ///< the plugin's seed hooks ran on the current deployment
  /// Something of this run's stack may exist on the swarm: set before its
  /// first secret or deploy, never cleared. A stack never touched has
  /// nothing to remove (the upgrade chain's own stack, before its base).
  bool touched = false;
  std::optional<BackupArtifact> backup;

  /// The release now on the swarm, or nullptr.
  const Release* deployed_release() const {
    switch (deployed) {
    case Deployed::target: return target ? &*target : nullptr;
    case Deployed::base: return base ? &*base : nullptr;
    case Deployed::nothing: break;
    }
    return nullptr;
  }
};

} // namespace ccci::host
