#include "swarm/secrets.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>

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

std::string Redactor::redact(std::string text) const {
  for (auto& s : secrets_) {
    if (s.value.empty()) continue;
    auto mask = fmt::format("[redacted:{}]", s.name);
    for (auto pos = text.find(s.value); pos != std::string::npos; pos = text.find(s.value, pos + mask.size()))
      text.replace(pos, s.value.size(), mask);
  }
  return text;
}

std::vector<std::string> find_secret_leaks_in(std::string_view text, std::string_view origin,
                                              const std::vector<GeneratedSecret>& secrets) {
  std::vector<std::string> out;
  for (auto& s : secrets)
    if (!s.value.empty() && text.find(s.value) != std::string_view::npos)
      out.push_back(fmt::format("{}: secret {}", origin, s.name));
  return out;
}

std::vector<std::string> find_secret_leaks(const std::filesystem::path& dir,
                                           const std::vector<GeneratedSecret>& secrets) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (secrets.empty() || !fs::exists(dir)) return out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    std::error_code unreadable; // scanned as empty, as before the scan had its own reader
    auto bytes = read_file(it->path(), unreadable);
    auto found = find_secret_leaks_in(bytes, fs::relative(it->path(), dir).string(), secrets);
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

} // namespace ccci::host
