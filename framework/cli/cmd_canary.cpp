// ccci canary: prove ccci's own verdicts on known recipes. Each canary's
// fixture repository is built with scripts/make-recipe-repo, held to its
// targeted change by the fixture guard, run by a child `ccci run`, and its
// results.json compared with the spec (framework/src/canary/canary.hpp).
#include "canary/canary.hpp"
#include "cli.hpp"
#include "jobs/child_leaks.hpp"
#include "jobs/child_runs.hpp"
#include "model/errors.hpp"
#include "model/naming.hpp"
#include "os/fs.hpp"
#include "os/ownership.hpp"
#include "os/process.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

namespace {

po::options_description canary_options() {
  po::options_description d("ccci canary options");
  d.add_options() //
      ("only", po::value<std::vector<std::string>>()->value_name("NAME"),
       "run only this canary (repeatable; default: every canary in the spec)") //
      ("runs-dir", po::value<std::string>()->value_name("DIR"),
       "where the canaries' run directories and canary-report.json go (default: $CCCI_RUNS_DIR)") //
      ("spec", po::value<std::string>()->value_name("FILE"),
       "the canary spec (default: <source>/tests/canaries/canaries.yml)")                      //
      ("check-fixtures", "build every fixture and run the fixture guard only; deploy nothing") //
      ("help,h", "show these options");
  add_stop_grace_option(d);
  return d;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs a helper (make-recipe-repo, git); its failure is ccci's input being
/// wrong, named after the canary.
std::string must_run(const std::vector<std::string>& argv, const CanarySpec& spec, std::string_view doing) {
  ProcessOptions o;
  o.timeout = std::chrono::minutes(2);
  o.merge_stderr = true;
  auto r = run_process(argv, o);
  if (!r.ok())
    throw InputError(
        fmt::format("{}: canary '{}': {} failed ({}): {}", spec.origin, spec.name, doing, r.describe(), r.out));
  return r.out;
}

std::vector<std::string> tags_of(const fs::path& repo, const CanarySpec& spec) {
  std::vector<std::string> tags;
  std::istringstream in(must_run({"git", "-C", repo.string(), "tag", "-l"}, spec, "listing tags"));
  for (std::string t; std::getline(in, t);)
    if (!t.empty()) tags.push_back(t);
  return tags;
}

Tree tree_at(const fs::path& repo, const std::string& tag, const CanarySpec& spec) {
  return parse_ls_tree(must_run({"git", "-C", repo.string(), "ls-tree", "-r", "-l", tag}, spec, "git ls-tree"));
}

/// The fixture guard: a bad canary's repository differs from its base's only
/// in the files it declares it touches, empties none of them, and differs at
/// all. Returns what is wrong (empty = fine).
std::vector<std::string> guard(const CanarySpec& spec, const fs::path& base_repo, const fs::path& fixture_repo) {
  std::vector<std::string> problems;
  auto base_tags = tags_of(base_repo, spec);
  auto fix_tags = tags_of(fixture_repo, spec);
  if (base_tags != fix_tags)
    problems.push_back(fmt::format("release tags differ: base has [{}], the fixture [{}]", fmt::join(base_tags, " "),
                                   fmt::join(fix_tags, " ")));
  bool differs = false;
  for (const auto& tag : base_tags) {
    auto b = tree_at(base_repo, tag, spec);
    auto f = tree_at(fixture_repo, tag, spec);
    differs = differs || b != f;
    for (auto& p : fixture_tag_problems(tag, b, f, spec.touches))
      problems.push_back(p);
  }
  if (!differs)
    problems.push_back(
        fmt::format("the variant {} changes nothing at any release: the fixture is its base", spec.variant.string()));
  return problems;
}

struct Fixture {
  fs::path repo;
  std::string summary; ///< what the guard saw
};

/// Builds the canary's repository in `work` (and, for a bad canary, its base
/// beside it for the guard). Throws InputError when it cannot be built or the
/// guard finds more than the targeted change.
Fixture build_fixture(const CanarySpec& spec, const fs::path& source, const fs::path& work) {
  Fixture fx{work / spec.name, ""};
  must_run(make_fixture_argv(spec, source, fx.repo, false), spec, "scripts/make-recipe-repo");
  if (!spec.is_bad()) {
    fx.summary = "the base recipe, unchanged";
    return fx;
  }
  auto base = work / (spec.name + ".base");
  must_run(make_fixture_argv(spec, source, base, true), spec, "scripts/make-recipe-repo (base)");
  auto problems = guard(spec, base, fx.repo);
  if (!problems.empty())
    throw InputError(fmt::format("{}: canary '{}': the fixture differs from its base beyond its targeted change "
                                 "(touches: {}):\n  {}\nfix the variant patch, or the spec's 'touches' list",
                                 spec.origin, spec.name, fmt::join(spec.touches, ", "), fmt::join(problems, "\n  ")));
  fx.summary = fmt::format("differs from its base only in {}", fmt::join(spec.touches, ", "));
  return fx;
}

std::vector<CanarySpec> select(const std::vector<CanarySpec>& all, const po::variables_map& vm,
                               const fs::path& spec_file) {
  if (!vm.count("only")) return all;
  std::vector<std::string> names;
  for (auto& s : all)
    names.push_back(s.name);
  std::vector<CanarySpec> out;
  for (const auto& want : vm["only"].as<std::vector<std::string>>()) {
    auto it = std::find_if(all.begin(), all.end(), [&](const CanarySpec& s) { return s.name == want; });
    if (it == all.end())
      throw InputError(fmt::format("--only {}: no such canary in {} (canaries: {})", want, spec_file.string(),
                                   fmt::join(names, ", ")));
    out.push_back(*it);
  }
  return out;
}

std::string fmt_seconds(double s) { return fmt::format("{:.0f}s", s); }

} // namespace

namespace {

// One child `ccci run` per canary, and its row, not run yet.
void plan_runs(const std::vector<CanarySpec>& canaries, const std::vector<Fixture>& fixtures, const fs::path& runs_dir,
               const std::string& session_id, const fs::path& logs, std::vector<ChildJob>& jobs,
               std::vector<CanaryRow>& rows) {
  for (std::size_t i = 0; i < canaries.size(); ++i) {
    const auto& c = canaries[i];
    auto run_id = fmt::format("{}-{}", session_id, c.name);
    ChildJob job;
    job.args = {"run",    "--recipe-dir", fixtures[i].repo.string(), "--recipe",
                c.recipe, "--runs-dir",   runs_dir.string(),         "--run-id",
                run_id};
    job.args.insert(job.args.end(), c.run_args.begin(), c.run_args.end());
    job.log = logs / (c.name + ".log");
    job.label = c.name;
    jobs.push_back(job);
    CanaryRow row;
    row.name = c.name;
    row.expected = c.expect.label();
    row.run_id = run_id;
    row.run_dir = (runs_dir / run_id).string();
    row.verdict = no_results_verdict(-1, "not run (interrupted before it started)");
    rows.push_back(row);
  }
}

// The row's verdict from the run's results.json, or why there is none.
void judge_row(const CanarySpec& canary, const ChildJob& job, CanaryRow& row) {
  row.exit_code = job.exit_code;
  row.seconds = job.seconds;
  fs::path results = fs::path(row.run_dir) / "results.json";
  if (fs::exists(results)) {
    try {
      row.verdict = compare_canary(canary, results_from_json(read_file(results), results.string()));
    } catch (const InputError& e) {
      row.verdict = no_results_verdict(job.exit_code, e.what());
    }
  } else {
    auto why =
        job.signal ? fmt::format("killed by {}", signal_name(job.signal)) : fmt::format("exit {}", job.exit_code);
    row.verdict =
        no_results_verdict(job.exit_code, fmt::format("{}; log {}: {}", why, job.log.string(), tail_of(job.log, 5)));
  }
}

/// Prints the table and the tally; returns how many canaries did not match.
std::size_t print_summary(const std::vector<CanaryRow>& rows, bool completed, const fs::path& runs_dir,
                          const LeakScanReport& scan) {
  std::cout << "\n" << canary_table(rows);
  std::size_t bad = 0, false_greens = 0;
  for (const auto& r : rows) {
    bad += r.verdict.ok() ? 0 : 1;
    false_greens += r.verdict.outcome == CanaryOutcome::false_green ? 1 : 0;
  }
  std::cout << fmt::format("\n{} of {} canaries matched{}{}; report: {}\n", rows.size() - bad, rows.size(),
                           false_greens ? fmt::format(", {} FALSE GREEN", false_greens) : "",
                           completed ? "" : " (interrupted)", (runs_dir / "canary-report.json").string());
  std::cout << fmt::format("no_secret_leak={} in this command's report and logs\n", scan.clean());
  for (auto& f : scan.findings())
    std::cout << fmt::format("  SECRET LEAK: {}\n", f);
  return bad;
}

} // namespace

int cmd_canary(const Args& args) {
  auto desc = canary_options();
  auto vm = parse_options("canary", args, desc);
  if (vm.count("help")) {
    std::cout << "Usage: ccci canary [--only NAME] [--runs-dir DIR] [--spec FILE]\n\n"
                 "Runs the regression canaries: known recipes, good and broken on purpose, whose verdicts\n"
                 "ccci must get right (green, or red at exactly the broken tier). Each fixture is built\n"
                 "with scripts/make-recipe-repo and held to its targeted change, run by its own `ccci run`\n"
                 "(two at a time), and compared with the spec. Exit 0: every canary matched; 1: a\n"
                 "mismatch or a FALSE GREEN; 2: bad spec, unknown --only name, or a broken fixture.\n\n"
              << desc;
    return 0;
  }
  install_stop_handlers();
  const fs::path source = default_source_dir();
  const fs::path spec_file =
      vm.count("spec") ? fs::absolute(vm["spec"].as<std::string>()) : source / "tests" / "canaries" / "canaries.yml";
  if (!fs::exists(spec_file))
    throw InputError(fmt::format("{}: no canary spec there; pass --spec FILE or set CCCI_SOURCE_DIR to the ccci "
                                 "source tree",
                                 spec_file.string()));
  if (!fs::exists(source / "scripts" / "make-recipe-repo"))
    throw InputError(fmt::format("{}: scripts/make-recipe-repo not found; set CCCI_SOURCE_DIR to the ccci source tree",
                                 source.string()));
  auto canaries = select(load_canary_specs(spec_file), vm, spec_file);
  const fs::path runs_dir = path_option(vm, "runs-dir", default_runs_dir());
  const auto stop_grace = stop_grace_option(vm);

  // A private scratch directory for the fixture repositories, removed on exit.
  TempDir work = owned_temp_dir("ccci-canary-");
  std::vector<Fixture> fixtures;
  for (const auto& c : canaries) {
    fixtures.push_back(build_fixture(c, source, work.path()));
    std::cout << fmt::format("[canary] fixture {}: {}", c.name, fixtures.back().summary) << std::endl;
  }
  if (vm.count("check-fixtures")) {
    std::cout << fmt::format("[canary] {} fixture(s) hold to their targeted changes", fixtures.size()) << std::endl;
    return 0;
  }

  fs::create_directories(runs_dir);
  const std::string started = now_iso8601();
  const std::string session = fmt::format("canary-{}-{}", started.substr(0, 19), random_hex(4));
  std::string session_id;
  for (char ch : session)
    session_id += (ch == ':' ? '-' : ch);
  const fs::path logs = runs_dir / (session_id + ".logs");
  fs::create_directories(logs);

  // What this command prints and writes passes its children's fingerprints
  // (jobs/child_leaks.hpp).
  ChildLeakGuard guard;
  RedactedOutput redacted_out(std::cout, guard);
  std::vector<ChildJob> jobs;
  std::vector<CanaryRow> rows;
  plan_runs(canaries, fixtures, runs_dir, session_id, logs, jobs, rows);

  std::cout << fmt::format("[canary] running {} canar{}, at most two at a time; run directories in {}", canaries.size(),
                           canaries.size() == 1 ? "y" : "ies", runs_dir.string())
            << std::endl;
  auto on_start = [&](std::size_t i) {
    std::cout << fmt::format("[canary] {}: started ({} at {}, expect {}) → run {}", canaries[i].name,
                             canaries[i].recipe,
                             canaries[i].is_bad() ? canaries[i].variant.filename().string() : "base", rows[i].expected,
                             rows[i].run_id)
              << std::endl;
  };
  auto on_finish = [&](std::size_t i) {
    auto& job = jobs[i];
    auto& row = rows[i];
    guard.child_finished(row.run_dir);
    judge_row(canaries[i], job, row);
    std::cout << fmt::format("[canary] {}: finished in {}, exit {}: got {} — {}", row.name, fmt_seconds(row.seconds),
                             row.exit_code, row.verdict.got, to_string(row.verdict.outcome))
              << std::endl;
  };
  ChildRunOptions run_options;
  run_options.parallel = 2;
  run_options.stop_grace = stop_grace;
  run_options.on_start = on_start;
  run_options.on_finish = on_finish;
  // Which are going, after each start and end and every 30 s (jobs/job_progress.hpp).
  run_options.on_progress = [](const std::string& line) { std::cout << "[canary] " << line << std::endl; };
  run_options.extra_env = {guard.child_env()};
  bool completed = run_children(jobs, run_options);

  const std::string finished = now_iso8601();
  auto report = canary_report_json(rows, spec_file.string(), started, finished);
  auto scan = guard.scan({logs}, {{"canary-report.json", report}});
  write_file_atomically(runs_dir / "canary-report.json", guard.redact(with_leak_flag(report, scan)));
  auto bad = print_summary(rows, completed, runs_dir, scan);
  if (!completed) return 3;
  return bad || !scan.clean() ? 1 : 0;
}

} // namespace ccci::cli
