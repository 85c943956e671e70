#include "report/markup.hpp"

namespace ccci::host {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD

struct Decoded {
  char32_t code_point;
  std::size_t length; ///< bytes taken: the character, or one ill-formed subsequence
  bool ok;
};

// One character at `i`, or the maximal ill-formed subsequence there (what
// Unicode's "substitution of maximal subparts" replaces by one U+FFFD): a
// byte that cannot start a character alone, else the start byte with the
// continuation bytes that were still valid for it.
Decoded decode(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1, true};
  std::size_t continuation = 0;
  char32_t cp = 0;
  // The second byte's range narrows for E0, ED, F0 and F4: that is what
  // refuses overlong forms, surrogates and code points above U+10FFFF.
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return {0, 1, false};
  }
  std::size_t n = 1;
  for (std::size_t k = 0; k < continuation; ++k, lo = 0x80, hi = 0xBF) {
    if (i + n >= s.size() || byte(i + n) < lo || byte(i + n) > hi) return {0, n, false};
    cp = (cp << 6) | (byte(i + n) & 0x3F);
    ++n;
  }
  return {cp, n, true};
}

// XML 1.0's Char production forbids the C0 controls but tab, newline and
// carriage return, and U+FFFE/U+FFFF; DEL and the C1 controls are allowed but
// "discouraged", and an error in HTML: replaced too.
bool forbidden(char32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE ||
         cp == 0xFFFF;
}

std::string escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode(text, i);
    if (!d.ok || forbidden(d.code_point)) {
      out += replacement;
    } else {
      switch (d.code_point) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break; // `]]>` may not appear in text
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break; // HTML 4 has no &apos;
      case '\r': out += "&#13;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default: out.append(text.substr(i, d.length));
      }
    }
    i += d.length;
  }
  return out;
}

} // namespace

std::string xml_escape(std::string_view text) { return escape(text, false); }

std::string xml_escape_attribute(std::string_view text) { return escape(text, true); }

std::string html_escape(std::string_view text) { return escape(text, false); }

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode(text, i);
    if (!d.ok) return false;
    i += d.length;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode(text, i);
    if (d.ok)
      out.append(text.substr(i, d.length));
    else
      out += replacement;
    i += d.length;
  }
  return out;
}

} // namespace ccci::host
