// R015-short-secret-names (abra, error): a secret's swarm name is
// `<stack>_<key>_<version>`, the stack name may be 45 characters long, and
// docker refuses names over 64; a key of at most 12 characters always fits
// (45 + 1 + 12 + 1 + a version such as `v1`).
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

constexpr std::size_t max_key = 12;

LintVerdict check(const LintInput& in) {
  std::vector<std::string> problems, fixes;
  std::size_t secrets = 0;
  for (const auto& f : compose_views(in)) {
    for (const auto& s : f.secrets) {
      ++secrets;
      if (s.key.size() <= max_key) continue;
      problems.push_back(fmt::format("{} secret `{}` is {} characters long (at most {})", at(f.name, s.line), s.key,
                                     s.key.size(), max_key));
      fixes.push_back(fmt::format("shorten secret `{}` to at most {} characters in {} (and its "
                                  "SECRET_<NAME>_VERSION in .env.sample), so `<stack>_{}_v1` fits docker's 64",
                                  s.key, max_key, f.name, s.key.substr(0, max_key)));
    }
  }
  return verdict(problems, fixes, fmt::format("all {} secret key(s) are at most {} characters", secrets, max_key));
}

} // namespace

extern const LintRule R015_short_secret_names{"R015-short-secret-names", Severity::error,
                                              "every secret key is at most 12 characters long", check};

} // namespace ccci::host::lint
