// Release tags of Co-op Cloud recipes: `<recipe-semver>+<upstream-version>`,
// e.g. `2.1.9+10.11.15`, `0.8.1+3.5.0`, `2.0.1+1.0.6-social-amd64`.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// A parsed release tag. Ordering is by the recipe semver first (numeric
/// major.minor.patch, a pre-release sorts before its release as in semver),
/// then by the upstream part compared piecewise (numeric runs numerically,
/// other runs lexically). `v` prefixes are accepted and ignored.
struct Version {
  std::string tag; ///< the tag exactly as written
  int major = 0, minor = 0, patch = 0;
  std::string prerelease; ///< after '-' in the recipe part, may be ""
  std::string upstream;   ///< after '+', may be ""
};

/// nullopt when `tag` is not a release tag (e.g. "main", "wip-foo").
std::optional<Version> parse_version(std::string_view tag);

std::strong_ordering compare(const Version& a, const Version& b);
inline bool operator<(const Version& a, const Version& b) { return compare(a, b) < 0; }
inline bool operator==(const Version& a, const Version& b) { return compare(a, b) == 0; }

/// The release tags among `tags`, oldest first; non-release tags dropped.
std::vector<Version> sorted_releases(const std::vector<std::string>& tags);

/// The newest release tag among `tags`, if any.
std::optional<Version> newest_release(const std::vector<std::string>& tags);

} // namespace ccci::host
