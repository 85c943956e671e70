// The leak scan of a parent command (sweep, canary, triage) over its own
// files, without it ever holding a child's secret (docs/architecture.md,
// "Leaks"). The parent makes a random key and gives it to each child run in
// its environment; the child writes, mode 0600 in its run dir, the SHA-256
// of key ‖ form and the form's length for every form of every secret it
// made. The parent slides a window of each length over what it writes (its
// console, summaries, reports) to redact, and over its files to scan.
#pragma once

#include "report/leak_scan.hpp"
#include "swarm/secrets.hpp"

#include <filesystem>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace ccci::host {

class ChildLeakGuard {
public:
  /// A fresh random key.
  ChildLeakGuard();
  /// For a child's environment: "CCCI_LEAK_FINGERPRINT_KEY=<key>".
  std::string child_env() const;
  /// Reads what the child run that used `run_dir` left. No file: it made no
  /// secret (it writes the file before a secret is used). A file that cannot
  /// be read leaves the parent unable to prove its files clean: a finding.
  void child_finished(const std::filesystem::path& run_dir);
  const LeakMatcher& matcher() const { return matcher_; }
  std::string redact(std::string text) const { return matcher_.redact(std::move(text)); }
  /// Scans `files` (a directory: everything under it; missing ones are
  /// skipped) and `texts` ({shown, text}: a report before it is written); the
  /// fingerprint files that could not be read are findings too.
  LeakScanReport scan(const std::vector<std::filesystem::path>& files,
                      const std::vector<std::pair<std::string, std::string>>& texts) const;

private:
  std::string key_;
  FingerprintMatcher matcher_;
  std::vector<std::string> unreadable_;
};

/// `report_json` (a JSON object) with the scan's verdict added:
/// "no_secret_leak" (true only when clean) and "leak_findings".
std::string with_leak_flag(std::string_view report_json, const LeakScanReport& scan);

/// While it lives, what is written to `out` reaches it one whole line at a
/// time through `guard`'s redaction (a form never spans a line).
class RedactedOutput {
public:
  RedactedOutput(std::ostream& out, const ChildLeakGuard& guard);
  ~RedactedOutput();
  RedactedOutput(const RedactedOutput&) = delete;
  RedactedOutput& operator=(const RedactedOutput&) = delete;

private:
  class Buf final : public std::streambuf {
  public:
    Buf(std::streambuf* next, const ChildLeakGuard& guard) : next_(next), guard_(guard) {}
    void flush_all();

  protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

  private:
    void emit_lines();
    std::streambuf* next_;
    const ChildLeakGuard& guard_;
    std::string pending_;
  };
  std::ostream& out_;
  std::streambuf* saved_;
  Buf buf_;
};

} // namespace ccci::host
