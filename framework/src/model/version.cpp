#include "model/version.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ccci::host {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// A semver numeric component: digits only, no leading zero (so "01" is not a
// release), small enough for an int.
std::optional<int> parse_component(std::string_view s) {
  if (!all_digits(s) || (s.size() > 1 && s.front() == '0')) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// Identifiers of a pre-release or an upstream version may only use the
// characters git tags of real recipes use; anything else means "not a release".
bool valid_suffix(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '+';
  });
}

// Numeric strings of any length compared as numbers, without overflow.
std::strong_ordering compare_numeric(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0')
    a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0')
    b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() <=> b.size();
  return a.compare(b) <=> 0;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto pos = s.find(sep);
    parts.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return parts;
    s.remove_prefix(pos + 1);
  }
}

// Semver 2.0 pre-release precedence: identifiers left to right, numeric ones
// numerically and below alphanumeric ones, a shorter list first on a tie.
std::strong_ordering compare_prerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() <=> b.empty(); // a release sorts after its pre-releases
  auto as = split(a, '.'), bs = split(b, '.');
  for (std::size_t i = 0; i < std::min(as.size(), bs.size()); ++i) {
    bool an = all_digits(as[i]), bn = all_digits(bs[i]);
    std::strong_ordering c = std::strong_ordering::equal;
    if (an && bn)
      c = compare_numeric(as[i], bs[i]);
    else if (an != bn)
      c = an ? std::strong_ordering::less : std::strong_ordering::greater;
    else
      c = as[i].compare(bs[i]) <=> 0;
    if (c != 0) return c;
  }
  return as.size() <=> bs.size();
}

// Splits into maximal runs of digits and of non-digits: "1.0.6-social" ->
// "1" "." "0" "." "6" "-social".
std::vector<std::string_view> runs(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 1; i <= s.size(); ++i) {
    if (i == s.size() || is_digit(s[i]) != is_digit(s[i - 1])) {
      out.push_back(s.substr(start, i - start));
      start = i;
    }
  }
  return out;
}

// Upstream versions follow no common scheme ("10.11.15", "1.0.6-social-amd64",
// "2024.01.3"), so compare run by run: numbers as numbers, the rest as text.
std::strong_ordering compare_upstream(std::string_view a, std::string_view b) {
  auto ar = runs(a), br = runs(b);
  for (std::size_t i = 0; i < std::min(ar.size(), br.size()); ++i) {
    bool an = is_digit(ar[i].front()), bn = is_digit(br[i].front());
    std::strong_ordering c = std::strong_ordering::equal;
    if (an && bn)
      c = compare_numeric(ar[i], br[i]);
    else if (an != bn)
      c = an ? std::strong_ordering::less : std::strong_ordering::greater;
    else
      c = ar[i].compare(br[i]) <=> 0;
    if (c != 0) return c;
  }
  return ar.size() <=> br.size();
}

} // namespace

std::optional<Version> parse_version(std::string_view tag) {
  std::string_view rest = tag;
  if (!rest.empty() && (rest.front() == 'v' || rest.front() == 'V')) rest.remove_prefix(1);

  Version v;
  v.tag = std::string(tag);
  if (auto plus = rest.find('+'); plus != std::string_view::npos) {
    v.upstream = std::string(rest.substr(plus + 1));
    rest = rest.substr(0, plus);
    if (v.upstream.empty() || !valid_suffix(v.upstream)) return std::nullopt;
  }
  if (auto dash = rest.find('-'); dash != std::string_view::npos) {
    v.prerelease = std::string(rest.substr(dash + 1));
    rest = rest.substr(0, dash);
    if (v.prerelease.empty() || !valid_suffix(v.prerelease)) return std::nullopt;
  }
  auto parts = split(rest, '.');
  if (parts.size() != 3) return std::nullopt;
  auto major = parse_component(parts[0]);
  auto minor = parse_component(parts[1]);
  auto patch = parse_component(parts[2]);
  if (!major || !minor || !patch) return std::nullopt;
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return v;
}

std::strong_ordering compare(const Version& a, const Version& b) {
  if (auto c = a.major <=> b.major; c != 0) return c;
  if (auto c = a.minor <=> b.minor; c != 0) return c;
  if (auto c = a.patch <=> b.patch; c != 0) return c;
  if (auto c = compare_prerelease(a.prerelease, b.prerelease); c != 0) return c;
  return compare_upstream(a.upstream, b.upstream);
}

std::vector<Version> sorted_releases(const std::vector<std::string>& tags) {
  std::vector<Version> out;
  for (const auto& t : tags)
    if (auto v = parse_version(t)) out.push_back(std::move(*v));
  // Stable so that equal versions spelled differently ("v1.0.0", "1.0.0")
  // keep the caller's order and the result is reproducible.
  std::stable_sort(out.begin(), out.end(), [](const Version& a, const Version& b) { return a < b; });
  return out;
}

std::optional<Version> newest_release(const std::vector<std::string>& tags) {
  auto all = sorted_releases(tags);
  if (all.empty()) return std::nullopt;
  return all.back();
}

} // namespace ccci::host
