// Text made safe for XML 1.0 and HTML, for every report that writes markup
// (the JUnit file, the HTML site). Pure: unit-tested in tests/unit/test_junit.cpp
// and tests/unit/test_site.cpp.
//
// Whatever bytes a check's message holds (a plugin's output, an app's
// answer), the result is well-formed: `& < > " '` become entities, and what
// XML 1.0 forbids is replaced by U+FFFD — bytes that are not UTF-8, control
// characters other than tab, newline and carriage return, U+FFFE and U+FFFF
// (docs/junit.md, "Escaping").
#pragma once

#include <string>
#include <string_view>

namespace ccci::host {

/// For element text, and for attribute values in HTML (which keeps their
/// newlines). Tab and newline stay as they are; a carriage return becomes
/// `&#13;`, which a parser would otherwise turn into a newline.
std::string xml_escape(std::string_view text);

/// For the dashboard's pages (report/site_pages.hpp): HTML character data or
/// a quoted attribute value. The same as xml_escape, so a page never carries
/// bytes a browser would guess at.
std::string html_escape(std::string_view text);

/// For attribute values in XML: as xml_escape, and tab, newline and carriage
/// return as `&#9;` `&#10;` `&#13;`, which an XML parser would otherwise turn
/// into spaces.
std::string xml_escape_attribute(std::string_view text);

/// Whether `text` is UTF-8: no stray or missing continuation byte, no
/// overlong form, no surrogate, nothing above U+10FFFF.
bool valid_utf8(std::string_view text);

/// `text` with each maximal byte sequence that is not UTF-8 replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

} // namespace ccci::host
