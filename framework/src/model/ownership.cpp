#include "model/ownership.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ccci::host {

namespace {

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s)
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

std::string describe(const Owner& o) {
  return fmt::format("pid {} on host {} (run {}, started {})", o.pid, o.host, o.run, o.started);
}

} // namespace

Labels owner_labels(const Owner& o) {
  return {{owner_label::run, o.run},
          {owner_label::host, o.host},
          {owner_label::pid, std::to_string(o.pid)},
          {owner_label::started, o.started},
          {owner_label::role, o.canonical ? "canonical" : "test"}};
}

std::optional<Owner> owner_from_labels(const Labels& labels) {
  auto get = [&](const char* key) {
    auto it = labels.find(key);
    return it == labels.end() ? std::string{} : it->second;
  };
  if (!labels.count(owner_label::run)) return std::nullopt;
  Owner o;
  o.run = get(owner_label::run);
  o.host = get(owner_label::host);
  o.started = get(owner_label::started);
  o.canonical = get(owner_label::role) == "canonical";
  auto pid = get(owner_label::pid);
  long value = 0;
  auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), value);
  o.pid = (ec == std::errc{} && end == pid.data() + pid.size() && value > 0) ? value : 0;
  return o;
}

std::string owner_record(const Owner& owner, std::string_view line_prefix) {
  std::string out;
  for (auto& [k, v] : owner_labels(owner))
    out += fmt::format("{}{}={}\n", line_prefix, k, printable(v));
  return out;
}

Labels parse_owner_record(std::string_view text, std::string_view line_prefix) {
  Labels out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.starts_with(line_prefix)) continue;
    line.remove_prefix(line_prefix.size());
    auto eq = line.find('=');
    if (eq == std::string_view::npos || !line.starts_with("ccci.")) continue;
    out[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return out;
}

GcDecision judge_owner(const Owner& o, std::string_view this_host, const OwnerFacts& facts) {
  // A secret of a ccci from before owner labels carries `ccci.run` alone.
  if (o.host.empty() || o.pid <= 0 || o.started.empty())
    return {GcVerdict::unknown, fmt::format("run {}'s labels name no host, pid or start time, so whether its owner "
                                            "is gone cannot be told: left alone",
                                            o.run)};
  if (o.host != this_host)
    return {GcVerdict::other_host,
            fmt::format("made on host {} by run {}: only that host can tell whether its owner is gone", o.host, o.run)};
  if (facts.lease == LeaseState::held)
    return {GcVerdict::live, fmt::format("run {} holds its lease (owner {})", o.run, describe(o))};
  if (facts.pid_started == o.started) return {GcVerdict::live, fmt::format("owner {} is running", describe(o))};

  const std::string gone = facts.pid_started
                               ? fmt::format("owner {} is gone: pid {} is now another process (started {})",
                                             describe(o), o.pid, *facts.pid_started)
                               : fmt::format("owner {} is gone", describe(o));
  if (!o.canonical) return {GcVerdict::remove, gone};
  switch (facts.record) {
  case RunRecord::kept:
    return {GcVerdict::canonical,
            fmt::format("warm canonical of run {}: removed only when a promotion replaces it", o.run)};
  case RunRecord::unknown:
    return {GcVerdict::canonical,
            fmt::format("labelled a warm canonical (run {}) and its run directory is not in the runs dir gc was "
                        "given, so it may be one: left alone",
                        o.run)};
  case RunRecord::unfinished:
    return {GcVerdict::remove,
            fmt::format("{}; it died before it finished, so it never became a warm canonical", gone)};
  case RunRecord::finished:
    return {GcVerdict::remove, fmt::format("{}; its results.json says it was not kept running", gone)};
  }
  return {GcVerdict::canonical, "labelled a warm canonical"};
}

std::string_view to_string(GcVerdict v) {
  switch (v) {
  case GcVerdict::remove: return "remove";
  case GcVerdict::live: return "live";
  case GcVerdict::canonical: return "canonical";
  case GcVerdict::other_host: return "other-host";
  case GcVerdict::unknown: return "unknown";
  }
  return "?";
}

} // namespace ccci::host
