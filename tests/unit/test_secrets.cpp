// Secret values as abra generates them (docs/architecture.md, "Secrets"),
// and the redactor and leak scan over every kind of value.
#define BOOST_TEST_MODULE secrets
#include <boost/test/unit_test.hpp>

#include "report/leak_scan.hpp"
#include "support/files.hpp"
#include "swarm/secrets.hpp"

#include <set>
#include <string>

using namespace ccci::host;

namespace {

bool only_from(const std::string& value, std::string_view alphabet) {
  return value.find_first_not_of(alphabet) == std::string::npos;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out{""};
  for (char c : s)
    if (c == sep)
      out.emplace_back();
    else
      out.back() += c;
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_default_alphabet_has_no_ambiguous_characters) {
  BOOST_TEST(password_alphabet.size() == 56u);
  for (char c : std::string_view("0Oo1lI"))
    BOOST_TEST(password_alphabet.find(c) == std::string_view::npos, c);
  BOOST_TEST(std::set<char>(password_alphabet.begin(), password_alphabet.end()).size() == password_alphabet.size());
  BOOST_TEST(password_specials == "!@#$%^&*_-+=");
}

BOOST_AUTO_TEST_CASE(length_gives_that_many_characters_of_the_alphabet) {
  for (std::size_t n : {1u, 64u, 128u, 300u}) {
    auto v = generate_password(n, false);
    BOOST_TEST(v.size() == n);
    BOOST_TEST(only_from(v, password_alphabet), v);
  }
  // Over many draws every character of the alphabet turns up: the draw
  // covers it (and 4096 draws of 56 miss one with probability ~1e-30).
  auto many = generate_password(4096, false);
  BOOST_TEST(std::set<char>(many.begin(), many.end()).size() == password_alphabet.size());
  BOOST_TEST(generate_password(64, false) != generate_password(64, false));
}

BOOST_AUTO_TEST_CASE(charset_special_adds_the_specials) {
  std::string both = std::string(password_alphabet) + std::string(password_specials);
  auto many = generate_password(4096, true);
  BOOST_TEST(only_from(many, both));
  std::set<char> seen(many.begin(), many.end());
  for (char c : password_specials)
    BOOST_TEST(seen.count(c) == 1u, c);
}

BOOST_AUTO_TEST_CASE(no_length_gives_a_six_word_passphrase) {
  auto p = generate_passphrase();
  auto words = split(p, '-');
  BOOST_TEST(words.size() == static_cast<std::size_t>(passphrase_words), p);
  for (auto& w : words)
    BOOST_TEST(is_passphrase_word(w), w);
  BOOST_TEST(!is_passphrase_word("not-a-word"));
  BOOST_TEST(p.size() >= 23u); // six words of at least 3 letters and five dashes
  BOOST_TEST(generate_passphrase() != generate_passphrase());
  BOOST_TEST(split(generate_secret_value(std::nullopt, true), '-').size() == 6u);
  BOOST_TEST(generate_secret_value(std::size_t{10}, false).size() == 10u);
}

BOOST_AUTO_TEST_CASE(the_redactor_and_leak_scan_cover_every_kind_of_value) {
  GeneratedSecret phrase{"s_db_password_v1", generate_passphrase()};
  GeneratedSecret special{"s_admin_v1", generate_password(40, true)};
  Redactor r;
  r.add(phrase);
  r.add(special);
  auto text = "connecting with " + phrase.value + " and " + special.value + "\n";
  auto redacted = r.redact(text);
  BOOST_TEST(redacted == "connecting with [redacted:s_db_password_v1] and [redacted:s_admin_v1]\n");

  ccci::test::TempTree dir("unit-secrets");
  dir.write("logs/ccci.log", "ok\n" + phrase.value + "\n");
  dir.write("results.json", redacted);
  auto leaks = scan_tree_for_leaks(dir.dir(), r).leaks;
  BOOST_TEST(leaks == (std::vector<std::string>{"logs/ccci.log: secret s_db_password_v1 (raw)"}),
             boost::test_tools::per_element());
}
