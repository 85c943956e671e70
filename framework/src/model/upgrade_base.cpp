#include "model/upgrade_base.hpp"

#include "model/errors.hpp"
#include "model/version.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host {

UpgradeBase choose_upgrade_base(const std::vector<std::string>& tags, const std::string& target,
                                const std::optional<std::string>& pinned, const std::optional<std::string>& canonical) {
  auto releases = sorted_releases(tags);
  auto target_version = parse_version(target);
  auto older_than_target = [&](const Version& v) { return !target_version || v < *target_version; };

  if (pinned) {
    auto it = std::find_if(releases.begin(), releases.end(), [&](const Version& v) { return v.tag == *pinned; });
    if (it == releases.end())
      throw InputError(fmt::format("recipe meta upgrade_base '{}' is not a release tag of this repository; pin one "
                                   "of its tags or remove upgrade_base",
                                   *pinned));
    if (target_version && *it == *target_version)
      return {std::nullopt,
              fmt::format("same version on both sides: upgrade_base pins {}, the version under test", *pinned)};
    if (!older_than_target(*it))
      throw InputError(fmt::format("recipe meta upgrade_base '{}' is newer than the version under test {}; pin an "
                                   "older release",
                                   *pinned, target));
    return {*pinned, fmt::format("{} (pinned in recipe meta)", *pinned)};
  }
  if (canonical) {
    auto v = parse_version(*canonical);
    if (v && target_version && *v == *target_version)
      return {std::nullopt, fmt::format("same version on both sides: {} is already the canonical", *canonical)};
    if (v && older_than_target(*v)) return {*canonical, fmt::format("{} (the canonical)", *canonical)};
  }
  const Version* best = nullptr;
  for (auto& v : releases)
    if (older_than_target(v)) best = &v;
  if (!best) {
    if (target_version)
      return {std::nullopt, fmt::format("only one release ({}): nothing older to upgrade from", target)};
    return {std::nullopt, "no release to upgrade from"};
  }
  return {best->tag, fmt::format("{} (the newest release below {})", best->tag, target.empty() ? "the ref" : target)};
}

} // namespace ccci::host
