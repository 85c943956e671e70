// Whether an output is a terminal a status line can be rewritten on
// (docs/architecture.md, "Reporting").
#pragma once

#include <cstddef>

namespace ccci::host {

/// `fd` is a terminal (isatty) and TERM does not say it cannot erase a line
/// ("dumb", or unset).
bool is_live_terminal(int fd);

/// The terminal's width in columns; 0 when `fd` is none or does not say.
std::size_t terminal_columns(int fd);

} // namespace ccci::host
