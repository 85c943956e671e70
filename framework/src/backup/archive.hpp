// The archive ccci writes (libarchive, .tar.gz, each volume under
// var/lib/docker/volumes/<stack>_<volume>/_data/...), its verification, a
// streaming read-only view for plugins, and the tar stream a restore puts
// back into a container.
#pragma once

#include "backup/plan.hpp"
#include "os/fd.hpp"
#include "os/process.hpp"

#include <ccci/plugin.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// libarchive's handle, declared at global scope: named inside the namespace
// below, `struct archive` would declare an unrelated ccci::host::archive.
struct archive;

namespace ccci::host {

/// Writes the backup archive (gzip-compressed pax tar) from tar streams as
/// `docker cp CONTAINER:PATH -` produces them, in fixed memory: each stream
/// is read and each entry's data copied in 64 KiB blocks.
class ArchiveWriter {
public:
  /// Creates (or truncates) the file with mode 0600: it holds the app's
  /// data. Throws InfraFailure when the file cannot be created.
  explicit ArchiveWriter(const std::filesystem::path& path);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  /// Adds every entry of `tar_stream` (an uncompressed tar as `docker cp
  /// CONTAINER:PATH -` writes it) under `dest_prefix`: the entry "backup.sql"
  /// becomes "<dest_prefix>/backup.sql", "./x/y" becomes "<dest_prefix>/x/y",
  /// "." itself is dropped. Modes, sizes and mtimes are kept. Throws
  /// InfraFailure on a malformed stream. Pass archive_volume_root(...) (plus
  /// the parent of a selected path, if it is nested) as the prefix.
  void add_tar_stream(ByteSource& tar_stream, const std::string& dest_prefix);
  /// The same from a tar held in memory (small streams, tests).
  void add_tar_stream(std::string_view tar_stream, const std::string& dest_prefix);
  /// Finishes the archive (flushes gzip). Called by the destructor if not before.
  void close();

private:
  struct archive* archive_ = nullptr;
  Fd file_;                         ///< libarchive writes to it and leaves closing it to us
  std::filesystem::path spool_dir_; ///< where a large file's data waits for its sparse map
};

struct ArchiveVerdict {
  bool readable = false;  ///< read to the end without error
  bool truncated = false; ///< ended early / gzip or tar stream cut short
  std::string error;      ///< libarchive's words when not readable
  std::size_t entries = 0;
  std::vector<std::string> missing;    ///< "<service>/<volume>/<path>" selected but absent
  std::vector<std::string> unexpected; ///< entries that must not be there (excluded volume, unselected path)
  bool ok() const { return readable && !truncated && missing.empty() && unexpected.empty(); }
  /// One line for a check message.
  std::string describe() const;
};

/// Reads the whole archive once (streaming) and checks it against the plan:
/// complete (not truncated), every selected volume/path present (the path
/// itself or something under it), nothing excluded or unselected present.
ArchiveVerdict verify_archive(const std::filesystem::path& archive, const BackupPlan& plan);

/// The plugins' read-only view of an archive on disk.
class ArchiveReader final : public ccci::BackupArchive {
public:
  ArchiveReader(std::filesystem::path archive, std::string stack);
  std::vector<ArchiveEntry> entries() const override;
  std::optional<std::string> read(std::string_view path, std::size_t max_bytes) const override;
  std::string volume_path(std::string_view volume, std::string_view relative) const override;

private:
  std::filesystem::path archive_;
  std::string stack_;
};

/// Every member of the archive at `file` (.tar.gz or tar), streamed for the
/// leak scan: `on_member` gets a member's path (and, for a link, its target
/// after " -> "), then `on_data` its bytes in pieces of at most 64 KiB. One
/// block in memory whatever the members' sizes. Returns "" when the archive
/// was read to the end, else libarchive's words for why not.
std::string stream_archive_members(const std::filesystem::path& file,
                                   const std::function<void(const std::string& member)>& on_member,
                                   const std::function<void(std::string_view bytes)>& on_data);

/// What write_volume_tar wrote.
struct VolumeTar {
  std::size_t entries = 0;
  std::uint64_t bytes = 0; ///< of tar
};

/// Writes to `out`, block by block, an uncompressed tar of the archive's
/// content of `volume`, paths relative to the volume root, for `docker cp -
/// CONTAINER:TARGET`. Throws InfraFailure when the archive cannot be read
/// or `out` stops taking the stream.
VolumeTar write_volume_tar(const std::filesystem::path& archive, const std::string& stack, const std::string& volume,
                           ByteSink& out);

/// The same tar held in memory (tests); empty optional when the archive
/// holds nothing of that volume.
std::optional<std::string> volume_tar_for_restore(const std::filesystem::path& archive, const std::string& stack,
                                                  const std::string& volume);

} // namespace ccci::host
