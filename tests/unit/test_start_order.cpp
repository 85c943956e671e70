#define BOOST_TEST_MODULE start_order
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/fs.hpp"
#include "recipe/yaml_load.hpp"
#include "sweep/start_order.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ccci::host;
namespace fs = std::filesystem;

namespace {

// A results.json as ccci writes it (model/results.hpp), with only what
// ordering reads set.
std::string results_doc(std::string run_id, std::string recipe, std::string started, std::string finished,
                        int exit_code) {
  RunResults r = empty_results();
  r.run_id = std::move(run_id);
  r.recipe = std::move(recipe);
  r.started = std::move(started);
  r.finished = std::move(finished);
  r.exit_code = exit_code;
  return to_json(r);
}

std::string joined(const std::vector<std::size_t>& order, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (auto i : order)
    out.push_back(names[i]);
  return fmt::format("{}", fmt::join(out, " "));
}

PastRun run(std::string id, std::string recipe, std::string started, std::string finished, int exit_code = 0) {
  return PastRun{std::move(id), std::move(recipe), std::move(started), std::move(finished), exit_code};
}

// An estimate that says which recipe it was asked for, so a test can see
// whether it was asked at all.
ExpectedCost estimate_of(const std::vector<double>& seconds, std::size_t i) {
  return {seconds[i], fmt::format("estimate {}", i)};
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_longest_expected_starts_first) {
  std::vector<std::string> names{"html", "links", "notes"};
  std::vector<ExpectedCost> costs{{20, ""}, {50, ""}, {70, ""}};
  BOOST_TEST(joined(longest_first(costs), names) == "notes links html");
}

BOOST_AUTO_TEST_CASE(ties_keep_the_enrolled_order) {
  std::vector<std::string> names{"a", "b", "c", "d", "e"};
  std::vector<ExpectedCost> costs{{10, ""}, {30, ""}, {10, ""}, {30, ""}, {10, ""}};
  BOOST_TEST(joined(longest_first(costs), names) == "b d a c e");
  // All equal: exactly the enrolled order.
  std::vector<ExpectedCost> same(5, ExpectedCost{7, ""});
  BOOST_TEST(joined(longest_first(same), names) == "a b c d e");
}

BOOST_AUTO_TEST_CASE(history_beats_the_estimate) {
  // notes' and html's estimates are the largest, but their last runs were
  // short; links has no history, so its estimate stands and it starts first.
  std::vector<std::string> names{"html", "notes", "links"};
  std::vector<PastRun> past{
      run("sweep-20261101T000000Z-aaaa-notes", "notes", "2026-11-01T00:00:00Z", "2026-11-01T00:00:40Z"),
      run("sweep-20261101T000000Z-aaaa-notes-promote", "notes", "2026-11-01T00:00:41Z", "2026-11-01T00:00:51Z"),
      run("sweep-20261101T000000Z-aaaa-html", "html", "2026-11-01T00:00:00Z", "2026-11-01T00:00:05Z", 1),
  };
  std::vector<std::size_t> asked;
  auto plan = plan_start_order(names, past, [&](std::size_t i) {
    asked.push_back(i);
    return estimate_of({1000, 1000, 300}, i);
  });
  // Only links was estimated; notes (run 40 s + promotion 10 s) and html
  // (a red: no promotion) come from history.
  BOOST_TEST(asked == std::vector<std::size_t>{2});
  BOOST_TEST(plan.costs[1].seconds == 50);
  BOOST_TEST(plan.costs[1].why == "last run 50 s");
  BOOST_TEST(plan.costs[0].seconds == 5);
  BOOST_TEST(joined(plan.order, names) == "links notes html");
  BOOST_TEST(start_order_line(names, plan.costs, plan.order) ==
             "start order (longest expected first): links (estimate 2), notes (last run 50 s), html (last run 5 s)");
}

BOOST_AUTO_TEST_CASE(the_most_recent_finished_run_counts) {
  std::vector<PastRun> past{
      run("sweep-20261101T000000Z-aaaa-notes", "notes", "2026-11-01T00:00:00Z", "2026-11-01T00:01:40Z"),
      run("sweep-20261108T000000Z-bbbb-notes", "notes", "2026-11-08T00:00:00Z", "2026-11-08T00:01:00Z"),
      // Newer, but stopped (exit 3) or without a verdict: says little of its length.
      run("sweep-20261115T000000Z-cccc-notes", "notes", "2026-11-15T00:00:00Z", "2026-11-15T00:00:03Z", 3),
      // Another recipe's.
      run("sweep-20261122T000000Z-dddd-links", "links", "2026-11-22T00:00:00Z", "2026-11-22T00:00:09Z"),
  };
  BOOST_TEST(last_run_seconds(past, "notes").value_or(-1) == 60);
  BOOST_TEST(!last_run_seconds(past, "html").has_value());
}

BOOST_AUTO_TEST_CASE(history_that_cannot_be_read_is_ignored) {
  // Times that do not parse, or end before they start: as if no run.
  std::vector<PastRun> past{
      run("sweep-1-notes", "notes", "", "2026-11-01T00:00:40Z"),
      run("sweep-2-notes", "notes", "2026-11-01T00:00:40Z", "2026-11-01T00:00:00Z"),
      run("sweep-3-notes", "notes", "yesterday", "today"),
  };
  BOOST_TEST(!last_run_seconds(past, "notes").has_value());
  auto plan = plan_start_order({"html", "notes"}, past, [](std::size_t i) { return estimate_of({10, 20}, i); });
  BOOST_TEST(plan.costs[1].why == "estimate 1");
  BOOST_TEST(joined(plan.order, {"html", "notes"}) == "notes html");

  // In a runs dir: a results.json that is not JSON, one that is not an
  // object, one naming another run, a directory without one, and a file
  // where a directory should be are skipped, never fatal.
  TempDir tmp("ccci-start-order");
  auto runs = tmp.path();
  write(runs / "sweep-20261101T000000Z-aaaa-notes" / "results.json", "{ not json");
  write(runs / "sweep-20261102T000000Z-aaaa-notes" / "results.json", "[1, 2]");
  write(runs / "sweep-20261103T000000Z-aaaa-notes" / "results.json",
        results_doc("someone-else", "notes", "2026-11-03T00:00:00Z", "2026-11-03T00:09:00Z", 0));
  fs::create_directories(runs / "sweep-20261104T000000Z-aaaa-notes");
  write(runs / "sweep-20261105T000000Z-aaaa-notes", "a file");
  write(runs / "sweep-20261106T000000Z-aaaa-notes" / "results.json",
        results_doc("sweep-20261106T000000Z-aaaa-notes", "notes", "2026-11-06T00:00:00Z", "2026-11-06T00:00:42Z", 1));
  // Not a sweep's run, or another recipe's: not read.
  write(runs / "notes-1234" / "results.json",
        results_doc("notes-1234", "notes", "2026-11-07T00:00:00Z", "2026-11-07T00:30:00Z", 0));
  write(runs / "sweep-20261106T000000Z-aaaa-links" / "results.json",
        results_doc("sweep-20261106T000000Z-aaaa-links", "links", "2026-11-06T00:00:00Z", "2026-11-06T00:00:42Z", 0));
  auto read = read_past_sweep_runs(runs, {"notes"});
  BOOST_TEST_REQUIRE(read.size() == 1u);
  BOOST_TEST(read[0].run_id == "sweep-20261106T000000Z-aaaa-notes");
  BOOST_TEST(last_run_seconds(read, "notes").value_or(-1) == 42);
  // A runs dir that does not exist: no history.
  BOOST_TEST(read_past_sweep_runs(runs / "missing", {"notes"}).empty());
}

BOOST_AUTO_TEST_CASE(docker_durations) {
  BOOST_TEST(docker_duration_seconds("2s").value_or(-1) == 2);
  BOOST_TEST(docker_duration_seconds("1m30s").value_or(-1) == 90);
  BOOST_TEST(docker_duration_seconds("1h").value_or(-1) == 3600);
  BOOST_TEST(docker_duration_seconds("500ms").value_or(-1) == 0.5);
  BOOST_TEST(docker_duration_seconds("1.5s").value_or(-1) == 1.5);
  for (auto bad : {"", "30", "s", "3 s", "3x", "1..2s"})
    BOOST_TEST(!docker_duration_seconds(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(time_to_healthy_as_the_compose_says_it) {
  auto service = [](const std::string& yaml) { return load_yaml(yaml); };
  BOOST_TEST(seconds_to_healthy(service("healthcheck: {test: [CMD, true], interval: 3s, start_period: 60s}")) == 63);
  // docker's defaults: interval 30 s, start period 0 s.
  BOOST_TEST(seconds_to_healthy(service("healthcheck: {test: [CMD, true]}")) == 30);
  BOOST_TEST(seconds_to_healthy(service("healthcheck: {test: [CMD, true], start_period: 10s}")) == 40);
  // None, or disabled.
  BOOST_TEST(seconds_to_healthy(service("image: x")) == 0);
  BOOST_TEST(seconds_to_healthy(service("healthcheck: {disable: true}")) == 0);
  BOOST_TEST(seconds_to_healthy(service("healthcheck: {test: [NONE]}")) == 0);
}

BOOST_AUTO_TEST_CASE(the_static_estimate_counts_deploys_times_the_slowest_service) {
  auto doc = load_yaml(R"(
services:
  app:
    image: a
    healthcheck: {test: [CMD, true], interval: 3s, start_period: 60s}
    deploy:
      labels: ["backupbot.backup=true"]
  db:
    image: b
    healthcheck: {test: [CMD, true], interval: 5s, start_period: 60s}
)");
  // install, base, upgrade, restore, promotion: 5 x 65 s (db is the slowest).
  auto all = estimate_cost({doc}, {.upgrade = true, .restore = true});
  BOOST_TEST(all.seconds == 5 * 65);
  BOOST_TEST(all.why == "estimate 5 deploys x 65 s");
  // One release: no base or upgrade. Restore skipped: no fresh deploy.
  BOOST_TEST(estimate_cost({doc}, {.upgrade = false, .restore = true}).seconds == 3 * 65);
  BOOST_TEST(estimate_cost({doc}, {.upgrade = true, .restore = false}).seconds == 4 * 65);
  // No backupbot label: no restore deploy; no healthcheck: the floor.
  auto plain = load_yaml("services: {web: {image: n, deploy: {labels: {backupbot.backup: \"false\"}}}}");
  auto p = estimate_cost({plain}, {.upgrade = true, .restore = true});
  BOOST_TEST(p.seconds == 4 * minimum_deploy_seconds);
  // A later file's healthcheck replaces an earlier one's; one that only
  // names the service keeps it.
  auto faster = load_yaml("services: {db: {healthcheck: {test: [CMD, true], interval: 1s}}, app: {image: a}}");
  BOOST_TEST(estimate_cost({doc, faster}, {.upgrade = false, .restore = false}).why == "estimate 2 deploys x 63 s");
}

BOOST_AUTO_TEST_CASE(the_bundled_recipes_order_as_their_lengths) {
  // The bench's recipes (bench/sweep-jobs): notes-pg and linkshelf (two
  // releases, backupbot, 60 s start periods) before custom-html-tiny.
  auto estimate = [](const std::string& example, bool restore) {
    auto file = fs::path(CCCI_SOURCE_DIR) / "recipes" / example / "recipe" / "compose.yml";
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return estimate_cost({load_yaml(ss.str())}, {.upgrade = true, .restore = restore});
  };
  std::vector<std::string> names{"html", "links", "notes"};
  std::vector<ExpectedCost> costs{estimate("custom-html-tiny", false), estimate("linkshelf", true),
                                  estimate("notes-pg", true)};
  BOOST_TEST(costs[0].why == "estimate 4 deploys x 7 s");
  BOOST_TEST(costs[1].why == "estimate 5 deploys x 63 s");
  BOOST_TEST(costs[2].why == "estimate 5 deploys x 63 s");
  // links and notes tie: the enrolled order between them.
  BOOST_TEST(joined(longest_first(costs), names) == "links notes html");
}
