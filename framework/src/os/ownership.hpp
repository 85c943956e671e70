// The machine's side of ownership (model/ownership.hpp): who this process
// is, whether another process still is, whether a run's lease is held, and
// temporary directories that say who made them. docs/architecture.md,
// "Ownership and reaping".
#pragma once

#include "model/ownership.hpp"
#include "os/fs.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ccci::host {

/// When process `pid` started, as UTC with hundredths of a second
/// ("2026-12-01T17:16:46.53Z", from the boot time and field 22 of
/// /proc/PID/stat): the same for one process however often it is asked, and
/// different for a later process that is given the same pid. nullopt when
/// no process has the pid, or only a zombie (it holds nothing any more).
std::optional<std::string> process_start_time(long pid);

/// This machine's hostname.
std::string this_hostname();

/// This process as the owner of run `run`.
Owner this_process_owner(const std::string& run, bool canonical);

/// The run this process works for, recorded in the temporary directories it
/// makes (owned_temp_dir). Set once by `ccci run` when it knows its run id;
/// a forked check inherits it.
void set_process_run(const std::string& run, bool canonical);
/// This process as the owner of the run set_process_run() named, or of
/// `ccci-<pid>` when none was.
Owner process_owner();

/// The lease a live run holds: an exclusive FileLock on this file of its run
/// directory, for its whole life.
inline constexpr const char* lease_file_name = "lease";

/// Whether someone holds the lease in `file` (unknown: there is no such
/// file). Takes the lock for an instant when nobody does.
LeaseState lease_state(const std::filesystem::path& file);

/// The owner record in every temporary directory ccci makes for itself.
inline constexpr const char* temp_owner_file = ".ccci-owner";

/// A TempDir (os/fs.hpp) under the system's temporary directory whose
/// `.ccci-owner` names process_owner(), so `ccci gc` can tell a dead
/// process's leftover from a live one's. `prefix` must start with `ccci-`.
TempDir owned_temp_dir(std::string_view prefix);

} // namespace ccci::host
