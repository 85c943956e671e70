// The bad-input table (docs/bad-input.md): what ccci answers to wrong
// options, meta files, plugins and paths — exit 2 naming the option or file
// and the fix, before anything is made — and to recipe defects, which are
// reds at the tier where they bite (docs/architecture.md, "Verdicts"). Every
// row also holds ccci to what any answer must be: no crash, no hang, no raw
// exception text, nothing left behind (no stack object, no half-made run
// directory, no temporary directory).
#define BOOST_TEST_MODULE integration_bad_input
#include <boost/test/unit_test.hpp>

#include "model/results.hpp"
#include "os/process.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;

namespace {

const fs::path work = fs::path(CCCI_TEST_WORK_DIR) / "bad-input";
const fs::path repos = fs::path(CCCI_TEST_WORK_DIR) / "repos";
const fs::path good_repo = repos / "custom-html-tiny";
const fs::path test_plugins = CCCI_TEST_PLUGIN_DIR;
const fs::path recipe_plugins = CCCI_PLUGIN_DIR;

// A hang is killed here and reported as the row's failure: a guard, never a
// measurement (no row's verdict depends on how long it took).
constexpr auto hang_guard = std::chrono::minutes(3);

void git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{
      "git", "-C", dir.string(), "-c", "user.name=ccci test", "-c", "user.email=test@ccci.invalid"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.merge_stderr = true;
  auto r = run_process(argv, o);
  if (!r.ok()) throw std::runtime_error(fmt::format("{} failed: {}", fmt::join(argv, " "), r.out));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error(fmt::format("'{}' not found to replace", from));
  return text.replace(at, from.size(), to);
}

/// One row's world: its own directories, the recipe name its objects would
/// carry, and the command line it builds.
struct Case {
  std::string id;     ///< short, unique: the recipe is bi-<id>
  std::string recipe; ///< bi-<id>: its stack would be named after it
  fs::path dir, runs, state, tmp, meta, no_plugins;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;

  /// `ccci run` of `recipe_dir` as this row's recipe, into its own runs
  /// dir, its own meta and no plugin, then `extra`.
  std::vector<std::string> run(const fs::path& recipe_dir, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"run",         "--recipe-dir", recipe_dir.string(), "--recipe",
                               recipe,        "--runs-dir",   runs.string(),       "--recipes-dir",
                               meta.string(), "--plugin-dir", no_plugins.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  /// run(recipe_dir) with the value of its `option` replaced, or the option
  /// left out when `value` is empty.
  std::vector<std::string> run_setting(const fs::path& recipe_dir, const std::string& option,
                                       const std::string& value) const {
    auto a = run(recipe_dir);
    auto at = std::find(a.begin(), a.end(), option);
    if (value.empty())
      a.erase(at, at + 2);
    else
      *(at + 1) = value;
    return a;
  }
  /// The row's meta file, recipes/<recipe>/ccci.yml.
  fs::path write_meta(const std::string& text) const {
    auto file = meta / recipe / "ccci.yml";
    write(file, text);
    return file;
  }
  /// The example recipe with `edit` applied to its tree and committed on top
  /// of its newest release (tested with --ref HEAD).
  fs::path derived_repo(const std::function<void(const fs::path&)>& edit) const {
    auto repo = dir / "repo";
    git(dir, {"clone", "--quiet", good_repo.string(), repo.string()});
    edit(repo);
    git(repo, {"add", "-A"});
    git(repo, {"commit", "--quiet", "-m", "the defect under test"});
    return repo;
  }
};

struct Row {
  std::string id;
  std::string what;                         ///< the input, as docs/bad-input.md lists it
  std::function<void(Case&)> setup;         ///< fills args (and env, files)
  int exit;                                 ///< 2: bad input; 1: a red
  std::vector<std::string> says;            ///< in the output (exit 2) or the check's message (red)
  std::string red_check = "install/render"; ///< for exit 1: the failed check
};

// Substrings may name the row's recipe as {recipe}.
std::string expand(const std::string& s, const Case& c) {
  std::string out = s;
  for (auto at = out.find("{recipe}"); at != std::string::npos; at = out.find("{recipe}"))
    out.replace(at, 8, c.recipe);
  return out;
}

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_directory(dir, ec))
    for (auto& e : fs::directory_iterator(dir))
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// Runs one row and checks its answer and what every answer must be.
/// Returns the stack names its objects would carry, for the leftovers check.
std::vector<std::string> check_row(const Row& row) {
  Case c;
  c.id = row.id;
  c.recipe = "bi-" + row.id;
  c.dir = work / row.id;
  fs::remove_all(c.dir);
  c.runs = c.dir / "runs";
  c.state = c.dir / "state";
  c.tmp = c.dir / "tmp";
  c.meta = c.dir / "recipes";
  c.no_plugins = c.dir / "plugins";
  for (auto& d : {c.tmp, c.meta, c.no_plugins})
    fs::create_directories(d);
  // Nothing reaches the machine's own state or temporary directory.
  c.env = {{"CCCI_STATE_DIR", c.state.string()}, {"CCCI_RUNS_DIR", c.runs.string()}, {"TMPDIR", c.tmp.string()}};
  row.setup(c);
  const auto runs_before = entries_of(c.runs);
  const bool state_before = fs::exists(c.state);

  std::vector<std::string> argv{CCCI_BIN};
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  ProcessOptions o;
  o.timeout = hang_guard;
  o.merge_stderr = true;
  for (auto& [k, v] : c.env)
    o.extra_env.push_back(k + "=" + v);
  auto r = run_process(argv, o);
  BOOST_TEST_MESSAGE(fmt::format("[{}] ccci {}: {}\n{}", row.id, fmt::join(c.args, " "), r.describe(), r.out));

  BOOST_TEST(!r.timed_out, "hung: killed after " << hang_guard.count() << " min");
  BOOST_TEST(r.signal == 0, "killed by signal " << r.signal);
  BOOST_TEST((r.exit_code >= 0 && r.exit_code <= 3), "exit " << r.exit_code);
  BOOST_TEST(r.exit_code == row.exit, "exit " << r.exit_code << ", expected " << row.exit << ": " << r.out);
  for (const char* raw : {"terminate called", "what():", "internal error", "Segmentation"})
    BOOST_TEST(r.out.find(raw) == std::string::npos, "raw failure text '" << raw << "': " << r.out);
  BOOST_TEST(entries_of(c.tmp).empty(),
             "temporary files left: " << fmt::format("{}", fmt::join(entries_of(c.tmp), " ")));

  std::vector<std::string> stacks{c.recipe + "-"};
  const auto runs_after = entries_of(c.runs);
  if (row.exit == 2) {
    for (auto& s : row.says)
      BOOST_TEST(r.out.find(expand(s, c)) != std::string::npos, "output lacks '" << expand(s, c) << "': " << r.out);
    BOOST_TEST(runs_after == runs_before,
               "the runs dir changed for bad input: " << fmt::format("{}", fmt::join(runs_after, " ")));
    BOOST_TEST(fs::exists(c.state) == state_before, "the state dir was made for bad input");
    return stacks;
  }
  // A red: exactly one run directory, complete, with the failed check named.
  BOOST_TEST_REQUIRE(runs_after.size() == 1u, "run dirs: " << fmt::format("{}", fmt::join(runs_after, " ")));
  auto results_file = c.runs / runs_after.front() / "results.json";
  BOOST_TEST_REQUIRE(fs::exists(results_file), "a red without results.json");
  auto results = results_from_json(read(results_file), results_file.string());
  stacks.push_back(results.stack);
  BOOST_TEST(results.clean_teardown);
  BOOST_TEST(results.no_secret_leak);
  const std::string tier = row.red_check.substr(0, row.red_check.find('/'));
  BOOST_TEST((to_string(results.tier(*tier_from_string(tier)).status) == std::string("fail")), tier);
  const CheckRecord* failed = nullptr;
  for (auto& t : results.tiers)
    for (auto& ch : t.checks)
      if (ch.name == row.red_check) failed = &ch;
  BOOST_TEST_REQUIRE(failed, "no check " << row.red_check);
  BOOST_TEST((failed->status == Status::fail), row.red_check);
  for (auto& s : row.says)
    BOOST_TEST(failed->message.find(expand(s, c)) != std::string::npos,
               row.red_check << " lacks '" << expand(s, c) << "': " << failed->message);
  return stacks;
}

/// Every row of `rows`, then one look at docker for anything named after
/// any of them (their stacks, secrets, configs, networks, volumes).
void check_rows(const std::vector<Row>& rows) {
  std::vector<std::string> stacks;
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT("row " << row.id << ": " << row.what) {
      try {
        auto s = check_row(row);
        stacks.insert(stacks.end(), s.begin(), s.end());
      } catch (const std::exception& e) {
        BOOST_ERROR("row " << row.id << " could not be run: " << e.what());
      }
    }
  }
  DockerInventory docker({DockerObject::stack, DockerObject::service, DockerObject::container, DockerObject::network,
                          DockerObject::volume, DockerObject::secret, DockerObject::config});
  for (auto& s : stacks) {
    auto left = docker.matching(s);
    BOOST_TEST(left.empty(), "left behind for " << s << ": " << fmt::format("{}", fmt::join(left, ", ")));
  }
}

// ---------------------------------------------------------------- the table

using Args = std::vector<std::string>;

Row bad(std::string id, std::string what, std::function<void(Case&)> setup, std::vector<std::string> says) {
  return {std::move(id), std::move(what), std::move(setup), 2, std::move(says)};
}

Row red(std::string id, std::string what, std::function<void(Case&)> setup, std::vector<std::string> says,
        std::string check = "install/render") {
  return {std::move(id), std::move(what), std::move(setup), 1, std::move(says), std::move(check)};
}

// `ccci run` of the example recipe with `extra`.
std::function<void(Case&)> run_with(Args extra) {
  return [extra](Case& c) { c.args = c.run(good_repo, extra); };
}

// `ccci <command> ...` as given.
std::function<void(Case&)> command(Args args) {
  return [args](Case& c) { c.args = args; };
}

// `ccci run` of the example recipe with the row's meta file holding `text`.
std::function<void(Case&)> meta(std::string text, Args extra = {}) {
  return [text, extra](Case& c) {
    c.write_meta(text);
    c.args = c.run(good_repo, extra);
  };
}

const std::vector<Row>& option_rows() {
  static const std::vector<Row> rows = {
      bad("o01", "`ccci run` with an unknown option", run_with({"--frobnicate"}),
          {"--frobnicate", "see `ccci run --help`"}),
      bad("o02", "`ccci run` with an option missing its value", run_with({"--run-id"}),
          {"--run-id", "see `ccci run --help`"}),
      bad("o03", "`ccci run` without --recipe-dir", command({"run"}),
          {"--recipe-dir is required", "see `ccci run --help`"}),
      bad("o04", "`ccci run` with --recipe-dir given twice",
          [](Case& c) {
            c.args = c.run(good_repo, {"--recipe-dir", good_repo.string()});
          },
          {"--recipe-dir", "see `ccci run --help`"}),
      bad("o05", "`ccci run` with a stray word", run_with({"stray"}), {"'stray'", "see `ccci run --help`"}),
      bad("o06", "--deploy-timeout that is not a number", run_with({"--deploy-timeout", "soon"}),
          {"--deploy-timeout", "soon", "see `ccci run --help`"}),
      bad("o07", "--deploy-timeout 0", run_with({"--deploy-timeout", "0"}),
          {"--deploy-timeout 0: must be a positive number of seconds"}),
      bad("o08", "--deploy-timeout -5 (a negative duration as its own word)", run_with({"--deploy-timeout", "-5"}),
          {"--deploy-timeout -5: must be a positive number of seconds"}),
      bad("o09", "--check-timeout=-1", run_with({"--check-timeout=-1"}),
          {"--check-timeout -1: must be a positive number of seconds"}),
      bad("o10", "--deploy-timeout beyond any int", run_with({"--deploy-timeout", "99999999999"}),
          {"--deploy-timeout", "99999999999", "see `ccci run --help`"}),
      bad("o11", "--tiers naming an unknown tier", run_with({"--tiers", "install,smoke"}),
          {"--tiers: 'smoke' is not a tier", "install, upgrade, backup, restore, custom, lint"}),
      bad("o12", "--tiers with no tier in it", run_with({"--tiers", ","}),
          {"--tiers: empty list", "name at least one tier"}),
      bad("o13", "--version and --ref together", run_with({"--version", "1.1.0+1.22.1", "--ref", "HEAD"}),
          {"--version and --ref exclude each other"}),
      bad("o14", "--version that is no release tag", run_with({"--version", "latest"}),
          {"--version latest: not a release tag", "use --ref for other refs"}),
      bad("o15", "--run-id with a '/'", run_with({"--run-id", "a/b"}), {"--run-id 'a/b'", "must be a plain name"}),
      bad("o16", "--run-id starting with '.'", run_with({"--run-id", ".hidden"}),
          {"--run-id '.hidden'", "must be a plain name"}),
      bad("o17", "--run-id of a run that exists",
          [](Case& c) {
            fs::create_directories(c.runs / "taken");
            c.args = c.run(good_repo, {"--run-id", "taken"});
          },
          {"a run with this id already exists", "pick another --run-id"}),
      bad("o18", "--edge-port 99999", run_with({"--edge-port", "99999"}), {"--edge-port '99999'", "from 1 to 65535"}),
      bad("o19", "--edge-port 0", run_with({"--edge-port", "0"}), {"--edge-port '0'", "from 1 to 65535"}),
      bad("o20", "--edge-port -1", run_with({"--edge-port", "-1"}), {"--edge-port '-1'", "from 1 to 65535"}),
      bad("o21", "--edge-port abc", run_with({"--edge-port", "abc"}), {"--edge-port 'abc'", "from 1 to 65535"}),
      bad("o22", "CCCI_EDGE_PORT=99999",
          [](Case& c) {
            c.args = c.run(good_repo);
            c.env["CCCI_EDGE_PORT"] = "99999";
          },
          {"CCCI_EDGE_PORT '99999'", "from 1 to 65535"}),
      bad("o23", "CCCI_EDGE_PORT=8480abc",
          [](Case& c) {
            c.args = c.run(good_repo);
            c.env["CCCI_EDGE_PORT"] = "8480abc";
          },
          {"CCCI_EDGE_PORT '8480abc'", "from 1 to 65535"}),
      bad("o24", "--canonical that is no release tag", run_with({"--canonical", "banana"}),
          {"--canonical banana: not a release tag"}),
      bad("o25", "--keep-running given a value", run_with({"--keep-running=yes"}),
          {"--keep-running", "see `ccci run --help`"}),
      bad("o26", "an unknown command", command({"frob"}), {"no command 'frob'", "see `ccci --help`"}),
      bad("o27", "`ccci help` of an unknown command", command({"help", "frob"}), {"no command 'frob'"}),
      bad("o28", "`ccci` with no command", command({}), {"Usage:", "ccci run --recipe-dir PATH"}),
      bad("o29", "`ccci sweep` with an unknown option", command({"sweep", "--frobnicate"}),
          {"--frobnicate", "see `ccci sweep --help`"}),
      bad("o30", "`ccci sweep --stop-grace 0`", command({"sweep", "--stop-grace", "0"}),
          {"--stop-grace 0: must be a positive number of seconds"}),
      bad("o31", "`ccci sweep --stop-grace -3`", command({"sweep", "--stop-grace", "-3"}),
          {"--stop-grace -3: must be a positive number of seconds"}),
      bad("o32", "`ccci sweep` with nothing enrolled",
          [](Case& c) {
            c.write_meta("enroll: false\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string()};
          },
          {"no enrolled recipes", "set `enroll: true`"}),
      bad("o33", "`ccci sweep --only` of a recipe not enrolled",
          [](Case& c) {
            c.write_meta("enroll: true\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string(), "--only", "nosuch"};
          },
          {"among nosuch", "set `enroll: true`"}),
      bad("o34", "`ccci sweep --state-dir` that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.write_meta("enroll: true\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string(), "--state-dir", (c.dir / "a-file").string()};
          },
          {"--state-dir", "a-file: not a directory"}),
      bad("o35", "`ccci sweep --runs-dir` that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.write_meta("enroll: true\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string(), "--runs-dir", (c.dir / "a-file").string()};
          },
          {"--runs-dir", "a-file: not a directory"}),
      bad("o36", "`ccci canary --only` of no such canary", command({"canary", "--only", "nosuch"}),
          {"--only nosuch: no such canary", "canaries:"}),
      bad("o37", "`ccci canary --spec` of a missing file",
          [](Case& c) {
            c.args = {"canary", "--spec", (c.dir / "nope.yml").string()};
          },
          {"nope.yml: no canary spec there", "pass --spec FILE"}),
      bad("o38", "`ccci canary --stop-grace abc`", command({"canary", "--stop-grace", "abc"}),
          {"--stop-grace", "see `ccci canary --help`"}),
      bad("o39", "`ccci triage` without a recipe", command({"triage"}),
          {"the recipe directory is required", "ccci triage RECIPE_DIR --repeat N"}),
      bad("o40", "`ccci triage` without --repeat", command({"triage", good_repo.string()}), {"--repeat N is required"}),
      bad("o41", "`ccci triage --repeat 0`", command({"triage", good_repo.string(), "--repeat", "0"}),
          {"--repeat 0: must be between 1 and 100"}),
      bad("o42", "`ccci triage --load -1`", command({"triage", good_repo.string(), "--repeat", "1", "--load", "-1"}),
          {"--load -1: must be between 0 and 16"}),
      bad("o43", "`ccci triage` of a directory that is missing",
          [](Case& c) {
            c.args = {"triage", (c.dir / "nope").string(), "--repeat", "1"};
          },
          {"nope: not a directory", "give the recipe's git checkout"}),
      bad("o44", "`ccci triage` of a directory that is no recipe (its first run refuses)",
          [](Case& c) {
            fs::create_directories(c.dir / "plain");
            c.args = {"triage", (c.dir / "plain").string(), "--repeat", "1", "--load", "0", "--recipe", c.recipe};
          },
          {"the first run refused its input", "not a git repository"}),
      bad("o45", "`ccci doctor` with an unknown option", command({"doctor", "--frobnicate"}),
          {"--frobnicate", "see `ccci doctor --help`"}),
      bad("o46", "`ccci doctor --json=yes`", command({"doctor", "--json=yes"}), {"--json", "see `ccci doctor --help`"}),
      bad("o47", "`ccci doctor --plugin-dir` that is missing",
          [](Case& c) {
            c.args = {"doctor", "--plugin-dir", (c.dir / "nope").string()};
          },
          {"--plugin-dir", "nope: not a directory"}),
      bad("o49", "`ccci report junit` without a run directory", command({"report", "junit"}),
          {"ccci report junit: the run directory is required", "see `ccci report junit --help`"}),
      bad("o50", "`ccci report junit` with an unknown option", command({"report", "junit", "--frobnicate"}),
          {"--frobnicate", "see `ccci report --help`"}),
      bad("o60", "`ccci report` with an unknown option", command({"report", "--frobnicate"}),
          {"--frobnicate", "see `ccci report --help`"}),
      bad("o61", "`ccci report --out` that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = {"report", "--out", (c.dir / "a-file").string()};
          },
          {"--out", "a-file: not a directory"}),
      bad("o62", "`ccci report --runs-dir` that is missing",
          [](Case& c) {
            c.args = {"report", "--runs-dir", (c.dir / "nope").string()};
          },
          {"--runs-dir", "nope: no such directory"}),
      bad("o63", "`ccci report --state-dir` that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = {"report", "--state-dir", (c.dir / "a-file").string()};
          },
          {"--state-dir", "a-file: not a directory"}),
      bad("o64", "`ccci report --out` inside the runs dir",
          [](Case& c) {
            fs::create_directories(c.runs);
            c.args = {"report", "--runs-dir", c.runs.string(), "--out", (c.runs / "site").string()};
          },
          {"--out", "is inside the runs directory", "a directory of its own"}),
      bad("o65", "`ccci sweep --report-dir` that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.write_meta("enroll: true\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string(), "--report-dir", (c.dir / "a-file").string()};
          },
          {"--report-dir", "a-file: not a directory"}),
      bad("o66", "`ccci sweep --jobs 0`", command({"sweep", "--jobs", "0"}), {"--jobs 0: must be from 1 to 64"}),
      bad("o67", "`ccci sweep --jobs -2`", command({"sweep", "--jobs", "-2"}), {"--jobs -2: must be from 1 to 64"}),
      bad("o68", "`ccci sweep --jobs 65`", command({"sweep", "--jobs", "65"}),
          {"--jobs 65: must be from 1 to 64", "leave it out for"}),
      bad("o69", "`ccci sweep --jobs many`", command({"sweep", "--jobs", "many"}),
          {"--jobs", "see `ccci sweep --help`"}),
  };
  return rows;
}

const std::vector<Row>& meta_rows() {
  static const std::vector<Row> rows = {
      bad("m01", "a meta file that is not YAML", meta("deploy_timeout: [1,\n"),
          {"{recipe}/ccci.yml:", "invalid YAML", "fix the syntax"}),
      bad("m02", "a meta file that is a list", meta("- deploy_timeout\n"),
          {"{recipe}/ccci.yml:1", "must be a map of settings"}),
      bad("m03", "a meta file that is a bare word", meta("hello\n"),
          {"{recipe}/ccci.yml:1", "must be a map of settings"}),
      bad("m04", "a misspelt key", meta("deploy_timout: 30\n"),
          {"{recipe}/ccci.yml:1", "unknown key 'deploy_timout'", "did you mean 'deploy_timeout'?"}),
      bad("m05", "an unknown key", meta("colour: blue\n"), {"{recipe}/ccci.yml:1", "unknown key 'colour'", "known:"}),
      bad("m06", "deploy_timeout that is not a number", meta("deploy_timeout: soon\n"),
          {"{recipe}/ccci.yml:1", "'deploy_timeout' must be a positive whole number", "e.g. deploy_timeout: 300"}),
      bad("m07", "deploy_timeout: 0", meta("deploy_timeout: 0\n"),
          {"{recipe}/ccci.yml:1", "'deploy_timeout' must be a positive whole number"}),
      bad("m08", "check_timeout: -5", meta("check_timeout: -5\n"),
          {"{recipe}/ccci.yml:1", "'check_timeout' must be a positive whole number", "e.g. check_timeout: 60"}),
      bad("m09", "check_timeout that is a list", meta("check_timeout: [1]\n"),
          {"{recipe}/ccci.yml:1", "'check_timeout' must be a positive whole number of seconds, got list"}),
      bad("m10", "deploy_timeout: 1.5", meta("deploy_timeout: 1.5\n"),
          {"{recipe}/ccci.yml:1", "'deploy_timeout' must be a positive whole number of seconds, got '1.5'"}),
      bad("m11", "env that is a list", meta("env: [A]\n"), {"{recipe}/ccci.yml:1", "'env' must be a map"}),
      bad("m12", "env naming no variable", meta("env:\n  1BAD: x\n"),
          {"{recipe}/ccci.yml:2", "'1BAD' is not a variable name", "use letters, digits and '_'"}),
      bad("m13", "an env value that is a map", meta("env:\n  X: {a: 1}\n"),
          {"{recipe}/ccci.yml:2", "'env.X' must be a string"}),
      bad("m14", "readiness that is a map", meta("readiness: {path: /}\n"),
          {"{recipe}/ccci.yml:1", "'readiness' must be a list of probes"}),
      bad("m15", "a readiness probe that is a word", meta("readiness:\n  - /health\n"),
          {"{recipe}/ccci.yml:2", "a readiness probe must be a map"}),
      bad("m16", "readiness.path without a leading '/'", meta("readiness:\n  - path: health\n"),
          {"{recipe}/ccci.yml:2", "readiness.path must start with '/'", "e.g. path: /health"}),
      bad("m17", "readiness.expect_status 999", meta("readiness:\n  - expect_status: 999\n"),
          {"{recipe}/ccci.yml:2", "must be an HTTP status (100-599)"}),
      bad("m18", "readiness.expect_status that is not a number", meta("readiness:\n  - expect_status: ok\n"),
          {"{recipe}/ccci.yml:2", "'readiness.expect_status' must be a whole number", "e.g. expect_status: 200"}),
      bad("m19", "readiness.attempts: 0", meta("readiness:\n  - attempts: 0\n"),
          {"{recipe}/ccci.yml:2", "'readiness.attempts' must be a positive whole number"}),
      bad("m20", "readiness.interval that is not a number", meta("readiness:\n  - interval: soon\n"),
          {"{recipe}/ccci.yml:2", "'readiness.interval' must be a positive whole number"}),
      bad("m21", "a misspelt probe key", meta("readiness:\n  - pth: /\n"),
          {"{recipe}/ccci.yml:2", "unknown key 'pth' in a readiness probe", "did you mean 'path'?"}),
      bad("m22", "expected_skips that is a list", meta("expected_skips: [backup]\n"),
          {"{recipe}/ccci.yml:1", "'expected_skips' must be a map of tier to reason"}),
      bad("m23", "expected_skips naming no tier", meta("expected_skips:\n  smoke: \"no smoke\"\n"),
          {"{recipe}/ccci.yml:2", "expected_skips: 'smoke' is not a tier", "tiers: install"}),
      bad("m24", "an expected skip with a blank reason", meta("expected_skips:\n  backup: \"  \"\n"),
          {"{recipe}/ccci.yml:2", "expected_skips.backup needs a reason", "say why the tier does not apply"}),
      bad("m25", "an expected skip with no reason", meta("expected_skips:\n  backup:\n"),
          {"{recipe}/ccci.yml:2", "expected_skips.backup needs a reason"}),
      bad("m26", "enroll: yes", meta("enroll: yes\n"), {"{recipe}/ccci.yml:1", "'enroll' must be true or false"}),
      bad("m27", "upgrade_base that is no release tag", meta("upgrade_base: latest\n"),
          {"{recipe}/ccci.yml:1", "'upgrade_base' must be a release tag", "e.g. upgrade_base: \"1.0.0+1.22.1\""}),
      bad("m28", "upgrade_base that is not a tag of the recipe", meta("upgrade_base: \"0.9.0+1.22.1\"\n"),
          {"{recipe}/ccci.yml: upgrade_base '0.9.0+1.22.1' is not a release tag of the recipe",
           "newest first: 1.1.0+1.22.1, 1.0.0+1.22.1", "or remove upgrade_base"}),
      bad("m29", "upgrade_base newer than the version under test",
          meta("upgrade_base: \"1.1.0+1.22.1\"\n", {"--version", "1.0.0+1.22.1"}),
          {"{recipe}/ccci.yml: upgrade_base '1.1.0+1.22.1' is newer than the version under test 1.0.0+1.22.1",
           "pin an older release, or remove upgrade_base"}),
      bad("m30", "upstream that is empty", meta("upstream: \"\"\n"),
          {"{recipe}/ccci.yml:1", "'upstream' must be a non-empty string"}),
      bad("m31", "a meta path that is a directory",
          [](Case& c) {
            fs::create_directories(c.meta / c.recipe / "ccci.yml");
            c.args = c.run(good_repo);
          },
          {"{recipe}/ccci.yml: cannot read the recipe meta file", "check the path"}),
      bad("m32", "`ccci sweep` over a recipe whose meta is wrong",
          [](Case& c) {
            c.write_meta("enroll: true\ndeploy_timeout: -1\n");
            c.args = {"sweep", "--recipes-dir", c.meta.string()};
          },
          {"{recipe}/ccci.yml:2", "'deploy_timeout' must be a positive whole number"}),
  };
  return rows;
}

const std::vector<Row>& plugin_rows() {
  static const std::vector<Row> rows = {
      bad("p01", "--plugin of a missing file",
          [](Case& c) {
            c.args = c.run(good_repo, {"--plugin", (c.dir / "nope.so").string()});
          },
          {"nope.so: no such file", "pass --plugin with the path of a .so"}),
      bad("p02", "--plugin of a directory",
          [](Case& c) {
            fs::create_directories(c.dir / "dir.so");
            c.args = c.run(good_repo, {"--plugin", (c.dir / "dir.so").string()});
          },
          {"dir.so: is a directory", "pass --plugin with the path of the recipe's .so"}),
      bad("p03", "--plugin of a file that is not a shared object",
          [](Case& c) {
            write(c.dir / "text.so", "not an ELF file\n");
            c.args = c.run(good_repo, {"--plugin", (c.dir / "text.so").string()});
          },
          {"text.so: cannot be loaded", "built against this ccci's SDK"}),
      bad("p04", "--plugin of a shared object that exports no plugin",
          run_with({"--plugin", (test_plugins / "no_exports.so").string()}),
          {"no_exports.so: does not export 'ccci_abi_version'", "CCCI_PLUGIN(\"<recipe>\")"}),
      bad("p05", "--plugin built for another plugin ABI",
          run_with({"--plugin", (test_plugins / "wrong_abi.so").string()}),
          {"wrong_abi.so: built for plugin ABI", "rebuild the plugin against this ccci's SDK"}),
      bad("p06", "--plugin written for another recipe",
          run_with({"--plugin", (recipe_plugins / "notes-pg.so").string()}),
          {"notes-pg.so: is for recipe 'notes-pg', not '{recipe}'", "pass --plugin with this recipe's plugin"}),
      bad("p07", "a <recipe>.so in --plugin-dir that is a directory",
          [](Case& c) {
            fs::create_directories(c.no_plugins / (c.recipe + ".so"));
            c.args = c.run(good_repo);
          },
          {"{recipe}.so: is a directory", "pass --plugin with the path of the recipe's .so"}),
      bad("p08", "a <recipe>.so in --plugin-dir that is not a shared object",
          [](Case& c) {
            write(c.no_plugins / (c.recipe + ".so"), "garbage");
            c.args = c.run(good_repo);
          },
          {"{recipe}.so: cannot be loaded", "built against this ccci's SDK"}),
  };
  return rows;
}

// A git repository in the row's directory holding `files`, committed once.
fs::path plain_repo(const Case& c, const std::map<std::string, std::string>& files) {
  auto repo = c.dir / "plain-repo";
  fs::create_directories(repo);
  git(repo, {"init", "--quiet"});
  for (auto& [name, text] : files)
    write(repo / name, text);
  if (!files.empty()) {
    git(repo, {"add", "-A"});
    git(repo, {"commit", "--quiet", "-m", "one commit"});
  }
  return repo;
}

const std::vector<Row>& path_rows() {
  static const std::vector<Row> rows = {
      bad("a01", "--recipe-dir that is missing", [](Case& c) { c.args = c.run(c.dir / "nope"); },
          {"nope: not a directory", "--recipe-dir takes a recipe's git checkout"}),
      bad("a02", "--recipe-dir that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run(c.dir / "a-file");
          },
          {"a-file: not a directory", "--recipe-dir takes a recipe's git checkout"}),
      bad("a03", "--recipe-dir that is not a git repository",
          [](Case& c) {
            fs::create_directories(c.dir / "plain");
            c.args = c.run(c.dir / "plain");
          },
          {"plain: not a recipe: not a git repository", "clone one"}),
      bad("a04", "--recipe-dir inside another repository",
          [](Case& c) {
            auto outer = plain_repo(c, {{"README", "x"}});
            fs::create_directories(outer / "inner");
            c.args = c.run(outer / "inner");
          },
          {"inner: not a recipe: not a git repository of its own (it lies inside", "clone one"}),
      bad("a05", "a repository with neither compose.yml nor .env.sample",
          [](Case& c) {
            c.args = c.run(plain_repo(c, {{"README.md", "# no recipe\n"}}));
          },
          {"not a recipe: commit", "has neither compose.yml nor .env.sample at its root"}),
      bad("a06", "a repository without a commit", [](Case& c) { c.args = c.run(plain_repo(c, {})); },
          {"no commit for 'HEAD'", "tag` for the release tags"}),
      bad("a07", "--version asked of a repository without tags",
          [](Case& c) {
            c.args = c.run(plain_repo(c, {{"compose.yml", "services: {}\n"}, {".env.sample", "TYPE=x\n"}}),
                           {"--version", "1.0.0+1.0.0"});
          },
          {"no commit for '1.0.0+1.0.0'", "tag` for the release tags"}),
      bad("a08", "--version that is no tag of the recipe", run_with({"--version", "9.9.9+0"}),
          {"no commit for '9.9.9+0'", "tag` for the release tags"}),
      bad("a09", "--ref that names nothing", run_with({"--ref", "no-such-branch"}), {"no commit for 'no-such-branch'"}),
      bad("a10", "--runs-dir that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run_setting(good_repo, "--runs-dir", (c.dir / "a-file").string());
          },
          {"--runs-dir", "a-file: not a directory", "give a directory ccci may create files in"}),
      bad("a11", "--runs-dir below a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run_setting(good_repo, "--runs-dir", (c.dir / "a-file" / "runs").string());
          },
          {"cannot create the run directory", "give --runs-dir"}),
      bad("a12", "--runs-dir where nothing may be written",
          [](Case& c) { c.args = c.run_setting(good_repo, "--runs-dir", "/proc/ccci-bad-input-runs"); },
          {"/proc/ccci-bad-input-runs/", "cannot create the run directory", "a directory ccci may write"}),
      bad("a13", "CCCI_RUNS_DIR that is a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run_setting(good_repo, "--runs-dir", "");
            c.env["CCCI_RUNS_DIR"] = (c.dir / "a-file").string();
          },
          {"--runs-dir (its default, from the environment)", "a-file: not a directory"}),
      bad("a14", "CCCI_STATE_DIR that is a file (the runs dir below it)",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run_setting(good_repo, "--runs-dir", "");
            c.env.erase("CCCI_RUNS_DIR");
            c.env["CCCI_STATE_DIR"] = (c.dir / "a-file").string();
          },
          {"a-file/runs/", "cannot create the run directory", "$CCCI_STATE_DIR"}),
      bad("a15", "--recipes-dir that is missing",
          [](Case& c) { c.args = c.run_setting(good_repo, "--recipes-dir", (c.dir / "nope").string()); },
          {"--recipes-dir", "nope: not a directory", "<recipe>/ccci.yml"}),
      bad("a16", "--junit that is a directory",
          [](Case& c) {
            c.args = c.run(good_repo, {"--junit", c.dir.string()});
          },
          {"--junit", "is a directory", "give the file to write in it"}),
      bad("a17", "--junit in a directory that does not exist",
          [](Case& c) {
            c.args = c.run(good_repo, {"--junit", (c.dir / "nope" / "junit.xml").string()});
          },
          {"--junit", "nope does not exist", "create it"}),
      bad("a18", "--junit under a file",
          [](Case& c) {
            write(c.dir / "a-file", "x");
            c.args = c.run(good_repo, {"--junit", (c.dir / "a-file" / "junit.xml").string()});
          },
          {"--junit", "a-file is not a directory"}),
      bad("a19", "`ccci report junit` of a directory without results.json",
          [](Case& c) {
            fs::create_directories(c.dir / "not-a-run");
            c.args = {"report", "junit", (c.dir / "not-a-run").string()};
          },
          {"not-a-run/results.json: cannot read it", "give the directory of a finished run"}),
      bad("a20", "`ccci report junit` of a results.json that is not JSON",
          [](Case& c) {
            write(c.dir / "run" / "results.json", "{\"schema\": 1,");
            c.args = {"report", "junit", (c.dir / "run").string()};
          },
          {"run/results.json: not a ccci results.json: not valid JSON"}),
      bad("a21", "`ccci report junit` of a results.json missing a field",
          [](Case& c) {
            write(c.dir / "run" / "results.json", "{\"schema\": 1}");
            c.args = {"report", "junit", (c.dir / "run").string()};
          },
          {"run/results.json: not a ccci results.json: missing field 'ccci_version'"}),
      bad("a22", "`ccci report junit` of a path that is no directory",
          [](Case& c) {
            c.args = {"report", "junit", (c.dir / "nope").string()};
          },
          {"nope: not a directory", "give a run directory"}),
      bad("a23", "`ccci report junit --out` that is a directory",
          [](Case& c) {
            write(c.dir / "run" / "results.json", "{}");
            c.args = {"report", "junit", (c.dir / "run").string(), "--out", c.dir.string()};
          },
          {"--out", "is a directory"}),
  };
  return rows;
}

// `ccci run --tiers install` of a prepared variant repository, or of the
// example with `edit` committed on top (at --ref HEAD).
std::function<void(Case&)> variant(std::string repo) {
  return [repo](Case& c) { c.args = c.run(repos / repo, {"--tiers", "install"}); };
}
std::function<void(Case&)> edited(std::function<void(const fs::path&)> edit) {
  return [edit](Case& c) { c.args = c.run(c.derived_repo(edit), {"--ref", "HEAD", "--tiers", "install"}); };
}
void edit_file(const fs::path& file, const std::string& from, const std::string& to) {
  write(file, replace(read(file), from, to));
}

const std::vector<Row>& defect_rows() {
  static const std::vector<Row> rows = {
      red("d01", "a compose.yml that is not YAML", variant("bad-yaml"),
          {"compose.yml:12:6: invalid YAML", "fix the syntax"}),
      red("d02", "a service using a secret the compose does not declare", variant("undeclared-secret"),
          {"compose.yml:18: service 'app' uses secret 'admin_password'", "declare it there"}),
      red("d03", "`services: {}`", variant("services-empty-map"), {"compose.yml: 'services:' is empty"}),
      red("d04", "an empty compose.yml", variant("empty-compose"),
          {"compose.yml:1: compose file is empty", "it needs at least a 'services:' map"}),
      red("d05", "`${VAR:?msg}` of a variable the app env lacks", edited([](const fs::path& r) {
            edit_file(r / "compose.yml", "    networks:\n      - proxy\n",
                      "    environment:\n      - NEEDED=${NEEDED_SETTING:?set NEEDED_SETTING in .env}\n"
                      "    networks:\n      - proxy\n");
          }),
          {"compose.yml:8: required variable NEEDED_SETTING is not set", "set NEEDED_SETTING in .env"}),
      red("d06", "a secret whose swarm name is over docker's 64 characters", edited([](const fs::path& r) {
            edit_file(r / "compose.yml", "name: ${STACK_NAME}_site_token_",
                      "name: ${STACK_NAME}_site_token_with_a_name_far_too_long_for_docker_");
          }),
          {"compose.yml:46: secret 'site_token'", "73 characters; docker allows 64"}),
      red("d07", "a secret whose version variable is missing (its name ends in '_')",
          edited([](const fs::path& r) { edit_file(r / ".env.sample", "SECRET_SITE_TOKEN_VERSION=v1\n", ""); }),
          {"compose.yml:46: secret 'site_token'", "ends in '_'", "add `SECRET_SITE_TOKEN_VERSION=v1`"}),
      red("d08", "a release without compose.yml", edited([](const fs::path& r) { fs::remove(r / "compose.yml"); }),
          {"compose.yml: cannot read compose file", "check that it exists"}),
      red("d09", "COMPOSE_FILE naming an overlay that is not there", edited([](const fs::path& r) {
            edit_file(r / ".env.sample", "COMPOSE_FILE=\"compose.yml\"",
                      "COMPOSE_FILE=\"compose.yml:compose.nope.yml\"");
          }),
          {"compose.nope.yml: cannot read compose file", "that COMPOSE_FILE names it"}),
      red("d10", "a release without .env.sample", edited([](const fs::path& r) { fs::remove(r / ".env.sample"); }),
          {".env.sample: missing"}),
      red("d11", "a secret modifier with a bad value (`# length=abc`)", edited([](const fs::path& r) {
            edit_file(r / ".env.sample", "SECRET_SITE_TOKEN_VERSION=v1\n",
                      "SECRET_SITE_TOKEN_VERSION=v1 # length=abc\n");
          }),
          {".env.sample:14: secret modifier 'length=abc'", "a whole number from 1 to 4096"}),
      red("d12", "a compose.yml that is a list, not a map",
          edited([](const fs::path& r) { write(r / "compose.yml", "- app\n- db\n"); }),
          {"compose.yml:1: top level must be a map with a 'services:' key"}),
  };
  return rows;
}

// ------------------------------------------------------------ the document

const fs::path doc_file = fs::path(CCCI_SOURCE_DIR) / "docs" / "bad-input.md";

std::string answer_of(const Row& row) {
  std::vector<std::string> quoted;
  for (auto s : row.says) {
    for (auto at = s.find("{recipe}"); at != std::string::npos; at = s.find("{recipe}"))
      s.replace(at, 8, "<recipe>");
    for (auto at = s.find('|'); at != std::string::npos; at = s.find('|', at + 2))
      s.replace(at, 1, "\\|");
    quoted.push_back(s.find('`') == std::string::npos ? fmt::format("`{}`", s) : fmt::format("\"{}\"", s));
  }
  if (row.exit == 2) return fmt::format("exit 2; says {}", fmt::join(quoted, ", "));
  return fmt::format("exit 1, red at {}: `{}` fails, saying {}", row.red_check.substr(0, row.red_check.find('/')),
                     row.red_check, fmt::join(quoted, ", "));
}

std::string table_doc() {
  struct Area {
    const char* title;
    const std::vector<Row>& rows;
  };
  const Area areas[] = {{"Options", option_rows()},
                        {"Meta files", meta_rows()},
                        {"Plugins", plugin_rows()},
                        {"Paths", path_rows()},
                        {"Recipe defects (reds, never bad input)", defect_rows()}};
  std::size_t total = 0;
  for (auto& a : areas)
    total += a.rows.size();
  std::string out = fmt::format(R"(# Bad input: what ccci answers

Generated from `tests/integration/test_bad_input.cpp`, which runs every row with
the real `ccci` (the reds on the real swarm) and fails when this file differs
from its table; `CCCI_WRITE_BAD_INPUT_DOC=1` makes the test rewrite it.

ccci's own input — options, meta files, plugins, paths — that is wrong is
answered with exit 2 and a message naming the option or file (and line) and
the fix, before anything is deployed or made. The recipe under test is never
bad input: its defects are reds at the tier where they bite, naming the file
(docs/architecture.md, "Verdicts").

Every row also holds: ccci exits 0–3 and is not killed by a signal; it ends
(a hang is killed by the test and is that row's failure); its output has no raw
exception text (`terminate called`, `what():`, "internal error"); nothing is
left behind: no docker object named after the row's recipe or stack, no
temporary directory, no run directory for an exit 2 (a red leaves exactly its
complete run directory, with `clean_teardown` and `no_secret_leak`).

{} cases. `<recipe>` is the recipe under test (each row has its own).
)",
                                total);
  for (auto& a : areas) {
    out += fmt::format("\n## {} ({})\n\n| case | input | answer |\n|---|---|---|\n", a.title, a.rows.size());
    for (auto& r : a.rows)
      out += fmt::format("| {} | {} | {} |\n", r.id, r.what, answer_of(r));
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(options) { check_rows(option_rows()); }
BOOST_AUTO_TEST_CASE(meta_files) { check_rows(meta_rows()); }
BOOST_AUTO_TEST_CASE(plugins) { check_rows(plugin_rows()); }
BOOST_AUTO_TEST_CASE(paths) { check_rows(path_rows()); }
BOOST_AUTO_TEST_CASE(recipe_defects) { check_rows(defect_rows()); }

BOOST_AUTO_TEST_CASE(the_doc_is_the_table) {
  auto want = table_doc();
  if (const char* w = std::getenv("CCCI_WRITE_BAD_INPUT_DOC"); w && std::string(w) == "1") write(doc_file, want);
  std::string have = fs::exists(doc_file) ? read(doc_file) : "";
  BOOST_TEST(have == want, doc_file.string() << " differs from the table in test_bad_input.cpp; rerun with "
                                                "CCCI_WRITE_BAD_INPUT_DOC=1 to rewrite it");
}
