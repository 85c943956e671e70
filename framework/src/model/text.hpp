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

/// `text` with the userinfo of every URL in it replaced by `***`:
/// `https://user:token@host/x` reads `https://***@host/x`. For every URL
/// ccci prints (--source, --mirror, a meta's `upstream`) and for git's
/// stderr, which repeats the URL in its errors (docs/architecture.md,
/// "Credentials in URLs"). A bare URL or a whole message alike.
std::string strip_url_credentials(std::string_view text);

} // namespace ccci::host
