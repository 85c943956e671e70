// Text made safe to place inside HTML (and XML): the dashboard's pages
// (report/site_pages.hpp) show strings that come from results.json and the
// sweep's summaries, which hold what recipes and plugins printed.
#pragma once

#include <string>
#include <string_view>

namespace ccci::host {

/// `text` as HTML character data or a quoted attribute value: `& < > " '`
/// become entities; a byte sequence that is not valid UTF-8 (overlong forms,
/// surrogates, past U+10FFFF, cut short) and a control character other than
/// tab, newline and carriage return (C0, DEL, C1) each become U+FFFD, so a
/// page never carries bytes a browser would guess at.
std::string html_escape(std::string_view text);

} // namespace ccci::host
