#include "recipe/interpolate.hpp"

#include <fmt/format.h>

#include <optional>

namespace ccci::host {
namespace {

bool name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// Interpolation follows docker/cli's compose template (what `docker stack
// deploy` runs), not compose-go: a `$` that starts neither `$$`, `${` nor a
// name is kept literally, so "cost $5" and a trailing "$" survive.
class Interpolator {
public:
  Interpolator(std::string_view text, const Env& env, std::string_view where) : text_(text), env_(env), where_(where) {}

  std::string run() {
    std::string out;
    std::size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (c != '$' || i + 1 == text_.size()) {
        out += c;
        ++i;
        continue;
      }
      char next = text_[i + 1];
      if (next == '$') {
        out += '$';
        i += 2;
      } else if (next == '{') {
        i = braced(i, out);
      } else if (name_start(next)) {
        std::size_t end = i + 1;
        while (end < text_.size() && name_char(text_[end]))
          ++end;
        out += lookup(text_.substr(i + 1, end - i - 1)).value_or("");
        i = end;
      } else {
        out += c;
        ++i;
      }
    }
    return out;
  }

private:
  std::string_view text_;
  const Env& env_;
  std::string_view where_;

  std::optional<std::string> lookup(std::string_view name) const {
    auto it = env_.find(std::string(name));
    if (it == env_.end()) return std::nullopt;
    return it->second;
  }

  [[noreturn]] void fail(std::size_t at, std::string_view what) const {
    throw RecipeDefect(fmt::format("{}: {} at column {} of \"{}\"", where_, what, at + 1, text_));
  }

  // The index of the `}` that closes the `${` at `open`, counting nested
  // `${...}` so that `${A:-${B}}` closes at the last brace.
  std::size_t closing_brace(std::size_t open) const {
    int depth = 0;
    for (std::size_t j = open; j < text_.size(); ++j) {
      if (text_[j] == '$' && j + 1 < text_.size() && text_[j + 1] == '$') {
        ++j; // an escaped dollar cannot open anything
      } else if (text_[j] == '$' && j + 1 < text_.size() && text_[j + 1] == '{') {
        ++depth;
        ++j;
      } else if (text_[j] == '}' && --depth == 0) {
        return j;
      }
    }
    fail(open, "unterminated '${' (no closing '}'); close the expression or write '$$' for a literal '$'");
  }

  // Expands the `${...}` starting at `open` into `out`; returns the index past it.
  std::size_t braced(std::size_t open, std::string& out) const {
    std::size_t close = closing_brace(open);
    std::string_view body = text_.substr(open + 2, close - open - 2);
    std::size_t n = 0;
    while (n < body.size() && name_char(body[n]))
      ++n;
    if (n == 0 || !name_start(body[0]))
      fail(open,
           fmt::format("invalid variable name in '${{{}}}'; use letters, digits and '_', not starting with a digit",
                       body));

    auto name = body.substr(0, n);
    auto value = lookup(name);
    std::string_view op = body.substr(n);
    if (op.empty()) {
      out += value.value_or("");
      return close + 1;
    }

    bool colon = op.front() == ':';
    if (colon) op.remove_prefix(1);
    if (op.empty() || (op.front() != '-' && op.front() != '?' && op.front() != '+'))
      fail(open,
           fmt::format(
               "unsupported expression '${{{}}}'; use ${{VAR}}, ${{VAR:-default}}, ${{VAR:?message}} or ${{VAR:+alt}}",
               body));
    char kind = op.front();
    std::string_view arg = op.substr(1);
    // `:` makes an empty value count as unset, as in the shell.
    bool present = value && (!colon || !value->empty());
    auto expand_arg = [&] { return Interpolator(arg, env_, where_).run(); };

    switch (kind) {
    case '-': out += present ? *value : expand_arg(); break;
    case '+':
      if (present) out += expand_arg();
      break;
    case '?':
      if (!present) {
        std::string message = expand_arg();
        throw RecipeDefect(fmt::format("{}: required variable {} is {}{}{}; set it in the app's env", where_, name,
                                       value ? "empty" : "not set", message.empty() ? "" : ": ", message));
      }
      out += *value;
      break;
    }
    return close + 1;
  }
};

} // namespace

std::string interpolate(std::string_view text, const Env& env, std::string_view where) {
  return Interpolator(text, env, where).run();
}

std::string escape_dollars(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

} // namespace ccci::host
