// The leak scan: proof that nothing ccci wrote holds a secret, in any of the
// forms swarm/secrets.hpp knows (docs/architecture.md, "Leaks"). One
// streaming scanner: files are read in fixed-size chunks that overlap by the
// longest form, never whole; symlinks are not followed; a file that cannot
// be read makes the result "not proven", never "clean"; backup archives are
// also read member by member (names and contents) through libarchive.
#pragma once

#include "swarm/secrets.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

inline constexpr std::size_t leak_scan_chunk = 64 * 1024;

/// Finds forms in a stream fed piece by piece, holding at most one chunk
/// plus the longest form: a form that straddles two pieces is found.
class StreamScan {
public:
  explicit StreamScan(const LeakMatcher& matcher, std::size_t chunk = leak_scan_chunk);
  void feed(std::string_view bytes);
  const std::vector<LeakHit>& hits() const { return hits_; }

private:
  const LeakMatcher& matcher_;
  std::size_t chunk_, overlap_;
  std::string window_;
  std::vector<LeakHit> hits_;
};

/// What a scan found. No entry ever holds a value: paths and member names
/// are shown through the matcher's redact().
struct LeakScanReport {
  /// "results.json: secret s_db_password_v1 (base64)",
  /// "archive backup/s.tar.gz: member var/lib/.../backup.sql: secret s_db_password_v1 (hex)"
  std::vector<std::string> leaks;
  /// What could not be read: "evidence/x: cannot be read (...)". Any makes
  /// the result unproven.
  std::vector<std::string> unreadable;
  /// Seen, not read, and not a failure by itself: "tree/link: a symlink (to
  /// ...), not followed".
  std::vector<std::string> notes;

  /// true only when everything was read and nothing found.
  bool clean() const { return leaks.empty() && unreadable.empty(); }
  /// leaks and unreadable, each as one line for a log or a report.
  std::vector<std::string> findings() const;
  void merge(const LeakScanReport& other);
};

/// Every file under `dir` (recursively; .git directories skipped; symlinks
/// named, their targets scanned as text, never followed), and inside each
/// .tar.gz, .tgz or .tar the names and contents of its members. Names are
/// shown relative to `dir`, under `shown_as` when given.
LeakScanReport scan_tree_for_leaks(const std::filesystem::path& dir, const LeakMatcher& matcher,
                                   std::size_t chunk = leak_scan_chunk, const std::filesystem::path& shown_as = {});
/// One file, shown as `shown` (a missing file is fine: nothing was written).
void scan_file_for_leaks(const std::filesystem::path& file, const std::string& shown, const LeakMatcher& matcher,
                         LeakScanReport& report, std::size_t chunk = leak_scan_chunk);
/// Output that is not a file yet (results.json before it is written).
void scan_text_for_leaks(std::string_view text, const std::string& shown, const LeakMatcher& matcher,
                         LeakScanReport& report);

} // namespace ccci::host
