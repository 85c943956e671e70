// What the dashboard shows (docs/architecture.md, "Dashboard"): the recipes,
// their canonicals, the sweeps' summaries and every run directory, read into
// plain values. Pure: the text of each file comes in, a model goes out, and
// a file that cannot be read is a value saying why, never an exception; the
// filesystem side is report/site.cpp.
#pragma once

#include "model/ownership.hpp"
#include "model/results.hpp"
#include "sweep/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// One recipe's line of a sweep's summary.json (sweep/sweep.cpp).
struct SweepRow {
  std::string recipe, latest, decision, run_id, label;
  std::optional<int> run_exit;
  std::optional<std::string> canonical_version; ///< the registry's after the sweep
  std::vector<std::string> notes;
};

struct SweepRecord {
  std::string id; ///< its directory's name, sweep-<UTC time>-<hex>: sorts by time
  std::string finished;
  std::optional<int> exit_code;
  std::optional<bool> no_secret_leak;
  std::vector<std::string> leak_findings;
  std::vector<SweepRow> rows;
  std::string problem; ///< "" when the summary was read whole
};

/// Never throws: a summary that is not JSON of a sweep is a record whose
/// `problem` says what is wrong; the fields that could be read are kept.
SweepRecord sweep_from_json(std::string_view id, std::string_view text);

enum class RunState {
  complete,  ///< results.json read
  missing,   ///< no results.json: still running, or died before writing it
  malformed, ///< results.json is there and is not one (not JSON, wrong schema, truncated)
};
std::string_view to_string(RunState s);

/// A file of the run directory the site may copy and link to.
struct RunArtifact {
  std::string path; ///< relative to the run directory, e.g. evidence/tasks.txt
  std::uintmax_t size = 0;
  std::string skipped; ///< why it is not copied ("" = copied, unless the run's files are withheld)
  /// Its name in the site: `path` with `.txt` added unless it ends so. Web
  /// servers (nginx's mime.types) serve .yml and .log as a download; as .txt
  /// they are shown, from a server and from file:// alike.
  std::string site_path() const { return path.ends_with(".txt") ? path : path + ".txt"; }
};

struct RunEntry {
  std::string id;
  RunState state = RunState::missing;
  std::optional<RunResults> results;
  std::string problem; ///< for missing and malformed: what the page says instead of results
  std::string recipe;  ///< the results', else the recipe a sweep ran it for, else ""
  std::string when;    ///< ISO 8601 UTC: started, else the directory's last change
  std::vector<RunArtifact> artifacts;

  /// The files are copied only when the leak scan proved the run clean; else
  /// why not ("withheld: ..."), to show instead of links.
  std::string withheld() const;
  /// A leak finding names results.json itself: its reasons and messages are
  /// not shown either (docs/architecture.md, "Dashboard").
  bool words_withheld() const;
};

/// `results_text` is nullopt when the file is absent; `lease` tells a run
/// still going from one that died (os/ownership.hpp lease_state).
RunEntry run_entry(std::string id, const std::optional<std::string>& results_text, LeaseState lease);

struct RecipeInfo {
  std::string name{};
  bool enrolled = false;
  bool has_meta = false;      ///< a ccci.yml in the recipes dir
  std::string meta_problem{}; ///< the meta could not be read
  std::optional<Canonical> canonical{};
  std::string canonical_problem{}; ///< the registry record could not be read
};

struct SiteModel {
  std::string generated;           ///< ISO 8601 UTC; every age on the pages is relative to it
  std::vector<RecipeInfo> recipes; ///< by name: enrolled, then any with runs or a record
  std::vector<SweepRecord> sweeps; ///< oldest first
  std::vector<RunEntry> runs;      ///< newest first
  std::vector<std::string> notes;  ///< what was seen and left out, and why
};

/// Completes a model whose parts were read: a run without results takes its
/// recipe from the sweep that started it; a recipe with runs or a canonical
/// but no enrolled meta is added, not enrolled; recipes by name, sweeps
/// oldest first, runs newest first.
void finish_model(SiteModel& model);

/// A recipe or run name that can be a file name and a relative URL as it is:
/// letters, digits, `.`, `_`, `+`, `-`, not starting with `.`, at most 200.
bool safe_site_name(std::string_view name);

/// The run a recipe's index line and badge speak for: the newest complete
/// run that is not a kept-running promotion (an install-only run that would
/// show a low level for a green recipe), else the newest complete run.
std::optional<RunEntry> latest_run(const SiteModel& model, std::string_view recipe);

/// The newest sweep row of `recipe` and the sweep it is from.
std::optional<std::pair<SweepRecord, SweepRow>> last_sweep(const SiteModel& model, std::string_view recipe);

} // namespace ccci::host
