#include "swarm/secrets.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

namespace json = boost::json;

namespace ccci::host {

namespace {

// One uniformly random index below `n` (n <= 256): bytes at or above the
// largest multiple of n are drawn again, so no index is favoured.
std::size_t random_below(std::ifstream& urandom, std::size_t n) {
  const std::size_t limit = 256 - 256 % n;
  while (true) {
    auto b = static_cast<std::size_t>(static_cast<unsigned char>(urandom.get()));
    if (b < limit) return b % n;
  }
}

std::ifstream open_urandom() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom) throw InfraFailure("cannot open /dev/urandom to generate secret values");
  return urandom;
}

// 256 words: each word is 8 bits, a passphrase of 6 is 48 bits — plenty for
// a throwaway test stack's secret, and long enough (at least 23 characters)
// that the leak scan cannot match it by chance.
constexpr std::array<std::string_view, 256> words{
    "acorn",  "actor",   "adapt",   "admit",  "adobe",  "agent",   "alarm",  "album",  "alert",   "algae",  "alley",
    "amber",  "ample",   "angle",   "ankle",  "apple",  "apron",   "arena",  "argue",  "arrow",   "aspen",  "atlas",
    "attic",  "audio",   "autumn",  "avoid",  "award",  "bacon",   "badge",  "bagel",  "baker",   "balmy",  "bamboo",
    "banjo",  "barge",   "basil",   "basin",  "batch",  "beach",   "beard",  "beetle", "bench",   "berry",  "bison",
    "blade",  "blank",   "blaze",   "blend",  "bliss",  "bloom",   "board",  "boat",   "bonus",   "boots",  "brave",
    "bread",  "brick",   "bride",   "brook",  "brush",  "bucket",  "buddy",  "bugle",  "cabin",   "cable",  "cactus",
    "camel",  "candy",   "canoe",   "canyon", "cargo",  "carol",   "carpet", "cedar",  "chalk",   "charm",  "chess",
    "chief",  "chime",   "cider",   "cinema", "civic",  "clay",    "cliff",  "cloak",  "clock",   "cloud",  "clover",
    "coast",  "cobra",   "cocoa",   "comet",  "coral",  "couch",   "cove",   "crane",  "crate",   "creek",  "crisp",
    "crown",  "cube",    "curry",   "daisy",  "dance",  "delta",   "denim",  "depot",  "diary",   "dingo",  "dish",
    "dock",   "dolphin", "donut",   "dove",   "dragon", "drum",    "dune",   "eagle",  "easel",   "echo",   "elbow",
    "elder",  "elm",     "ember",   "emu",    "envoy",  "fable",   "falcon", "fancy",  "ferry",   "fiber",  "field",
    "fig",    "finch",   "flame",   "flask",  "fleet",  "flint",   "flora",  "flute",  "focus",   "forest", "fossil",
    "fox",    "frost",   "fudge",   "gable",  "galaxy", "garden",  "garlic", "gecko",  "geyser",  "ginger", "glade",
    "globe",  "glove",   "goose",   "grape",  "gravel", "grove",   "guitar", "gust",   "habit",   "harbor", "hazel",
    "hedge",  "heron",   "hiker",   "honey",  "hoop",   "horizon", "hotel",  "husky",  "igloo",   "index",  "inlet",
    "iris",   "island",  "ivory",   "jacket", "jade",   "jelly",   "jewel",  "jolly",  "judge",   "juice",  "jungle",
    "kayak",  "kettle",  "kiosk",   "kite",   "koala",  "ladder",  "lagoon", "lake",   "lantern", "latch",  "lemon",
    "lilac",  "linen",   "lobster", "locket", "lotus",  "lunar",   "magnet", "mango",  "maple",   "marble", "meadow",
    "melon",  "mint",    "mocha",   "moose",  "mosaic", "motor",   "mural",  "nectar", "needle",  "nest",   "noble",
    "noodle", "north",   "novel",   "oasis",  "ocean",  "olive",   "onion",  "opera",  "orbit",   "orchid", "otter",
    "oven",   "owl",     "paddle",  "panda",  "paper",  "parcel",  "pearl",  "pebble", "pepper",  "piano",  "pilot",
    "plaza",  "plum",    "polar",   "pony",   "poppy",  "prism",   "pulse",  "quail",  "quartz",  "quill",  "quilt",
    "rabbit", "radar",   "raft",
};

} // namespace

std::string generate_password(std::size_t length, bool special) {
  std::string alphabet(password_alphabet);
  if (special) alphabet += password_specials;
  auto urandom = open_urandom();
  std::string out;
  out.reserve(length);
  while (out.size() < length)
    out.push_back(alphabet[random_below(urandom, alphabet.size())]);
  return out;
}

std::string generate_passphrase() {
  auto urandom = open_urandom();
  std::string out;
  for (int i = 0; i < passphrase_words; ++i) {
    if (i) out += '-';
    out += words[random_below(urandom, words.size())];
  }
  return out;
}

std::string generate_secret_value(std::optional<std::size_t> length, bool special) {
  return length ? generate_password(*length, special) : generate_passphrase();
}

bool is_passphrase_word(std::string_view word) { return std::find(words.begin(), words.end(), word) != words.end(); }

namespace {

constexpr char hex_lower[] = "0123456789abcdef";
constexpr char hex_upper[] = "0123456789ABCDEF";

std::string base64(std::string_view bytes, bool url_safe) {
  static constexpr char standard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_safe ? url : standard;
  std::string out;
  // Whole groups only: the callers cut the value to them (a partial group's
  // characters depend on the bytes that follow it).
  for (std::size_t i = 0; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += alphabet[(v >> shift) & 0x3f];
  }
  return out;
}

std::string hex(std::string_view bytes, const char* digits) {
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

// RFC 3986's unreserved characters stay; everything else is %XX.
std::string percent_encoded(std::string_view bytes, const char* digits) {
  std::string out;
  for (unsigned char c : bytes) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string mask(std::string_view secret, std::string_view form) {
  return form == "raw" ? fmt::format("[redacted:{}]", secret) : fmt::format("[redacted:{}:{}]", secret, form);
}

// A base64 form is the value's whole 3-byte groups; the up to 4 characters
// on either side mix its first and last bytes with their neighbours'. The
// mask takes them too, or they would tell a byte or two of the value.
std::pair<std::size_t, std::size_t> widened(std::string_view text, std::size_t pos, std::size_t length,
                                            std::string_view form) {
  if (!form.starts_with("base64")) return {pos, pos + length};
  const bool url = form == "base64url";
  auto in_alphabet = [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || (url ? c == '-' || c == '_' : c == '+' || c == '/');
  };
  std::size_t from = pos, to = pos + length;
  for (int i = 0; i < 4 && from > 0 && in_alphabet(text[from - 1]); ++i)
    --from;
  for (int i = 0; i < 4 && to < text.size() && (in_alphabet(text[to]) || text[to] == '='); ++i)
    ++to;
  return {from, to};
}

bool has_hit(const std::vector<LeakHit>& hits, std::string_view secret, std::string_view form) {
  return std::any_of(hits.begin(), hits.end(), [&](const LeakHit& h) { return h.secret == secret && h.form == form; });
}

} // namespace

std::vector<SecretForm> secret_forms(const GeneratedSecret& s) {
  std::vector<SecretForm> out;
  if (s.value.empty()) return out;
  auto add = [&](std::string form, std::string bytes) {
    if (form != "raw" && bytes.size() < min_encoded_form) return;
    for (auto& f : out)
      if (f.bytes == bytes) return;
    out.push_back({s.name, std::move(form), std::move(bytes)});
  };
  add("raw", s.value);
  const std::string_view v = s.value;
  for (bool url_safe : {false, true})
    for (std::size_t offset = 0; offset < 3 && offset < v.size(); ++offset) {
      auto rest = v.substr(offset);
      add(url_safe ? "base64url" : "base64", base64(rest.substr(0, rest.size() / 3 * 3), url_safe));
    }
  add("hex", hex(v, hex_lower));
  add("HEX", hex(v, hex_upper));
  add("url-encoded", percent_encoded(v, hex_upper));
  add("url-encoded", percent_encoded(v, hex_lower));
  return out;
}

void Redactor::add(const GeneratedSecret& s) {
  secrets_.push_back(s);
  for (auto& f : secret_forms(s))
    forms_.push_back(std::move(f));
  // Longest first: a form inside another (a raw value inside its own
  // percent-encoding) is masked with the whole.
  std::stable_sort(forms_.begin(), forms_.end(),
                   [](const SecretForm& a, const SecretForm& b) { return a.bytes.size() > b.bytes.size(); });
}

std::size_t Redactor::longest() const { return forms_.empty() ? 0 : forms_.front().bytes.size(); }

void Redactor::find(std::string_view text, std::vector<LeakHit>& out) const {
  for (auto& f : forms_)
    if (!has_hit(out, f.secret, f.form) && text.find(f.bytes) != std::string_view::npos)
      out.push_back({f.secret, f.form});
}

std::string Redactor::redact(std::string text) const {
  for (auto& f : forms_) {
    auto m = mask(f.secret, f.form);
    for (auto pos = text.find(f.bytes); pos != std::string::npos; pos = text.find(f.bytes, pos)) {
      auto [from, to] = widened(text, pos, f.bytes.size(), f.form);
      text.replace(from, to - from, m);
      pos = from + m.size();
    }
  }
  return text;
}

// ---------------------------------------------------------------- fingerprints

namespace {

// SHA-256 with the key absorbed once: each window's hash starts from a copy.
class KeyedSha256 {
public:
  explicit KeyedSha256(std::string_view key) {
    if (!keyed_ || !work_ || EVP_DigestInit_ex(keyed_.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(keyed_.get(), key.data(), key.size()) != 1)
      fail();
  }
  std::string operator()(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_MD_CTX_copy_ex(work_.get(), keyed_.get()) != 1 ||
        EVP_DigestUpdate(work_.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(work_.get(), digest, &size) != 1)
      fail();
    return hex(std::string_view(reinterpret_cast<const char*>(digest), size), hex_lower);
  }

private:
  [[noreturn]] static void fail() {
    throw InfraFailure("libcrypto could not compute a SHA-256 for the leak scan's fingerprints");
  }
  using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  Ctx keyed_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  Ctx work_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

} // namespace

std::string keyed_sha256(std::string_view key, std::string_view bytes) { return KeyedSha256(key)(bytes); }

std::vector<Fingerprint> fingerprints_of(const std::vector<GeneratedSecret>& secrets, std::string_view key) {
  std::vector<Fingerprint> out;
  for (auto& s : secrets)
    for (auto& f : secret_forms(s))
      out.push_back({f.secret, f.form, f.bytes.size(), keyed_sha256(key, f.bytes)});
  return out;
}

std::string fingerprints_to_json(const std::vector<Fingerprint>& fps) {
  json::array rows;
  for (auto& f : fps)
    rows.push_back(json::object{{"secret", f.secret}, {"form", f.form}, {"length", f.length}, {"sha256", f.sha256}});
  return json::serialize(json::object{{"fingerprints", rows}}) + "\n";
}

std::vector<Fingerprint> fingerprints_from_json(std::string_view text, std::string_view origin) {
  std::vector<Fingerprint> out;
  try {
    auto doc = json::parse(text);
    for (auto& v : doc.at("fingerprints").as_array()) {
      auto& o = v.as_object();
      Fingerprint f{std::string(o.at("secret").as_string()), std::string(o.at("form").as_string()),
                    static_cast<std::size_t>(o.at("length").to_number<std::uint64_t>()),
                    std::string(o.at("sha256").as_string())};
      if (f.length == 0 || f.sha256.size() != 64) throw std::invalid_argument("an empty length or a short sha256");
      out.push_back(std::move(f));
    }
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not a fingerprint file ({}); a child run writes it as {{\"fingerprints\": "
                                 "[{{secret, form, length, sha256}}]}}",
                                 origin, e.what()));
  }
  return out;
}

void FingerprintMatcher::add(const std::vector<Fingerprint>& fps) {
  for (auto& f : fps)
    if (std::find(fps_.begin(), fps_.end(), f) == fps_.end()) fps_.push_back(f);
}

std::size_t FingerprintMatcher::longest() const {
  std::size_t n = 0;
  for (auto& f : fps_)
    n = std::max(n, f.length);
  return n;
}

std::vector<FingerprintMatcher::Range> FingerprintMatcher::matches(std::string_view text) const {
  std::map<std::size_t, std::map<std::string, const Fingerprint*>> by_length;
  for (auto& f : fps_)
    by_length[f.length].emplace(f.sha256, &f);
  KeyedSha256 hash(key_);
  std::vector<Range> out;
  for (auto& [length, hashes] : by_length)
    for (std::size_t pos = 0; pos + length <= text.size(); ++pos) {
      auto it = hashes.find(hash(text.substr(pos, length)));
      if (it != hashes.end()) out.push_back({pos, length, it->second});
    }
  return out;
}

void FingerprintMatcher::find(std::string_view text, std::vector<LeakHit>& out) const {
  for (auto& r : matches(text))
    if (!has_hit(out, r.fp->secret, r.fp->form)) out.push_back({r.fp->secret, r.fp->form});
}

std::string FingerprintMatcher::redact(std::string text) const {
  auto found = matches(text);
  // The longest first; a range overlapping one already taken is part of it.
  std::stable_sort(found.begin(), found.end(), [](const Range& a, const Range& b) { return a.length > b.length; });
  std::vector<Range> taken;
  for (auto& r : found)
    if (std::none_of(taken.begin(), taken.end(),
                     [&](const Range& t) { return r.pos < t.pos + t.length && t.pos < r.pos + r.length; }))
      taken.push_back(r);
  // From the end, so the positions before each replacement stay valid; a
  // widened range stops where the next one's mask begins.
  std::sort(taken.begin(), taken.end(), [](const Range& a, const Range& b) { return a.pos > b.pos; });
  std::size_t limit = text.size();
  for (auto& r : taken) {
    auto [from, to] = widened(text, r.pos, r.length, r.fp->form);
    to = std::min(to, limit);
    text.replace(from, to - from, mask(r.fp->secret, r.fp->form));
    limit = from;
  }
  return text;
}

} // namespace ccci::host
