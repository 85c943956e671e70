// Small text helpers shared across layers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ccci::host {

/// The last `n` lines of `text`, each ending in '\n'.
std::string tail_lines(const std::string& text, std::size_t n);

/// The TCP port `text` names: a whole decimal number from 1 to 65535 and
/// nothing else, or nullopt.
std::optional<int> parse_port(std::string_view text);

/// What a bad port option or variable says: its source (`--edge-port`,
/// `CCCI_EDGE_PORT`), the value, the valid range and the default.
std::string bad_port_message(std::string_view source, std::string_view text, int fallback);

} // namespace ccci::host
