// The three kinds of trouble a run can meet, kept apart because they lead to
// different verdicts (docs/architecture.md, "Verdicts").
#pragma once

#include <map>
#include <stdexcept>
#include <string>

namespace ccci::host {

/// ccci's own input is wrong: options, a meta file, a plugin, a path that is
/// not a recipe. Exit 2, nothing deployed. The message names the file, the
/// field and the fix.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The recipe under test is defective (unparsable compose, undeclared secret,
/// empty compose file...). A `fail` at the tier where it bites, never exit 2.
/// The message names the file and line or the name.
class RecipeDefect : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The infrastructure could not do its part (docker down, tool missing,
/// timeout talking to the daemon): `unver`, no verdict either way.
class InfraFailure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Environment of an app: variable name to value, ordered for stable output.
using Env = std::map<std::string, std::string>;

} // namespace ccci::host
