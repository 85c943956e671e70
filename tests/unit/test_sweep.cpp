#define BOOST_TEST_MODULE sweep
#include <boost/test/unit_test.hpp>

#include "model/text.hpp"
#include "sweep/sweep.hpp"

using namespace ccci::host;
using ccci::Tier;

namespace {
Canonical canon(const std::string& v) {
  return Canonical{"r", v, "c0ffee", v, "run", "2026-11-01T00:00:00Z", "s", "d"};
}
} // namespace

BOOST_AUTO_TEST_CASE(a_new_tag_runs) {
  BOOST_TEST((sweep_decision(std::string("1.13.0+1.27.2"), canon("1.11.0+1.27.2")).action == SweepAction::run));
  BOOST_TEST((sweep_decision(std::string("1.0.0+1"), std::nullopt).action == SweepAction::run));
}

BOOST_AUTO_TEST_CASE(the_same_or_an_older_tag_skips_by_version_not_commit) {
  BOOST_TEST((sweep_decision(std::string("1.11.0+1.27.2"), canon("1.11.0+1.27.2")).action ==
              SweepAction::skip_no_new_version));
  // The canonical is newer than anything tagged upstream (a tag was deleted): still no new version.
  BOOST_TEST(
      (sweep_decision(std::string("1.9.0+1.27.2"), canon("1.11.0+1.27.2")).action == SweepAction::skip_no_new_version));
}

BOOST_AUTO_TEST_CASE(never_released_skips) {
  BOOST_TEST((sweep_decision(std::nullopt, std::nullopt).action == SweepAction::skip_never_released));
  BOOST_TEST((sweep_decision(std::string("main"), std::nullopt).action == SweepAction::skip_never_released));
}

BOOST_AUTO_TEST_CASE(promotion_needs_every_condition) {
  BOOST_TEST(should_promote(true, true, true, false, true));
  BOOST_TEST(!should_promote(false, true, true, false, true)); // not enrolled
  BOOST_TEST(!should_promote(true, false, true, false, true)); // red
  BOOST_TEST(!should_promote(true, true, false, false, true)); // warm, not cold
  BOOST_TEST(!should_promote(true, true, true, true, true));   // a ref/PR run
  BOOST_TEST(!should_promote(true, true, true, false, false)); // untagged
}

BOOST_AUTO_TEST_CASE(labels_come_from_the_registry_not_the_exit_code) {
  SweepDecision run{SweepAction::run, ""};
  BOOST_TEST(sweep_label(run, 0, canon("1.2.0+1"), "1.2.0+1") == "PASS (promoted)");
  // Green, but the registry still holds the old version: the promote failed.
  BOOST_TEST(sweep_label(run, 0, canon("1.1.0+1"), "1.2.0+1") == "GREEN-BUT-PROMOTE-FAILED");
  BOOST_TEST(sweep_label(run, 0, std::nullopt, "1.2.0+1") == "GREEN-BUT-PROMOTE-FAILED");
  BOOST_TEST(sweep_label(run, 1, canon("1.2.0+1"), "1.2.0+1") == "FAIL");
  BOOST_TEST(sweep_label(run, 3, std::nullopt, "1.2.0+1") == "UNVER");
  BOOST_TEST(sweep_label(run, std::nullopt, std::nullopt, "1.2.0+1") == "UNVER");
  // Killed by a signal (a crash, a second stop signal cut it short): no verdict.
  BOOST_TEST(sweep_label(run, -1, canon("1.2.0+1"), "1.2.0+1") == "UNVER");
  BOOST_TEST(sweep_label({SweepAction::skip_no_new_version, ""}, std::nullopt, canon("1.2.0+1"), "1.2.0+1") ==
             "SKIP no-new-version");
}

BOOST_AUTO_TEST_CASE(warnings_become_a_note_and_leave_the_label_alone) {
  RunResults r = empty_results();
  BOOST_TEST(warnings_note(r) == "");
  r.tier(Tier::lint).checks = {{"lint/R002-healthchecks", Status::warn, "w", 0},
                               {"lint/R009-one-service-named-app", Status::pass, "ok", 0},
                               {"lint/R005-semver-like-tags", Status::warn, "w", 0}};
  BOOST_TEST(warnings_note(r) == "2 warning(s): lint/R002-healthchecks, lint/R005-semver-like-tags");
}

// docs/architecture.md, "Credentials in URLs": --source, --mirror and a
// meta's `upstream` may carry user:token; nothing ccci prints keeps it.
BOOST_AUTO_TEST_CASE(url_credentials_are_stripped_from_urls_and_from_messages_naming_them) {
  BOOST_TEST(strip_url_credentials("https://u:s3cr3t@git.example.org/recipes/x") ==
             "https://***@git.example.org/recipes/x");
  // A token as the user alone, as forges take it.
  BOOST_TEST(strip_url_credentials("https://ghp_t0ken@git.example.org") == "https://***@git.example.org");
  // An unencoded '@' or ',' in the password: everything up to the host's '@' goes.
  BOOST_TEST(strip_url_credentials("https://u:p@ss,w;rd@host:8443/x.git") == "https://***@host:8443/x.git");
  // URLs without credentials, and text with no URL, are left alone.
  BOOST_TEST(strip_url_credentials("https://git.example.org/x (mail ops@example.org)") ==
             "https://git.example.org/x (mail ops@example.org)");
  BOOST_TEST(strip_url_credentials("/srv/mirror/x") == "/srv/mirror/x");
  BOOST_TEST(strip_url_credentials("") == "");
  // git's own error repeats the URL, quoted; every URL in a message is stripped.
  BOOST_TEST(strip_url_credentials("cannot fetch upstream https://u:s3cr3t@127.0.0.1:9/x: fatal: unable to access "
                                   "'https://u:s3cr3t@127.0.0.1:9/x/': Failed to connect") ==
             "cannot fetch upstream https://***@127.0.0.1:9/x: fatal: unable to access "
             "'https://***@127.0.0.1:9/x/': Failed to connect");
  BOOST_TEST(strip_url_credentials("ssh://git:key@h/x and http://a:b@h2") == "ssh://***@h/x and http://***@h2");
}

// docs/architecture.md, "Sweep jobs": the default of `--jobs` follows the
// machine — one per core and per 2 GiB of memory, whichever allows fewer —
// never below 1 and never above the bound.
BOOST_AUTO_TEST_CASE(the_default_number_of_jobs_follows_cores_and_memory_within_bounds) {
  constexpr std::uint64_t gib = std::uint64_t{1} << 30;
  BOOST_TEST(default_sweep_jobs(2, 16 * gib) == 2u); // cores decide
  BOOST_TEST(default_sweep_jobs(16, 6 * gib) == 3u); // memory decides
  BOOST_TEST(default_sweep_jobs(16, 7 * gib) == 3u); // a part of 2 GiB counts for nothing
  BOOST_TEST(default_sweep_jobs(64, 512 * gib) == max_default_sweep_jobs);
  BOOST_TEST(default_sweep_jobs(1, 1 * gib) == 1u); // a small machine still sweeps
  BOOST_TEST(default_sweep_jobs(0, 0) == 1u);       // nothing known: one at a time
  BOOST_TEST(default_sweep_jobs(8, 3 * gib) == 1u);
  BOOST_TEST(max_default_sweep_jobs <= max_sweep_jobs);
  BOOST_TEST(machine_sweep_jobs() >= 1u);
  BOOST_TEST(machine_sweep_jobs() <= max_default_sweep_jobs);
}
