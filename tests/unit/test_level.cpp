#define BOOST_TEST_MODULE level
#include <boost/test/unit_test.hpp>

#include "model/level.hpp"

using namespace ccci::host;
using ccci::Tier;

namespace {

CheckRecord check(const char* name, Status s) { return {name, s, "msg", 0.1}; }

std::vector<TierResult> ladder(std::initializer_list<std::pair<Status, bool>> statuses) {
  std::vector<TierResult> out;
  auto it = statuses.begin();
  for (Tier t : all_tiers) {
    TierResult r;
    r.tier = t;
    r.status = it->first;
    r.declared_skip = it->second;
    r.reason = "why";
    out.push_back(r);
    ++it;
  }
  return out;
}

constexpr auto P = std::pair{Status::pass, false};
constexpr auto F = std::pair{Status::fail, false};
constexpr auto U = std::pair{Status::unver, false};
constexpr auto N = std::pair{Status::na, false};
constexpr auto S = std::pair{Status::skip, false}; // undeclared
constexpr auto D = std::pair{Status::skip, true};  // declared

} // namespace

BOOST_AUTO_TEST_CASE(zero_checks_is_not_a_pass) {
  auto v = judge_tier({});
  BOOST_TEST(v.status != Status::pass);
  BOOST_TEST(v.status == Status::unver);
}

BOOST_AUTO_TEST_CASE(a_passing_check_gives_the_tier_teeth) {
  BOOST_TEST(judge_tier({check("install/serving", Status::pass)}).status == Status::pass);
}

BOOST_AUTO_TEST_CASE(skipped_checks_alone_are_not_a_pass) {
  BOOST_TEST(judge_tier({check("custom/a", Status::skip)}).status == Status::unver);
}

BOOST_AUTO_TEST_CASE(one_fail_fails_the_tier_and_is_named) {
  auto v = judge_tier(
      {check("install/a", Status::pass), check("install/b", Status::fail), check("install/c", Status::unver)});
  BOOST_TEST(v.status == Status::fail);
  BOOST_TEST(v.reason.find("install/b") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unver_without_fail_is_unver) {
  auto v = judge_tier({check("install/a", Status::pass), check("install/c", Status::unver)});
  BOOST_TEST(v.status == Status::unver);
  BOOST_TEST(v.reason.find("install/c") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(all_green_is_level_5) {
  auto cap = compute_level(ladder({P, P, P, P, P, P}));
  BOOST_TEST(cap.level == 5);
  BOOST_TEST(cap.rung.empty());
}

BOOST_AUTO_TEST_CASE(install_failure_is_level_0) {
  auto cap = compute_level(ladder({F, N, N, N, N, N}));
  BOOST_TEST(cap.level == 0);
  BOOST_TEST(cap.rung == "install");
  BOOST_TEST(cap.reason.find("install failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(declared_skips_are_climbed_over) {
  // The static-site shape: backup and restore declared skips.
  auto cap = compute_level(ladder({P, P, D, D, P, P}));
  BOOST_TEST(cap.level == 5);
}

BOOST_AUTO_TEST_CASE(an_undeclared_skip_stops_the_climb) {
  auto cap = compute_level(ladder({P, S, P, P, P, P}));
  BOOST_TEST(cap.level == 1);
  BOOST_TEST(cap.rung == "upgrade");
  BOOST_TEST(cap.reason.find("without a declaration") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_fail_above_caps_below_it) {
  auto cap = compute_level(ladder({P, P, P, P, F, P}));
  BOOST_TEST(cap.level == 3);
  BOOST_TEST(cap.rung == "custom");
}

BOOST_AUTO_TEST_CASE(unver_stops_the_climb_like_a_fail) {
  auto cap = compute_level(ladder({P, U, P, P, P, P}));
  BOOST_TEST(cap.level == 1);
  BOOST_TEST(cap.reason.find("unverified") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backup_and_restore_are_one_rung) {
  BOOST_TEST(compute_level(ladder({P, P, P, F, P, P})).level == 2);
  BOOST_TEST(compute_level(ladder({P, P, F, P, P, P})).level == 2);
  BOOST_TEST(compute_level(ladder({P, P, P, D, P, P})).level == 5);
}

BOOST_AUTO_TEST_CASE(warnings_and_passes_pass_and_the_reason_counts_the_warnings) {
  auto v = judge_tier({check("lint/a", Status::pass), check("lint/b", Status::warn), check("lint/c", Status::warn)});
  BOOST_TEST(v.status == Status::pass);
  BOOST_TEST(v.reason == "1 check passed, 2 warnings");
  BOOST_TEST(judge_tier({check("lint/a", Status::pass)}).reason == "1 check passed");
}

BOOST_AUTO_TEST_CASE(a_warning_never_hides_a_failure_and_never_gives_teeth) {
  auto v = judge_tier({check("lint/a", Status::warn), check("lint/b", Status::fail), check("lint/c", Status::pass)});
  BOOST_TEST(v.status == Status::fail);
  BOOST_TEST(v.reason.find("lint/b") != std::string::npos);
  auto only = judge_tier({check("lint/a", Status::warn)});
  BOOST_TEST(only.status == Status::unver);
  BOOST_TEST(only.reason.find("1 warning only") != std::string::npos, only.reason);
}
