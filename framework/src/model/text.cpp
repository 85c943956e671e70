#include "model/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
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

std::string tail_lines(const std::string& text, std::size_t n, std::size_t max_line, std::size_t max_bytes) {
  if (text.empty()) return "";
  // From the end backwards, so a huge text costs only the lines kept.
  std::deque<std::string> kept;
  std::size_t bytes = 0, total_lines = 0;
  std::string_view rest(text);
  if (rest.back() == '\n') rest.remove_suffix(1);
  bool full = false;
  while (true) {
    const auto nl = rest.rfind('\n');
    const auto whole = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
    ++total_lines;
    if (!full) {
      std::string line(whole.substr(0, max_line));
      if (whole.size() > max_line) line += fmt::format(" [... {} bytes cut]", whole.size() - max_line);
      line += '\n';
      full = kept.size() == n || bytes + line.size() > max_bytes;
      if (!full) {
        bytes += line.size();
        kept.push_front(std::move(line));
      }
    }
    if (nl == std::string_view::npos) break;
    rest = rest.substr(0, nl);
  }
  std::string out;
  if (total_lines > kept.size()) out = fmt::format("[... {} earlier lines dropped]\n", total_lines - kept.size());
  for (auto& l : kept)
    out += l;
  return out;
}

BoundedText::BoundedText(std::size_t head, std::size_t tail) : head_cap_(head), tail_cap_(tail) {}

void BoundedText::append(std::string_view data) {
  const std::size_t to_head = std::min(data.size(), head_cap_ - head_.size());
  head_.append(data.substr(0, to_head));
  data.remove_prefix(to_head);
  if (data.empty()) return;
  if (tail_cap_ == 0) {
    dropped_ += data.size();
    return;
  }
  // Only the last tail_cap_ bytes of this chunk can survive it.
  if (data.size() > tail_cap_) {
    dropped_ += data.size() - tail_cap_;
    data.remove_prefix(data.size() - tail_cap_);
  }
  const std::size_t room = tail_cap_ - ring_.size();
  const std::size_t fill = std::min(room, data.size());
  ring_.append(data.substr(0, fill));
  data.remove_prefix(fill);
  // The ring is full: each further byte overwrites the oldest.
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), tail_cap_ - start_);
    ring_.replace(start_, n, data.substr(0, n));
    start_ = (start_ + n) % tail_cap_;
    dropped_ += n;
    data.remove_prefix(n);
  }
}

std::string BoundedText::str() const {
  std::string tail = ring_.substr(start_) + ring_.substr(0, start_);
  if (dropped_ == 0) return head_ + tail;
  return fmt::format("{}\n[ccci: {} bytes dropped here; kept the first {} and the last {}]\n{}", head_, dropped_,
                     size_text(head_cap_), size_text(tail_cap_), tail);
}

std::string size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

} // namespace ccci::host
