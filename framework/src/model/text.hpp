// Small text helpers shared across layers, and the bounded buffer that keeps
// what ccci collects from programs and apps within fixed memory
// (docs/architecture.md, "Bounded memory and permissions").
#pragma once

#include <cstddef>
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

/// tail_lines, bounded in bytes too: each line is cut to `max_line` bytes
/// (with " [... N bytes cut]"), and lines are dropped from the front until
/// the whole fits `max_bytes`; a first line "[... N earlier lines dropped]"
/// says so. For evidence and hook tails, whose lines an app chooses.
std::string tail_lines(const std::string& text, std::size_t n, std::size_t max_line, std::size_t max_bytes);

/// The caps of what ccci keeps of text an app or a program chooses
/// (docs/architecture.md, "Bounded memory and permissions"): a backupbot hook's output tail
/// in a check message, a service's log tail and the task table as evidence.
constexpr std::size_t hook_tail_lines = 5, hook_tail_line_bytes = 500, hook_tail_bytes = 2048;
constexpr std::size_t log_tail_line_bytes = 4096, log_tail_bytes = 256u << 10;
constexpr std::size_t task_table_bytes = 256u << 10;

/// Text collected in at most `head + tail` bytes: the first `head` bytes
/// and the last `tail` bytes appended are kept, what lies between is
/// counted and dropped. A program that prints 10 GiB costs no more than a
/// program that prints `head + tail`.
class BoundedText {
public:
  BoundedText(std::size_t head, std::size_t tail);
  void append(std::string_view data);
  /// Bytes appended and not kept.
  std::size_t dropped() const { return dropped_; }
  /// Everything appended when nothing was dropped; else the head, a line
  /// "[ccci: N bytes dropped here; kept the first H and the last T]" and
  /// the tail.
  std::string str() const;

private:
  std::size_t head_cap_, tail_cap_;
  std::string head_;
  std::string ring_;      ///< the tail, as a ring of tail_cap_ bytes once full
  std::size_t start_ = 0; ///< where the oldest byte of a full ring is
  std::size_t dropped_ = 0;
};

/// "16 MiB", "512 KiB", "100 bytes": for messages that name a cap.
std::string size_text(std::size_t bytes);

} // namespace ccci::host
