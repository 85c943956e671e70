#define BOOST_TEST_MODULE version
#include <boost/test/unit_test.hpp>

#include "model/version.hpp"

#include <algorithm>
#include <ostream>

namespace ccci::host {
// So failed comparisons print the tags involved.
std::ostream& boost_test_print_type(std::ostream& os, const Version& v) { return os << v.tag; }
} // namespace ccci::host

using namespace ccci::host;

namespace {

Version v(const std::string& tag) {
  auto parsed = parse_version(tag);
  BOOST_TEST_REQUIRE(parsed.has_value(), "not parsed as a release: " << tag);
  return *parsed;
}

std::vector<std::string> tags_of(const std::vector<Version>& vs) {
  std::vector<std::string> out;
  for (const auto& x : vs)
    out.push_back(x.tag);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(parses_real_recipe_tags) {
  auto mariadb = v("2.1.9+10.11.15");
  BOOST_TEST(mariadb.tag == "2.1.9+10.11.15");
  BOOST_TEST(mariadb.major == 2);
  BOOST_TEST(mariadb.minor == 1);
  BOOST_TEST(mariadb.patch == 9);
  BOOST_TEST(mariadb.prerelease == "");
  BOOST_TEST(mariadb.upstream == "10.11.15");

  auto zero = v("0.8.1+3.5.0");
  BOOST_TEST(zero.major == 0);
  BOOST_TEST(zero.minor == 8);
  BOOST_TEST(zero.upstream == "3.5.0");

  // The '-' belongs to the upstream part, not a recipe pre-release.
  auto social = v("2.0.1+1.0.6-social-amd64");
  BOOST_TEST(social.prerelease == "");
  BOOST_TEST(social.upstream == "1.0.6-social-amd64");
  BOOST_TEST(social.patch == 1);
}

BOOST_AUTO_TEST_CASE(parses_prefix_prerelease_and_plain_semver) {
  auto pre = v("v1.0.0-rc.1+2.3.4");
  BOOST_TEST(pre.tag == "v1.0.0-rc.1+2.3.4");
  BOOST_TEST(pre.major == 1);
  BOOST_TEST(pre.prerelease == "rc.1");
  BOOST_TEST(pre.upstream == "2.3.4");

  auto plain = v("3.2.1");
  BOOST_TEST(plain.upstream == "");
  BOOST_TEST(plain.patch == 1);
}

BOOST_AUTO_TEST_CASE(rejects_non_release_tags) {
  for (const char* tag : {"main", "wip-foo", "", "v", "1.2", "1.2.3.4", "1.2.x+1", "1.2.3+", "1.2.3-", "01.2.3",
                          "latest", "1.2.3+foo bar", "release-1.2.3"})
    BOOST_TEST(!parse_version(tag).has_value(), "accepted as a release: '" << tag << "'");
}

BOOST_AUTO_TEST_CASE(recipe_part_compares_numerically_not_lexically) {
  BOOST_TEST(v("1.11.0+1.27.2") < v("1.13.0+1.27.2"));
  BOOST_TEST(v("1.9.0+1.27.2") < v("1.11.0+1.27.2"));
  BOOST_TEST(!(v("1.13.0+1.27.2") < v("1.11.0+1.27.2")));
  BOOST_TEST(v("0.8.1+3.5.0") < v("2.1.9+10.11.15"));
  BOOST_TEST(v("2.1.9+10.11.15") < v("2.1.10+10.11.15"));
  BOOST_TEST(v("9.9.9+1") < v("10.0.0+1"));
}

BOOST_AUTO_TEST_CASE(recipe_part_outranks_upstream) {
  // A higher recipe version wins whatever the upstream says.
  BOOST_TEST(v("1.1.9+y") < v("1.2.0+x"));
  BOOST_TEST(v("1.1.9+99.0.0") < v("1.2.0+1.0.0"));
  BOOST_TEST(std::is_gt(compare(v("1.2.0+x"), v("1.1.9+y"))));
}

BOOST_AUTO_TEST_CASE(upstream_breaks_ties_piecewise) {
  BOOST_TEST(v("1.0.0+10.11.9") < v("1.0.0+10.11.15"));
  BOOST_TEST(v("1.0.0+1.0.6") < v("1.0.0+1.0.6-social-amd64"));
  BOOST_TEST(v("2.0.1+1.0.6-social-amd64") < v("2.0.1+1.0.7-social-amd64"));
  BOOST_TEST(v("1.0.0") < v("1.0.0+0.1"));
  BOOST_TEST((v("1.0.0+1.2.3") == v("v1.0.0+1.2.3")));
}

BOOST_AUTO_TEST_CASE(prerelease_sorts_before_release) {
  BOOST_TEST(v("1.0.0-rc1+2.0") < v("1.0.0+2.0"));
  BOOST_TEST(v("1.0.0-alpha+2.0") < v("1.0.0-beta+2.0"));
  BOOST_TEST(v("1.0.0-rc.2") < v("1.0.0-rc.10"));  // numeric identifiers numerically
  BOOST_TEST(v("1.0.0-rc.1") < v("1.0.0-rc.1.1")); // longer list wins a tie
  BOOST_TEST(v("1.0.0-1") < v("1.0.0-alpha"));     // numeric below alphanumeric
  BOOST_TEST(v("0.9.9+2.0") < v("1.0.0-rc1+2.0")); // but after every lower release
  BOOST_TEST(!(v("1.0.0+2.0") < v("1.0.0-rc1+2.0")));
}

BOOST_AUTO_TEST_CASE(sorted_releases_orders_and_drops_non_releases) {
  std::vector<std::string> tags{"1.13.0+1.27.2",     "main",         "1.2.0+1.22.1", "wip-foo", "1.11.0+1.27.2",
                                "1.13.0-rc1+1.27.2", "0.9.0+1.20.0", "latest"};
  auto sorted = sorted_releases(tags);
  std::vector<std::string> expected{"0.9.0+1.20.0", "1.2.0+1.22.1", "1.11.0+1.27.2", "1.13.0-rc1+1.27.2",
                                    "1.13.0+1.27.2"};
  BOOST_TEST(tags_of(sorted) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(newest_release_ignores_non_releases) {
  auto newest = newest_release({"2.1.9+10.11.15", "zzz-not-a-release", "2.1.10+10.11.15", "2.1.8+10.11.16"});
  BOOST_TEST_REQUIRE(newest.has_value());
  BOOST_TEST(newest->tag == "2.1.10+10.11.15");

  BOOST_TEST(!newest_release({"main", "feature/x"}).has_value());
  BOOST_TEST(!newest_release({}).has_value());
}
