#include "jobs/child_leaks.hpp"

#include "model/naming.hpp"
#include "model/tiers.hpp"
#include "os/fs.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

ChildLeakGuard::ChildLeakGuard() : key_(random_hex(64)), matcher_(key_) {}

std::string ChildLeakGuard::child_env() const { return fmt::format("{}={}", fingerprint_key_variable, key_); }

void ChildLeakGuard::child_finished(const fs::path& run_dir) {
  // The run's own, and its upgrade chain's, which a run killed before it
  // heard of the chain's secrets leaves alone (docs/architecture.md, "Chains").
  for (const auto& file : {run_dir / fingerprints_file, run_dir / chain_fingerprints_file(upgrade_chain_tag)}) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(file, ec))) continue;
    try {
      matcher_.add(fingerprints_from_json(read_file(file), file.string()));
    } catch (const std::exception& e) {
      unreadable_.push_back(fmt::format("{}: the child's fingerprints cannot be read, so what it may have leaked "
                                        "into this command's files cannot be checked: {}",
                                        file.string(), e.what()));
    }
  }
}

LeakScanReport ChildLeakGuard::scan(const std::vector<fs::path>& files,
                                    const std::vector<std::pair<std::string, std::string>>& texts) const {
  LeakScanReport report;
  report.unreadable = unreadable_;
  for (auto& f : files) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(f, ec))) {
      scan_file_for_leaks(f, f.string(), matcher_, report);
      continue;
    }
    report.merge(scan_tree_for_leaks(f, matcher_, leak_scan_chunk, f));
  }
  for (auto& [shown, text] : texts)
    scan_text_for_leaks(text, shown, matcher_, report);
  return report;
}

std::string with_leak_flag(std::string_view report_json, const LeakScanReport& scan) {
  auto doc = json::parse(report_json);
  json::array findings;
  for (auto& f : scan.findings())
    findings.emplace_back(f);
  doc.as_object()["no_secret_leak"] = scan.clean();
  doc.as_object()["leak_findings"] = std::move(findings);
  return json::serialize(doc) + "\n";
}

RedactedOutput::RedactedOutput(std::ostream& out, const ChildLeakGuard& guard)
    : out_(out), saved_(out.rdbuf()), buf_(saved_, guard) {
  out_.rdbuf(&buf_);
}

RedactedOutput::~RedactedOutput() {
  buf_.flush_all();
  out_.rdbuf(saved_);
}

void RedactedOutput::Buf::emit_lines() {
  for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
    auto line = guard_.redact(pending_.substr(0, nl)) + "\n";
    next_->sputn(line.data(), static_cast<std::streamsize>(line.size()));
    pending_.erase(0, nl + 1);
  }
}

void RedactedOutput::Buf::flush_all() {
  emit_lines();
  if (!pending_.empty()) {
    auto rest = guard_.redact(std::move(pending_));
    next_->sputn(rest.data(), static_cast<std::streamsize>(rest.size()));
    pending_.clear();
  }
  next_->pubsync();
}

RedactedOutput::Buf::int_type RedactedOutput::Buf::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    pending_ += traits_type::to_char_type(c);
    if (c == '\n') emit_lines();
  }
  return traits_type::not_eof(c);
}

std::streamsize RedactedOutput::Buf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  emit_lines();
  return n;
}

int RedactedOutput::Buf::sync() {
  emit_lines();
  return next_->pubsync();
}

} // namespace ccci::host
