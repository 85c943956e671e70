// The canary comparator, spec parser and fixture guard, fed forged results.
#define BOOST_TEST_MODULE canary
#include <boost/test/unit_test.hpp>

#include "canary/canary.hpp"
#include "model/errors.hpp"

#include <boost/json.hpp>

#include <filesystem>

using namespace ccci::host;
using ccci::Tier;
namespace fs = std::filesystem;

namespace {

// A run as results.json would say it. `ladder` gives each tier's status in
// order (P pass, F fail, D declared skip, S undeclared skip, N na, U unver);
// each pass gets a passing check, each fail a failing one.
RunResults forged(std::string_view ladder, std::string_view failing_check = "") {
  RunResults r = empty_results();
  std::size_t i = 0;
  for (Tier t : all_tiers) {
    auto& tr = r.tier(t);
    const std::string name(ccci::to_string(t));
    switch (ladder.at(i++)) {
    case 'P':
      tr.status = Status::pass;
      tr.checks.push_back({name + "/ok", Status::pass, "fine", 0.1});
      break;
    case 'F':
      tr.status = Status::fail;
      tr.checks.push_back({name + "/ok", Status::pass, "fine", 0.1});
      tr.checks.push_back(
          {failing_check.empty() ? name + "/broken" : std::string(failing_check), Status::fail, "it broke", 0.1});
      tr.reason = "1 check failed";
      break;
    case 'D':
      tr.status = Status::skip;
      tr.declared_skip = true;
      break;
    case 'S': tr.status = Status::skip; break;
    case 'U': tr.status = Status::unver; break;
    default: tr.status = Status::na;
    }
  }
  r.clean_teardown = true;
  r.no_secret_leak = true;
  r.exit_code = ladder.find('F') != std::string_view::npos ? 1 : ladder.find('U') != std::string_view::npos ? 3 : 0;
  return r;
}

CanarySpec spec_green() {
  CanarySpec s;
  s.name = "good-simple";
  s.recipe = "custom-html-tiny";
  s.base = "recipes/custom-html-tiny";
  return s;
}

CanarySpec spec_red(Tier t, std::string check = "") {
  CanarySpec s = spec_green();
  s.name = "bad";
  s.variant = "variants/x.patch";
  s.touches = {"compose.yml"};
  s.expect.green = false;
  s.expect.red_at = t;
  s.expect.failing_check = std::move(check);
  return s;
}

bool mentions(const CanaryVerdict& v, std::string_view text) {
  for (auto& r : v.reasons)
    if (r.find(text) != std::string::npos) return true;
  return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(forged_green_for_bad_false_green_is_a_false_green) {
  auto s = spec_red(Tier::custom, "custom/content_type_html_and_txt");
  auto v = compare_canary(s, forged("PPDDPP"));
  BOOST_TEST((v.outcome == CanaryOutcome::false_green));
  BOOST_TEST(v.got == "green");
  BOOST_TEST(mentions(v, "FALSE GREEN"));
  BOOST_TEST(to_string(v.outcome) == "FALSE GREEN");
  BOOST_TEST(!v.ok());
}

BOOST_AUTO_TEST_CASE(targeted_tier_passing_while_a_later_one_fails_is_still_a_false_green) {
  // bad-backup's backup tier passed (the broken hook went unnoticed) and the
  // run only went red at restore: the backup verdict was a false green.
  auto v = compare_canary(spec_red(Tier::backup), forged("PPPFNP"));
  BOOST_TEST((v.outcome == CanaryOutcome::false_green));
  BOOST_TEST(v.got == "red: restore");
}

BOOST_AUTO_TEST_CASE(red_at_the_wrong_tier_is_a_mismatch_naming_both) {
  // The emptied-compose.yml slip: bad-backup went red at upgrade.
  auto v = compare_canary(spec_red(Tier::backup), forged("PFNNNP"));
  BOOST_TEST((v.outcome == CanaryOutcome::mismatch));
  BOOST_TEST(v.got == "red: upgrade");
  BOOST_TEST(mentions(v, "expected red: backup, got red: upgrade"));
}

BOOST_AUTO_TEST_CASE(red_at_the_right_tier_is_a_match) {
  BOOST_TEST(compare_canary(spec_red(Tier::install), forged("FNNNNP")).ok());
  BOOST_TEST(compare_canary(spec_red(Tier::upgrade), forged("PFNNNP")).ok());
  BOOST_TEST(
      compare_canary(spec_red(Tier::restore, "restore/verify:rows"), forged("PPPFNP", "restore/verify:rows")).ok());
  // Tiers before it may be declared skips.
  BOOST_TEST(compare_canary(spec_red(Tier::custom), forged("PPDDFP")).ok());
}

BOOST_AUTO_TEST_CASE(a_correct_green_is_a_match) {
  auto v = compare_canary(spec_green(), forged("PPDDPP"));
  BOOST_TEST(v.ok());
  BOOST_TEST(v.reasons.empty());
  BOOST_TEST(v.got == "green");
}

BOOST_AUTO_TEST_CASE(an_undeclared_skip_before_the_tier_is_a_mismatch) {
  auto v = compare_canary(spec_red(Tier::custom), forged("PSDDFP"));
  BOOST_TEST((v.outcome == CanaryOutcome::mismatch));
  BOOST_TEST(v.got == "undeclared skip: upgrade");
  // ...and in a good canary too.
  BOOST_TEST(!compare_canary(spec_green(), forged("PPSSPP")).ok());
}

BOOST_AUTO_TEST_CASE(unverified_before_the_tier_is_a_mismatch_not_a_red) {
  auto r = forged("PUNNNP");
  r.exit_code = 3;
  auto v = compare_canary(spec_red(Tier::backup), r);
  BOOST_TEST((v.outcome == CanaryOutcome::mismatch));
  BOOST_TEST(v.got == "unverified: upgrade");
}

BOOST_AUTO_TEST_CASE(a_passing_tier_with_zero_checks_is_a_mismatch) {
  auto r = forged("PPDDPP");
  r.tier(Tier::custom).checks.clear(); // forged "pass" without teeth
  auto v = compare_canary(spec_green(), r);
  BOOST_TEST((v.outcome == CanaryOutcome::mismatch));
  BOOST_TEST(mentions(v, "custom passed with no passing check (no teeth)"));
  // A pass whose only checks did not pass has no teeth either.
  auto r2 = forged("PPDDPP");
  r2.tier(Tier::install).checks = {{"install/x", Status::unver, "?", 0}};
  BOOST_TEST(!compare_canary(spec_green(), r2).ok());
}

BOOST_AUTO_TEST_CASE(a_failed_tier_without_a_failing_check_is_a_mismatch) {
  auto r = forged("FNNNNP");
  r.tier(Tier::install).checks = {{"install/ok", Status::pass, "fine", 0}};
  auto v = compare_canary(spec_red(Tier::install), r);
  BOOST_TEST(!v.ok());
  BOOST_TEST(mentions(v, "none of its 1 check(s) failed"));
}

BOOST_AUTO_TEST_CASE(the_expected_failing_check_must_be_the_one_that_failed) {
  auto v = compare_canary(spec_red(Tier::backup, "backup/pre-hook:db"), forged("PPFNNP", "backup/archive_complete"));
  BOOST_TEST((v.outcome == CanaryOutcome::mismatch));
  BOOST_TEST(v.got == "red: backup");
  BOOST_TEST(mentions(v, "not for the expected reason"));
  BOOST_TEST(compare_canary(spec_red(Tier::backup, "backup/pre-hook:db"), forged("PPFNNP", "backup/pre-hook:db")).ok());
}

BOOST_AUTO_TEST_CASE(flags_must_hold) {
  auto r = forged("PPDDPP");
  r.clean_teardown = false;
  r.teardown_leftovers = {"volume x_db"};
  auto v = compare_canary(spec_green(), r);
  BOOST_TEST(!v.ok());
  BOOST_TEST(mentions(v, "volume x_db"));
  auto r2 = forged("FNNNNP");
  r2.no_secret_leak = false;
  BOOST_TEST(mentions(compare_canary(spec_red(Tier::install), r2), "no_secret_leak"));
  // A flag left out of the spec is not required.
  auto s = spec_green();
  s.need_clean_teardown = false;
  BOOST_TEST(compare_canary(s, r).ok());
}

BOOST_AUTO_TEST_CASE(an_exit_status_that_disagrees_is_a_mismatch) {
  auto r = forged("PPDDPP");
  r.exit_code = 1;
  BOOST_TEST(mentions(compare_canary(spec_green(), r), "exit status 1"));
}

BOOST_AUTO_TEST_CASE(forged_results_json_round_trip_through_the_comparator) {
  // The comparator reads what results.json says: forge it as text.
  auto r = forged("PPDDFP", "custom/content_type_html_and_txt");
  auto back = results_from_json(to_json(r), "forged.json");
  BOOST_TEST(compare_canary(spec_red(Tier::custom, "custom/content_type_html_and_txt"), back).ok());
  auto green = results_from_json(to_json(forged("PPDDPP")), "forged.json");
  BOOST_TEST((compare_canary(spec_red(Tier::custom), green).outcome == CanaryOutcome::false_green));
}

BOOST_AUTO_TEST_CASE(no_results_is_never_a_match) {
  auto v = no_results_verdict(2, "bad input");
  BOOST_TEST(!v.ok());
  BOOST_TEST(v.got == "bad input (exit 2)");
}

// ---- the spec ----

BOOST_AUTO_TEST_CASE(the_shipped_spec_parses_and_names_the_twelve_canaries) {
  auto specs = load_canary_specs(fs::path(CCCI_SOURCE_DIR) / "tests/canaries/canaries.yml");
  std::vector<std::string> names;
  for (auto& s : specs)
    names.push_back(s.name);
  std::vector<std::string> want{"good-simple",
                                "good-significant",
                                "bad-install",
                                "bad-upgrade",
                                "bad-backup",
                                "bad-restore",
                                "bad-false-green",
                                "good-multi-service",
                                "bad-env-not-reaching-static",
                                "bad-short-secret",
                                "bad-dump-fails-in-pipe",
                                "bad-missing-restore-hook"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
  for (auto& s : specs) {
    BOOST_TEST(s.need_clean_teardown);
    BOOST_TEST(s.need_no_secret_leak);
    BOOST_TEST(s.is_bad() == !s.expect.green, s.name);
    BOOST_TEST(fs::exists(fs::path(CCCI_SOURCE_DIR) / s.base / "recipe" / "compose.yml"), s.name);
    if (s.is_bad()) BOOST_TEST(fs::exists(fs::path(CCCI_SOURCE_DIR) / s.base / s.variant), s.name);
  }
  BOOST_TEST(specs[3].variant_from == "1.1.0+15.14");
  BOOST_TEST(specs[3].expect.label() == "red: upgrade");
  BOOST_TEST(specs[6].expect.failing_check == "custom/content_type_html_and_txt");
}

BOOST_AUTO_TEST_CASE(expect_accepts_green_red_string_and_map) {
  auto specs = parse_canary_specs(R"(canaries:
  - {name: a, recipe: r, base: b, expect: green}
  - {name: b, recipe: r, base: b, variant: v.patch, touches: [x], expect: "red: backup"}
  - name: c
    recipe: r
    base: b
    variant: v.patch
    variant_from: 1.1.0+1
    touches: [x]
    expect: {red: restore, check: "restore/verify:rows"}
    run_args: [--deploy-timeout, "120"]
    flags: [clean_teardown]
)",
                                  "t.yml");
  BOOST_TEST_REQUIRE(specs.size() == 3u);
  BOOST_TEST(specs[0].expect.green);
  BOOST_TEST(specs[1].expect.label() == "red: backup");
  BOOST_TEST(specs[2].expect.failing_check == "restore/verify:rows");
  BOOST_TEST(specs[2].run_args.size() == 2u);
  BOOST_TEST(!specs[2].need_no_secret_leak);
  BOOST_TEST(specs[2].origin == "t.yml:4");
}

namespace {
void expect_input_error(std::string_view yaml, std::string_view must_mention) {
  try {
    parse_canary_specs(yaml, "spec.yml");
    BOOST_ERROR("accepted: " << yaml);
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find(must_mention) != std::string::npos, e.what());
  }
}
} // namespace

BOOST_AUTO_TEST_CASE(bad_specs_name_file_line_and_fix) {
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, expect: \"red: smoke\"}\n", "spec.yml:2");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, expect: \"red: smoke\"}\n", "'smoke' is not a tier");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, expect: green, tuches: [x]}\n",
                     "unknown key 'tuches'");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, variant: v.patch, expect: \"red: install\"}\n",
                     "no 'touches:' list");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, variant: v, touches: [x], expect: green}\n",
                     "expects green");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, expect: green}\n  - {name: a, recipe: r, base: "
                     "b, expect: green}\n",
                     "used twice");
  expect_input_error("canaries:\n  - {name: a, recipe: r, expect: green}\n", "no 'base'");
  expect_input_error("canaries: [\n", "spec.yml:");
  expect_input_error("canaries: []\n", "empty");
  expect_input_error("canaries:\n  - {name: a, recipe: r, base: b, expect: green, flags: [clean]}\n", "unknown flag");
}

// ---- the fixture guard ----

BOOST_AUTO_TEST_CASE(ls_tree_output_is_parsed) {
  auto t = parse_ls_tree("100644 blob aaaa     120\tcompose.yml\n100755 blob bbbb       0\tabra.sh\n"
                         "040000 tree cccc       -\tdir\n");
  BOOST_TEST(t.size() == 2u);
  BOOST_TEST(t["compose.yml"].size == 120u);
  BOOST_TEST(t["abra.sh"].blob == "bbbb");
}

BOOST_AUTO_TEST_CASE(guard_allows_only_the_touched_files_and_never_an_emptied_one) {
  Tree base{{"compose.yml", {"c1", 900}}, {"nginx.conf.tmpl", {"n1", 400}}, {"abra.sh", {"a1", 50}}};
  Tree targeted = base;
  targeted["nginx.conf.tmpl"] = {"n2", 360};
  BOOST_TEST(fixture_tag_problems("1.0.0", base, targeted, {"nginx.conf.tmpl"}).empty());

  // Beyond the targeted change: compose.yml differs too.
  Tree beyond = targeted;
  beyond["compose.yml"] = {"e69de29", 0};
  auto p = fixture_tag_problems("1.0.0", base, beyond, {"nginx.conf.tmpl"});
  BOOST_TEST_REQUIRE(p.size() == 1u);
  BOOST_TEST(p[0].find("compose.yml differs but it is not in the canary's 'touches' list") != std::string::npos, p[0]);

  // Declared, but emptied: the slip that sent bad-backup red at upgrade.
  p = fixture_tag_problems("1.0.0", base, beyond, {"nginx.conf.tmpl", "compose.yml"});
  BOOST_TEST_REQUIRE(p.size() == 1u);
  BOOST_TEST(p[0].find("compose.yml was emptied") != std::string::npos, p[0]);

  // Added and removed files count as differences.
  Tree added = base;
  added["extra.sh"] = {"x", 3};
  BOOST_TEST(fixture_tag_problems("1.0.0", base, added, {"compose.yml"})[0].find("was added") != std::string::npos);
  Tree removed = base;
  removed.erase("abra.sh");
  BOOST_TEST(fixture_tag_problems("1.0.0", base, removed, {"compose.yml"})[0].find("was removed") != std::string::npos);
  removed = base;
  removed.erase("compose.yml");
  BOOST_TEST(fixture_tag_problems("1.0.0", base, removed, {"compose.yml"})[0].find("removed by the variant") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(fixture_argv_applies_the_variant_where_the_spec_says) {
  auto s = spec_red(Tier::upgrade);
  s.base = "recipes/notes-pg";
  s.variant = "variants/bad-upgrade.patch";
  s.variant_from = "1.1.0+15.14";
  auto argv = make_fixture_argv(s, "/src", "/tmp/x", false);
  std::vector<std::string> want{"/src/scripts/make-recipe-repo",
                                "/src/recipes/notes-pg/recipe",
                                "/tmp/x",
                                "--force",
                                "--variant-from",
                                "1.1.0+15.14",
                                "/src/recipes/notes-pg/variants/bad-upgrade.patch"};
  BOOST_TEST(argv == want, boost::test_tools::per_element());
  auto base = make_fixture_argv(s, "/src", "/tmp/b", true);
  BOOST_TEST(base.size() == 4u);
  s.variant_from.clear();
  auto extra = make_fixture_argv(s, "/src", "/tmp/x", false, {"/tmp/more.patch"});
  BOOST_TEST(extra.at(4) == "--variant");
  BOOST_TEST(extra.back() == "/tmp/more.patch");
}

// ---- the report ----

BOOST_AUTO_TEST_CASE(table_and_report_say_what_happened) {
  CanaryRow ok{"good-simple", "green", compare_canary(spec_green(), forged("PPDDPP")), "id1", "/runs/id1", 0, 20};
  CanaryRow fg{"bad-false-green",
               "red: custom",
               compare_canary(spec_red(Tier::custom), forged("PPDDPP")),
               "id2",
               "/runs/id2",
               0,
               21};
  auto table = canary_table({ok, fg});
  BOOST_TEST(table.find("canary") != std::string::npos);
  BOOST_TEST(table.find("FALSE GREEN") != std::string::npos, table);
  BOOST_TEST(table.find("good-simple") != std::string::npos);
  auto doc = boost::json::parse(canary_report_json({ok, fg}, "spec.yml", "t0", "t1")).as_object();
  BOOST_TEST(doc.at("all_match").as_bool() == false);
  BOOST_TEST(doc.at("canaries").as_array().size() == 2u);
  BOOST_TEST(doc.at("canaries").as_array()[1].as_object().at("verdict").as_string() == "FALSE GREEN");
  auto all_ok = boost::json::parse(canary_report_json({ok}, "spec.yml", "t0", "t1")).as_object();
  BOOST_TEST(all_ok.at("all_match").as_bool());
}

BOOST_AUTO_TEST_CASE(table_columns_fit_the_widest_cell_and_reasons_go_under_their_canary) {
  CanaryVerdict match{CanaryOutcome::match, "green", {}};
  CanaryVerdict false_green{CanaryOutcome::false_green, "green", {"custom passed, so the canary's defect went unseen"}};
  CanaryRow ok{"good-simple", "green", match, "id1", "/runs/id1", 0, 20};
  CanaryRow fg{"bad-false-green", "red: custom", false_green, "id2", "/runs/id2", 0, 21};
  BOOST_TEST(canary_table({ok, fg}) == "canary           expected     got    verdict\n"
                                       "good-simple      green        green  match\n"
                                       "bad-false-green  red: custom  green  FALSE GREEN\n"
                                       "    custom passed, so the canary's defect went unseen\n");
}

BOOST_AUTO_TEST_CASE(lint_warnings_leave_a_green_canary_green_and_a_red_one_red) {
  auto r = forged("PPDDPP");
  r.tier(Tier::lint).checks.push_back({"lint/R002-healthchecks", Status::warn, "warning: no healthcheck", 0});
  auto v = compare_canary(spec_green(), r);
  BOOST_TEST(v.ok(), v.got);
  BOOST_TEST(v.got == "green");
  // Warnings alone give a passing tier no teeth.
  r.tier(Tier::lint).checks = {{"lint/R002-healthchecks", Status::warn, "warning", 0}};
  BOOST_TEST(mentions(compare_canary(spec_green(), r), "lint passed with no passing check (no teeth)"));
  // A warning is not the failing check a red canary expects.
  auto red = forged("PPDDPF", "lint/R009-one-service-named-app");
  red.tier(Tier::lint).checks.push_back({"lint/R002-healthchecks", Status::warn, "warning", 0});
  BOOST_TEST(compare_canary(spec_red(Tier::lint, "lint/R009-one-service-named-app"), red).ok());
  BOOST_TEST(!compare_canary(spec_red(Tier::lint, "lint/R002-healthchecks"), red).ok());
}
