#include "model/text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace ccci::host {

std::string tail_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += lines[i] + "\n";
  return out;
}

std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || port < 1 || port > 65535)
    return std::nullopt;
  return port;
}

std::string bad_port_message(std::string_view source, std::string_view text, int fallback) {
  return fmt::format("{} '{}': not a TCP port; give a whole number from 1 to 65535 (default {})", source, text,
                     fallback);
}

namespace {

// Where a URL's authority ends in running text: its path, query or
// fragment, or a space or quote as messages and git put around a URL. Not
// at `,` `;` `)`: an unencoded password may hold those, and stopping there
// would print the rest of it.
bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' ||
         c == '<' || c == '>' || c == '`';
}

} // namespace

std::string strip_url_credentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (true) {
    auto sep = text.find("://", pos);
    if (sep == std::string_view::npos) break;
    const std::size_t authority = sep + 3;
    std::size_t end = authority;
    while (end < text.size() && !ends_authority(text[end]))
      ++end;
    // The userinfo ends at the authority's last '@' (a password may hold one
    // unencoded; the host never does).
    auto at = text.substr(authority, end - authority).rfind('@');
    out.append(text.substr(pos, authority - pos));
    if (at != std::string_view::npos) {
      out.append("***");
      out.append(text.substr(authority + at, end - authority - at));
    } else {
      out.append(text.substr(authority, end - authority));
    }
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

} // namespace ccci::host
