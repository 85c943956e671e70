// Generated secret values: made here, redacted from everything ccci writes
// (in every form a program may encode them in), and searched for afterwards
// in every artifact of the run (report/leak_scan.hpp), by value or, in a
// parent command, by fingerprint.
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

/// One way a secret's value can appear in text: its raw bytes, or an
/// encoding a program may have written it in (docs/architecture.md, "Leaks").
struct SecretForm {
  std::string secret; ///< the secret's name
  std::string form;   ///< "raw", "base64", "base64url", "hex", "HEX", "url-encoded"
  std::string bytes;
};

/// Encoded forms shorter than this are left out: so few characters of an
/// alphabet turn up in any large file by chance.
inline constexpr std::size_t min_encoded_form = 8;

/// Every form of `s`: the raw value; its base64, standard and URL-safe, at
/// each of the 3 alignments the value can have in an encoded stream (the
/// value from offset 0, 1 and 2, cut to whole 3-byte groups: the characters
/// that do not depend on the bytes around it); hex in lower and upper case;
/// percent-encoded (upper- and lower-case digits). No duplicates.
std::vector<SecretForm> secret_forms(const GeneratedSecret& s);

/// What a scan found: a secret, and the form it was in. Never the value.
struct LeakHit {
  std::string secret;
  std::string form;
  bool operator==(const LeakHit&) const = default;
};

/// Finds the forms of secrets in text, and masks them. Two kinds: one that
/// knows the values (the run that made them) and one that knows only their
/// fingerprints (a parent command reading its children's).
class LeakMatcher {
public:
  virtual ~LeakMatcher() = default;
  /// The longest form: a chunked scan overlaps its chunks by this less one.
  virtual std::size_t longest() const = 0;
  /// Appends to `out` every form found in `text` (not yet in `out`).
  virtual void find(std::string_view text, std::vector<LeakHit>& out) const = 0;
  /// `text` with every form found replaced by `[redacted:<secret>]` (raw)
  /// or `[redacted:<secret>:<form>]`.
  virtual std::string redact(std::string text) const = 0;
  bool empty() const { return longest() == 0; }
};

/// Knows the values: every string ccci writes passes redact().
class Redactor final : public LeakMatcher {
public:
  void add(const GeneratedSecret& s);
  const std::vector<GeneratedSecret>& secrets() const { return secrets_; }
  std::size_t longest() const override;
  void find(std::string_view text, std::vector<LeakHit>& out) const override;
  std::string redact(std::string text) const override;

private:
  std::vector<GeneratedSecret> secrets_;
  std::vector<SecretForm> forms_; ///< the longest first
};

/// A form as a parent command may know it: which secret and form, its length,
/// and the SHA-256 of `key ‖ bytes` (hex). The key is the parent's, made at
/// random when it starts and given to its children in their environment
/// only, so a fingerprint on disk cannot be tested against guesses of the
/// value (docs/architecture.md, "Leaks").
struct Fingerprint {
  std::string secret;
  std::string form;
  std::size_t length = 0;
  std::string sha256;
  bool operator==(const Fingerprint&) const = default;
};

/// The environment variable that carries the key from a parent to its child runs.
inline constexpr std::string_view fingerprint_key_variable = "CCCI_LEAK_FINGERPRINT_KEY";
/// The file, in a child's run directory (mode 0600), that holds its fingerprints.
inline constexpr std::string_view fingerprints_file = "secret-fingerprints.json";
/// The upgrade chain's own, beside it: `secret-fingerprints.<tag>.json`
/// (docs/architecture.md, "Chains").
inline std::string chain_fingerprints_file(std::string_view tag) {
  return "secret-fingerprints." + std::string(tag) + ".json";
}

/// SHA-256 of `key` then `bytes`, as 64 lower-case hex digits (libcrypto).
std::string keyed_sha256(std::string_view key, std::string_view bytes);
/// The fingerprint of every form of every secret.
std::vector<Fingerprint> fingerprints_of(const std::vector<GeneratedSecret>& secrets, std::string_view key);
std::string fingerprints_to_json(const std::vector<Fingerprint>& fps);
/// Throws InputError naming `origin` when the text is not a fingerprint file.
std::vector<Fingerprint> fingerprints_from_json(std::string_view text, std::string_view origin);

/// Knows only fingerprints: slides a window of each fingerprinted length over
/// the text and compares the window's keyed hash.
class FingerprintMatcher final : public LeakMatcher {
public:
  explicit FingerprintMatcher(std::string key) : key_(std::move(key)) {}
  void add(const std::vector<Fingerprint>& fps);
  std::size_t longest() const override;
  void find(std::string_view text, std::vector<LeakHit>& out) const override;
  std::string redact(std::string text) const override;

private:
  struct Range {
    std::size_t pos, length;
    const Fingerprint* fp;
  };
  std::vector<Range> matches(std::string_view text) const;
  std::string key_;
  std::vector<Fingerprint> fps_;
};

} // namespace ccci::host
