// What a run found, as results.json says it (schema: docs/results-schema.md).
#pragma once

#include "model/tiers.hpp"

#include <ccci/plugin.hpp>

#include <array>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ccci::host {

/// `warn` is a check status only (an unsatisfied lint warning: listed, not a
/// failure); a tier is never `warn` — one whose checks are passes and warnings
/// passes. docs/results-schema.md.
enum class Status { pass, fail, skip, na, unver, warn };
std::string_view to_string(Status s);
std::optional<Status> status_from_string(std::string_view s);
inline std::ostream& operator<<(std::ostream& os, Status s) { return os << to_string(s); }

struct CheckRecord {
  std::string name; ///< "install/serving"
  Status status = Status::unver;
  std::string message;
  double duration = 0; ///< seconds
};

struct TierResult {
  Tier tier = Tier::install;
  Status status = Status::na;
  std::string reason;
  bool declared_skip = false; ///< skip declared in recipe meta (intentional)
  double duration = 0;
  std::vector<CheckRecord> checks;
};

struct LevelCap {
  int level = 0;
  std::string rung; ///< the rung that stopped the climb, "" when at the top
  std::string reason;
};

struct ToolInfo {
  std::string name;
  std::string path;    ///< "" when missing
  std::string version; ///< first line of its version output
  bool found() const { return !path.empty(); }
};

struct PluginInfo {
  std::string path;
  std::string recipe;
  int abi = 0;
  std::vector<std::string> checks;
};

/// How the run's two chains ran (docs/architecture.md, "Chains").
struct ChainsInfo {
  bool parallel = false;     ///< the upgrade chain ran at once with install, on its own stack
  std::string why;           ///< why not parallel, "" when parallel or nothing ran beside install
  std::string upgrade_stack; ///< the upgrade chain's stack when parallel
};

struct RunResults {
  int schema = 1;
  std::string recipe, version, ref, commit, run_id, stack, domain;
  std::string started, finished; ///< ISO 8601 UTC
  std::vector<TierResult> tiers; ///< all six, in order
  LevelCap level;
  bool clean_teardown = false;
  bool no_secret_leak = false;
  /// Why no_secret_leak is false: each leak (file or archive member, secret,
  /// form; never the value) and each file the scan could not read.
  std::vector<std::string> leak_findings;
  bool kept_running = false; ///< left deployed on purpose (--keep-running: a warm canonical)
  std::vector<std::string> teardown_leftovers;
  std::vector<ToolInfo> environment;
  std::optional<PluginInfo> plugin;
  std::vector<std::string> evidence; ///< files in the run dir worth reading first
  ChainsInfo chains;
  int exit_code = 3;
  std::string ccci_version;

  TierResult& tier(Tier t);
  const TierResult& tier(Tier t) const;
};

/// A fresh result set: every tier `na`.
RunResults empty_results();

std::string to_json(const RunResults& r);
/// Throws InputError naming `origin` when the text is not a results.json.
RunResults results_from_json(std::string_view text, std::string_view origin);

std::string now_iso8601();

} // namespace ccci::host
