// The tier policy: pre-skips, plugin-tool unver, what a failure makes
// unreachable, the restore's need for an archive, interruption, exit codes.
#define BOOST_TEST_MODULE policy
#include <boost/test/unit_test.hpp>

#include "run/policy.hpp"

using namespace ccci::host;
using ccci::Tier;

namespace {

const std::set<Tier> every_tier{all_tiers.begin(), all_tiers.end()};

RunResults with(std::initializer_list<std::pair<Tier, Status>> statuses) {
  auto r = empty_results();
  for (auto [t, s] : statuses) {
    r.tier(t).status = s;
    r.tier(t).reason = "why";
  }
  return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(declared_skips_and_unselected_tiers_are_skipped_before_anything_runs) {
  auto r = empty_results();
  apply_pre_skips(r, {{"backup", "static site: no volumes"}}, {Tier::install, Tier::backup, Tier::lint});
  BOOST_TEST((r.tier(Tier::backup).status == Status::skip));
  BOOST_TEST(r.tier(Tier::backup).declared_skip);
  BOOST_TEST(r.tier(Tier::backup).reason == "static site: no volumes");
  BOOST_TEST((r.tier(Tier::upgrade).status == Status::skip));
  BOOST_TEST(!r.tier(Tier::upgrade).declared_skip);
  BOOST_TEST(r.tier(Tier::upgrade).reason == "not selected with --tiers");
  BOOST_TEST((r.tier(Tier::install).status == Status::na));
  BOOST_TEST((r.tier(Tier::lint).status == Status::na));
}

BOOST_AUTO_TEST_CASE(each_kind_of_plugin_code_names_the_tiers_that_run_it) {
  auto tiers = [](PluginUse u) { return tiers_running_plugin_code(u); };
  BOOST_TEST((tiers({{}, true, false, false}) == std::set<Tier>{Tier::upgrade, Tier::backup}));
  BOOST_TEST((tiers({{}, false, true, false}) == std::set<Tier>{Tier::upgrade, Tier::restore}));
  BOOST_TEST((tiers({{}, false, false, true}) == std::set<Tier>{Tier::backup}));
  // The upgrade runs the install checks again.
  BOOST_TEST((tiers({{Tier::install}, false, false, false}) == std::set<Tier>{Tier::install, Tier::upgrade}));
  BOOST_TEST((tiers({{Tier::custom}, false, false, false}) == std::set<Tier>{Tier::custom}));
  BOOST_TEST(tiers({}).empty());
}

BOOST_AUTO_TEST_CASE(a_missing_plugin_tool_makes_only_the_plugin_tiers_still_to_run_unverified) {
  auto r = empty_results();
  apply_pre_skips(r, {{"restore", "declared"}}, every_tier);
  mark_plugin_tiers_unver(r, {{Tier::custom}, false, true, false}, {"git-lfs"});
  BOOST_TEST((r.tier(Tier::custom).status == Status::unver));
  BOOST_TEST(r.tier(Tier::custom).reason.find("git-lfs") != std::string::npos);
  BOOST_TEST((r.tier(Tier::upgrade).status == Status::unver));
  BOOST_TEST((r.tier(Tier::restore).status == Status::skip)); // a declared skip stays one
  BOOST_TEST((r.tier(Tier::install).status == Status::na));   // no plugin code there: runs
  BOOST_TEST((r.tier(Tier::lint).status == Status::na));
}

BOOST_AUTO_TEST_CASE(install_runs_first_and_lint_runs_whatever_happened) {
  auto r = empty_results();
  BOOST_TEST((gate_for(Tier::install, r).kind == GateKind::run));
  r = with({{Tier::install, Status::fail}, {Tier::upgrade, Status::fail}});
  BOOST_TEST((gate_for(Tier::lint, r).kind == GateKind::run));
}

BOOST_AUTO_TEST_CASE(a_tier_that_needs_the_app_is_blocked_until_install_passed) {
  auto r = with({{Tier::install, Status::fail}});
  auto g = gate_for(Tier::upgrade, r);
  BOOST_TEST((g.kind == GateKind::blocked));
  BOOST_TEST(g.reason == "install did not pass (fail)");
  BOOST_TEST((gate_for(Tier::custom, r).kind == GateKind::blocked));
  r = with({{Tier::install, Status::skip}});
  BOOST_TEST(gate_for(Tier::backup, r).reason == "install did not run, and every later tier needs a deployed app");
  r = with({{Tier::install, Status::unver}});
  BOOST_TEST(gate_for(Tier::custom, r).reason == "install did not pass (unver)");
}

BOOST_AUTO_TEST_CASE(a_failed_or_unverified_tier_blocks_the_later_ones_of_its_chain_but_a_skip_does_not) {
  auto r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::skip}});
  BOOST_TEST((gate_for(Tier::backup, r).kind == GateKind::run));
  BOOST_TEST((gate_for(Tier::custom, r).kind == GateKind::run));
  r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::fail}});
  BOOST_TEST(gate_for(Tier::backup, r).reason == "upgrade did not pass (fail)");
  BOOST_TEST(gate_for(Tier::restore, r).reason == "upgrade did not pass (fail)");
  // The first stop is named, not a later one.
  r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::unver}, {Tier::backup, Status::fail}});
  BOOST_TEST(gate_for(Tier::restore, r).reason == "upgrade did not pass (unver)");
}

BOOST_AUTO_TEST_CASE(custom_needs_install_only_because_it_runs_on_the_install_chains_deployment) {
  // The tier table puts custom on the install stack: what the upgrade stack
  // went through cannot touch it, in either order of the chains.
  BOOST_TEST((tier_info(Tier::custom).chain == Chain::install));
  BOOST_TEST((tier_info(Tier::install).chain == Chain::install));
  for (auto t : {Tier::upgrade, Tier::backup, Tier::restore})
    BOOST_TEST((tier_info(t).chain == Chain::upgrade));
  BOOST_TEST((tier_info(Tier::lint).chain == Chain::none));
  for (auto failed : {Status::fail, Status::unver}) {
    auto r = with({{Tier::install, Status::pass}, {Tier::upgrade, failed}, {Tier::backup, failed}});
    BOOST_TEST((gate_for(Tier::custom, r).kind == GateKind::run));
  }
  // A failed install still stops every tier that needs the app, custom too.
  auto r = with({{Tier::install, Status::fail}});
  BOOST_TEST(gate_for(Tier::custom, r).reason == "install did not pass (fail)");
}

BOOST_AUTO_TEST_CASE(a_chain_run_beside_install_does_not_wait_for_its_verdict_but_keeps_its_own_order) {
  auto r = empty_results(); // install not attempted yet: it runs in the other process
  BOOST_TEST((gate_for(Tier::upgrade, r).kind == GateKind::blocked));
  BOOST_TEST((gate_for(Tier::upgrade, r, /*install_beside=*/true).kind == GateKind::run));
  r.tier(Tier::upgrade).status = Status::fail;
  BOOST_TEST(gate_for(Tier::backup, r, true).reason == "upgrade did not pass (fail)");
  r.tier(Tier::upgrade).status = Status::pass;
  BOOST_TEST((gate_for(Tier::backup, r, true).kind == GateKind::run));
  BOOST_TEST((gate_for(Tier::restore, r, true).kind == GateKind::skip)); // no passing backup yet
}

BOOST_AUTO_TEST_CASE(a_tier_decided_before_the_run_is_left_as_it_is) {
  auto r = with({{Tier::install, Status::fail}, {Tier::custom, Status::unver}});
  BOOST_TEST((gate_for(Tier::custom, r).kind == GateKind::decided));
  auto tier = r.tier(Tier::custom);
  apply_gate(tier, gate_for(Tier::custom, r));
  BOOST_TEST((tier.status == Status::unver));
  BOOST_TEST(tier.reason == "why");
}

BOOST_AUTO_TEST_CASE(restore_needs_the_archive_of_a_passing_backup) {
  auto r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::pass}, {Tier::backup, Status::pass}});
  BOOST_TEST((gate_for(Tier::restore, r).kind == GateKind::run));
  // Not backup-capable: restore is a skip too, undeclared like the backup's.
  r.tier(Tier::backup).status = Status::skip;
  auto g = gate_for(Tier::restore, r);
  BOOST_TEST((g.kind == GateKind::skip));
  BOOST_TEST(!g.declared_skip);
  BOOST_TEST(g.reason.find("nothing to restore") != std::string::npos);
  // A declared backup skip makes the restore's skip declared as well.
  r.tier(Tier::backup).declared_skip = true;
  BOOST_TEST(gate_for(Tier::restore, r).declared_skip);
  auto tier = r.tier(Tier::restore);
  apply_gate(tier, gate_for(Tier::restore, r));
  BOOST_TEST((tier.status == Status::skip));
  BOOST_TEST(tier.declared_skip);
  // A failed backup blocks (it is a deployed tier that failed), not a skip.
  r.tier(Tier::backup) = {Tier::backup, Status::fail, "archive incomplete", false, 0, {}};
  BOOST_TEST((gate_for(Tier::restore, r).kind == GateKind::blocked));
}

BOOST_AUTO_TEST_CASE(an_interruption_makes_the_running_tier_and_the_rest_unverified) {
  auto r = empty_results();
  apply_pre_skips(r, {}, {Tier::install, Tier::upgrade, Tier::custom});
  r.tier(Tier::install).status = Status::pass;
  mark_unverified(r, Tier::upgrade, "interrupted by SIGINT", "not run: interrupted by SIGINT",
                  {Tier::install, Tier::upgrade, Tier::custom});
  BOOST_TEST((r.tier(Tier::install).status == Status::pass));
  BOOST_TEST((r.tier(Tier::upgrade).status == Status::unver));
  BOOST_TEST(r.tier(Tier::upgrade).reason == "interrupted by SIGINT");
  BOOST_TEST((r.tier(Tier::custom).status == Status::unver));
  BOOST_TEST(r.tier(Tier::custom).reason == "not run: interrupted by SIGINT");
  BOOST_TEST((r.tier(Tier::lint).status == Status::skip)); // not selected: stays a skip
}

BOOST_AUTO_TEST_CASE(a_blocked_tier_keeps_its_reason_and_an_unreached_one_says_why) {
  auto r = empty_results();
  r.tier(Tier::install).status = Status::fail;
  apply_gate(r.tier(Tier::upgrade), gate_for(Tier::upgrade, r));
  mark_unverified(r, std::nullopt, "", "not run", {Tier::install});
  explain_unreached(r);
  BOOST_TEST((r.tier(Tier::upgrade).status == Status::na));
  BOOST_TEST(r.tier(Tier::upgrade).reason == "install did not pass (fail)");
  BOOST_TEST(r.tier(Tier::custom).reason == "an earlier tier did not pass");
}

BOOST_AUTO_TEST_CASE(evidence_is_collected_only_when_something_went_wrong) {
  auto r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::skip}});
  BOOST_TEST(!needs_evidence(r));
  r.tier(Tier::custom).status = Status::unver;
  BOOST_TEST(needs_evidence(r));
  r.tier(Tier::custom).status = Status::fail;
  BOOST_TEST(needs_evidence(r));
}

BOOST_AUTO_TEST_CASE(a_green_promotion_needs_every_selected_tier_to_pass) {
  auto r = with({{Tier::install, Status::pass}, {Tier::upgrade, Status::skip}});
  BOOST_TEST(all_selected_passed(r, {Tier::install}));
  BOOST_TEST(!all_selected_passed(r, {Tier::install, Tier::upgrade}));
}

BOOST_AUTO_TEST_CASE(exit_codes_follow_the_verdict) {
  auto r = with({{Tier::install, Status::pass}});
  for (auto& t : r.tiers)
    if (t.tier != Tier::install) t.status = Status::skip;
  r.clean_teardown = r.no_secret_leak = true;
  BOOST_TEST(exit_code_for(r) == 0);
  r.no_secret_leak = false;
  BOOST_TEST(exit_code_for(r) == 1);
  r.no_secret_leak = true;
  r.clean_teardown = false;
  BOOST_TEST(exit_code_for(r) == 3);
  r.kept_running = true; // a promotion leaves the stack on purpose
  BOOST_TEST(exit_code_for(r) == 0);
  r.kept_running = false;
  r.clean_teardown = true;
  r.tier(Tier::upgrade).status = Status::unver;
  BOOST_TEST(exit_code_for(r) == 3);
  r.tier(Tier::custom).status = Status::fail;
  BOOST_TEST(exit_code_for(r) == 1); // a fail outweighs an unver
}
