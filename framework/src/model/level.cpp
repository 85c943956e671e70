#include "model/level.hpp"

#include "model/tiers.hpp"

#include <fmt/format.h>

namespace ccci::host {

TierVerdict judge_tier(const std::vector<CheckRecord>& checks) {
  const CheckRecord* first_unver = nullptr;
  int passed = 0, warnings = 0;
  for (auto& c : checks) {
    if (c.status == Status::fail) return {Status::fail, fmt::format("{} failed: {}", c.name, c.message)};
    if (c.status == Status::unver && !first_unver) first_unver = &c;
    if (c.status == Status::pass) ++passed;
    if (c.status == Status::warn) ++warnings;
  }
  if (first_unver)
    return {Status::unver, fmt::format("{} could not be verified: {}", first_unver->name, first_unver->message)};
  // A warning is neither a pass nor a failure: it never gives a tier its
  // teeth, and never takes them away.
  if (passed == 0)
    return {Status::unver, warnings ? fmt::format("no check passed ({} warning{} only), and a tier with zero passing "
                                                  "checks is not a pass",
                                                  warnings, warnings == 1 ? "" : "s")
                                    : "no check ran, and a tier with zero passing checks is not a pass"};
  return {Status::pass, fmt::format("{} check{} passed{}", passed, passed == 1 ? "" : "s",
                                    warnings ? fmt::format(", {} warning{}", warnings, warnings == 1 ? "" : "s") : "")};
}

namespace {

struct Rung {
  int level;
  std::string_view name;
  std::vector<Tier> tiers;
};

// The rungs, from the tier table: adjacent tiers of one rung climb together.
const std::vector<Rung>& rungs() {
  static const std::vector<Rung> r = [] {
    std::vector<Rung> out;
    for (auto& info : tier_table) {
      if (out.empty() || out.back().level != info.rung) out.push_back({info.rung, info.rung_name, {}});
      out.back().tiers.push_back(info.tier);
    }
    return out;
  }();
  return r;
}

const TierResult* find(const std::vector<TierResult>& tiers, Tier t) {
  for (auto& r : tiers)
    if (r.tier == t) return &r;
  return nullptr;
}

std::string blocked_reason(const TierResult& t) {
  auto name = to_string(t.tier);
  switch (t.status) {
  case Status::fail: return fmt::format("{} failed: {}", name, t.reason);
  case Status::unver: return fmt::format("{} unverified: {}", name, t.reason);
  case Status::na: return fmt::format("{} not attempted: {}", name, t.reason);
  case Status::skip:
    return fmt::format("{} skipped without a declaration in recipe meta ({}); declare it under "
                       "expected_skips with a reason if that is intended",
                       name, t.reason);
  case Status::warn: // a check status; a tier never has it (results_from_json refuses it)
  case Status::pass: break;
  }
  return std::string(name);
}

} // namespace

LevelCap compute_level(const std::vector<TierResult>& tiers) {
  LevelCap cap;
  for (auto& rung : rungs()) {
    bool any_pass = false;
    for (Tier t : rung.tiers) {
      const TierResult* r = find(tiers, t);
      if (!r) return {cap.level, std::string(rung.name), fmt::format("{} has no result", to_string(t))};
      if (r->status == Status::pass) {
        any_pass = true;
        continue;
      }
      if (r->status == Status::skip && r->declared_skip) continue;
      cap.rung = rung.name;
      cap.reason = blocked_reason(*r);
      return cap;
    }
    if (any_pass) cap.level = rung.level;
  }
  cap.rung.clear();
  cap.reason = "every rung passed or was a declared skip";
  return cap;
}

} // namespace ccci::host
