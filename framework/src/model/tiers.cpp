#include "model/tiers.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <sstream>

namespace ccci::host {

const TierInfo& tier_info(Tier t) {
  for (auto& info : tier_table)
    if (info.tier == t) return info;
  throw std::logic_error(fmt::format("tier {} is missing from the tier table", static_cast<int>(t)));
}

std::optional<Tier> tier_from_string(std::string_view s) {
  for (auto& info : tier_table)
    if (info.name == s) return info.tier;
  return std::nullopt;
}

std::string tier_names(std::string_view sep) {
  std::string out;
  for (auto& info : tier_table) {
    if (!out.empty()) out += sep;
    out += info.name;
  }
  return out;
}

std::set<Tier> parse_tier_list(std::string_view list, std::string_view option) {
  std::set<Tier> out;
  std::string item;
  std::istringstream in{std::string(list)};
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    auto t = tier_from_string(item);
    if (!t) throw InputError(fmt::format("{}: '{}' is not a tier (tiers: {})", option, item, tier_names()));
    out.insert(*t);
  }
  if (out.empty())
    throw InputError(fmt::format("{}: empty list; name at least one tier, e.g. {} install,custom", option, option));
  return out;
}

} // namespace ccci::host
