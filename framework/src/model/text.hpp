// Small text helpers shared across layers.
#pragma once

#include <string>

namespace ccci::host {

/// The last `n` lines of `text`, each ending in '\n'.
std::string tail_lines(const std::string& text, std::size_t n);

} // namespace ccci::host
