// The canonical registry: per recipe, the last green tested release that is
// kept running as the warm canonical. One JSON file per recipe under
// <state_dir>/registry/, every write atomic.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace ccci::host {

struct Canonical {
  std::string recipe;
  std::string version; ///< release tag by version, e.g. 1.1.0+1.22.1
  std::string commit;
  std::string tag;
  std::string run_id;      ///< the green cold run that earned it
  std::string promoted_at; ///< ISO 8601 UTC
  std::string stack;       ///< the warm canonical's stack
  std::string domain;
};

std::filesystem::path registry_file(const std::filesystem::path& state_dir, const std::string& recipe);

/// nullopt when the recipe has no canonical. A record that cannot be read,
/// is not JSON of a canonical, names another recipe or holds no release
/// version throws InfraFailure naming the file, what is wrong and the fix
/// (writes are atomic, so this means someone edited it by hand). The sweep
/// makes that one recipe UNVER and sweeps the others.
std::optional<Canonical> read_canonical(const std::filesystem::path& state_dir, const std::string& recipe);

/// Temp file, fsync, rename, fsync of the directory: a reader sees the old
/// record or the new one, never a torn one, even if the writer is killed.
void write_canonical(const std::filesystem::path& state_dir, const Canonical& c);

} // namespace ccci::host
