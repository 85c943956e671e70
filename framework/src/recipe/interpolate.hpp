// Compose-file variable interpolation, as `docker stack deploy` does it.
#pragma once

#include "model/errors.hpp"

#include <string>
#include <string_view>

namespace ccci::host {

/// Expands `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}` against
/// `env`; `$$` becomes a literal `$`. Unset variables without a default
/// expand to "". Defaults may themselves contain `${...}`. A malformed
/// expression (unterminated `${`, bad name) or a triggered `:?` throws
/// RecipeDefect whose message starts with `where` (e.g. "compose.yml:12").
std::string interpolate(std::string_view text, const Env& env, std::string_view where);

/// `$` doubled, so `docker stack deploy` (which interpolates again) gives
/// back `text` unchanged.
std::string escape_dollars(std::string_view text);

} // namespace ccci::host
