#include "recipe/envfile.hpp"

#include "recipe/interpolate.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <optional>

namespace ccci::host {
namespace {

constexpr std::string_view blanks = " \t\r";

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(blanks);
  return s.substr(b, e - b + 1);
}

bool is_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// Only what follows a closing quote: nothing, or a comment.
bool only_comment(std::string_view rest) {
  rest = trim(rest);
  return rest.empty() || rest.front() == '#';
}

// An unquoted value ends at a ` #` comment; a `#` glued to text (`a#b`) is
// part of the value, as in dotenv.
std::string_view strip_inline_comment(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i)
    if (value[i] == '#' && (i == 0 || value[i - 1] == ' ' || value[i - 1] == '\t')) return trim(value.substr(0, i));
  return trim(value);
}

struct Assignment {
  std::string key;
  std::string raw;     ///< value with quotes removed, escapes resolved
  bool expand = true;  ///< false for single-quoted values
  bool quoted = false; ///< written in single or double quotes
};

// Splits one non-comment line into key and value; nullopt with `why` set
// when the line is not an assignment.
std::optional<Assignment> split_assignment(std::string_view line, std::string& why) {
  if (line.starts_with("export ") || line.starts_with("export\t")) line = trim(line.substr(7));
  auto eq = line.find('=');
  if (eq == std::string_view::npos) {
    why = "expected KEY=value";
    return std::nullopt;
  }
  Assignment a;
  a.key = std::string(trim(line.substr(0, eq)));
  if (!is_name(a.key)) {
    why = fmt::format("'{}' is not a variable name (letters, digits, '_', not starting with a digit)", a.key);
    return std::nullopt;
  }
  std::string_view value = trim(line.substr(eq + 1));
  if (value.empty()) return a;

  if (value.front() == '\'') {
    auto close = value.find('\'', 1);
    if (close == std::string_view::npos || !only_comment(value.substr(close + 1))) {
      why = "unterminated or trailing text after single-quoted value";
      return std::nullopt;
    }
    a.raw = std::string(value.substr(1, close - 1));
    a.expand = false;
    a.quoted = true;
    return a;
  }
  if (value.front() == '"') {
    a.quoted = true;
    for (std::size_t i = 1; i < value.size(); ++i) {
      char c = value[i];
      if (c == '\\' && i + 1 < value.size()) {
        char n = value[++i];
        // `\$` must survive interpolation as a literal dollar.
        if (n == '$')
          a.raw += "$$";
        else if (n == 'n')
          a.raw += '\n';
        else if (n == 't')
          a.raw += '\t';
        else if (n == '"' || n == '\\')
          a.raw += n;
        else {
          a.raw += '\\';
          a.raw += n;
        }
      } else if (c == '"') {
        if (!only_comment(value.substr(i + 1))) {
          why = "trailing text after double-quoted value";
          return std::nullopt;
        }
        return a;
      } else {
        a.raw += c;
      }
    }
    why = "unterminated double-quoted value (multi-line values are not supported)";
    return std::nullopt;
  }
  a.raw = std::string(strip_inline_comment(value));
  return a;
}

} // namespace

Env parse_env_file(std::string_view text, const std::string& filename, const Env& base) {
  Env defined;        // what this file assigns
  Env visible = base; // what `$VAR` sees: this file's assignments over `base`
  auto lines = lines_of(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    auto line = trim(lines[n]);
    if (line.empty() || line.front() == '#') continue;
    std::string where = fmt::format("{}:{}", filename, n + 1);
    std::string why;
    auto a = split_assignment(line, why);
    if (!a) {
      // Only the start of the line: a malformed line may hold a secret.
      auto shown = line.substr(0, std::min<std::size_t>(line.size(), 40));
      throw RecipeDefect(fmt::format("{}: malformed line \"{}{}\": {}; fix or comment it out", where, shown,
                                     shown.size() < line.size() ? "..." : "", why));
    }
    std::string value = a->expand ? interpolate(a->raw, visible, where) : a->raw;
    defined[a->key] = value;
    visible[a->key] = value;
  }
  return defined;
}

std::vector<std::string> compose_files(const Env& env) {
  std::vector<std::string> files;
  if (auto it = env.find("COMPOSE_FILE"); it != env.end()) {
    std::string_view rest = it->second;
    while (true) {
      auto colon = rest.find(':');
      auto part = trim(rest.substr(0, colon));
      if (!part.empty()) files.emplace_back(part);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (files.empty()) files.emplace_back("compose.yml");
  return files;
}

Env parse_abra_exports(std::string_view text, const std::string& /*filename: nothing here is an error*/) {
  Env out;
  int function_depth = 0;
  for (auto raw : lines_of(text)) {
    auto line = trim(raw);
    // abra.sh is a shell script we never run: an export inside a function
    // body only happens when that function is called, so it is not a
    // deploy-time value.
    if (line.ends_with("{")) ++function_depth;
    if (line.starts_with("}") && function_depth > 0) --function_depth;
    if (function_depth > 0 || raw.starts_with(" ") || raw.starts_with("\t")) continue;
    if (!line.starts_with("export ")) continue;

    std::string why;
    auto a = split_assignment(line, why);
    if (!a) continue;
    // A value computed by the shell (`$(...)`, `$VAR`, backticks, words
    // split by spaces) is not a literal: skip it rather than guess.
    if (a->expand && a->raw.find_first_of(a->quoted ? "$`" : "$`();&|<> \t") != std::string::npos) continue;
    out[a->key] = a->raw;
  }
  return out;
}

namespace {

// The comment of an assignment line: from the first `#` that follows
// whitespace outside quotes.
std::string_view trailing_comment(std::string_view line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(i + 1);
    }
  }
  return {};
}

[[noreturn]] void bad_modifier(const std::string& where, std::string_view word, std::string_view expected) {
  throw RecipeDefect(fmt::format("{}: secret modifier '{}': {}; abra's modifiers are length=<N>, charset=special, "
                                 "generate=false",
                                 where, word, expected));
}

void apply_modifier(SecretModifiers& m, std::string_view word) {
  auto eq = word.find('=');
  if (eq == std::string_view::npos) return; // a word of the comment, not a modifier
  auto key = word.substr(0, eq);
  auto value = word.substr(eq + 1);
  if (key == "length") {
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    // The upper bound only keeps a typo from asking for megabytes.
    if (ec != std::errc{} || ptr != value.data() + value.size() || n == 0 || n > 4096)
      bad_modifier(m.where, word, "the length must be a whole number from 1 to 4096");
    m.length = n;
  } else if (key == "charset") {
    if (value == "special")
      m.special = true;
    else if (value == "default" || value == "alphanumeric")
      m.special = false;
    else
      bad_modifier(m.where, word, "charset takes 'special' (or 'default')");
  } else if (key == "generate") {
    if (value == "false")
      m.generate = false;
    else if (value == "true")
      m.generate = true;
    else
      bad_modifier(m.where, word, "generate takes 'true' or 'false'");
  }
}

} // namespace

std::map<std::string, SecretModifiers> parse_secret_modifiers(std::string_view text, const std::string& filename) {
  std::map<std::string, SecretModifiers> out;
  auto lines = lines_of(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    auto line = trim(lines[n]);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ") || line.starts_with("export\t")) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, eq)));
    if (!key.starts_with("SECRET_") || !key.ends_with("_VERSION")) continue;
    SecretModifiers m;
    m.where = fmt::format("{}:{}", filename, n + 1);
    auto comment = trailing_comment(line.substr(eq + 1));
    std::size_t i = 0;
    while (i < comment.size()) {
      auto end = comment.find_first_of(" \t,", i);
      if (end == std::string_view::npos) end = comment.size();
      if (end > i) apply_modifier(m, comment.substr(i, end - i));
      i = end + 1;
    }
    out[key] = m;
  }
  return out;
}

std::string secret_version_variable(std::string_view key) {
  std::string out = "SECRET_";
  for (char c : key)
    out += c == '-' || c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out + "_VERSION";
}

} // namespace ccci::host
