// The env side of a recipe as abra reads it: `.env.sample` (and the app's
// `.env`), `COMPOSE_FILE` chains, and `abra.sh` exports.
#pragma once

#include "model/errors.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// Parses a dotenv file as abra does: `KEY=value`, `export KEY=value`,
/// comments (`#` at line start, or ` #` after an unquoted value), single
/// quotes literal, double quotes with `$VAR`/`${VAR}` expanded against the
/// variables defined so far in the file and then `base`, unquoted values
/// likewise expanded. So `COMPOSE_FILE="compose.yml"` followed by
/// `COMPOSE_FILE="$COMPOSE_FILE:compose.x.yml"` yields
/// `compose.yml:compose.x.yml`. Commented-out assignments are ignored.
/// Later assignments win. A malformed line throws RecipeDefect naming
/// `filename` and the line number.
Env parse_env_file(std::string_view text, const std::string& filename, const Env& base = {});

/// The compose files an env selects, in order: COMPOSE_FILE split on ':'
/// (empty parts dropped), or {"compose.yml"} when unset or empty.
std::vector<std::string> compose_files(const Env& env);

/// The variables `abra.sh` exports with a literal value
/// (`export APP_ENTRYPOINT_VERSION=v4`, quoted or not). abra.sh is never
/// executed; lines that are not literal exports (functions, commands) are
/// skipped.
Env parse_abra_exports(std::string_view text, const std::string& filename);

/// How abra generates one secret, from the trailing comment of its
/// `SECRET_<NAME>_VERSION=v1 # length=64 charset=special generate=false`
/// line in .env.sample (docs/architecture.md, "Secrets").
struct SecretModifiers {
  std::optional<std::size_t> length; ///< none: a passphrase of words
  bool special = false;              ///< charset=special: adds !@#$%^&*_-+=
  bool generate = true;              ///< generate=false: inserted by hand
  std::string where;                 ///< ".env.sample:12"
};

/// The modifiers of every `SECRET_*_VERSION` line, by variable name. The
/// comment is read leniently: modifiers may be separated by spaces, tabs or
/// commas and mixed with other words; words without `=` and unknown keys
/// are ignored (they are comments to people). A known key with a bad value
/// (`length=abc`, `length=0`, `charset=emoji`, `generate=maybe`) throws
/// RecipeDefect naming the line. Lines without a comment get the defaults.
std::map<std::string, SecretModifiers> parse_secret_modifiers(std::string_view text, const std::string& filename);

/// The version variable abra pairs with compose secret `key`:
/// "db_password" -> "SECRET_DB_PASSWORD_VERSION".
std::string secret_version_variable(std::string_view key);

} // namespace ccci::host
