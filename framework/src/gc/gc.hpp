// `ccci gc`, also run at the start of every `ccci run` and `ccci sweep`:
// removes what runs that died left behind (stack objects, secrets, configs,
// volumes, networks, edge route files, temporary directories), never a live
// run's and never a warm canonical's. The decision is judge_owner
// (model/ownership.hpp); this gathers its facts and acts on it.
// docs/architecture.md, "Ownership and reaping".
#pragma once

#include "model/ownership.hpp"
#include "swarm/swarm.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ccci::host {

struct GcOptions {
  /// Where run directories are: a run's lease and results.json are looked
  /// up as <runs_dir>/<run id>/.
  std::filesystem::path runs_dir;
  /// Where ccci's temporary directories (ccci-*) are; "" = the system's.
  std::filesystem::path temp_dir;
  bool dry_run = false;
  /// Say only what is removed or cannot be (the start of a run or sweep).
  bool quiet = false;
  /// What the swarm holds with owner labels, already listed (a run's start
  /// lists it with its manager check); null: gc lists it.
  const std::vector<OwnedObject>* listed = nullptr;
};

/// One object gc judged.
struct GcItem {
  std::string kind; ///< service, container, secret, config, volume, network, edge-route, temp-dir
  std::string name;
  Owner owner;
  GcDecision decision;
  bool removed = false;
  std::string error; ///< why it could not be removed
};

struct GcReport {
  std::vector<GcItem> items;
  int count(GcVerdict v) const;
  int removed() const;
  int failed() const;
  /// 0, or 1 when something that should go could not be removed.
  int exit_code() const { return failed() ? 1 : 0; }
  /// "gc: 6 object(s) of 1 dead run(s) removed, 4 kept (...), 0 could not be removed".
  std::string summary(bool dry_run) const;
};

/// Judges everything with owner labels on the swarm and the edge and every
/// ccci temporary directory with an owner record, removes (unless
/// `dry_run`) what judge_owner says may go, and tells `say` one line per
/// object with why. Throws InfraFailure when docker cannot list objects.
GcReport collect_garbage(Swarm& swarm, const GcOptions& options, const std::function<void(const std::string&)>& say);

} // namespace ccci::host
