// `ccci sweep` end to end on the real swarm, with local git repositories
// standing in for the recipes' upstreams and the mirror.
#define BOOST_TEST_MODULE integration_sweep
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/process.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"
#include "swarm/docker.hpp"
#include "swarm/docker_swarm.hpp"
#include "sweep/registry.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ccci::host;
using namespace ccci::test;

namespace {

const fs::path source_dir = CCCI_SOURCE_DIR;

ProcessOptions options(std::chrono::minutes timeout, std::vector<std::string> env = {}) {
  ProcessOptions o;
  o.timeout = timeout;
  o.merge_stderr = true;
  o.extra_env = std::move(env);
  return o;
}

ProcessResult sh(const std::string& script, std::vector<std::string> env = {}) {
  return run_process({"bash", "-euo", "pipefail", "-c", script}, options(std::chrono::minutes(10), std::move(env)));
}

// A world of its own per test: state, runs, recipe meta, upstreams, mirror.
struct World {
  fs::path root;
  explicit World(const std::string& name) : root(fs::path(CCCI_TEST_WORK_DIR) / "sweep" / name) {
    fs::remove_all(root);
    for (auto d : {"state", "runs", "recipes", "upstream", "mirror", "plugins"})
      fs::create_directories(root / d);
  }
  ~World() {
    // Warm canonicals are the sweep's to keep; the test's to remove.
    for (auto& entry : fs::directory_iterator(root / "state" / "registry", ec_))
      try {
        if (auto c = read_canonical(root / "state", entry.path().stem().string()); c && !c->stack.empty()) {
          DockerSwarm swarm(edge_settings_from_environment());
          swarm.remove_routes(c->stack);
          swarm.remove_stack(c->stack, true);
        }
      } catch (const InfraFailure&) {
        // A record a test broke on purpose names no stack to remove.
      }
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // An enrolled recipe `name` made from the example `example`, with the
  // example's plugin (or `plugin`), upstream made by make-recipe-repo.
  void recipe(const std::string& name, const std::string& example, const std::string& make_args = "",
              const fs::path& plugin = {}) {
    fs::create_directories(root / "recipes" / name);
    fs::copy_file(source_dir / "recipes" / example / "ccci.yml", root / "recipes" / name / "ccci.yml");
    fs::create_symlink(plugin.empty() ? fs::path(CCCI_PLUGIN_DIR) / (example + ".so") : plugin,
                       root / "plugins" / (name + ".so"));
    auto r = sh("'" + (source_dir / "scripts/make-recipe-repo").string() + "' '" +
                (source_dir / "recipes" / example / "recipe").string() + "' '" + (root / "upstream" / name).string() +
                "' " + make_args + " >/dev/null && git init -q --bare '" + (root / "mirror" / name).string() + "'");
    BOOST_TEST_REQUIRE(r.ok(), r.out);
  }

  // A new release on the upstream: the version label bumped, committed, tagged
  // as recipe releases are (annotated: abra's lint rule R014).
  void tag(const std::string& name, const std::string& from, const std::string& to) {
    auto r = sh("cd '" + (root / "upstream" / name).string() + "' && sed -i 's/version=" + from + "/version=" + to +
                "/' compose.yml && git -c user.name=t -c user.email=t@t commit -qam 'release " + to +
                "' && git -c user.name=t -c user.email=t@t tag -a -m 'release " + to + "' '" + to + "'");
    BOOST_TEST_REQUIRE(r.ok(), r.out);
  }

  struct Sweep {
    int exit_code;
    std::string output;
    json::object summary;
    std::string label(const std::string& recipe) const {
      for (auto& r : summary.at("recipes").as_array())
        if (r.as_object().at("recipe").as_string() == recipe) return std::string(r.as_object().at("label").as_string());
      return "(not in summary)";
    }
  };

  Sweep sweep(std::vector<std::string> env = {}, std::vector<std::string> args = {}) {
    std::vector<std::string> argv{CCCI_BIN,        "sweep",
                                  "--state-dir",   (root / "state").string(),
                                  "--runs-dir",    (root / "runs").string(),
                                  "--recipes-dir", (root / "recipes").string(),
                                  "--source",      (root / "upstream").string(),
                                  "--mirror",      (root / "mirror").string(),
                                  "--plugin-dir",  (root / "plugins").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv, options(std::chrono::minutes(20), std::move(env)));
    BOOST_TEST_MESSAGE(r.out);
    Sweep s{r.exit_code, r.out, {}};
    fs::path newest;
    for (auto& e : fs::directory_iterator(root / "state" / "sweeps", ec_))
      if (newest.empty() || e.path().filename() > newest.filename()) newest = e.path();
    if (!newest.empty()) s.summary = json::parse(read(newest / "summary.json")).as_object();
    return s;
  }

  std::optional<Canonical> canonical(const std::string& name) { return read_canonical(root / "state", name); }
  std::size_t run_count() {
    std::size_t n = 0;
    for (auto& e : fs::directory_iterator(root / "runs", ec_))
      n += e.is_directory();
    return n;
  }
  std::string rev(const std::string& name, const std::string& ref) {
    auto r = run_process({"git", "-C", (root / "upstream" / name).string(), "rev-parse", ref + "^{commit}"});
    return r.out.substr(0, r.out.find('\n'));
  }
  std::error_code ec_;
};

bool stack_running(const std::string& stack) { return !DockerInventory({DockerObject::stack}).matching(stack).empty(); }

std::optional<RunResults> results_of(const fs::path& run_dir) {
  if (!fs::exists(run_dir / "results.json")) return std::nullopt;
  return results_from_json(read(run_dir / "results.json"), (run_dir / "results.json").string());
}

// Three recipes, enrolled: two greens and a red (sweep/sweep.cpp sorts them by name).
void three_recipes(World& w) {
  w.recipe("a-site", "custom-html-tiny");
  w.recipe("b-site-red", "custom-html-tiny",
           "--variant '" + (source_dir / "recipes/custom-html-tiny/variants/txt-octet-stream.patch").string() + "'");
  w.recipe("c-site", "custom-html-tiny");
}

std::vector<std::string> summary_rows(const json::object& summary) {
  std::vector<std::string> rows;
  for (auto& r : summary.at("recipes").as_array()) {
    auto& o = r.as_object();
    rows.push_back(fmt::format("{} {} {} exit={}", std::string(o.at("recipe").as_string()),
                               std::string(o.at("latest").as_string()), std::string(o.at("label").as_string()),
                               o.at("run_exit").is_null() ? std::string("-") : json::serialize(o.at("run_exit"))));
  }
  return rows;
}

} // namespace

BOOST_AUTO_TEST_CASE(sweep_promotes_greens_skips_when_current_and_follows_new_tags) {
  World w("lifecycle");
  w.recipe("site", "custom-html-tiny");
  w.recipe("site-red", "custom-html-tiny",
           "--variant '" + (source_dir / "recipes/custom-html-tiny/variants/txt-octet-stream.patch").string() + "'");
  // The red recipe had a canonical once (an older release): a red run must not touch it.
  Canonical old{"site-red", "1.0.0+1.22.1", "0ld", "1.0.0+1.22.1", "old-run", "2026-01-01T00:00:00Z", "", ""};
  write_canonical(w.root / "state", old);
  // An untagged commit on top of the newest tag: never the canonical.
  BOOST_TEST_REQUIRE(
      sh("cd '" + (w.root / "upstream/site").string() +
         "' && echo 'work in progress' >> README.md && git -c user.name=t -c user.email=t@t commit -qam wip")
          .ok());

  auto first = w.sweep();
  BOOST_TEST(first.exit_code == 1); // the red recipe
  BOOST_TEST(first.label("site") == "PASS (promoted)");
  BOOST_TEST(first.label("site-red") == "FAIL");
  auto site = w.canonical("site");
  BOOST_TEST_REQUIRE(site.has_value());
  BOOST_TEST(site->version == "1.1.0+1.22.1");
  BOOST_TEST(site->commit == w.rev("site", "1.1.0+1.22.1"));
  BOOST_TEST(site->commit != w.rev("site", "main")); // the untagged head was not promoted
  BOOST_TEST(stack_running(site->stack));            // the warm canonical
  BOOST_TEST(w.canonical("site-red")->run_id == "old-run");
  // The mirror got main and the tags.
  BOOST_TEST(run_process({"git", "-C", (w.root / "mirror/site").string(), "rev-parse", "1.1.0+1.22.1"}).ok());

  auto runs_before = w.run_count();
  auto second = w.sweep();
  BOOST_TEST(second.label("site") == "SKIP no-new-version");
  BOOST_TEST(w.canonical("site")->run_id == site->run_id);
  // Only the red recipe (latest still newer than its canonical) ran again.
  BOOST_TEST(second.label("site-red") == "FAIL");
  BOOST_TEST(w.run_count() == runs_before + 1);

  w.tag("site", "1.1.0+1.22.1", "1.2.0+1.22.1");
  auto third = w.sweep();
  BOOST_TEST(third.label("site") == "PASS (promoted)");
  // docs/architecture.md, "Sweep jobs": both ran before, so their start
  // order comes from those runs' results.json, not the estimate.
  BOOST_TEST(third.output.find("start order (longest expected first): ") != std::string::npos, third.output);
  BOOST_TEST(third.output.find(" site (last run ") != std::string::npos, third.output);
  BOOST_TEST(third.output.find(" site-red (last run ") != std::string::npos, third.output);
  auto moved = w.canonical("site");
  BOOST_TEST(moved->version == "1.2.0+1.22.1");
  BOOST_TEST(stack_running(moved->stack));
  BOOST_TEST(!stack_running(site->stack)); // the old canonical went after the new one converged
  // ... and its route with it: the edge serves only what runs.
  auto edge = edge_settings_from_environment();
  BOOST_TEST(edge_route_leftovers(edge, site->stack).empty());
  BOOST_TEST(!edge_route_leftovers(edge, moved->stack).empty());
  BOOST_TEST(w.canonical("site-red")->run_id == "old-run");
}

BOOST_AUTO_TEST_CASE(sweep_twice_over_greens_skips_everything_and_deploys_nothing) {
  World w("twice");
  w.recipe("site", "custom-html-tiny");
  auto first = w.sweep();
  BOOST_TEST(first.exit_code == 0);
  BOOST_TEST(first.label("site") == "PASS (promoted)");
  auto runs = w.run_count();
  auto second = w.sweep();
  BOOST_TEST(second.exit_code == 0);
  BOOST_TEST(second.label("site") == "SKIP no-new-version");
  BOOST_TEST(w.run_count() == runs);
}

BOOST_AUTO_TEST_CASE(a_failed_promote_is_labelled_and_leaves_the_registry_alone) {
  World w("promote-fails");
  // One release (so no upgrade tier re-runs the install checks) and a plugin
  // whose install check passes the first time only: the cold run is green,
  // the promotion's install fails.
  w.recipe("once", "custom-html-tiny", "--tags 1.0.0+1.22.1", fs::path(CCCI_TEST_PLUGIN_DIR) / "once.so");
  auto marker = w.root / "once-marker";
  auto s = w.sweep({"CCCI_TEST_ONCE_MARKER=" + marker.string()});
  BOOST_TEST(s.label("once") == "GREEN-BUT-PROMOTE-FAILED");
  BOOST_TEST(s.exit_code == 1);
  BOOST_TEST(!w.canonical("once").has_value());
  BOOST_TEST(s.output.find("promote failed") != std::string::npos, s.output);
}

// `systemctl stop ccci-sweep` with the NixOS module's KillMode=mixed: SIGTERM
// to the sweep alone (its child run leads a process group of its own, as in
// the unit's cgroup). The sweep must forward it to the child run and wait for
// its teardown; only then may it exit (docs/architecture.md, "Stopping").
BOOST_AUTO_TEST_CASE(a_sweep_stopped_like_systemctl_stop_forwards_sigterm_and_waits_for_the_teardown) {
  World w("stopped");
  w.recipe("site", "custom-html-tiny");
  auto r = sh(R"(
    "$CCCI" sweep --state-dir "$W/state" --runs-dir "$W/runs" --recipes-dir "$W/recipes" --source "$W/upstream" \
      --plugin-dir "$W/plugins" --stop-grace 120 >"$W/sweep.out" 2>&1 &
    pid=$!
    log=
    for _ in $(seq 900); do
      log=$(ls "$W"/runs/*.out 2>/dev/null | head -n1 || true)
      if [ -n "$log" ] && grep -q 'converging' "$log"; then break; fi
      sleep 0.1
    done
    if [ -z "$log" ] || ! grep -q 'converging' "$log"; then
      kill -KILL "$pid"; echo "the child run deployed nothing within 90 s"; cat "$W/sweep.out" "$log"; exit 1
    fi
    stack=$(sed -n '1s/.* as stack \([^,]*\),.*/\1/p' "$log")
    kill -TERM "$pid"
    set +e; wait "$pid"; rc=$?; set -e
    # At the moment the sweep is gone: the child's results (written after its
    # teardown) exist and its stack does not.
    results=no; [ -s "${log%.out}/results.json" ] && results=yes
    left=$(docker stack ls --format '{{.Name}}' | grep -cxF "$stack" || true)
    echo "rc=$rc stack=$stack results=$results left=$left"
    echo "--- sweep"; cat "$W/sweep.out"; echo "--- run"; cat "$log"
  )",
              {"CCCI=" CCCI_BIN, "W=" + w.root.string()});
  BOOST_TEST_MESSAGE(r.out);
  BOOST_TEST_REQUIRE(r.ok(), r.out);
  // Not 143: the sweep handled the SIGTERM rather than dying of it.
  BOOST_TEST(r.out.find("rc=0 ") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("rc=143 ") == std::string::npos, r.out);
  BOOST_TEST(r.out.find(" results=yes left=0") != std::string::npos, r.out);
  // The child got the SIGTERM (a stop inside a docker command reads
  // "(interrupted)", one between commands "interrupted by SIGTERM") and tore
  // its stack down; without the forwarding it would have run every tier.
  auto run_log = r.out.substr(r.out.find("--- run"));
  BOOST_TEST(run_log.find("interrupted") != std::string::npos, run_log);
  BOOST_TEST(run_log.find("teardown clean") != std::string::npos, run_log);
  BOOST_TEST(run_log.find("] backup ") == std::string::npos, run_log);
  BOOST_TEST(!w.canonical("site").has_value());
}

// A second SIGTERM to the sweep while its child tears down: the sweep names
// the run it cuts short and passes the signal on; the child skips its
// teardown's waits and still writes its results (docs/architecture.md,
// "Stopping").
BOOST_AUTO_TEST_CASE(a_second_sigterm_to_the_sweep_names_the_run_it_cuts_short_and_passes_it_on) {
  World w("stopped-twice");
  w.recipe("site", "custom-html-tiny");
  auto r = sh(R"(
    "$CCCI" sweep --state-dir "$W/state" --runs-dir "$W/runs" --recipes-dir "$W/recipes" --source "$W/upstream" \
      --plugin-dir "$W/plugins" --stop-grace 120 >"$W/sweep.out" 2>&1 &
    pid=$!
    log=
    wait_for() { # file text: until the file holds the text (a bound against a hung run)
      for _ in $(seq 1800); do grep -qF "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
      kill -KILL "$pid"; echo "never saw '$2' in $1"; cat "$W/sweep.out" "$1"; exit 1
    }
    for _ in $(seq 900); do log=$(ls "$W"/runs/*.out 2>/dev/null | head -n1 || true); [ -n "$log" ] && break; sleep 0.1; done
    wait_for "$log" 'converging'
    stack=$(sed -n '1s/.* as stack \([^,]*\),.*/\1/p' "$log")
    kill -TERM "$pid"
    wait_for "$log" 'removing stack'
    kill -TERM "$pid"
    set +e; wait "$pid"; rc=$?; set -e
    results=no; [ -s "${log%.out}/results.json" ] && results=yes
    echo "rc=$rc stack=$stack run=$(basename "${log%.out}") results=$results"
    echo "--- sweep"; cat "$W/sweep.out"; echo "--- run"; cat "$log"
  )",
              {"CCCI=" CCCI_BIN, "W=" + w.root.string()});
  BOOST_TEST_MESSAGE(r.out);
  BOOST_TEST_REQUIRE(r.ok(), r.out);
  BOOST_TEST(r.out.find("rc=3 ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find(" results=yes") != std::string::npos, r.out);
  const auto run_at = r.out.find(" run=");
  BOOST_TEST_REQUIRE(run_at != std::string::npos);
  const auto run_id = r.out.substr(run_at + 5, r.out.find(' ', run_at + 5) - run_at - 5);
  const auto sweep_log = r.out.substr(r.out.find("--- sweep"), r.out.find("--- run") - r.out.find("--- sweep"));
  BOOST_TEST(sweep_log.find("second stop signal (SIGTERM): cutting short 1 run(s): " + run_id + ";") !=
                 std::string::npos,
             sweep_log);
  BOOST_TEST(sweep_log.find("(cut short by a second stop signal") != std::string::npos, sweep_log);
  BOOST_TEST(sweep_log.find("site: UNVER") != std::string::npos, sweep_log);
  // The child heard the second signal too.
  const auto run_log = r.out.substr(r.out.find("--- run"));
  BOOST_TEST(run_log.find("second stop signal (SIGTERM): ") != std::string::npos, run_log);
  const auto stack_at = r.out.find(" stack=");
  const auto stack = r.out.substr(stack_at + 7, r.out.find(' ', stack_at + 7) - stack_at - 7);
  BOOST_TEST_REQUIRE(!stack.empty());
  // What a cut-short teardown left is the test's to remove (it names it).
  auto left = leftovers_of(stack);
  if (!left.empty()) teardown_stack(stack, /*throwaway=*/true);
  BOOST_TEST(leftovers_of(stack).empty());
  BOOST_TEST(!w.canonical("site").has_value());
}

BOOST_AUTO_TEST_CASE(a_second_concurrent_sweep_refuses) {
  World w("concurrent");
  w.recipe("site", "custom-html-tiny");
  // Hold the lock the way a sweep does, with flock(1) on the same file.
  fs::create_directories(w.root / "state");
  auto holder = sh("set +e; flock '" + (w.root / "state/sweep.lock").string() + "' '" + CCCI_BIN +
                   "' sweep --state-dir '" + (w.root / "state").string() + "' --recipes-dir '" +
                   (w.root / "recipes").string() + "' --source '" + (w.root / "upstream").string() + "' --runs-dir '" +
                   (w.root / "runs").string() + "' --plugin-dir '" + (w.root / "plugins").string() + "'; echo rc=$?");
  BOOST_TEST(holder.out.find("another sweep is running") != std::string::npos, holder.out);
  BOOST_TEST(holder.out.find("rc=3") != std::string::npos, holder.out);
  BOOST_TEST(w.run_count() == 0u);
}

// One record the sweep cannot read (sweep/registry.cpp) is that recipe's
// UNVER with the file and the fix; the others are swept as usual. Cheap:
// the readable one is current, so nothing is deployed.
BOOST_AUTO_TEST_CASE(one_unreadable_canonical_record_makes_that_recipe_unver_and_the_others_are_swept) {
  World w("bad-record");
  w.recipe("broken", "custom-html-tiny");
  w.recipe("current", "custom-html-tiny");
  write_canonical(w.root / "state", Canonical{"current", "1.1.0+1.22.1", w.rev("current", "1.1.0+1.22.1"),
                                              "1.1.0+1.22.1", "old-run", "2026-01-01T00:00:00Z", "", ""});
  auto record = registry_file(w.root / "state", "broken");
  write(record, "{\"recipe\": \"broken\", \"version\": "); // cut off mid-write by a hand edit
  auto s = w.sweep();
  BOOST_TEST(s.exit_code == 3);
  BOOST_TEST(s.label("broken") == "UNVER");
  BOOST_TEST(s.label("current") == "SKIP no-new-version");
  std::string notes;
  for (auto& r : s.summary.at("recipes").as_array())
    if (r.as_object().at("recipe").as_string() == "broken")
      for (auto& n : r.as_object().at("notes").as_array())
        notes += std::string(n.as_string()) + "\n";
  BOOST_TEST(notes.find(record.string() + ": not a usable canonical record of broken") != std::string::npos, notes);
  BOOST_TEST(notes.find("delete it to let the next sweep promote broken afresh") != std::string::npos, notes);
  BOOST_TEST(w.run_count() == 0u);                     // nothing was run for either
  BOOST_TEST(read(record).starts_with("{\"recipe\"")); // the sweep leaves the record for a human
}

// docs/architecture.md, "Credentials in URLs": a meta `upstream` with a
// token that fails to fetch names the URL without the token, in the
// sweep's output, its summaries and everything under its directories.
BOOST_AUTO_TEST_CASE(credentials_in_an_upstream_url_appear_nowhere) {
  World w("credentials");
  w.recipe("leaky", "custom-html-tiny");
  {
    std::ofstream meta(w.root / "recipes/leaky/ccci.yml", std::ios::app);
    meta << "\nupstream: https://u:s3cr3t@127.0.0.1:9/x\n";
  }
  auto s = w.sweep();
  BOOST_TEST(s.exit_code == 3);
  BOOST_TEST(s.label("leaky") == "UNVER");
  // It did name the URL it could not fetch, without the userinfo.
  BOOST_TEST(s.output.find("https://***@127.0.0.1:9/x") != std::string::npos, s.output);
  BOOST_TEST(s.output.find("s3cr3t") == std::string::npos, s.output);
  auto grep = sh("grep -rl s3cr3t '" + (w.root / "state").string() + "' '" + (w.root / "runs").string() + "' || true");
  BOOST_TEST(grep.out.empty(), "files holding the token: " << grep.out);
}

BOOST_AUTO_TEST_CASE(a_sweep_with_nothing_enrolled_says_so_and_fails) {
  World w("empty");
  auto r = run_process({CCCI_BIN, "sweep", "--state-dir", (w.root / "state").string(), "--recipes-dir",
                        (w.root / "recipes").string(), "--runs-dir", (w.root / "runs").string()},
                       options(std::chrono::minutes(1)));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("no enrolled recipes") != std::string::npos, r.out);
}

// docs/architecture.md, "Sweep jobs": `--jobs 2` runs two recipes at once
// and ends as `--jobs 1` does: the same labels, in enrolled order, and the
// same registry (version, commit, tag of each canonical). The run records
// prove the two at once (a cold run started before another ended) and that
// a promotion starts only after its own cold run ended.
BOOST_AUTO_TEST_CASE(a_sweep_of_three_with_two_jobs_ends_as_with_one) {
  World one("jobs-1"), two("jobs-2");
  three_recipes(one);
  three_recipes(two);
  auto s1 = one.sweep({}, {"--jobs", "1"});
  auto s2 = two.sweep({}, {"--jobs", "2"});
  BOOST_TEST(s1.exit_code == 1); // the red one
  BOOST_TEST(s2.exit_code == s1.exit_code);
  // No history in a fresh world, and the three estimates tie: the enrolled
  // order, as the line says.
  BOOST_TEST(s2.output.find("start order (longest expected first): a-site (estimate ") != std::string::npos, s2.output);
  BOOST_TEST(s2.output.find("), b-site-red (estimate ") != std::string::npos, s2.output);
  BOOST_TEST(s2.output.find("), c-site (estimate ") != std::string::npos, s2.output);
  BOOST_TEST(s1.label("a-site") == "PASS (promoted)");
  BOOST_TEST(s1.label("b-site-red") == "FAIL");
  BOOST_TEST(s1.label("c-site") == "PASS (promoted)");
  auto rows1 = summary_rows(s1.summary), rows2 = summary_rows(s2.summary);
  BOOST_TEST(fmt::format("{}", fmt::join(rows1, "\n")) == fmt::format("{}", fmt::join(rows2, "\n")));
  for (std::string r : {"a-site", "b-site-red", "c-site"}) {
    auto c1 = one.canonical(r), c2 = two.canonical(r);
    BOOST_TEST(c1.has_value() == c2.has_value(), r);
    if (c1 && c2) {
      BOOST_TEST(c1->version == c2->version, r);
      BOOST_TEST(c1->tag == c2->tag, r);
      BOOST_TEST(c1->commit == one.rev(r, c1->tag), r);
      BOOST_TEST(c2->commit == two.rev(r, c2->tag), r);
      BOOST_TEST(stack_running(c2->stack), r);
    }
  }
  // When each of --jobs 2's runs started and ended, from its results.json.
  const auto id = std::string(s2.summary.at("sweep_id").as_string());
  auto run = [&](const std::string& name) {
    auto res = results_of(two.root / "runs" / (id + "-" + name));
    BOOST_TEST_REQUIRE(res.has_value(), name);
    return *res;
  };
  auto a = run("a-site"), b = run("b-site-red"), c = run("c-site");
  auto a_promote = run("a-site-promote"), c_promote = run("c-site-promote");
  // ISO 8601 UTC in one format: text order is time order.
  BOOST_TEST(b.started < a.finished, "b-site-red started " << b.started << ", a-site ended " << a.finished);
  BOOST_TEST(a_promote.started >= a.finished);
  BOOST_TEST(c_promote.started >= c.finished);
  // The output says so too: b's cold run started before a was labelled;
  // with --jobs 1, a is labelled before b starts.
  auto at = [](const std::string& out, const std::string& what) {
    auto p = out.find(what);
    BOOST_TEST(p != std::string::npos, what << " not in\n" << out);
    return p;
  };
  BOOST_TEST(at(s2.output, "b-site-red: cold run of") < at(s2.output, "a-site: PASS (promoted)"), s2.output);
  BOOST_TEST(at(s1.output, "b-site-red: cold run of") > at(s1.output, "a-site: PASS (promoted)"), s1.output);
}

// SIGTERM to a sweep with two child runs going: each gets SIGTERM and is
// waited for while it tears down both of its stacks; the third recipe is
// never started, and says so.
BOOST_AUTO_TEST_CASE(sigterm_to_a_sweep_with_two_children_tears_both_down) {
  World w("jobs-stopped");
  three_recipes(w);
  auto r = sh(R"sh(
    "$CCCI" sweep --state-dir "$W/state" --runs-dir "$W/runs" --recipes-dir "$W/recipes" --source "$W/upstream" \
      --plugin-dir "$W/plugins" --stop-grace 120 --jobs 2 >"$W/sweep.out" 2>&1 &
    pid=$!
    converging() { [ "$(grep -l 'converging' "$W"/runs/*.out 2>/dev/null | wc -l)" -ge 2 ]; }
    for _ in $(seq 900); do converging && break; sleep 0.1; done
    if ! converging; then
      kill -KILL "$pid"; echo "two child runs did not deploy within 90 s"; cat "$W/sweep.out" "$W"/runs/*.out; exit 1
    fi
    kill -TERM "$pid"
    set +e; wait "$pid"; rc=$?; set -e
    echo "rc=$rc"
    for log in "$W"/runs/*.out; do
      results=no; [ -s "${log%.out}/results.json" ] && results=yes
      echo "run=$(basename "${log%.out}") results=$results"
    done
    echo "--- sweep"; cat "$W/sweep.out"
    for log in "$W"/runs/*.out; do echo "--- run $(basename "$log")"; cat "$log"; done
  )sh",
              {"CCCI=" CCCI_BIN, "W=" + w.root.string()});
  BOOST_TEST_MESSAGE(r.out);
  BOOST_TEST_REQUIRE(r.ok(), r.out);
  BOOST_TEST(r.out.find("rc=0\n") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("rc=143\n") == std::string::npos, r.out);
  // Exactly the first two were started, and both wrote their results.
  std::vector<fs::path> started;
  for (auto& e : fs::directory_iterator(w.root / "runs"))
    if (e.is_directory()) started.push_back(e.path());
  BOOST_TEST_REQUIRE(started.size() == 2u, r.out);
  for (auto& dir : started) {
    auto name = dir.filename().string();
    BOOST_TEST((name.ends_with("-a-site") || name.ends_with("-b-site-red")), name);
    auto res = results_of(dir);
    BOOST_TEST_REQUIRE(res.has_value(), name << ": no results.json");
    // Stopped, not finished: some tier unverified, and nothing left of either stack.
    BOOST_TEST(res->exit_code == 3, name);
    BOOST_TEST(res->clean_teardown, name);
    for (const auto& stack : {res->stack, res->chains.upgrade_stack}) {
      if (stack.empty()) continue;
      auto left = leftovers_of(stack);
      BOOST_TEST(left.empty(), name << ": " << stack << " left behind: " << (left.empty() ? "" : left.front()));
    }
  }
  auto summary = fs::directory_iterator(w.root / "state" / "sweeps")->path() / "summary.json";
  auto doc = json::parse(read(summary)).as_object();
  for (auto& row : doc.at("recipes").as_array()) {
    auto& o = row.as_object();
    BOOST_TEST(o.at("label").as_string() == "UNVER", json::serialize(o));
    if (o.at("recipe").as_string() == "c-site")
      BOOST_TEST(json::serialize(o.at("notes")).find("not started: the sweep was asked to stop") != std::string::npos,
                 json::serialize(o));
  }
  for (std::string name : {"a-site", "b-site-red", "c-site"})
    BOOST_TEST(!w.canonical(name).has_value(), name);
}
