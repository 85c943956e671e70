// Generated secret values: made here, redacted from everything ccci writes,
// and searched for afterwards in every artifact of the run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ccci::host {

struct GeneratedSecret {
  std::string name; ///< the swarm secret name
  std::string value;
};

/// 32 random characters from [A-Za-z0-9]: long enough that a chance match
/// in an artifact is impossible, plain enough for any app's config parser.
std::string generate_secret_value();

/// Replaces every known secret value in text with `[redacted:<name>]`.
class Redactor {
public:
  void add(const GeneratedSecret& s) { secrets_.push_back(s); }
  std::string redact(std::string text) const;
  const std::vector<GeneratedSecret>& secrets() const { return secrets_; }

private:
  std::vector<GeneratedSecret> secrets_;
};

/// Files under `dir` (recursively, skipping .git) whose bytes contain any
/// of the secret values, as "path: secret <name>".
std::vector<std::string> find_secret_leaks(const std::filesystem::path& dir,
                                           const std::vector<GeneratedSecret>& secrets);

/// The same search over one text (output that is not a file yet).
std::vector<std::string> find_secret_leaks_in(std::string_view text, std::string_view origin,
                                              const std::vector<GeneratedSecret>& secrets);

} // namespace ccci::host
