// ccci triage: rerun a recipe N times alone and N times beside K other runs
// of itself, then say what kind of red it is: genuine, flake,
// load-sensitive, harness, or not reproduced (framework/src/triage/triage.hpp).
#include "cli.hpp"
#include "jobs/child_leaks.hpp"
#include "jobs/child_runs.hpp"
#include "model/errors.hpp"
#include "model/naming.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "triage/triage.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

namespace ccci::cli {

namespace {

po::options_description triage_options() {
  po::options_description d("ccci triage options");
  d.add_options()                                                                                               //
      ("recipe-dir", po::value<std::string>()->value_name("PATH"), "the recipe's git checkout (or positional)") //
      ("recipe", po::value<std::string>()->value_name("NAME"),
       "recipe name for meta and plugin lookup (default: the directory's name)") //
      ("repeat", po::value<int>()->value_name("N"),
       "runs alone, one after another, and rounds under load (required)") //
      ("load", po::value<int>()->default_value(1)->value_name("K"),
       "other runs of the same recipe beside each loaded run (0: no runs under load)") //
      ("runs-dir", po::value<std::string>()->value_name("DIR"),
       "where the runs and triage-report.{json,txt} go (default: $CCCI_RUNS_DIR)") //
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

TriageRun collect(const ChildJob& job, const fs::path& runs_dir, const std::string& run_id, bool loaded, int round,
                  bool background) {
  TriageRun r;
  r.run_id = run_id;
  r.run_dir = (runs_dir / run_id).string();
  r.under_load = loaded;
  r.round = round;
  r.background = background;
  r.exit_code = job.exit_code;
  r.seconds = job.seconds;
  auto file = runs_dir / run_id / "results.json";
  if (!fs::exists(file)) {
    r.error = job.signal ? fmt::format("killed by {}", signal_name(job.signal))
                         : fmt::format("no results.json; {}", tail_of(job.log, 3));
    return r;
  }
  try {
    r.results = results_from_json(read_file(file), file.string());
  } catch (const InputError& e) {
    r.error = e.what();
  }
  return r;
}

// One triage session: where its runs and logs go, and how a run is started.
struct Session {
  fs::path recipe_dir;
  std::string recipe;
  fs::path runs_dir;
  Args extra; ///< after `--`, for every run
  std::string id;
  fs::path logs;
  std::chrono::seconds stop_grace{};
  ChildLeakGuard* guard = nullptr; ///< the session's (jobs/child_leaks.hpp)

  /// `label`: how the progress lines name it ("alone 2/5").
  ChildJob job(const std::string& run_id, std::string label) const {
    ChildJob j;
    j.label = std::move(label);
    j.args = {"run",        "--recipe-dir",    recipe_dir.string(), "--recipe", recipe,
              "--runs-dir", runs_dir.string(), "--run-id",          run_id};
    j.args.insert(j.args.end(), extra.begin(), extra.end());
    j.log = logs / (run_id + ".log");
    return j;
  }
};

void say(const std::string& line) { std::cout << "[triage] " << line << std::endl; }

// `repeat` runs one after another; false when stopped early.
bool run_alone(const Session& s, int repeat, std::vector<TriageRun>& isolation) {
  std::vector<ChildJob> iso_jobs;
  std::vector<std::string> iso_ids;
  for (int i = 1; i <= repeat; ++i) {
    iso_ids.push_back(fmt::format("{}-alone-{:02}", s.id, i));
    iso_jobs.push_back(s.job(iso_ids.back(), fmt::format("alone {}/{}", i, repeat)));
  }
  ChildRunOptions alone;
  alone.stop_grace = s.stop_grace;
  alone.extra_env = {s.guard->child_env()};
  alone.on_progress = say;
  alone.on_start = [&](std::size_t i) { say(fmt::format("alone {}/{}: started → run {}", i + 1, repeat, iso_ids[i])); };
  alone.on_finish = [&](std::size_t i) {
    s.guard->child_finished(s.runs_dir / iso_ids[i]);
    isolation.push_back(collect(iso_jobs[i], s.runs_dir, iso_ids[i], false, static_cast<int>(i) + 1, false));
    say(fmt::format("alone {}/{}: {:.0f}s, exit {}: {}", i + 1, repeat, iso_jobs[i].seconds, iso_jobs[i].exit_code,
                    signature_of(isolation.back()).label));
  };
  bool completed = run_children(iso_jobs, alone);
  // A bad invocation (the child said exit 2) is our input, not a result.
  // Its log is quoted, then the session's logs go: bad input leaves nothing.
  if (!isolation.empty() && isolation.front().exit_code == 2) {
    auto why = tail_of(iso_jobs.front().log, 5);
    std::error_code ec;
    fs::remove_all(s.logs, ec);
    throw InputError(fmt::format("the first run refused its input (exit 2): {}", why));
  }
  return completed;
}

// Each round, the measured run and `load_k` others start together; false when stopped early.
bool run_under_load(const Session& s, int repeat, int load_k, std::vector<TriageRun>& load) {
  bool completed = true;
  for (int round = 1; completed && load_k > 0 && round <= repeat; ++round) {
    std::vector<ChildJob> jobs;
    std::vector<std::string> ids;
    for (int k = 0; k <= load_k; ++k) {
      ids.push_back(k == 0 ? fmt::format("{}-load-{:02}", s.id, round)
                           : fmt::format("{}-load-{:02}-beside-{}", s.id, round, k));
      jobs.push_back(s.job(ids.back(), k == 0 ? fmt::format("load {}/{}", round, repeat)
                                              : fmt::format("load {}/{} beside {}", round, repeat, k)));
    }
    say(fmt::format("under load {}/{}: {} runs at once", round, repeat, jobs.size()));
    ChildRunOptions together;
    together.parallel = jobs.size();
    together.stop_grace = s.stop_grace;
    together.extra_env = {s.guard->child_env()};
    together.on_progress = say;
    together.on_finish = [&](std::size_t i) {
      s.guard->child_finished(s.runs_dir / ids[i]);
      load.push_back(collect(jobs[i], s.runs_dir, ids[i], true, round, i > 0));
      say(fmt::format("under load {}/{}{}: {:.0f}s, exit {}: {}", round, repeat, i ? " (beside)" : "", jobs[i].seconds,
                      jobs[i].exit_code, signature_of(load.back()).label));
    };
    completed = run_children(jobs, together);
  }
  std::stable_sort(load.begin(), load.end(), [](const TriageRun& a, const TriageRun& b) {
    return a.round != b.round ? a.round < b.round : a.background < b.background; // finish order → round order
  });
  return completed;
}

void print_help(const po::options_description& desc) {
  std::cout << "Usage: ccci triage RECIPE_DIR --repeat N [--load K] [--recipe NAME] [--runs-dir DIR] [-- RUN ARGS]\n\n"
               "Reruns the recipe N times alone, then N rounds of it beside K other runs of itself\n"
               "(each its own stack), and classifies what it saw: genuine (red at the same tier and\n"
               "check every time), flake (the runs alone disagree), load-sensitive (green alone, red\n"
               "under load), harness (ccci or the machine failed: unverified, exit 2/3) or\n"
               "not-reproduced (green every time). Arguments after `--` go to every `ccci run`,\n"
               "e.g. `-- --tiers install,custom`. Writes triage-report.json and triage-report.txt\n"
               "in the runs dir. Exit 0: not reproduced; 1: a red was classified; 2: bad input;\n"
               "3: harness trouble or interrupted.\n\n"
            << desc;
}

} // namespace

int cmd_triage(const Args& all_args) {
  // Everything after `--` goes to each `ccci run` untouched.
  Session s;
  Args args;
  auto dash = std::find(all_args.begin(), all_args.end(), "--");
  args.assign(all_args.begin(), dash);
  if (dash != all_args.end()) s.extra.assign(dash + 1, all_args.end());

  auto desc = triage_options();
  po::positional_options_description pos;
  pos.add("recipe-dir", 1);
  auto vm = parse_options("triage", args, desc, &pos);
  if (vm.count("help")) {
    print_help(desc);
    return 0;
  }
  if (!vm.count("recipe-dir"))
    throw InputError("ccci triage: the recipe directory is required (ccci triage RECIPE_DIR --repeat N); see "
                     "`ccci triage --help`");
  if (!vm.count("repeat")) throw InputError("ccci triage: --repeat N is required (e.g. --repeat 4)");
  const int repeat = vm["repeat"].as<int>();
  const int load_k = vm["load"].as<int>();
  if (repeat < 1 || repeat > 100) throw InputError(fmt::format("--repeat {}: must be between 1 and 100", repeat));
  if (load_k < 0 || load_k > 16) throw InputError(fmt::format("--load {}: must be between 0 and 16", load_k));
  s.recipe_dir = fs::absolute(vm["recipe-dir"].as<std::string>());
  if (!fs::is_directory(s.recipe_dir))
    throw InputError(fmt::format("{}: not a directory; give the recipe's git checkout", s.recipe_dir.string()));
  s.recipe = vm.count("recipe") ? vm["recipe"].as<std::string>() : s.recipe_dir.filename().string();
  s.runs_dir = path_option(vm, "runs-dir", default_runs_dir());
  s.stop_grace = stop_grace_option(vm);
  install_stop_handlers();
  fs::create_directories(s.runs_dir);
  std::string stamp;
  for (char ch : now_iso8601().substr(0, 19))
    stamp += (ch == ':' ? '-' : ch);
  s.id = fmt::format("triage-{}-{}", stamp, random_hex(4));
  s.logs = s.runs_dir / (s.id + ".logs");
  fs::create_directories(s.logs);
  // What this command prints and writes passes its children's fingerprints.
  ChildLeakGuard guard;
  s.guard = &guard;
  RedactedOutput redacted_out(std::cout, guard);

  say(fmt::format("{}: {} run(s) alone, then {} round(s) of 1 + {} beside it; runs in {}", s.recipe, repeat,
                  load_k ? repeat : 0, load_k, s.runs_dir.string()));
  std::vector<TriageRun> isolation, load;
  bool completed = run_alone(s, repeat, isolation) && run_under_load(s, repeat, load_k, load);

  auto report = classify_triage(isolation, load);
  const auto& runs_dir = s.runs_dir;
  const auto& recipe = s.recipe;
  auto json_report = triage_report_json(report, isolation, load, recipe, repeat, load_k);
  auto text = triage_report_text(report, isolation, load, recipe, repeat, load_k);
  auto scan = guard.scan({s.logs}, {{"triage-report.json", json_report}, {"triage-report.txt", text}});
  text += fmt::format("no_secret_leak={} in this command's reports and logs\n", scan.clean());
  for (auto& f : scan.findings())
    text += fmt::format("  SECRET LEAK: {}\n", f);
  write_file_atomically(runs_dir / "triage-report.json", guard.redact(with_leak_flag(json_report, scan)));
  write_file_atomically(runs_dir / "triage-report.txt", guard.redact(text));
  std::cout << "\n" << text << "report: " << (runs_dir / "triage-report.json").string() << "\n";
  if (!scan.clean()) return 1;
  if (!completed) {
    std::cout << "interrupted: the classification covers only the runs that finished\n";
    return 3;
  }
  switch (report.cls) {
  case TriageClass::not_reproduced: return 0;
  case TriageClass::harness: return 3;
  default: return 1;
  }
}

} // namespace ccci::cli
