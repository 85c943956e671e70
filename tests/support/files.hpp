// Files for tests: a temporary tree to write a recipe (or anything) into, and
// whole-file read and write that fail naming the file.
#pragma once

#include "os/fs.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace ccci::test {

/// A directory of the test's own, $TMPDIR/ccci-<label>-XXXXXX, removed with
/// everything in it when the test is done with it, passed or failed.
class TempTree {
public:
  explicit TempTree(std::string_view label);

  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  std::filesystem::path operator/(const std::filesystem::path& relative) const { return dir() / relative; }
  /// Writes `text` to dir()/`relative`, making the directories on the way;
  /// returns the file's path.
  std::filesystem::path write(const std::filesystem::path& relative, std::string_view text) const;

private:
  host::TempDir dir_;
};

/// The whole file; throws naming it when it cannot be read.
std::string read(const std::filesystem::path& file);

/// Replaces `file` with `text` (never seen half written), making the
/// directories on the way.
void write(const std::filesystem::path& file, std::string_view text);

} // namespace ccci::test
