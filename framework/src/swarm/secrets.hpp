// Generated secret values: made here, redacted from everything ccci writes,
// and searched for afterwards in every artifact of the run.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

struct GeneratedSecret {
  std::string name; ///< the swarm secret name
  std::string value;
};

/// abra's default password alphabet: letters and digits without the ones
/// people confuse when they read or type a value — 0 O o 1 l I — so 56
/// characters (docs/architecture.md, "Secrets").
inline constexpr std::string_view password_alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
/// What `charset=special` adds.
inline constexpr std::string_view password_specials = "!@#$%^&*_-+=";
inline constexpr int passphrase_words = 6;

/// `length` characters drawn uniformly from password_alphabet (plus
/// password_specials when `special`), from /dev/urandom.
std::string generate_password(std::size_t length, bool special);

/// abra's value for a secret without `length`: 6 words of ccci's own list
/// (256 words, 48 bits) joined by '-'.
std::string generate_passphrase();

/// generate_password(length, special), or generate_passphrase() without a
/// length.
std::string generate_secret_value(std::optional<std::size_t> length, bool special);

/// Whether `word` is in the passphrase word list (for tests).
bool is_passphrase_word(std::string_view word);

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
