// The filesystem as ccci uses it, owned by RAII handles: a temporary
// directory removed with its owner, a lock the kernel lets go of when its
// holder dies, and whole-file reads and writes that say which file failed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace ccci::host {

/// A fresh directory `<parent>/<prefix>XXXXXX` (mkdtemp, mode 0700), removed
/// with everything in it when its owner goes, however it goes. Movable, so a
/// function can make one and hand it on; a moved-from TempDir owns nothing.
class TempDir {
public:
  /// `parent` "" means the system's temporary directory ($TMPDIR, else /tmp).
  /// Throws InfraFailure naming the parent when the directory cannot be made.
  explicit TempDir(std::string_view prefix, const std::filesystem::path& parent = {});
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& relative) const { return path_ / relative; }

private:
  void remove() noexcept;
  std::filesystem::path path_;
};

/// An exclusive advisory lock (flock) on a file, which is created if absent.
/// Making a FileLock opens the file; lock() or try_lock() takes the lock. It
/// goes with unlock(), with the FileLock, or with the process holding it, so a
/// crashed holder never leaves it stuck. The descriptor is close-on-exec: a
/// program ccci starts does not keep ccci's lock alive. Two FileLocks on one
/// file exclude each other even within one process.
class FileLock {
public:
  /// Throws InfraFailure naming the file when it cannot be opened.
  explicit FileLock(std::filesystem::path path);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Waits until the lock is this FileLock's.
  void lock();
  /// Takes the lock if nobody holds it: false, at once, when someone does.
  bool try_lock();
  void unlock() noexcept;
  bool owns_lock() const noexcept { return owned_; }

  /// The pid the current holder wrote into the file on taking the lock (a
  /// FileLock always does), "" when the file has none: for telling a user
  /// who is in the way.
  std::string holder() const;
  const std::filesystem::path& path() const noexcept { return path_; }

private:
  void close() noexcept;
  void record_holder() noexcept;
  std::filesystem::path path_;
  int fd_ = -1;
  bool owned_ = false;
};

/// The whole content of `path`. Throws InfraFailure naming the file and why.
std::string read_file(const std::filesystem::path& path);
/// The same, reporting failure in `ec` (content then "") for callers that
/// tell the user in their own words what a missing file means.
std::string read_file(const std::filesystem::path& path, std::error_code& ec);

/// Writes `content` to `path` so a reader sees the old file or the new one,
/// never a torn one: temp file in the same directory, fsync, rename, fsync dir.
/// The file keeps the mode it had; a new one gets `new_file_mode` (0600:
/// what ccci writes may hold an app's data). The temp file's name is unique
/// per process and call, so two writers of one file never share it, and it
/// is removed when the write fails. Throws InfraFailure naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, unsigned new_file_mode = 0600);

/// Creates `dir` and its missing parents with mode 0700, and makes `dir`
/// itself 0700 if it was there: a run directory, the state directory, the
/// registry. Throws InfraFailure naming the directory.
void create_private_directories(const std::filesystem::path& dir);

} // namespace ccci::host
