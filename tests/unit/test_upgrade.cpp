#define BOOST_TEST_MODULE upgrade
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "model/upgrade_base.hpp"

using namespace ccci::host;

namespace {
const std::vector<std::string> mattermost{"2.1.7+10.11.11", "2.1.9+10.11.15", "2.1.8+10.11.13", "main-backup",
                                          "2.1.10+10.11.16"};
}

BOOST_AUTO_TEST_CASE(newest_release_below_by_version_order_not_listing_order) {
  auto b = choose_upgrade_base(mattermost, "2.1.10+10.11.16", std::nullopt);
  BOOST_TEST(b.tag.value_or("none") == "2.1.9+10.11.15");
  b = choose_upgrade_base(mattermost, "2.1.9+10.11.15", std::nullopt);
  BOOST_TEST(b.tag.value_or("none") == "2.1.8+10.11.13");
}

BOOST_AUTO_TEST_CASE(numeric_not_lexical) {
  auto b = choose_upgrade_base({"1.9.0+1.27.2", "1.11.0+1.27.2", "1.13.0+1.27.2"}, "1.13.0+1.27.2", std::nullopt);
  BOOST_TEST(b.tag.value_or("none") == "1.11.0+1.27.2");
}

BOOST_AUTO_TEST_CASE(one_release_only_is_a_skip_with_the_reason) {
  auto b = choose_upgrade_base({"0.8.1+3.5.0"}, "0.8.1+3.5.0", std::nullopt);
  BOOST_TEST(!b.tag.has_value());
  BOOST_TEST(b.reason.find("only one release") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_oldest_release_has_no_base) {
  auto b = choose_upgrade_base(mattermost, "2.1.7+10.11.11", std::nullopt);
  BOOST_TEST(!b.tag.has_value());
}

BOOST_AUTO_TEST_CASE(a_pin_wins_and_must_be_older_and_real) {
  auto b = choose_upgrade_base(mattermost, "2.1.10+10.11.16", std::string("2.1.7+10.11.11"));
  BOOST_TEST(b.tag.value_or("none") == "2.1.7+10.11.11");
  BOOST_TEST(b.reason.find("pinned") != std::string::npos);
  BOOST_CHECK_THROW(choose_upgrade_base(mattermost, "2.1.9+10.11.15", std::string("3.0.0+1")), InputError);
  BOOST_CHECK_THROW(choose_upgrade_base(mattermost, "2.1.8+10.11.13", std::string("2.1.9+10.11.15")), InputError);
  auto same = choose_upgrade_base(mattermost, "2.1.9+10.11.15", std::string("2.1.9+10.11.15"));
  BOOST_TEST(!same.tag.has_value());
  BOOST_TEST(same.reason.find("same version") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(canonical_is_the_base_when_older) {
  auto b = choose_upgrade_base(mattermost, "2.1.10+10.11.16", std::nullopt, std::string("2.1.8+10.11.13"));
  BOOST_TEST(b.tag.value_or("none") == "2.1.8+10.11.13");
  auto same = choose_upgrade_base(mattermost, "2.1.10+10.11.16", std::nullopt, std::string("2.1.10+10.11.16"));
  BOOST_TEST(!same.tag.has_value());
  BOOST_TEST(same.reason.find("same version") != std::string::npos);
  // A canonical newer than the target (testing an old release) is ignored.
  auto old = choose_upgrade_base(mattermost, "2.1.8+10.11.13", std::nullopt, std::string("2.1.10+10.11.16"));
  BOOST_TEST(old.tag.value_or("none") == "2.1.7+10.11.11");
}

BOOST_AUTO_TEST_CASE(a_ref_upgrades_from_the_newest_release) {
  auto b = choose_upgrade_base(mattermost, "", std::nullopt);
  BOOST_TEST(b.tag.value_or("none") == "2.1.10+10.11.16");
  auto none = choose_upgrade_base({"main"}, "", std::nullopt);
  BOOST_TEST(!none.tag.has_value());
}

BOOST_AUTO_TEST_CASE(social_suffixes_order_by_upstream) {
  auto b = choose_upgrade_base({"2.0.0+1.0.5-social-amd64", "2.0.1+1.0.6-social-amd64"}, "2.0.1+1.0.6-social-amd64",
                               std::nullopt);
  BOOST_TEST(b.tag.value_or("none") == "2.0.0+1.0.5-social-amd64");
}
