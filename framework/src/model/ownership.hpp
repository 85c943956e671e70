// Who made an object ccci left on the swarm, the edge or the disk, and
// whether `ccci gc` may remove it (docs/architecture.md, "Ownership and
// reaping"). Pure: the facts about processes, leases and run directories are
// gathered by gc/gc.cpp and handed in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ccci::host {

/// The labels ccci puts on everything it creates for a run.
namespace owner_label {
inline constexpr const char* run = "ccci.run";         ///< the run id
inline constexpr const char* host = "ccci.host";       ///< the hostname of the machine ccci ran on
inline constexpr const char* pid = "ccci.pid";         ///< the pid of that ccci process
inline constexpr const char* started = "ccci.started"; ///< when that process started (process_start_time)
inline constexpr const char* role = "ccci.role";       ///< `test`, or `canonical` for a run kept running
} // namespace owner_label

using Labels = std::map<std::string, std::string>;

/// The ccci process a run's objects belong to. `started` tells that process
/// from a later one that got the same pid.
struct Owner {
  std::string run;
  std::string host;
  long pid = 0;
  std::string started;
  bool canonical = false; ///< made by `ccci run --keep-running` (the sweep's promotion)
};

/// The five labels of `owner`.
Labels owner_labels(const Owner& owner);

/// The owner the labels name, or nullopt when they carry no `ccci.run`: an
/// object made by hand or by another tool, which gc never touches. A missing
/// or unreadable pid reads as 0 (gc then leaves the object alone).
std::optional<Owner> owner_from_labels(const Labels& labels);

/// The labels as `key=value` lines, for files that cannot carry labels (an
/// edge route file, a temporary directory). Characters other than printable
/// ASCII become `?`, so a value never breaks a line or a file format.
std::string owner_record(const Owner& owner, std::string_view line_prefix = "");
/// The labels from such lines; lines without `line_prefix` and `ccci.` keys
/// are ignored.
Labels parse_owner_record(std::string_view text, std::string_view line_prefix = "");

/// Whether the run's lease (a flock on `<run dir>/lease`) is held.
enum class LeaseState { unknown, held, free }; ///< unknown: no lease file where the run dir should be

/// What the run's own directory says, when gc knows where it is.
enum class RunRecord {
  unknown,    ///< no such run directory under the runs dir gc was given
  unfinished, ///< the directory exists, no results.json: the run never finished
  kept,       ///< results.json says it was kept running (a warm canonical)
  finished,   ///< results.json says it finished and tore down
};

/// The facts gc gathered about an owner on this host.
struct OwnerFacts {
  /// The start time of the process that now has the owner's pid, nullopt
  /// when no process has it.
  std::optional<std::string> pid_started;
  LeaseState lease = LeaseState::unknown;
  RunRecord record = RunRecord::unknown;
};

enum class GcVerdict {
  remove,     ///< its owner is gone
  live,       ///< its owner runs (or holds its lease)
  canonical,  ///< a warm canonical: only a promotion replacing it removes it
  other_host, ///< made on another machine: only that machine can tell
  unknown,    ///< labels too incomplete to tell
};

struct GcDecision {
  GcVerdict verdict;
  std::string why; ///< a sentence for the operator, naming pid, host, run and start time
};

/// Whether gc may remove what `owner` made, on host `this_host`. The owner
/// is gone only when it was made here and its pid runs no more (or runs a
/// process that started at another time) and its lease, where known, is
/// not held. A warm canonical's owner is gone by design; its objects stay
/// unless its run directory shows it never became one (the run died, or
/// finished without keeping it).
GcDecision judge_owner(const Owner& owner, std::string_view this_host, const OwnerFacts& facts);

std::string_view to_string(GcVerdict v);

} // namespace ccci::host
