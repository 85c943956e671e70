// The backup archive (backup/archive.hpp). Every archive is handled by
// streaming it through libarchive: a backup may be larger than the space left
// to unpack it, and a plugin must never see anything but the archive itself.
#include "backup/archive.hpp"
#include "backup/paths.hpp"
#include "model/errors.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

using namespace backup_text;

constexpr std::size_t io_block = 64 * 1024;
// Hard links may chain; more hops than this is a corrupt archive, not a backup.
constexpr int max_link_hops = 8;

// ---------------------------------------------------------------- libarchive handles

struct ReadFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const noexcept { archive_write_free(a); }
};
using ReadHandle = std::unique_ptr<archive, ReadFree>;
using WriteHandle = std::unique_ptr<archive, WriteFree>;

// libarchive's read-ahead fails silently when the input runs out inside
// a gzip header or trailer: a silent failure is a stream that ended early.
constexpr std::string_view silent_error = "the archive ends early (truncated; libarchive gave no detail)";

/// libarchive's own words, with the system's when it recorded an errno.
std::string error_of(archive* a) {
  const char* text = archive_error_string(a);
  std::string out = text ? text : std::string(silent_error);
  const int err = archive_errno(a);
  if (err > 0 && out.find(std::strerror(err)) == std::string::npos) out += fmt::format(" ({})", std::strerror(err));
  return out;
}

/// A failure reading an entry's data: the archive (or stream) is damaged.
class ReadFailure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Paths as the bytes the archive holds. ccci runs in the C locale, where
// libarchive cannot convert a non-ASCII UTF-8 name to a "multibyte" one; its
// pax writer then dereferences the missing form. Raw bytes in, raw bytes out
// keeps such names intact (the pax header records them as BINARY).
std::string entry_path(archive_entry* e) {
  if (const char* p = archive_entry_pathname(e)) return p;
  if (const char* p = archive_entry_pathname_utf8(e)) return p;
  return {};
}

std::string entry_hardlink(archive_entry* e) {
  if (const char* p = archive_entry_hardlink(e)) return p;
  if (const char* p = archive_entry_hardlink_utf8(e)) return p;
  return {};
}

void set_entry_path(archive_entry* e, const std::string& path) { archive_entry_copy_pathname(e, path.c_str()); }

void set_entry_hardlink(archive_entry* e, const std::string& path) { archive_entry_copy_hardlink(e, path.c_str()); }

bool is_directory(archive_entry* e) { return archive_entry_filetype(e) == AE_IFDIR; }

/// Copies the current entry's data from `in` to `out`. A read error is a
/// ReadFailure (the caller knows what the input was); a write error is an
/// InfraFailure naming `output`.
void copy_data(archive* in, archive* out, std::string_view output) {
  std::string buffer(io_block, '\0');
  while (true) {
    const la_ssize_t n = archive_read_data(in, buffer.data(), buffer.size());
    if (n < 0) throw ReadFailure(error_of(in));
    if (n == 0) return;
    if (archive_write_data(out, buffer.data(), static_cast<std::size_t>(n)) != n)
      throw InfraFailure(fmt::format("writing {} failed: {}", output, error_of(out)));
  }
}

/// At most `max_bytes` of the current entry's data.
std::string read_data(archive* in, std::size_t max_bytes) {
  std::string out;
  std::string buffer(io_block, '\0');
  while (out.size() < max_bytes) {
    const la_ssize_t n = archive_read_data(in, buffer.data(), std::min(buffer.size(), max_bytes - out.size()));
    if (n < 0) throw ReadFailure(error_of(in));
    if (n == 0) break;
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return out;
}

void write_header(archive* out, archive_entry* e, std::string_view output) {
  // ARCHIVE_WARN is a name that could not be converted exactly; the entry is still written.
  if (archive_write_header(out, e) < ARCHIVE_WARN)
    throw InfraFailure(fmt::format("writing {} failed at entry '{}': {}", output, entry_path(e), error_of(out)));
}

// ---------------------------------------------------------------- streaming passes

/// How a pass over an archive file ended.
struct PassEnd {
  bool ok = false;        ///< reached the end (or stopped on purpose) without error
  bool truncated = false; ///< the error is the archive ending early
  std::string error;
  std::size_t entries = 0; ///< headers read before the end
};

bool mentions_truncation(std::string_view error) {
  for (std::size_t i = 0; i + 8 <= error.size(); ++i)
    if (iequals(error.substr(i, 8), "truncate")) return true;
  return false;
}

/// Reads `file` (.tar.gz, or a plain tar) entry by entry and hands each to
/// `visit`, which may read the entry's data and returns false to stop. Never
/// throws for a damaged archive: says how the pass ended instead. An error
/// after the first entry counts as truncation — the stream was good until it
/// stopped, which is what a backup cut short looks like.
PassEnd stream_archive(const fs::path& file, const std::function<bool(archive*, archive_entry*)>& visit) {
  PassEnd end;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    end.error = fmt::format("no such file: {}", file.string());
    return end;
  }
  ReadHandle in(archive_read_new());
  if (!in) throw std::bad_alloc();
  archive_read_support_filter_gzip(in.get());
  archive_read_support_format_tar(in.get());
  auto fail = [&](std::string error) {
    end.truncated = end.entries > 0 || mentions_truncation(error);
    end.error = std::move(error);
    return end;
  };
  if (archive_read_open_filename(in.get(), file.c_str(), io_block) != ARCHIVE_OK) return fail(error_of(in.get()));
  archive_entry* entry = nullptr;
  while (true) {
    const int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail(error_of(in.get()));
    ++end.entries;
    try {
      if (!visit(in.get(), entry)) break;
    } catch (const ReadFailure& e) {
      return fail(e.what());
    }
  }
  end.ok = true;
  return end;
}

/// A ByteSource as libarchive's read callback: a block at a time.
struct SourceReader {
  ByteSource& source;
  std::string block = std::string(io_block, '\0');
  std::uint64_t total = 0;

  static la_ssize_t read(archive*, void* data, const void** buffer) {
    auto* self = static_cast<SourceReader*>(data);
    const std::size_t n = self->source.read(self->block.data(), self->block.size());
    self->total += n;
    *buffer = self->block.data();
    return static_cast<la_ssize_t>(n);
  }
};

[[noreturn]] void throw_empty_stream(const std::string& what) {
  throw InfraFailure(fmt::format("the tar stream for {} is empty; docker cp produced nothing — "
                                 "check that the path exists in the container",
                                 what));
}

/// Opens an uncompressed tar read from `reader` (a `docker cp ... -` stream).
ReadHandle open_tar_stream(SourceReader& reader, const std::string& what) {
  ReadHandle in(archive_read_new());
  if (!in) throw std::bad_alloc();
  archive_read_support_format_tar(in.get());
  if (archive_read_open(in.get(), &reader, nullptr, &SourceReader::read, nullptr) != ARCHIVE_OK) {
    if (reader.total == 0) throw_empty_stream(what);
    throw InfraFailure(fmt::format("the tar stream for {} is not a tar archive: {}", what, error_of(in.get())));
  }
  return in;
}

/// A tar held in memory, as a ByteSource.
class MemorySource final : public ByteSource {
public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  std::size_t read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, data_.size());
    std::copy_n(data_.data(), n, buffer);
    data_.remove_prefix(n);
    return n;
  }

private:
  std::string_view data_;
};

/// An uncompressed pax tar written block by block to a ByteSink.
class SinkTar {
public:
  explicit SinkTar(ByteSink& sink) : sink_(sink), out_(archive_write_new()) {
    if (!out_) throw std::bad_alloc();
    archive_write_set_format_pax_restricted(out_.get());
    // No padding to a 10 KiB block: the stream goes to docker cp, not a tape.
    archive_write_set_bytes_in_last_block(out_.get(), 1);
    if (archive_write_open2(out_.get(), this, nullptr, &write, nullptr, nullptr) != ARCHIVE_OK)
      throw InfraFailure(fmt::format("cannot start a tar stream: {}", error_of(out_.get())));
  }
  archive* get() const { return out_.get(); }
  std::uint64_t bytes() const { return bytes_; }
  void finish(std::string_view what) {
    if (archive_write_close(out_.get()) != ARCHIVE_OK)
      throw InfraFailure(fmt::format("finishing {} failed: {}", what, error_of(out_.get())));
  }

private:
  static la_ssize_t write(archive* a, void* data, const void* buffer, std::size_t length) {
    auto* self = static_cast<SinkTar*>(data);
    if (!self->sink_.write(std::string_view(static_cast<const char*>(buffer), length))) {
      archive_set_error(a, EPIPE, "the program reading the tar stream stopped taking it");
      return -1;
    }
    self->bytes_ += length;
    return static_cast<la_ssize_t>(length);
  }
  ByteSink& sink_;
  std::uint64_t bytes_ = 0;
  WriteHandle out_; // last: its close may still call write()
};

/// A ByteSink into a string.
class StringSink final : public ByteSink {
public:
  bool write(std::string_view data) override {
    text.append(data);
    return true;
  }
  std::string text;
};

/// `path` relative to `root` ("" for root itself), or nullopt when outside it.
std::optional<std::string> relative_to(const std::string& path, const std::string& root) {
  if (!within(path, root)) return std::nullopt;
  return path.size() == root.size() ? std::string{} : path.substr(root.size() + 1);
}

// ---------------------------------------------------------------- holes

// docker's tar has no sparse map: a sparse file's holes arrive as zeros.
// A file this large is spooled to a sparse temp file first, its all-zero
// blocks left as holes, so that its header can carry the map and the
// archive stores only the data (libarchive's pax writer drops the holes'
// bytes). Smaller files go straight through.
constexpr la_int64_t spool_from = 1 << 20;

bool all_zero(const char* p, std::size_t n) { return n == 0 || (p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0); }

void copy_keeping_holes(archive* in, archive* out, archive_entry* e, const fs::path& spool_dir) {
  const std::string output = "the backup archive";
  std::string pattern = (spool_dir / ".ccci-spool-XXXXXX").string();
  Fd spool(::mkstemp(pattern.data()));
  if (!spool)
    throw InfraFailure(fmt::format("cannot make a spool file in {} for {}: {}", spool_dir.string(), entry_path(e),
                                   std::strerror(errno)));
  ::unlink(pattern.c_str()); // it lives as long as its descriptor
  std::string buffer(io_block, '\0');
  std::vector<std::pair<la_int64_t, la_int64_t>> data; // offset, length
  la_int64_t offset = 0;
  while (true) {
    const la_ssize_t n = archive_read_data(in, buffer.data(), buffer.size());
    if (n < 0) throw ReadFailure(error_of(in));
    if (n == 0) break;
    if (!all_zero(buffer.data(), static_cast<std::size_t>(n))) {
      if (::pwrite(spool.get(), buffer.data(), static_cast<std::size_t>(n), offset) != n)
        throw InfraFailure(
            fmt::format("cannot spool {} in {}: {}", entry_path(e), spool_dir.string(), std::strerror(errno)));
      if (!data.empty() && data.back().first + data.back().second == offset)
        data.back().second += n;
      else
        data.emplace_back(offset, n);
    }
    offset += n;
  }
  // A trailing hole still needs the file's last byte in the map: readers
  // take the size from the last data block.
  if (offset > 0 && (data.empty() || data.back().first + data.back().second < offset)) data.emplace_back(offset - 1, 1);
  if (::ftruncate(spool.get(), offset) != 0)
    throw InfraFailure(
        fmt::format("cannot spool {} in {}: {}", entry_path(e), spool_dir.string(), std::strerror(errno)));
  archive_entry_sparse_clear(e);
  for (auto [at, length] : data)
    archive_entry_sparse_add_entry(e, at, length);
  write_header(out, e, output);
  // Holes read back as zeros without touching a disk, 64 KiB at a time.
  for (la_int64_t at = 0; at < offset;) {
    const ssize_t n = ::pread(spool.get(), buffer.data(), buffer.size(), at);
    if (n <= 0)
      throw InfraFailure(fmt::format("cannot read back the spool of {}: {}", entry_path(e),
                                     n < 0 ? std::strerror(errno) : "it ended early"));
    if (archive_write_data(out, buffer.data(), static_cast<std::size_t>(n)) != n)
      throw InfraFailure(fmt::format("writing {} failed: {}", output, error_of(out)));
    at += n;
  }
}

// ---------------------------------------------------------------- verification

/// Normalized archive paths, sorted, for "is there anything at or under P".
class PathIndex {
public:
  explicit PathIndex(const std::vector<std::string>& paths) : paths_(paths.begin(), paths.end()) {}
  bool has_within(const std::string& dir) const {
    if (paths_.count(dir)) return true;
    const std::string below = dir + "/";
    auto it = paths_.lower_bound(below);
    return it != paths_.end() && it->starts_with(below);
  }

private:
  std::set<std::string> paths_;
};

/// An entry may be in the archive if it lies within a selected volume/path,
/// or is a directory leading to one (var/, var/lib/... as other tars write them).
bool allowed(const std::string& path, const std::vector<std::string>& selected) {
  return std::any_of(selected.begin(), selected.end(),
                     [&](const std::string& s) { return within(path, s) || within(s, path); });
}

/// What to report for an unexpected entry: a whole volume directory when
/// nothing of that volume is selected (an excluded volume shows up once, not
/// once per file), else the entry itself.
std::string unexpected_key(const std::string& path, const std::vector<std::string>& selected) {
  if (!path.starts_with(volumes_dir)) return path;
  const auto rest = std::string_view(path).substr(volumes_dir.size());
  const std::string volume_dir = std::string(volumes_dir) + std::string(rest.substr(0, rest.find('/')));
  const bool any_selected =
      std::any_of(selected.begin(), selected.end(), [&](const std::string& s) { return within(s, volume_dir); });
  if (any_selected) return path;
  const std::string data_dir = volume_dir + "/_data";
  return within(path, data_dir) ? data_dir : volume_dir;
}

std::vector<std::string> unexpected_entries(const std::vector<std::string>& paths,
                                            const std::vector<std::string>& selected) {
  std::vector<std::string> out;
  for (const auto& path : paths) {
    if (allowed(path, selected)) continue;
    auto key = unexpected_key(path, selected);
    // Tar lists a directory before its content: report the directory only.
    const bool covered =
        std::any_of(out.begin(), out.end(), [&](const std::string& seen) { return within(key, seen); });
    if (!covered) out.push_back(std::move(key));
  }
  return out;
}

} // namespace

// ---------------------------------------------------------------- ArchiveWriter

ArchiveWriter::ArchiveWriter(const fs::path& path) {
  // 0600 also when the file is there from an earlier attempt: O_CREAT's mode
  // only applies to a new file.
  file_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!file_ || ::fchmod(file_.get(), 0600) != 0)
    throw InfraFailure(fmt::format("cannot create the backup archive {}: {}; check that its directory "
                                   "exists and is writable",
                                   path.string(), std::strerror(errno)));
  WriteHandle out(archive_write_new());
  if (!out) throw std::bad_alloc();
  if (archive_write_add_filter_gzip(out.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(out.get()) != ARCHIVE_OK)
    throw InfraFailure(fmt::format("cannot set up the backup archive {}: {} (libarchive without gzip support?)",
                                   path.string(), error_of(out.get())));
  if (archive_write_open_fd(out.get(), file_.get()) != ARCHIVE_OK)
    throw InfraFailure(fmt::format("cannot create the backup archive {}: {}; check that its directory "
                                   "exists and is writable",
                                   path.string(), error_of(out.get())));
  archive_ = out.release();
  spool_dir_ = path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

ArchiveWriter::~ArchiveWriter() {
  if (!archive_) return;
  // An unfinished archive is being abandoned (an exception is on its way):
  // flush what there is; verification will call it incomplete if it is.
  archive_write_close(archive_);
  archive_write_free(archive_);
}

void ArchiveWriter::add_tar_stream(std::string_view tar_stream, const std::string& dest_prefix) {
  MemorySource source(tar_stream);
  add_tar_stream(source, dest_prefix);
}

void ArchiveWriter::add_tar_stream(ByteSource& tar_stream, const std::string& dest_prefix) {
  const std::string prefix = normalize(dest_prefix);
  const std::string what = prefix.empty() ? std::string("the archive root") : prefix;
  if (!archive_) throw InfraFailure(fmt::format("cannot add {} to the backup archive: it is already closed", what));
  SourceReader reader{tar_stream};
  ReadHandle in = open_tar_stream(reader, what);
  archive_entry* entry = nullptr;
  try {
    while (true) {
      const int r = archive_read_next_header(in.get(), &entry);
      if (r == ARCHIVE_EOF) {
        if (reader.total == 0) throw_empty_stream(what);
        break;
      }
      if (r < ARCHIVE_WARN) throw ReadFailure(error_of(in.get()));
      const std::string relative = normalize(entry_path(entry));
      // "." is the copied directory itself; its entries carry the content.
      if (relative.empty()) continue;
      set_entry_path(entry, join_path(prefix, relative));
      if (const auto link = entry_hardlink(entry); !link.empty())
        set_entry_hardlink(entry, join_path(prefix, normalize(link)));
      if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) >= spool_from &&
          entry_hardlink(entry).empty()) {
        copy_keeping_holes(in.get(), archive_, entry, spool_dir_);
      } else {
        write_header(archive_, entry, "the backup archive");
        copy_data(in.get(), archive_, "the backup archive");
      }
    }
  } catch (const ReadFailure& e) {
    throw InfraFailure(fmt::format("the tar stream for {} is malformed: {}; the copy out of the container "
                                   "was cut short or is not a tar",
                                   what, e.what()));
  }
}

void ArchiveWriter::close() {
  if (!archive_) return;
  const int r = archive_write_close(archive_);
  const std::string error = r == ARCHIVE_OK ? std::string{} : error_of(archive_);
  archive_write_free(archive_);
  archive_ = nullptr;
  file_.reset();
  if (r != ARCHIVE_OK)
    throw InfraFailure(fmt::format("finishing the backup archive failed: {}; the archive is incomplete — "
                                   "check the free space where it is written",
                                   error));
}

// ---------------------------------------------------------------- verification

std::string ArchiveVerdict::describe() const {
  if (truncated) return fmt::format("truncated after {} entries: {}", entries, error);
  if (!readable) return fmt::format("unreadable: {}", error);
  if (ok()) return fmt::format("complete: {} entries", entries);
  std::string out;
  if (!missing.empty()) out += "missing: " + summarize(missing);
  if (!unexpected.empty()) out += (out.empty() ? "" : "; ") + std::string("unexpected: ") + summarize(unexpected);
  return out;
}

ArchiveVerdict verify_archive(const fs::path& file, const BackupPlan& plan) {
  ArchiveVerdict verdict;
  std::vector<std::string> paths;
  const PassEnd end = stream_archive(file, [&](archive*, archive_entry* e) {
    paths.push_back(normalize(entry_path(e)));
    return true;
  });
  verdict.entries = end.entries;
  verdict.readable = end.ok;
  verdict.truncated = end.truncated;
  verdict.error = end.error;
  // What is missing from a damaged archive says nothing about the plan.
  if (!end.ok) return verdict;

  const PathIndex index(paths);
  std::vector<std::string> selected;
  for (const auto& volume : plan.volumes) {
    const std::string root = archive_volume_root(plan.stack, volume.volume);
    if (volume.paths.empty()) {
      selected.push_back(root);
      if (!index.has_within(root)) verdict.missing.push_back(fmt::format("{}/{}", volume.service(), volume.volume));
    }
    for (const auto& path : volume.paths) {
      const std::string full = join_path(root, normalize(path));
      selected.push_back(full);
      if (!index.has_within(full))
        verdict.missing.push_back(fmt::format("{}/{}/{}", volume.service(), volume.volume, normalize(path)));
    }
  }
  verdict.unexpected = unexpected_entries(paths, selected);
  return verdict;
}

// ---------------------------------------------------------------- ArchiveReader

ArchiveReader::ArchiveReader(fs::path archive, std::string stack)
    : archive_(std::move(archive)), stack_(std::move(stack)) {}

std::vector<ArchiveEntry> ArchiveReader::entries() const {
  std::vector<ArchiveEntry> out;
  const PassEnd end = stream_archive(archive_, [&](archive*, archive_entry* e) {
    const auto size = archive_entry_size(e);
    // Paths without the trailing "/" tar gives directories, so they compare
    // equal to volume_path(...).
    out.push_back(
        ArchiveEntry{normalize(entry_path(e)), size > 0 ? static_cast<std::uint64_t>(size) : 0u, is_directory(e)});
    return true;
  });
  if (!end.ok)
    throw ccci::InfraError(fmt::format("cannot list the backup archive {}: {}{}", archive_.string(), end.error,
                                       end.truncated ? " (the archive is truncated)" : ""));
  return out;
}

std::optional<std::string> ArchiveReader::read(std::string_view path, std::size_t max_bytes) const {
  std::string wanted = normalize(path);
  for (int hop = 0; hop <= max_link_hops; ++hop) {
    enum class Found { none, not_a_file, data, link } found = Found::none;
    std::string data, link;
    const PassEnd end = stream_archive(archive_, [&](archive* in, archive_entry* e) {
      if (normalize(entry_path(e)) != wanted) return true;
      link = entry_hardlink(e);
      if (!link.empty())
        found = Found::link; // the bytes are stored with the entry it links to, earlier on
      else if (archive_entry_filetype(e) != AE_IFREG)
        found = Found::not_a_file;
      else {
        data = read_data(in, max_bytes);
        found = Found::data;
      }
      return false;
    });
    if (!end.ok)
      throw ccci::InfraError(
          fmt::format("cannot read '{}' from the backup archive {}: {}", wanted, archive_.string(), end.error));
    switch (found) {
    case Found::data: return data;
    case Found::none:
    case Found::not_a_file: return std::nullopt;
    case Found::link: wanted = normalize(link); break;
    }
  }
  throw ccci::InfraError(fmt::format("cannot read '{}' from the backup archive {}: more than {} chained hard links",
                                     normalize(path), archive_.string(), max_link_hops));
}

std::string ArchiveReader::volume_path(std::string_view volume, std::string_view relative) const {
  return join_path(archive_volume_root(stack_, std::string(volume)), normalize(relative));
}

// ---------------------------------------------------------------- leak scan

std::string stream_archive_members(const fs::path& file, const std::function<void(const std::string&)>& on_member,
                                   const std::function<void(std::string_view)>& on_data) {
  std::string buffer(io_block, '\0');
  const PassEnd end = stream_archive(file, [&](archive* in, archive_entry* e) {
    auto link = entry_hardlink(e);
    if (link.empty())
      if (const char* s = archive_entry_symlink(e)) link = s;
    on_member(link.empty() ? entry_path(e) : entry_path(e) + " -> " + link);
    while (true) {
      const la_ssize_t n = archive_read_data(in, buffer.data(), buffer.size());
      if (n < 0) throw ReadFailure(error_of(in));
      if (n == 0) break;
      on_data(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    return true;
  });
  if (end.ok) return "";
  return end.truncated ? end.error + " (the archive is truncated)" : end.error;
}

// ---------------------------------------------------------------- restore

VolumeTar write_volume_tar(const fs::path& file, const std::string& stack, const std::string& volume, ByteSink& sink) {
  const std::string root = archive_volume_root(stack, volume);
  const std::string what = fmt::format("the restore stream of volume {}", volume);
  SinkTar out(sink);
  VolumeTar written;
  const PassEnd end = stream_archive(file, [&](archive* in, archive_entry* e) {
    const auto relative = relative_to(normalize(entry_path(e)), root);
    // The root itself is the mount point: docker cp into TARGET recreates it.
    if (!relative || relative->empty()) return true;
    set_entry_path(e, *relative);
    if (const auto link = entry_hardlink(e); !link.empty()) {
      const auto link_relative = relative_to(normalize(link), root);
      if (!link_relative || link_relative->empty())
        throw InfraFailure(fmt::format("cannot restore volume {} from {}: '{}' is a hard link to '{}', outside "
                                       "the volume; the archive was not written by ccci",
                                       volume, file.string(), *relative, link));
      set_entry_hardlink(e, *link_relative);
    }
    write_header(out.get(), e, what);
    copy_data(in, out.get(), what);
    ++written.entries;
    return true;
  });
  if (!end.ok)
    throw InfraFailure(fmt::format("cannot read the backup archive {} to restore volume {}: {}{}", file.string(),
                                   volume, end.error, end.truncated ? " (the archive is truncated)" : ""));
  out.finish(what);
  written.bytes = out.bytes();
  return written;
}

std::optional<std::string> volume_tar_for_restore(const fs::path& file, const std::string& stack,
                                                  const std::string& volume) {
  StringSink sink;
  if (write_volume_tar(file, stack, volume, sink).entries == 0) return std::nullopt;
  return std::move(sink.text);
}

} // namespace ccci::host
