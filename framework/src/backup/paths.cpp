#include "backup/paths.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ccci::host::backup_text {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

/// The non-empty, non-"." components of a slash-separated path.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto part = path.substr(0, slash);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

/// "./a//b/" -> "a/b", "/x" -> "x", "." -> "": tar streams and labels spell
/// the same path several ways; comparisons need one spelling.
std::string normalize(std::string_view path) {
  std::string out;
  for (auto part : components(path)) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string join_path(std::string_view prefix, std::string_view relative) {
  if (prefix.empty()) return std::string(relative);
  if (relative.empty()) return std::string(prefix);
  return fmt::format("{}/{}", prefix, relative);
}

/// `path` is `dir` or lies below it (both normalized).
bool within(std::string_view path, std::string_view dir) {
  return path == dir || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

/// The first items of `items`, with a count of the rest: describe() stays one short line.
std::string summarize(const std::vector<std::string>& items) {
  constexpr std::size_t shown = 5;
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i)
    out += (i ? ", " : "") + items[i];
  if (items.size() > shown) out += fmt::format(" (+{} more)", items.size() - shown);
  return out;
}

} // namespace ccci::host::backup_text
