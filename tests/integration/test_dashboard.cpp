// The dashboard from real results (docs/architecture.md, "Dashboard"): one
// real `ccci sweep` over two bundled examples (a green one and a red variant),
// a run directory with a malformed results.json and one with none, then
// `ccci report`, and the pages loaded in headless Chromium: the DOM checked
// for each recipe, its status words, the run page's tiers and checks, the
// broken runs shown as such; screenshots kept in the work dir.
#define BOOST_TEST_MODULE integration_dashboard
#include <boost/test/unit_test.hpp>

#include "os/process.hpp"
#include "support/files.hpp"
#include "swarm/docker_swarm.hpp"
#include "sweep/registry.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ccci::host;
using namespace ccci::test;

namespace {

const fs::path source_dir = CCCI_SOURCE_DIR;

ProcessResult sh(const std::string& script) {
  ProcessOptions o;
  o.timeout = std::chrono::minutes(5);
  o.merge_stderr = true;
  return run_process({"bash", "-euo", "pipefail", "-c", script}, o);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Kept after the test (the screenshots are looked at): removed at the next start.
struct World {
  fs::path root = fs::path(CCCI_TEST_WORK_DIR) / "dashboard";
  World() {
    fs::remove_all(root);
    for (auto d : {"state", "runs", "recipes", "upstream", "plugins", "shots"})
      fs::create_directories(root / d);
  }
  ~World() {
    // The green recipe's promotion is a warm canonical: the test's to remove.
    std::error_code ec;
    for (auto& entry : fs::directory_iterator(root / "state" / "registry", ec))
      try {
        if (auto c = read_canonical(root / "state", entry.path().stem().string()); c && !c->stack.empty()) {
          DockerSwarm swarm(edge_settings_from_environment());
          swarm.remove_routes(c->stack);
          swarm.remove_stack(c->stack, true);
        }
      } catch (const std::exception& ex) {
        BOOST_TEST_MESSAGE("canonical not removed: " << ex.what());
      }
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void recipe(const std::string& name, const std::string& make_args) {
    fs::create_directories(root / "recipes" / name);
    fs::copy_file(source_dir / "recipes/custom-html-tiny/ccci.yml", root / "recipes" / name / "ccci.yml");
    fs::create_symlink(fs::path(CCCI_PLUGIN_DIR) / "custom-html-tiny.so", root / "plugins" / (name + ".so"));
    auto r = sh("'" + (source_dir / "scripts/make-recipe-repo").string() + "' '" +
                (source_dir / "recipes/custom-html-tiny/recipe").string() + "' '" +
                (root / "upstream" / name).string() + "' " + make_args + " >/dev/null");
    BOOST_TEST_REQUIRE(r.ok(), r.out);
  }
};

// Headless Chromium, quiet (its stderr kept only for a failure) and bounded.
ProcessResult chromium(const World& w, std::vector<std::string> args) {
  std::vector<std::string> argv{"chromium",
                                "--headless",
                                "--disable-gpu",
                                "--no-first-run",
                                "--disable-extensions",
                                "--disable-background-networking",
                                "--hide-scrollbars",
                                "--user-data-dir=" + (w.root / "chromium-profile").string()};
  if (::geteuid() == 0) argv.push_back("--no-sandbox"); // Chromium refuses to run as root with its sandbox
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = std::chrono::minutes(2);
  auto r = run_process(argv, o);
  if (!r.ok()) BOOST_TEST_MESSAGE("chromium " << args.back() << ": " << r.describe() << "\n" << r.err);
  return r;
}

std::string dom(const World& w, const fs::path& page) {
  auto r = chromium(w, {"--dump-dom", "file://" + page.string()});
  BOOST_TEST_REQUIRE(r.ok(), r.describe());
  return r.out;
}

void screenshot(const World& w, const fs::path& page, const std::string& name) {
  auto png = w.root / "shots" / name;
  auto r = chromium(w, {"--screenshot=" + png.string(), "--window-size=1280,900", "file://" + page.string()});
  BOOST_TEST_REQUIRE(r.ok(), r.describe());
  BOOST_TEST_REQUIRE(fs::exists(png), png.string());
  auto bytes = read(png);
  BOOST_TEST(bytes.size() > 2000u, png.string() << ": " << bytes.size() << " bytes");
  BOOST_TEST(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  BOOST_TEST_MESSAGE("screenshot " << png.string());
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat(p.c_str(), &st) == 0, p.string());
  return st.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_sweep_and_a_report_render_in_chromium_with_broken_runs_shown_as_such) {
  World w;
  w.recipe("dash-green", "");
  // One release and a broken mime map: red at custom, no upgrade tier to run.
  w.recipe("dash-red", "--tags 1.0.0+1.22.1 --variant '" +
                           (source_dir / "recipes/custom-html-tiny/variants/txt-octet-stream.patch").string() + "'");

  auto site = w.root / "site";
  ProcessOptions so;
  so.timeout = std::chrono::minutes(20);
  so.merge_stderr = true;
  so.extra_env = {"CCCI_REPORT_DIR=" + site.string()};
  auto sweep = run_process({CCCI_BIN, "sweep", "--state-dir", (w.root / "state").string(), "--runs-dir",
                            (w.root / "runs").string(), "--recipes-dir", (w.root / "recipes").string(), "--source",
                            (w.root / "upstream").string(), "--plugin-dir", (w.root / "plugins").string()},
                           so);
  BOOST_TEST_MESSAGE(sweep.out);
  BOOST_TEST(sweep.exit_code == 1, sweep.out); // the red recipe
  // The sweep rewrote the dashboard itself, in $CCCI_REPORT_DIR.
  BOOST_TEST(has(sweep.out, "dashboard " + site.string() + "/index.html"), sweep.out);
  BOOST_TEST_REQUIRE(fs::exists(site / "index.html"));
  auto after_sweep = read(site / "index.html");
  BOOST_TEST(has(after_sweep, "dash-green"));
  BOOST_TEST(has(after_sweep, "dash-red"));

  fs::path summary;
  for (auto& e : fs::directory_iterator(w.root / "state/sweeps"))
    summary = e.path() / "summary.json";
  auto doc = json::parse(read(summary)).as_object();
  std::string red_run;
  for (auto& r : doc.at("recipes").as_array())
    if (r.as_object().at("recipe").as_string() == "dash-red") red_run = r.as_object().at("run_id").as_string().c_str();
  BOOST_TEST_REQUIRE(!red_run.empty());

  // A run that died (its lease free, no results.json) and one whose
  // results.json is cut short.
  write(w.root / "runs/dash-died/ccci.log", "[install] converging\n");
  write(w.root / "runs/dash-died/lease", "");
  write(w.root / "runs/dash-truncated/results.json", R"({"schema": 1, "recipe": "dash-green", "tiers": {"inst)");

  auto report =
      run_process({CCCI_BIN, "report", "--state-dir", (w.root / "state").string(), "--runs-dir",
                   (w.root / "runs").string(), "--recipes-dir", (w.root / "recipes").string(), "--out", site.string()},
                  so);
  BOOST_TEST_MESSAGE(report.out);
  BOOST_TEST_REQUIRE(report.exit_code == 0, report.out);
  BOOST_TEST(has(report.out, "index " + site.string() + "/index.html"), report.out);
  // Served by a web server of another user, despite ccci's umask 077.
  BOOST_TEST(mode_of(site) == 0755u);
  BOOST_TEST(mode_of(site / "runs") == 0755u);
  BOOST_TEST(mode_of(site / "index.html") == 0644u);
  BOOST_TEST(mode_of(site / "runs" / (red_run + ".html")) == 0644u);
  BOOST_TEST(mode_of(site / "runs" / red_run / "compose.rendered.yml.txt") == 0644u);

  auto index = dom(w, site / "index.html");
  BOOST_TEST(has(index, "dash-green"));
  BOOST_TEST(has(index, "dash-red"));
  BOOST_TEST(has(index, "PASS (promoted)"), index);
  BOOST_TEST(has(index, "FAIL"));
  BOOST_TEST(has(index, "L5 green"));
  BOOST_TEST(has(index, "red at custom"));
  BOOST_TEST(has(index, "1.1.0+1.22.1")); // the green one's canonical
  BOOST_TEST(has(index, "missing results.json"));
  BOOST_TEST(has(index, "malformed results.json"));
  BOOST_TEST(has(index, "ended without writing one"));
  BOOST_TEST(has(index, "Generated <time"));
  screenshot(w, site / "index.html", "index.png");

  auto run_page = dom(w, site / "runs" / (red_run + ".html"));
  for (auto tier : {"install", "upgrade", "backup", "restore", "custom", "lint"})
    BOOST_TEST(has(run_page, std::string("id=\"tier-") + tier + "\""), tier);
  BOOST_TEST(has(run_page, "install/converged"));
  BOOST_TEST(has(run_page, "custom/content_type_html_and_txt"));
  BOOST_TEST(has(run_page, "red at custom"));
  // Linked as .txt, so a browser shows it rather than downloading it.
  BOOST_TEST(has(run_page, "/compose.rendered.yml.txt\">compose.rendered.yml</a>"), run_page);
  BOOST_TEST(has(run_page, "no_secret_leak"));
  // The custom check's row says fail in words.
  auto row = run_page.substr(run_page.find("<code>custom/content_type_html_and_txt</code>"));
  BOOST_TEST(has(row.substr(0, row.find("</tr>")), ">fail</abbr>"), row.substr(0, 400));
  screenshot(w, site / "runs" / (red_run + ".html"), "run-red.png");

  BOOST_TEST(has(dom(w, site / "runs/dash-truncated.html"), "malformed results.json"));
  BOOST_TEST(has(dom(w, site / "runs/dash-died.html"), "missing results.json"));
  auto recipe_page = dom(w, site / "recipes/dash-red.html");
  BOOST_TEST(has(recipe_page, "<svg class=\"chart\""));
  BOOST_TEST(has(recipe_page, red_run));
  screenshot(w, site / "recipes/dash-green.html", "recipe-green.png");
  BOOST_TEST(has(read(site / "badges/dash-red.svg"), "red at custom"));

  // A dashboard the sweep cannot write (here: a place among the runs) is said
  // in its output and summary; the exit status stays the verdict (the red
  // recipe runs again: 1, not 3).
  auto again = run_process({CCCI_BIN, "sweep", "--state-dir", (w.root / "state").string(), "--runs-dir",
                            (w.root / "runs").string(), "--recipes-dir", (w.root / "recipes").string(), "--source",
                            (w.root / "upstream").string(), "--plugin-dir", (w.root / "plugins").string(),
                            "--report-dir", (w.root / "runs/site").string()},
                           so);
  BOOST_TEST_MESSAGE(again.out);
  BOOST_TEST(again.exit_code == 1, again.out);
  BOOST_TEST(has(again.out, "dashboard not written in"), again.out);
  BOOST_TEST(has(again.out, "is inside the runs directory"), again.out);
  BOOST_TEST(!fs::exists(w.root / "runs/site"));
  fs::path newest;
  for (auto& e : fs::directory_iterator(w.root / "state/sweeps"))
    if (e.path().filename() > newest.filename()) newest = e.path();
  auto second = json::parse(read(newest / "summary.json")).as_object();
  BOOST_TEST_REQUIRE(second.contains("report_error"));
  BOOST_TEST(has(std::string(second.at("report_error").as_string()), "the sweep's exit status stands"));
  BOOST_TEST(second.at("exit_code").as_int64() == 1);
  BOOST_TEST(has(read(newest / "summary.txt"), "dashboard not written in"));

  // History across sweeps: the red recipe ran in both, the green one was
  // skipped in the second (no new version); its page shows both sweeps and
  // both runs, the chart a point per run.
  auto rewrite =
      run_process({CCCI_BIN, "report", "--state-dir", (w.root / "state").string(), "--runs-dir",
                   (w.root / "runs").string(), "--recipes-dir", (w.root / "recipes").string(), "--out", site.string()},
                  so);
  BOOST_TEST_REQUIRE(rewrite.exit_code == 0, rewrite.out);
  auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
      ++n;
    return n;
  };
  auto red_history = dom(w, site / "recipes/dash-red.html");
  BOOST_TEST(count(red_history, "<circle class=\"pt") == 2u, red_history);
  BOOST_TEST(has(red_history, newest.filename().string()), red_history);
  auto green_history = dom(w, site / "recipes/dash-green.html");
  BOOST_TEST(has(green_history, "SKIP no-new-version"), green_history);
  screenshot(w, site / "recipes/dash-red.html", "recipe-red-history.png");
}
