// Flake triage: the same recipe rerun N times alone and N times beside K
// other runs of itself, then classified. Pure: the runs are done by `ccci
// triage` (framework/cli/cmd_triage.cpp); unit-tested in tests/unit/test_triage.cpp.
#pragma once

#include "model/results.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// One `ccci run` of the triage.
struct TriageRun {
  std::string run_id;
  std::string run_dir;
  bool under_load = false;
  int round = 0;           ///< 1-based
  bool background = false; ///< one of the K extra runs of a load round
  int exit_code = -1;      ///< -1: killed or never finished
  double seconds = 0;
  std::optional<RunResults> results;
  std::string error; ///< why there are no results, when there are none
};

/// What one run came to, comparable across runs.
struct RunSignature {
  enum class Kind { green, red, harness } kind = Kind::harness;
  std::string label; ///< "green", "red: install [install/converged]", "harness: exit 3 (unverified: install)"
  std::string tier;  ///< the red tier, for kind == red
  std::vector<std::string> failing_checks; ///< sorted, for kind == red
};
RunSignature signature_of(const TriageRun& run);

enum class TriageClass { genuine, flake, load_sensitive, harness, not_reproduced };
std::string_view to_string(TriageClass c); ///< "genuine", "flake", "load-sensitive", "harness", "not-reproduced"

struct TriageReport {
  TriageClass cls = TriageClass::harness;
  std::string summary;               ///< one paragraph a person can act on
  std::vector<std::string> evidence; ///< files to read first (absolute)
  int isolation_green = 0, isolation_red = 0, isolation_harness = 0;
  int load_green = 0, load_red = 0, load_harness = 0;
};

/// The classes, in order of precedence:
/// - harness: an isolated run was unverified or ccci itself failed (exit 2/3,
///   no results.json): no verdict about the recipe can be trusted; or the
///   isolated runs were all green and only ccci failed under load;
/// - flake: the isolated runs disagree (some green, some red, or red at
///   different tiers/checks);
/// - genuine: every isolated run was red at the same tier with the same
///   failing checks (the evidence lists their results.json and evidence files);
/// - load-sensitive: green every time alone, red under load;
/// - not-reproduced: green every time, alone and under load.
TriageReport classify_triage(const std::vector<TriageRun>& isolation, const std::vector<TriageRun>& load);

/// triage-report.json and the readable triage-report.txt.
std::string triage_report_json(const TriageReport& report, const std::vector<TriageRun>& isolation,
                               const std::vector<TriageRun>& load, std::string_view recipe, int repeat, int load_k);
std::string triage_report_text(const TriageReport& report, const std::vector<TriageRun>& isolation,
                               const std::vector<TriageRun>& load, std::string_view recipe, int repeat, int load_k);

} // namespace ccci::host
