#define BOOST_TEST_MODULE naming
#include <boost/test/unit_test.hpp>

#include <set>

#include "model/naming.hpp"
#include "model/text.hpp"

using namespace ccci::host;

BOOST_AUTO_TEST_CASE(domain_is_a_safe_dns_name) {
  BOOST_TEST(test_domain("custom-html-tiny", "1a2b3c") == "custom-html-tiny-1a2b3c.ccci.test");
  BOOST_TEST(test_domain("My_Recipe.v2", "abcdef") == "my-recipe-v2-abcdef.ccci.test");
  // Long recipe names are cut to 20 characters, never ending in '-'.
  BOOST_TEST(test_domain("a-very-long-recipe-name-indeed", "000000") == "a-very-long-recipe-n-000000.ccci.test");
  BOOST_TEST(test_domain("abcdefghijklmnopqrs-tuv", "123456") == "abcdefghijklmnopqrs-123456.ccci.test");
  BOOST_TEST(test_domain("lasuite--docs", "123456") == "lasuite-docs-123456.ccci.test");
}

BOOST_AUTO_TEST_CASE(stack_name_follows_abra) {
  BOOST_TEST(stack_name_for("custom-html-tiny-1a2b3c.ccci.test") == "custom-html-tiny-1a2b3c_ccci_test");
  auto longest = stack_name_for(test_domain("abcdefghijklmnopqrstuvwxyz", "ffffff"));
  BOOST_TEST(longest.size() <= 45u);
  // Secret names built on it stay under docker's 64-character limit.
  BOOST_TEST((longest + "_db_password_v1").size() < 64u);
  BOOST_TEST(stack_name_for(std::string(60, 'a')).size() == 45u);
}

BOOST_AUTO_TEST_CASE(run_ids_sort_by_time_and_are_unique) {
  auto a = make_run_id("custom-html-tiny", "20261123T090102Z", "1a2b3c");
  BOOST_TEST(a == "20261123T090102Z-custom-html-tiny-1a2b3c");
  BOOST_TEST(make_run_id("x", "20261123T090102Z", "000000") < make_run_id("x", "20261123T090103Z", "000000"));
  auto h1 = random_hex(6), h2 = random_hex(6);
  BOOST_TEST(h1.size() == 6u);
  BOOST_TEST(h1.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(h1 != h2); // 1 in 16.7 million of a false alarm
  // Odd lengths, and no value repeats: a source that failed would give one.
  BOOST_TEST(random_hex(7).size() == 7u);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i)
    seen.insert(random_hex(12));
  BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(a_stack_name_is_what_docker_accepts_and_never_empty) {
  BOOST_TEST(is_stack_name("custom-html-tiny-1a2b3c_ccci_test"));
  BOOST_TEST(is_stack_name(stack_name_for(test_domain("notes-pg", "0a1b2c"))));
  BOOST_TEST(!is_stack_name(""));
  BOOST_TEST(!is_stack_name("_leading"));
  BOOST_TEST(!is_stack_name("a b"));
  BOOST_TEST(!is_stack_name("a/b"));
  BOOST_TEST(!is_stack_name("a=b"));
}

// The edge's port, from --edge-port or CCCI_EDGE_PORT: a whole number that is
// a TCP port, or bad input naming its source and the range.
BOOST_AUTO_TEST_CASE(a_port_is_a_whole_number_from_1_to_65535) {
  BOOST_TEST(parse_port("8480").value_or(0) == 8480);
  BOOST_TEST(parse_port("1").value_or(0) == 1);
  BOOST_TEST(parse_port("65535").value_or(0) == 65535);
  for (const char* bad : {"", "0", "-1", "65536", "99999", "abc", "8480abc", " 8480", "84.80", "+80", "99999999999"})
    BOOST_TEST(!parse_port(bad).has_value(), "'" << bad << "' taken as a port");
  BOOST_TEST(bad_port_message("--edge-port", "99999", 8480) ==
             "--edge-port '99999': not a TCP port; give a whole number from 1 to 65535 (default 8480)");
}
