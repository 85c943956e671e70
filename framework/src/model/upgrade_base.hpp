// Which release the upgrade tier starts from.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

struct UpgradeBase {
  std::optional<std::string> tag; ///< the base release; empty = skip
  std::string reason;             ///< why this base, or why the tier is skipped
};

/// The upgrade base for `target` (a release tag, or "" when a non-tag ref —
/// a PR head — is tested): the release pinned in recipe meta if any, else the
/// canonical (last green tested release) if older than the target, else the
/// newest release below the target by version order (not tag date); for a
/// non-tag ref, the newest release. No base, or the same version on both
/// sides: no tag, with the reason. A pin that is not a release tag of the
/// repository, or not older than the target, throws InputError (the meta is
/// ccci's input).
UpgradeBase choose_upgrade_base(const std::vector<std::string>& tags, const std::string& target,
                                const std::optional<std::string>& pinned,
                                const std::optional<std::string>& canonical = std::nullopt);

} // namespace ccci::host
