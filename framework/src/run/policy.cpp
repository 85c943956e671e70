#include "run/policy.hpp"

#include "model/tiers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ccci::host {

namespace {

constexpr std::string_view not_attempted = "not attempted";

bool untouched(const TierResult& t) { return t.status == Status::na && t.reason == not_attempted; }

} // namespace

void apply_pre_skips(RunResults& r, const std::map<std::string, std::string>& expected_skips,
                     const std::set<Tier>& selected) {
  for (auto& t : r.tiers) {
    if (auto it = expected_skips.find(std::string(tier_info(t.tier).name)); it != expected_skips.end()) {
      t.status = Status::skip;
      t.declared_skip = true;
      t.reason = it->second;
    } else if (!selected.count(t.tier)) {
      t.status = Status::skip;
      t.reason = "not selected with --tiers";
    }
  }
}

std::set<Tier> tiers_running_plugin_code(const PluginUse& use) {
  auto has = [&](Tier t) { return use.checks.count(t) > 0; };
  std::set<Tier> out;
  if (has(Tier::install)) out.insert(Tier::install);
  if (use.seeds || use.verifies || has(Tier::install) || has(Tier::upgrade)) out.insert(Tier::upgrade);
  if (use.seeds || use.archive_checks) out.insert(Tier::backup);
  if (use.verifies || has(Tier::restore)) out.insert(Tier::restore);
  if (has(Tier::custom)) out.insert(Tier::custom);
  return out;
}

void mark_plugin_tiers_unver(RunResults& r, const PluginUse& use, const std::vector<std::string>& missing_tools) {
  auto uses = tiers_running_plugin_code(use);
  for (auto& t : r.tiers)
    if (t.status == Status::na && uses.count(t.tier)) {
      t.status = Status::unver;
      t.reason = fmt::format("the plugin's tool(s) {} not on PATH, and this tier runs the plugin's checks; install "
                             "them (see `ccci doctor`)",
                             fmt::join(missing_tools, ", "));
    }
}

TierGate gate_for(Tier t, const RunResults& r, bool install_beside) {
  if (r.tier(t).status != Status::na) return {GateKind::decided, "", false};
  const auto& self = tier_info(t);
  if (!self.needs_app) return {};
  for (auto& info : tier_table) {
    if (info.tier == t) break;
    if (!info.needs_app) continue;
    const auto& before = r.tier(info.tier);
    // Install is what shows the release deploys at all: every tier that
    // needs the app needs it to pass. In a chain run beside it, its verdict
    // comes later, and a failed install cancels the chain (run/run.cpp).
    if (info.tier == Tier::install) {
      if (install_beside || before.status == Status::pass) continue;
      return {GateKind::blocked,
              before.status == Status::skip ? "install did not run, and every later tier needs a deployed app"
                                            : fmt::format("install did not pass ({})", to_string(before.status)),
              false};
    }
    // A later tier of the same deployment may be skipped, but not have
    // failed: it runs on what that tier left. Another chain's tiers are
    // another deployment (model/tiers.hpp, `chain`).
    if (info.chain != self.chain) continue;
    if (before.status == Status::fail || before.status == Status::unver)
      return {GateKind::blocked, fmt::format("{} did not pass ({})", info.name, to_string(before.status)), false};
  }
  if (t == Tier::restore) {
    const auto& backup = r.tier(Tier::backup);
    if (backup.status != Status::pass)
      return {GateKind::skip,
              fmt::format("nothing to restore: the backup tier did not produce an archive ({}: {})",
                          to_string(backup.status), backup.reason),
              backup.declared_skip};
  }
  return {};
}

void apply_gate(TierResult& tier, const TierGate& gate) {
  switch (gate.kind) {
  case GateKind::run:
  case GateKind::decided: return;
  case GateKind::blocked: tier.reason = gate.reason; return;
  case GateKind::skip:
    tier.status = Status::skip;
    tier.reason = gate.reason;
    tier.declared_skip = gate.declared_skip;
    return;
  }
}

void mark_unverified(RunResults& r, std::optional<Tier> current, const std::string& current_reason,
                     const std::string& rest_reason, const std::set<Tier>& selected) {
  if (current) {
    auto& t = r.tier(*current);
    t.status = Status::unver;
    t.reason = current_reason;
  }
  for (auto& t : r.tiers)
    if (untouched(t) && selected.count(t.tier)) {
      t.status = Status::unver;
      t.reason = rest_reason;
    }
}

void explain_unreached(RunResults& r) {
  for (auto& t : r.tiers)
    if (untouched(t)) t.reason = "an earlier tier did not pass";
}

bool needs_evidence(const RunResults& r) {
  for (auto& t : r.tiers)
    if (t.status == Status::fail || t.status == Status::unver) return true;
  return false;
}

bool all_selected_passed(const RunResults& r, const std::set<Tier>& selected) {
  for (auto& t : r.tiers)
    if (selected.count(t.tier) && t.status != Status::pass) return false;
  return true;
}

int exit_code_for(const RunResults& r) {
  bool unver = false;
  for (auto& t : r.tiers) {
    if (t.status == Status::fail) return 1;
    if (t.status == Status::unver) unver = true;
  }
  if (!r.no_secret_leak) return 1;
  // Leftovers count even when the app was kept running on purpose: the
  // upgrade chain's stack is never kept (docs/architecture.md, "Chains").
  if (unver || (!r.clean_teardown && !r.kept_running) || !r.teardown_leftovers.empty()) return 3;
  return 0;
}

} // namespace ccci::host
