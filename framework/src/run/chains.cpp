#include "run/chains.hpp"

#include "model/tiers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ccci::host {

namespace {

// The host port a `ports:` entry fixes, or "" when docker picks one (a bare
// target "80", or the long form without `published`). Short forms:
// "8080:80", "127.0.0.1:8080:80", "8080-8081:80-81/tcp".
std::string published_port(const YAML::Node& entry) {
  if (entry.IsMap()) return entry["published"] ? entry["published"].as<std::string>() : "";
  if (!entry.IsScalar()) return "";
  auto s = entry.as<std::string>();
  s = s.substr(0, s.find('/'));
  auto last = s.rfind(':');
  if (last == std::string::npos) return "";
  auto host = s.substr(0, last);
  auto colon = host.rfind(':');
  return colon == std::string::npos ? host : host.substr(colon + 1);
}

} // namespace

std::vector<std::string> coexistence_clashes(const Compose& compose, const std::string& stack) {
  std::vector<std::string> out;
  if (compose.document["services"] && compose.document["services"].IsMap())
    for (const auto& svc : compose.document["services"]) {
      const auto& ports = svc.second["ports"];
      if (!ports || !ports.IsSequence()) continue;
      for (const auto& p : ports) {
        auto port = published_port(p);
        if (!port.empty())
          out.push_back(
              fmt::format("service {} publishes host port {} (its `ports:`)", svc.first.as<std::string>(), port));
      }
    }
  // What the host-access policy found outside the stack is one object of
  // the host for both stacks (docs/architecture.md, "Host access").
  for (const auto& a : compose.host_access)
    if (a.access.starts_with("external:") || a.access.starts_with("bind:") || a.access.starts_with("network:"))
      out.push_back(
          fmt::format("{} {} {} ({}), the same for both stacks", to_string(a.owner_kind), a.owner, a.what, a.where));
  (void)stack; // scoped names (<stack>_...) differ between the stacks by construction
  return out;
}

ChainDecision decide_chains(const ChainFacts& facts, const Compose& compose, const std::string& stack) {
  if (!facts.upgrade_deploys) return {false, ""};
  if (facts.sequential_option) return {false, "--sequential"};
  if (facts.meta_sequential)
    return {false,
            fmt::format("the recipe meta asks for it ({}: sequential: {})", facts.meta_file, *facts.meta_sequential)};
  if (!facts.swarm_shared)
    return {false, "the swarm backend holds its state in this process, so a forked chain "
                   "could not share it"};
  auto clashes = coexistence_clashes(compose, stack);
  if (!clashes.empty())
    return {false, fmt::format("two stacks of the recipe cannot exist at once: {}", fmt::join(clashes, "; "))};
  return {true, ""};
}

void merge_chain_tiers(RunResults& into, const RunResults& chain) {
  for (auto& t : chain.tiers)
    if (tier_info(t.tier).chain == Chain::upgrade) into.tier(t.tier) = t;
  into.evidence.insert(into.evidence.end(), chain.evidence.begin(), chain.evidence.end());
}

void merge_chain_teardown(RunResults& into, const RunResults& chain) {
  into.teardown_leftovers.insert(into.teardown_leftovers.end(), chain.teardown_leftovers.begin(),
                                 chain.teardown_leftovers.end());
  into.clean_teardown = into.clean_teardown && chain.clean_teardown;
}

} // namespace ccci::host
