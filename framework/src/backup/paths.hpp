// Path and text helpers the backup plan and the archive code share: tar
// streams, labels and archives spell one path several ways.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccci::host::backup_text {

bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
/// The non-empty, non-"." components of a slash-separated path.
std::vector<std::string_view> components(std::string_view path);
/// "./a//b/" -> "a/b", "/x" -> "x", "." -> "".
std::string normalize(std::string_view path);
std::string join_path(std::string_view prefix, std::string_view relative);
/// `path` is `dir` or lies below it (both normalized).
bool within(std::string_view path, std::string_view dir);
/// The first items of `items`, with a count of the rest: messages stay one short line.
std::string summarize(const std::vector<std::string>& items);

/// Where backupbot's archives keep volumes: "var/lib/docker/volumes/".
inline constexpr std::string_view volumes_dir = "var/lib/docker/volumes/";

} // namespace ccci::host::backup_text
