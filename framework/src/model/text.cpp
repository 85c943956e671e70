#include "model/text.hpp"

#include <fmt/format.h>

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

} // namespace ccci::host
