// Regression canaries: known recipes (good and deliberately broken) whose
// verdicts ccci must get right. The spec (tests/canaries/canaries.yml), the
// comparator of a run's results against it, and the fixture guard (a broken
// fixture differs from its base only by its targeted change). Pure: no
// Docker, no processes; unit-tested in tests/unit/test_canary.cpp.
#pragma once

#include "model/results.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// What a canary must get: green, or red at one tier (that tier failed and
/// every tier before it passed or was a declared skip), optionally naming the
/// check that must be among the failures.
struct CanaryExpectation {
  bool green = true;
  Tier red_at = Tier::install;
  std::string failing_check; ///< "" = any failing check at red_at
  std::string label() const; ///< "green" or "red: upgrade"
};

struct CanarySpec {
  std::string name;                  ///< "bad-backup"
  std::string recipe;                ///< plugin and meta name (ccci run --recipe)
  std::filesystem::path base;        ///< recipes/<recipe> (holds recipe/ and releases), relative to the source tree
  std::filesystem::path variant;     ///< "" = the base itself; relative to `base` unless absolute
  std::string variant_from;          ///< "" = before the first release, else apply from this tag
  std::vector<std::string> touches;  ///< the only files the variant may change
  std::vector<std::string> run_args; ///< extra `ccci run` arguments
  CanaryExpectation expect;
  bool need_clean_teardown = true;
  bool need_no_secret_leak = true;
  std::string origin; ///< "canaries.yml:12", for messages
  bool is_bad() const { return !variant.empty(); }
};

/// Parses the spec. Throws InputError naming `origin`, the line and the fix
/// for anything wrong: invalid YAML, unknown or missing keys, a bad tier,
/// duplicate names, a variant without `touches` (or the reverse).
std::vector<CanarySpec> parse_canary_specs(std::string_view yaml_text, std::string_view origin);
std::vector<CanarySpec> load_canary_specs(const std::filesystem::path& file);

enum class CanaryOutcome { match, false_green, mismatch };
std::string_view to_string(CanaryOutcome o); ///< "match", "FALSE GREEN", "mismatch"

struct CanaryVerdict {
  CanaryOutcome outcome = CanaryOutcome::mismatch;
  std::string got;                  ///< observed_label of the run
  std::vector<std::string> reasons; ///< why it is not a match (empty on a match)
  bool ok() const { return outcome == CanaryOutcome::match; }
};

/// How far the run got, read the canary way: the first tier that is neither
/// `pass` nor a declared skip decides: "red: T" (fail), "unverified: T",
/// "undeclared skip: T", "not attempted: T"; none → "green".
std::string observed_label(const RunResults& r);

/// Compares a run to its spec. A bad canary whose targeted tier passed (or
/// that came out green) is a FALSE GREEN; red at the wrong tier, a non-pass
/// or undeclared skip before the tier, a passing tier without one passing
/// check (no teeth), a failed tier without a failing check, an exit status
/// that disagrees, or a flag that does not hold is a mismatch.
CanaryVerdict compare_canary(const CanarySpec& spec, const RunResults& r);

/// The verdict when the run left no results.json (it crashed, or said its
/// input was bad): always a mismatch, never a match.
CanaryVerdict no_results_verdict(int exit_code, std::string_view why);

/// `make-recipe-repo` arguments that build the fixture repository of `spec`
/// (or, with base_only, its base) at `dest`; `extra_variants` are applied
/// after the spec's own (the guard's self-test breaks a fixture with them).
std::vector<std::string> make_fixture_argv(const CanarySpec& spec, const std::filesystem::path& source_dir,
                                           const std::filesystem::path& dest, bool base_only,
                                           const std::vector<std::filesystem::path>& extra_variants = {});

// ---- the fixture guard ----

struct TreeEntry {
  std::string blob;
  std::uint64_t size = 0;
  bool operator==(const TreeEntry&) const = default;
};
using Tree = std::map<std::string, TreeEntry>; ///< path → blob

/// Parses `git ls-tree -r -l REF` output.
Tree parse_ls_tree(std::string_view text);

/// What is wrong with the fixture at one release tag compared with its base:
/// a file outside `touches` that differs (added, removed or changed), or a
/// touched file that the base has with content and the fixture emptied or
/// removed. Empty = fine.
std::vector<std::string> fixture_tag_problems(std::string_view tag, const Tree& base, const Tree& fixture,
                                              const std::vector<std::string>& touches);

// ---- the report ----

struct CanaryRow {
  std::string name;
  std::string expected;
  CanaryVerdict verdict;
  std::string run_id;
  std::string run_dir;
  int exit_code = -1;
  double seconds = 0;
};

/// The table `ccci canary` prints: canary, expected, got, verdict (+ reasons).
std::string canary_table(const std::vector<CanaryRow>& rows);
/// canary-report.json.
std::string canary_report_json(const std::vector<CanaryRow>& rows, std::string_view spec_file, std::string_view started,
                               std::string_view finished);

} // namespace ccci::host
