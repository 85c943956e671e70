// The dashboard (docs/architecture.md, "Dashboard"): the escaper, the model
// read from results and summaries, the pages rendered from synthetic
// results, and the writer's modes, copies, withholding and stale pages.
#define BOOST_TEST_MODULE site
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "model/results.hpp"
#include "report/markup.hpp"
#include "report/site.hpp"
#include "report/site_model.hpp"
#include "report/site_pages.hpp"
#include "support/files.hpp"
#include "sweep/registry.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <regex>

using namespace ccci::host;
using ccci::Tier;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

RunResults results(const std::string& recipe, const std::string& id, const std::string& started, int exit_code) {
  RunResults r = empty_results();
  r.recipe = recipe;
  r.version = "1.1.0+1.22.1";
  r.ref = r.version;
  r.commit = "0123456789abcdef0123456789abcdef01234567";
  r.run_id = id;
  r.started = started;
  r.finished = started.substr(0, 17) + "59Z";
  r.ccci_version = "0.1.0";
  r.clean_teardown = true;
  r.no_secret_leak = true;
  r.exit_code = exit_code;
  for (auto& t : r.tiers) {
    t.status = Status::pass;
    t.reason = "1 check passed";
    t.duration = 2.5;
    t.checks.push_back({std::string(to_string(t.tier)) + "/ok", Status::pass, "fine", 0.5});
  }
  r.level = {5, "", "every rung passed"};
  if (exit_code == 1) {
    auto& restore = r.tier(Tier::restore);
    restore.status = Status::fail;
    restore.reason = "restore/verify:notes failed";
    restore.checks.push_back({"restore/verify:notes", Status::fail, "<script>alert('x')</script> & \"notes\" lost", 1});
    r.tier(Tier::custom).status = Status::na;
    r.tier(Tier::custom).checks.clear();
    r.level = {2, "backup+restore", "restore failed"};
  }
  r.environment.push_back({"docker", "/usr/bin/docker", "Docker version 20.10.24"});
  r.evidence = {"evidence/tasks.txt"};
  return r;
}

RunEntry complete(const RunResults& r) { return run_entry(r.run_id, to_json(r), LeaseState::free); }

SiteModel sample_model() {
  SiteModel m;
  m.generated = "2026-12-04T10:00:00Z";
  m.recipes.push_back({.name = "notes", .enrolled = true, .has_meta = true});
  m.recipes.push_back({.name = "site", .enrolled = true, .has_meta = true});
  m.recipes[1].canonical =
      Canonical{"site", "1.1.0+1.22.1", "abc", "1.1.0+1.22.1", "r-site-1", "2026-12-01T10:00:00Z", "s", "d"};
  m.runs.push_back(complete(results("site", "r-site-1", "2026-12-01T09:00:00Z", 0)));
  m.runs.push_back(complete(results("notes", "r-notes-1", "2026-12-03T09:00:00Z", 1)));
  m.runs.push_back(run_entry("r-died", std::nullopt, LeaseState::free));
  m.runs.push_back(run_entry("r-garbage", std::string("{\"schema\": 1, \"recipe\": "), LeaseState::free));
  m.sweeps.push_back(sweep_from_json("sweep-20261203T090000Z-ab12", R"({"sweep_id":"sweep-20261203T090000Z-ab12",
    "finished":"2026-12-03T09:30:00Z","exit_code":1,"no_secret_leak":true,"leak_findings":[],
    "recipes":[{"recipe":"notes","latest":"1.1.0+1.22.1","decision":"new","run_id":"r-notes-1","run_exit":1,
                "label":"FAIL","canonical":null,"notes":["<b>bold</b> note"]},
               {"recipe":"site","latest":"1.1.0+1.22.1","decision":"new","run_id":"r-died","run_exit":null,
                "label":"UNVER","canonical":null,"notes":[]}]})"));
  finish_model(m);
  return m;
}

std::vector<std::string> all_pages(const SiteModel& m) {
  std::vector<std::string> pages{render_index(m)};
  for (auto& r : m.recipes)
    pages.push_back(render_recipe_page(m, r));
  for (auto& run : m.runs)
    pages.push_back(render_run_page(m, run));
  return pages;
}

const RunEntry& run_named(const SiteModel& m, const std::string& id) {
  for (auto& r : m.runs)
    if (r.id == id) return r;
  throw std::runtime_error("no run " + id);
}

} // namespace

BOOST_AUTO_TEST_CASE(html_escape_makes_markup_text_and_bad_bytes_a_replacement) {
  BOOST_TEST(html_escape("<script>alert('x')</script> & \"q\"") ==
             "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  const std::string fffd = "\xEF\xBF\xBD";
  BOOST_TEST(html_escape("caf\xC3\xA9 \xE2\x9C\x94") == "caf\xC3\xA9 \xE2\x9C\x94"); // valid UTF-8 kept
  BOOST_TEST(html_escape("a\xFFz") == "a" + fffd + "z");
  BOOST_TEST(html_escape("\xC0\xAF") == fffd + fffd);            // overlong '/'
  BOOST_TEST(html_escape("\xED\xA0\x80") == fffd + fffd + fffd); // a surrogate
  // A sequence cut short is one maximal ill-formed subpart: one U+FFFD.
  BOOST_TEST(html_escape("cut \xE2\x82") == "cut " + fffd);
  BOOST_TEST(html_escape("bell\x07 esc\x1B del\x7F c1\xC2\x85") ==
             "bell" + fffd + " esc" + fffd + " del" + fffd + " c1" + fffd);
  // A carriage return is kept as a reference, which no parser folds away.
  BOOST_TEST(html_escape("tab\tnl\ncr\r") == "tab\tnl\ncr&#13;");
}

BOOST_AUTO_TEST_CASE(a_check_message_that_is_markup_stays_text) {
  auto m = sample_model();
  auto page = render_run_page(m, run_named(m, "r-notes-1"));
  BOOST_TEST(!has(page, "<script"));
  BOOST_TEST(has(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;notes&quot; lost"));
  auto recipe = render_recipe_page(m, m.recipes.at(0));
  BOOST_TEST(!has(recipe, "<b>bold</b>"));
  BOOST_TEST(has(recipe, "&lt;b&gt;bold&lt;/b&gt; note"));
  for (auto& p : all_pages(m))
    BOOST_TEST(!has(p, "<script"));
}

BOOST_AUTO_TEST_CASE(every_status_cell_carries_a_symbol_and_a_word_beside_its_colour) {
  auto m = sample_model();
  std::regex cell(
      R"re(<td class="cell-(\w+)"><span class="st st-(\w+)"><span class="sym" aria-hidden="true">([^<]+)</span> <abbr title="[^"]+">(\w+)</abbr>)re");
  std::size_t cells = 0;
  for (auto& page : all_pages(m)) {
    for (std::sregex_iterator it(page.begin(), page.end(), cell), end; it != end; ++it) {
      ++cells;
      BOOST_TEST((*it)[1].str() == (*it)[2].str());
      BOOST_TEST((*it)[4].str() == (*it)[1].str()); // the word is the status
      BOOST_TEST(!(*it)[3].str().empty());
    }
    // No coloured cell without its words: as many cells as status cells.
    std::regex any_cell(R"re(<td class="cell-)re");
    BOOST_TEST(std::distance(std::sregex_iterator(page.begin(), page.end(), any_cell), std::sregex_iterator()) ==
               std::distance(std::sregex_iterator(page.begin(), page.end(), cell), std::sregex_iterator()));
  }
  BOOST_TEST(cells > 20u);
  auto index = render_index(m);
  BOOST_TEST(has(index, "red at restore"));
  BOOST_TEST(has(index, "L5 green"));
  BOOST_TEST(has(index, "st-fail"));
}

BOOST_AUTO_TEST_CASE(missing_and_malformed_results_are_shown_with_the_reason) {
  auto died = run_entry("a", std::nullopt, LeaseState::free);
  BOOST_TEST((died.state == RunState::missing));
  BOOST_TEST(has(died.problem, "ended without writing one"));
  auto going = run_entry("b", std::nullopt, LeaseState::held);
  BOOST_TEST(has(going.problem, "still going"));
  auto garbage = run_entry("c", std::string("not json"), LeaseState::free);
  BOOST_TEST((garbage.state == RunState::malformed));
  BOOST_TEST(has(garbage.problem, "not a ccci results.json"), garbage.problem);
  BOOST_TEST(!has(garbage.problem, "[boost.json"), garbage.problem); // the parser's source line helps nobody
  auto good = to_json(results("site", "d", "2026-12-01T09:00:00Z", 0));
  auto truncated = run_entry("d", good.substr(0, good.size() / 2), LeaseState::free);
  BOOST_TEST((truncated.state == RunState::malformed));
  auto schema = good;
  schema.replace(schema.find("\"schema\":1"), 10, "\"schema\":7");
  auto wrong = run_entry("e", schema, LeaseState::free);
  BOOST_TEST((wrong.state == RunState::malformed));
  BOOST_TEST(has(wrong.problem, "schema 7"), wrong.problem);
  BOOST_TEST((run_entry("f", std::string(""), LeaseState::free).state == RunState::malformed));

  auto m = sample_model();
  auto index = render_index(m);
  BOOST_TEST(has(index, "missing results.json"));
  BOOST_TEST(has(index, "malformed results.json"));
  BOOST_TEST(has(index, "ended without writing one"));
  BOOST_TEST(has(index, "href=\"runs/r-died.html\""));
  // The run the sweep started is still the recipe's in the model.
  BOOST_TEST(run_named(m, "r-died").recipe == "site");
  auto page = render_run_page(m, run_named(m, "r-garbage"));
  BOOST_TEST(has(page, "malformed results.json"));
  BOOST_TEST(has(page, "withheld: this run has no readable results.json"));
  BOOST_TEST(has(render_run_page(m, run_named(m, "r-died")), "missing results.json"));
  // The other runs still render in full.
  BOOST_TEST(has(render_run_page(m, run_named(m, "r-site-1")), "install/ok"));
}

BOOST_AUTO_TEST_CASE(a_leak_in_results_json_itself_keeps_its_words_off_the_page) {
  auto r = results("notes", "r-leak", "2026-12-03T09:00:00Z", 1);
  r.no_secret_leak = false;
  r.tier(Tier::install).checks.front().message = "password is hunter2-leaked";
  r.leak_findings = {"results.json: secret notes_db_password_v1 (raw)"};
  SiteModel m = sample_model();
  m.runs.push_back(complete(r));
  auto page = render_run_page(m, m.runs.back());
  BOOST_TEST(!has(page, "hunter2-leaked"));
  BOOST_TEST(!has(page, "restore/verify:notes failed")); // a tier reason
  BOOST_TEST(has(page, "withheld: this run's leak scan found a secret in results.json itself"));
  BOOST_TEST(has(page, "install/ok"));           // names and statuses stay
  BOOST_TEST(has(page, "notes_db_password_v1")); // the finding names the secret, never its value
  // A leak elsewhere (an archive) withholds the files, not the words.
  r.leak_findings = {"archive backup/x.tar.gz: member a: secret notes_db_password_v1 (raw)"};
  m.runs.back() = complete(r);
  auto other = render_run_page(m, m.runs.back());
  BOOST_TEST(has(other, "hunter2-leaked"));
  BOOST_TEST(has(other, "withheld: this run&#39;s leak scan found 1 problem(s)"));
}

BOOST_AUTO_TEST_CASE(links_are_relative_and_nothing_is_fetched_from_elsewhere) {
  auto m = sample_model();
  std::regex ref(R"re((?:href|src)="([^"]*)")re");
  std::size_t links = 0;
  for (auto& page : all_pages(m)) {
    BOOST_TEST(!has(page, "http://"));
    BOOST_TEST(!has(page, "https://"));
    BOOST_TEST(has(page, "<html lang=\"en\">"));
    for (std::sregex_iterator it(page.begin(), page.end(), ref), end; it != end; ++it) {
      auto target = (*it)[1].str();
      ++links;
      BOOST_TEST(!target.empty());
      BOOST_TEST(target.front() != '/', target);
      BOOST_TEST(!has(target, ":"), target); // no scheme: no file:, http:, data:, javascript:
    }
  }
  BOOST_TEST(links > 10u);
  // The badge's only URL is SVG's namespace name, which is never fetched.
  auto badge = render_badge(m, m.recipes.at(0));
  BOOST_TEST(!has(std::regex_replace(badge, std::regex(R"(xmlns="http://www.w3.org/2000/svg")"), ""), "http"));
}

BOOST_AUTO_TEST_CASE(the_index_states_the_generation_time_and_ages_relative_to_it) {
  auto m = sample_model();
  auto index = render_index(m);
  BOOST_TEST(has(index, "Generated <time datetime=\"2026-12-04T10:00:00Z\">"));
  BOOST_TEST(has(index, "3 days ago"));   // the canonical, promoted 2026-12-01T10:00
  BOOST_TEST(has(index, "1 day ago"));    // the sweep, 2026-12-03T09:30
  BOOST_TEST(has(index, "FAIL"));         // notes' last sweep label
  BOOST_TEST(has(index, "1.1.0+1.22.1")); // site's canonical
  BOOST_TEST(age_text("2026-12-04T09:59:30Z", m.generated) == "just now");
  BOOST_TEST(age_text("2026-12-04T09:55:00Z", m.generated) == "5 minutes ago");
  BOOST_TEST(age_text("2026-12-04T09:00:00Z", m.generated) == "1 hour ago");
  BOOST_TEST(age_text("2026-12-05T09:00:00Z", m.generated) == "in the future (clocks disagree)");
  BOOST_TEST(!parse_iso8601("yesterday").has_value());
  BOOST_TEST(duration_text(0.42) == "0.4 s");
  BOOST_TEST(duration_text(0.01) == "< 0.1 s");
  BOOST_TEST(duration_text(185) == "3 min 05 s");
  BOOST_TEST(duration_text(3720) == "1 h 02 min");
  BOOST_TEST(url_path("evidence/a b<.log") == "evidence/a%20b%3C.log");
}

BOOST_AUTO_TEST_CASE(badges_say_level_and_colour_in_words) {
  auto m = sample_model();
  BOOST_TEST(badge_text(m, "site") == "L5 green");
  BOOST_TEST(badge_text(m, "notes") == "red at restore");
  BOOST_TEST(badge_text(m, "nobody") == "no runs");
  auto badge = render_badge(m, m.recipes.at(0));
  BOOST_TEST(has(badge, "<title>ccci: red at restore</title>"));
  BOOST_TEST(has(badge, "aria-label=\"ccci: red at restore\""));
}

BOOST_AUTO_TEST_CASE(the_recipe_page_charts_its_levels_with_labels_and_a_table_of_the_same) {
  auto m = sample_model();
  m.runs.push_back(complete(results("notes", "r-notes-0", "2026-12-02T09:00:00Z", 0)));
  finish_model(m);
  auto page = render_recipe_page(m, m.recipes.at(0));
  BOOST_TEST(has(page, "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\""));
  BOOST_TEST(has(page, "<title id=\"chart-title\">Level of notes over its last 2 run(s)</title>"));
  BOOST_TEST(has(page, "<title>r-notes-1: red at restore, 2026-12-03T09:00:00Z</title>"));
  BOOST_TEST(has(page, ">L5\xE2\x9C\x94</text>")); // the older green run, labelled
  BOOST_TEST(has(page, ">L2\xE2\x9C\x98</text>"));
  // Oldest left: the green run's point comes before the red one's.
  BOOST_TEST(page.find("r-notes-0: L5 green") < page.find("r-notes-1: red at restore"));
  BOOST_TEST(has(page, "<caption>Runs of notes, newest first</caption>"));
  BOOST_TEST(page.find("runs/r-notes-1.html\">r-notes-1</a></th>") != std::string::npos);
  BOOST_TEST(has(page, "<th scope=\"col\">restore</th>"));
}

BOOST_AUTO_TEST_CASE(a_promotion_run_does_not_stand_for_the_recipe_and_unknown_recipes_are_marked) {
  auto m = sample_model();
  auto promote = results("site", "r-site-1-promote", "2026-12-01T09:30:00Z", 0);
  promote.kept_running = true;
  promote.level = {1, "upgrade", "not selected"};
  m.runs.push_back(complete(promote));
  m.runs.push_back(complete(results("stray", "r-stray", "2026-12-02T09:00:00Z", 0)));
  finish_model(m);
  BOOST_TEST(latest_run(m, "site")->id == "r-site-1");
  // Nor does it sit in the chart as a fall to L1; the runs table lists it.
  auto site_page = render_recipe_page(m, m.recipes.at(1));
  BOOST_TEST(!has(site_page, "<title>r-site-1-promote:"));
  BOOST_TEST(has(site_page, "<title>r-site-1: L5 green"));
  BOOST_TEST(has(site_page, "runs/r-site-1-promote.html\">r-site-1-promote</a></th>"));
  BOOST_TEST(has(site_page, "kept running"));
  auto index = render_index(m);
  BOOST_TEST(has(index, "stray</a> <span class=\"tag\">not enrolled: no meta</span>"));
  BOOST_TEST(m.recipes.back().name == "stray"); // enrolled ones first
}

BOOST_AUTO_TEST_CASE(a_summary_that_is_no_sweep_is_a_record_with_its_problem) {
  BOOST_TEST(has(sweep_from_json("s", "{").problem, "not JSON"));
  BOOST_TEST(has(sweep_from_json("s", "[]").problem, "not a JSON object"));
  BOOST_TEST(has(sweep_from_json("s", R"({"finished":"x"})").problem, "no `recipes` list"));
  auto m = sample_model();
  BOOST_TEST(m.sweeps.at(0).rows.size() == 2u);
  BOOST_TEST(m.sweeps.at(0).rows.at(0).run_exit.value_or(-9) == 1);
  BOOST_TEST(!m.sweeps.at(0).rows.at(1).run_exit.has_value());
  BOOST_TEST(m.sweeps.at(0).problem.empty());
}

namespace {

struct World {
  ccci::test::TempTree t{"site"};
  SiteOptions o{t / "state", t / "runs", t / "recipes", t / "out"};
  void run(const RunResults& r, bool with_evidence = true) {
    ccci::test::write(o.runs_dir / r.run_id / "results.json", to_json(r));
    ccci::test::write(o.runs_dir / r.run_id / "compose.rendered.yml", "services: {}\n");
    if (with_evidence) ccci::test::write(o.runs_dir / r.run_id / "evidence/tasks.txt", "app 1/1\n");
  }
  mode_t mode(const fs::path& rel) {
    struct stat st {};
    BOOST_TEST_REQUIRE(::lstat((o.out_dir / rel).c_str(), &st) == 0, rel.string());
    return st.st_mode & 07777;
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_writer_sets_served_modes_copies_clean_runs_files_and_withholds_a_leaky_runs) {
  auto old = ::umask(077);
  World w;
  ccci::test::write(w.o.recipes_dir / "site/ccci.yml", "enroll: true\n");
  w.run(results("site", "r-clean", "2026-12-01T09:00:00Z", 0));
  auto leaky = results("site", "r-leaky", "2026-12-02T09:00:00Z", 1);
  leaky.no_secret_leak = false;
  leaky.leak_findings = {"evidence/tasks.txt: secret site_db_password_v1 (raw)"};
  w.run(leaky);
  fs::create_directories(w.o.runs_dir / "r-none");
  ccci::test::write(w.o.runs_dir / "r-bad/results.json", "{\"schema\": 1, \"tiers\": {");
  ccci::test::write(w.o.runs_dir / "sweep-x-site.out", "a child's log, not a run dir\n");

  auto report = write_site(w.o);
  ::umask(old);
  BOOST_TEST(report.index == fs::absolute(w.o.out_dir / "index.html").lexically_normal());
  for (auto rel : {"", "runs", "recipes", "badges", "runs/r-clean", "runs/r-clean/evidence"})
    BOOST_TEST(w.mode(rel) == 0755u, rel);
  for (auto rel : {"index.html", "style.css", "recipes/site.html", "badges/site.svg", "runs/r-clean.html",
                   "runs/r-leaky.html", "runs/r-none.html", "runs/r-bad.html", "runs/r-clean/evidence/tasks.txt",
                   "runs/r-clean/compose.rendered.yml.txt"})
    BOOST_TEST(w.mode(rel) == 0644u, rel);
  BOOST_TEST(ccci::test::read(w.o.out_dir / "runs/r-clean/evidence/tasks.txt") == "app 1/1\n");
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-leaky"));
  auto leaky_page = ccci::test::read(w.o.out_dir / "runs/r-leaky.html");
  BOOST_TEST(has(leaky_page, "withheld: this run&#39;s leak scan found 1 problem(s)"));
  BOOST_TEST(!has(leaky_page, "href=\"r-leaky/"));
  BOOST_TEST(has(ccci::test::read(w.o.out_dir / "runs/r-clean.html"), "href=\"r-clean/evidence/tasks.txt\""));
  // .yml (and .log) copies end in .txt: a web server shows them instead of offering a download.
  BOOST_TEST(has(ccci::test::read(w.o.out_dir / "runs/r-clean.html"), "href=\"r-clean/compose.rendered.yml.txt\""));
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-clean/compose.rendered.yml"));
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/sweep-x-site.out.html"));
  auto index = ccci::test::read(w.o.out_dir / "index.html");
  BOOST_TEST(has(index, "missing results.json"));
  BOOST_TEST(has(index, "malformed results.json"));
  BOOST_TEST(report.files_copied == 2u);
}

BOOST_AUTO_TEST_CASE(stale_pages_of_removed_runs_go_and_nothing_else_does) {
  World w;
  w.run(results("site", "r-1", "2026-12-01T09:00:00Z", 0));
  w.run(results("site", "r-2", "2026-12-02T09:00:00Z", 0));
  write_site(w.o);
  ccci::test::write(w.o.out_dir / "runs/operator-notes.html", "mine\n");
  ccci::test::write(w.o.out_dir / "runs/r-1/evidence/extra.txt", "not the site's\n");
  fs::remove_all(w.o.runs_dir / "r-1");
  auto report = write_site(w.o);
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-1.html"));
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-1/compose.rendered.yml.txt"));
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-1/evidence/tasks.txt"));
  BOOST_TEST(fs::exists(w.o.out_dir / "runs/r-1/evidence/extra.txt")); // never the site's
  BOOST_TEST(fs::exists(w.o.out_dir / "runs/operator-notes.html"));
  BOOST_TEST(fs::exists(w.o.out_dir / "runs/r-2.html"));
  BOOST_TEST(report.removed == 3u);
}

BOOST_AUTO_TEST_CASE(a_site_among_the_runs_is_refused) {
  World w;
  fs::create_directories(w.o.runs_dir);
  auto o = w.o;
  o.out_dir = w.o.runs_dir / "report";
  BOOST_CHECK_EXCEPTION(write_site(o), InputError,
                        [](const InputError& e) { return has(e.what(), "is inside the runs directory"); });
  o.out_dir = w.o.runs_dir.parent_path();
  BOOST_CHECK_EXCEPTION(write_site(o), InputError,
                        [](const InputError& e) { return has(e.what(), "holds the runs directory"); });
  o.out_dir = w.o.state_dir;
  BOOST_CHECK_THROW(write_site(o), InputError);
}

BOOST_AUTO_TEST_CASE(a_symlinked_evidence_file_is_not_followed) {
  World w;
  auto r = results("site", "r-link", "2026-12-01T09:00:00Z", 0);
  w.run(r, false);
  ccci::test::write(w.t / "secret.txt", "outside\n");
  fs::create_directories(w.o.runs_dir / "r-link/evidence");
  fs::create_symlink(w.t / "secret.txt", w.o.runs_dir / "r-link/evidence/tasks.txt");
  write_site(w.o);
  BOOST_TEST(!fs::exists(w.o.out_dir / "runs/r-link/evidence/tasks.txt"));
  BOOST_TEST(has(ccci::test::read(w.o.out_dir / "runs/r-link.html"), "a symbolic link: not followed"));
}
