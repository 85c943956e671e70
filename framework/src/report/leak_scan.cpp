#include "report/leak_scan.hpp"

#include "backup/archive.hpp"
#include "os/fd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

std::string describe(const LeakHit& h) { return fmt::format("secret {} ({})", h.secret, h.form); }

void add_hits(LeakScanReport& report, const std::string& where, const std::vector<LeakHit>& hits) {
  for (auto& h : hits)
    report.leaks.push_back(fmt::format("{}: {}", where, describe(h)));
}

// A name (a path, a member, a link's target) is text that may hold a form too.
void scan_name(std::string_view name, const std::string& where, const LeakMatcher& matcher, LeakScanReport& report) {
  std::vector<LeakHit> hits;
  matcher.find(name, hits);
  add_hits(report, where, hits);
}

std::string_view kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

bool is_archive(const std::string& name) {
  return name.ends_with(".tar.gz") || name.ends_with(".tgz") || name.ends_with(".tar");
}

void scan_archive(const fs::path& file, const std::string& shown, const LeakMatcher& matcher, LeakScanReport& report,
                  std::size_t chunk) {
  const std::string where = fmt::format("archive {}", shown);
  std::optional<StreamScan> member_scan;
  std::string member;
  auto finish_member = [&] {
    if (member_scan) add_hits(report, fmt::format("{}: member {}", where, matcher.redact(member)), member_scan->hits());
    member_scan.reset();
  };
  auto error = stream_archive_members(
      file,
      [&](const std::string& name) {
        finish_member();
        member = name;
        scan_name(name, fmt::format("{}: the name of member {}", where, matcher.redact(name)), matcher, report);
        member_scan.emplace(matcher, chunk);
      },
      [&](std::string_view bytes) { member_scan->feed(bytes); });
  finish_member();
  if (!error.empty()) report.unreadable.push_back(fmt::format("{}: cannot be read to the end: {}", where, error));
}

} // namespace

StreamScan::StreamScan(const LeakMatcher& matcher, std::size_t chunk)
    : matcher_(matcher), chunk_(std::max<std::size_t>(chunk, 1)),
      overlap_(matcher.longest() ? matcher.longest() - 1 : 0) {
  window_.reserve(chunk_ + overlap_);
}

void StreamScan::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    auto piece = bytes.substr(0, chunk_);
    bytes.remove_prefix(piece.size());
    window_.append(piece);
    matcher_.find(window_, hits_);
    // What a form starting in this window and ending in the next needs.
    if (window_.size() > overlap_) window_.erase(0, window_.size() - overlap_);
  }
}

std::vector<std::string> LeakScanReport::findings() const {
  std::vector<std::string> out = leaks;
  for (auto& u : unreadable)
    out.push_back(fmt::format("not scanned, so not proven clean: {}", u));
  return out;
}

void LeakScanReport::merge(const LeakScanReport& other) {
  leaks.insert(leaks.end(), other.leaks.begin(), other.leaks.end());
  unreadable.insert(unreadable.end(), other.unreadable.begin(), other.unreadable.end());
  notes.insert(notes.end(), other.notes.begin(), other.notes.end());
}

void scan_text_for_leaks(std::string_view text, const std::string& shown, const LeakMatcher& matcher,
                         LeakScanReport& report) {
  StreamScan scan(matcher);
  scan.feed(text);
  add_hits(report, shown, scan.hits());
}

void scan_file_for_leaks(const fs::path& file, const std::string& shown_path, const LeakMatcher& matcher,
                         LeakScanReport& report, std::size_t chunk) {
  if (matcher.empty()) return;
  const std::string shown = matcher.redact(shown_path);
  scan_name(shown_path, fmt::format("the name {}", shown), matcher, report);
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) {
    if (errno != ENOENT)
      report.unreadable.push_back(fmt::format("{}: cannot be examined ({})", shown, std::strerror(errno)));
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    // Never followed: it could lead anywhere on the host. Its target is
    // text ccci (or the recipe) wrote, so that is scanned.
    std::error_code ec;
    auto target = fs::read_symlink(file, ec).string();
    if (ec) {
      report.unreadable.push_back(fmt::format("{}: a symlink whose target cannot be read ({})", shown, ec.message()));
      return;
    }
    scan_name(target, fmt::format("{}: the target of the symlink", shown), matcher, report);
    report.notes.push_back(fmt::format("{}: a symlink (to {}), not followed", shown, matcher.redact(target)));
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    report.unreadable.push_back(
        fmt::format("{}: {}, not read (reading it could block or never end)", shown, kind_of(st.st_mode)));
    return;
  }
  // O_NOFOLLOW and O_NONBLOCK: what was a regular file a moment ago may have
  // been swapped for a link or a FIFO.
  Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    report.unreadable.push_back(fmt::format("{}: cannot be opened ({})", shown, std::strerror(errno)));
    return;
  }
  StreamScan scan(matcher, chunk);
  std::string buffer(std::max<std::size_t>(chunk, 1), '\0');
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      report.unreadable.push_back(fmt::format("{}: cannot be read ({})", shown, std::strerror(errno)));
      break;
    }
    if (n == 0) break;
    scan.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  add_hits(report, shown, scan.hits());
  if (is_archive(file.filename().string())) scan_archive(file, shown, matcher, report, chunk);
}

namespace {

void walk(const fs::path& dir, const fs::path& root, const fs::path& shown_as, const LeakMatcher& matcher,
          LeakScanReport& report, std::size_t chunk) {
  auto shown = [&](const fs::path& p) { return (shown_as / p.lexically_relative(root)).string(); };
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) {
    report.unreadable.push_back(
        fmt::format("{}/: cannot be listed ({})", matcher.redact(dir == root ? "." : shown(dir)), ec.message()));
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const auto& p = it->path();
    std::error_code sec;
    const auto st = it->symlink_status(sec);
    if (!sec && st.type() == fs::file_type::directory) {
      if (p.filename() == ".git") continue; // the recipe's history, checked out before any secret existed
      scan_name(shown(p), fmt::format("the name {}/", matcher.redact(shown(p))), matcher, report);
      walk(p, root, shown_as, matcher, report, chunk);
    } else {
      scan_file_for_leaks(p, shown(p), matcher, report, chunk);
    }
  }
  if (ec)
    report.unreadable.push_back(
        fmt::format("{}/: listing stopped early ({})", matcher.redact(dir == root ? "." : shown(dir)), ec.message()));
}

} // namespace

LeakScanReport scan_tree_for_leaks(const fs::path& dir, const LeakMatcher& matcher, std::size_t chunk,
                                   const fs::path& shown_as) {
  LeakScanReport report;
  std::error_code ec;
  if (matcher.empty() || !fs::exists(fs::symlink_status(dir, ec))) return report;
  walk(dir, dir, shown_as, matcher, report, chunk);
  return report;
}

} // namespace ccci::host
