// The sequencer of one `ccci run`: prepare, the tiers in table order as the
// policy lets them, evidence, teardown, the leak scan, the verdict. The
// tiers live in tiers/, the steps they share in run/steps.cpp, the
// decisions in run/policy.cpp.
#include "run/run.hpp"

#include "model/errors.hpp"
#include "model/level.hpp"
#include "model/naming.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "os/tools.hpp"
#include "recipe/recipe.hpp"
#include "report/reporter.hpp"
#include "run/context.hpp"
#include "run/policy.hpp"
#include "swarm/docker_swarm.hpp"
#include "tiers/tier.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <ctime>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

std::string compact_utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

class Run {
public:
  Run(const RunOptions& o, std::ostream& terminal, Swarm& swarm, std::optional<LoadedPlugin> plugin)
      : options_(o), console_(terminal, redactor_), ctx_(options_, swarm, events_, redactor_) {
    events_.add(results_writer_);
    events_.add(console_);
    ctx_.plugin = std::move(plugin);
  }

  int execute();

private:
  void prepare();
  void announce();
  /// The tools ccci and the plugin need: a missing one of ccci's own stops
  /// every tier (returned), one only the plugin needs makes its tiers unver.
  std::vector<std::string> check_tools();
  void run_tiers();
  void stop_tiers(const std::string& current_reason, const std::string& rest_reason, const std::string& say);
  void collect_evidence();
  void teardown();
  void finish();

  RunOptions options_; ///< completed by prepare() (recipe name, run id)
  Redactor redactor_;
  ResultsJsonWriter results_writer_;
  ConsoleReporter console_;
  Listeners events_;
  RunContext ctx_;
};

void Run::prepare() {
  if (options_.recipe.empty())
    options_.recipe = fs::absolute(options_.recipe_dir).lexically_normal().filename().string();
  if (options_.recipe.empty()) options_.recipe = fs::absolute(options_.recipe_dir).parent_path().filename().string();
  auto ref = resolve_recipe_ref(options_.recipe_dir, options_.version, options_.ref);
  ctx_.tags = recipe_tags(options_.recipe_dir);
  ctx_.meta = load_meta_or_defaults(options_.recipes_dir / options_.recipe);
  // --deploy-timeout is weighed per deploy against the recipe's timeout
  // label (choose_deploy_timeout), so it does not overwrite the meta here.
  if (options_.check_timeout) ctx_.meta.check_timeout = *options_.check_timeout;

  if (!ctx_.plugin) {
    auto bundled = options_.plugin_dir / (options_.recipe + ".so");
    if (options_.plugin)
      ctx_.plugin.emplace(*options_.plugin);
    else if (fs::exists(bundled))
      ctx_.plugin.emplace(bundled);
  }

  auto hex = random_hex(6);
  ctx_.domain = test_domain(options_.recipe, hex);
  ctx_.stack = stack_name_for(ctx_.domain);
  if (options_.run_id.empty()) options_.run_id = make_run_id(options_.recipe, compact_utc_now(), hex);
  if (options_.run_id.find('/') != std::string::npos || options_.run_id.starts_with("."))
    throw InputError(
        fmt::format("--run-id '{}': must be a plain name (no '/', not starting with '.')", options_.run_id));
  ctx_.run_dir = options_.runs_dir / options_.run_id;
  if (fs::exists(ctx_.run_dir))
    throw InputError(fmt::format("{}: a run with this id already exists; pick another --run-id or leave it "
                                 "out to get a fresh one",
                                 ctx_.run_dir.string()));
  // 0700: a run directory holds the app's env, its logs and its backup.
  create_private_directories(ctx_.run_dir);
  console_.open_log(ctx_.run_dir / "ccci.log");

  auto& r = ctx_.results;
  r.recipe = options_.recipe;
  r.version = ref.version;
  r.ref = ref.ref;
  r.commit = ref.commit;
  r.run_id = options_.run_id;
  r.stack = ctx_.stack;
  r.domain = ctx_.domain;
  r.started = now_iso8601();
  r.ccci_version = CCCI_VERSION;
  if (ctx_.plugin) r.plugin = ctx_.plugin->info();
}

void Run::announce() {
  auto& r = ctx_.results;
  events_.line(fmt::format("ccci run {} at {} ({}) as stack {}, domain {}", options_.recipe, ctx_.target_label(),
                           r.commit.substr(0, 12), ctx_.stack, ctx_.domain));
  events_.line(fmt::format("run directory {}", ctx_.run_dir.string()));
  events_.line(ctx_.plugin ? fmt::format("plugin {} ({} checks and hooks)", ctx_.plugin->path().string(),
                                         ctx_.plugin->info().checks.size())
                           : "no plugin for this recipe: only ccci's own checks run");
}

std::vector<std::string> Run::check_tools() {
  std::vector<std::string> tools;
  for (auto& t : framework_tools())
    tools.push_back(t.name);
  if (ctx_.plugin)
    for (auto& t : ctx_.plugin->plugin().required_tools())
      tools.push_back(t);
  ctx_.results.environment = fingerprint(tools);

  std::vector<std::string> missing, missing_for_plugin;
  for (auto& t : ctx_.results.environment) {
    if (t.found()) continue;
    bool own = std::any_of(framework_tools().begin(), framework_tools().end(),
                           [&](const RequiredTool& r) { return r.name == t.name; });
    auto& list = own ? missing : missing_for_plugin;
    if (std::find(list.begin(), list.end(), t.name) == list.end()) list.push_back(t.name);
  }
  if (missing.empty() && !missing_for_plugin.empty()) {
    PluginUse use;
    for (auto& c : ctx_.plugin->plugin().checks())
      use.checks.insert(c.tier);
    use.seeds = !ctx_.plugin->hooks(Hook::seed).empty();
    use.verifies = !ctx_.plugin->hooks(Hook::verify).empty();
    use.archive_checks = !ctx_.plugin->plugin().archive_checks().empty();
    mark_plugin_tiers_unver(ctx_.results, use, missing_for_plugin);
  }
  return missing;
}

void Run::run_tiers() {
  for (auto& info : tier_table) {
    auto& tier = ctx_.results.tier(info.tier);
    auto gate = gate_for(info.tier, ctx_.results);
    if (gate.kind != GateKind::run) {
      apply_gate(tier, gate);
      continue;
    }
    ctx_.current = info.tier;
    tier_function(info.tier)(ctx_, tier);
  }
  ctx_.current.reset();
}

void Run::stop_tiers(const std::string& current_reason, const std::string& rest_reason, const std::string& say) {
  mark_unverified(ctx_.results, ctx_.current, current_reason, rest_reason, options_.tiers);
  events_.line(say);
}

void Run::collect_evidence() {
  const Release* deployed = ctx_.state.deployed_release();
  if (!deployed) return;
  auto& r = ctx_.results;
  create_private_directories(ctx_.run_dir / "evidence");
  write_file_atomically(ctx_.run_dir / "evidence" / "tasks.txt", redactor_.redact(ctx_.swarm.task_table(ctx_.stack)));
  r.evidence.push_back("evidence/tasks.txt");
  for (auto& s : deployed->compose.services) {
    auto file = fmt::format("evidence/{}.log", s.name);
    write_file_atomically(ctx_.run_dir / file, redactor_.redact(ctx_.swarm.service_log(ctx_.stack, s.name, 100)));
    r.evidence.push_back(file);
  }
}

void Run::teardown() {
  auto& r = ctx_.results;
  events_.progress("teardown", fmt::format("removing stack {} and everything it made", ctx_.stack));
  auto started = Clock::now();
  ctx_.swarm.remove_routes(ctx_.stack);
  auto report = ctx_.swarm.remove_stack(ctx_.stack, /*throwaway=*/true);
  for (auto& n : report.notes)
    events_.line(fmt::format("    {}", n));
  r.teardown_leftovers = report.leftovers;
  for (auto& l : ctx_.swarm.route_leftovers(ctx_.stack))
    r.teardown_leftovers.push_back(l);
  r.clean_teardown = r.teardown_leftovers.empty();
  ctx_.state.deployed = Deployed::nothing;
  events_.progress("teardown",
                   fmt::format("{} in {:.1f}s", r.clean_teardown ? "clean" : "NOT clean", seconds_since(started)));
}

// The level, the leak scan over every artifact (results.json as it will be
// written included), the exit status, and the listeners' last word.
void Run::finish() {
  auto& r = ctx_.results;
  r.level = compute_level(r.tiers);
  r.finished = now_iso8601();
  auto leaks = find_secret_leaks(ctx_.run_dir, redactor_.secrets());
  r.no_secret_leak = true;
  r.exit_code = exit_code_for(r);
  auto in_results = find_secret_leaks_in(to_json(r), "results.json", redactor_.secrets());
  leaks.insert(leaks.end(), in_results.begin(), in_results.end());
  if (!leaks.empty()) {
    r.no_secret_leak = false;
    for (auto& l : leaks)
      events_.line(fmt::format("SECRET LEAK: {}", l));
  }
  r.exit_code = exit_code_for(r);
  events_.run_finished(r, ctx_.run_dir / "results.json");
}

int Run::execute() {
  prepare();
  announce();
  apply_pre_skips(ctx_.results, ctx_.meta.expected_skips, options_.tiers);
  auto missing = check_tools();
  try {
    if (!missing.empty())
      throw InfraFailure(
          fmt::format("required tool(s) not on PATH: {}; install them (see `ccci doctor`)", fmt::join(missing, ", ")));
    ctx_.swarm.require_manager();
    run_tiers();
  } catch (const Interrupted&) {
    auto sig = signal_name(static_cast<int>(stop_requested));
    stop_tiers(fmt::format("interrupted by {}", sig), fmt::format("not run: interrupted by {}", sig),
               fmt::format("interrupted by {}: tearing down", sig));
  } catch (const InfraFailure& e) {
    stop_tiers(e.what(), fmt::format("not run: {}", e.what()), fmt::format("infrastructure problem: {}", e.what()));
  } catch (const std::exception& e) {
    stop_tiers(fmt::format("ccci internal error: {}", e.what()),
               fmt::format("not run: ccci internal error: {}", e.what()),
               fmt::format("ccci internal error: {}", e.what()));
  }
  explain_unreached(ctx_.results);

  if (needs_evidence(ctx_.results)) {
    try {
      collect_evidence();
    } catch (const std::exception& e) {
      events_.line(fmt::format("could not collect all evidence: {}", e.what()));
    }
  }
  if (options_.keep_running && all_selected_passed(ctx_.results, options_.tiers) &&
      ctx_.state.deployed != Deployed::nothing) {
    // The promotion path: the same install, left running as the warm canonical.
    ctx_.results.kept_running = true;
    events_.progress("teardown", fmt::format("kept running on purpose: stack {}, domain {}", ctx_.stack, ctx_.domain));
  } else {
    teardown();
  }
  finish();
  return ctx_.results.exit_code;
}

} // namespace

int run_recipe(const RunOptions& options, std::ostream& terminal, Swarm& swarm, std::optional<LoadedPlugin> plugin) {
  Run run(options, terminal, swarm, std::move(plugin));
  return run.execute();
}

int run_recipe(const RunOptions& options, std::ostream& terminal) {
  DockerSwarm swarm(options.edge);
  return run_recipe(options, terminal, swarm);
}

} // namespace ccci::host
