// The sequencer of one `ccci run`: prepare, the tiers in table order as the
// policy lets them, evidence, teardown, the leak scan, the verdict. The
// tiers live in tiers/, the steps they share in run/steps.cpp, the
// decisions in run/policy.cpp.
#include "run/run.hpp"

#include "gc/gc.hpp"
#include "model/errors.hpp"
#include "model/level.hpp"
#include "model/naming.hpp"
#include "os/fs.hpp"
#include "os/ownership.hpp"
#include "os/process.hpp"
#include "os/spawn.hpp"
#include "os/tools.hpp"
#include "recipe/recipe.hpp"
#include "report/junit.hpp"
#include "report/leak_scan.hpp"
#include "report/reporter.hpp"
#include "run/chains.hpp"
#include "run/context.hpp"
#include "run/policy.hpp"
#include "swarm/docker_swarm.hpp"
#include "tiers/tier.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <optional>

namespace fs = std::filesystem;
namespace json = boost::json;

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

// The order one stack runs the tiers in: the install chain, then the
// upgrade chain, then lint (docs/architecture.md, "Chains"). results.json
// keeps the table's order.
std::vector<Tier> run_order() {
  std::vector<Tier> out;
  for (auto chain : {Chain::install, Chain::upgrade, Chain::none})
    for (auto& info : tier_table)
      if (info.chain == chain) out.push_back(info.tier);
  return out;
}

constexpr std::string_view install_prefix = "[install chain] ", upgrade_prefix = "[upgrade chain] ";

class Run {
public:
  Run(const RunOptions& o, std::ostream& terminal, Swarm& swarm, std::optional<LoadedPlugin> plugin)
      : options_(o), console_(terminal, {o.terminal_live, o.terminal_columns}),
        ctx_(options_, swarm, events_, redactor_) {
    outputs_.add(results_writer_);
    outputs_.add(console_);
    // After the console: a file it cannot write is said below the summary.
    if (options_.junit) outputs_.add(junit_writer_.emplace(*options_.junit, terminal));
    ctx_.plugin = std::move(plugin);
  }

  int execute();

private:
  void prepare();
  void announce();
  /// The tools ccci and the plugin need: a missing one of ccci's own stops
  /// every tier (returned), one only the plugin needs makes its tiers unver.
  std::vector<std::string> check_tools();
  /// What runs that died left: removed before this one deploys anything.
  /// `listed`: what the swarm holds with owner labels, or null when
  /// `listing_error` says why it could not be listed.
  void collect_garbage_first(const std::vector<OwnedObject>* listed, const std::string& listing_error);
  void run_tiers();
  /// Runs `tiers` and turns what stops them (a stop, infrastructure, a bug)
  /// into unver tiers, as every process of a run does.
  void guarded(const std::function<void()>& tiers);
  /// Before install deploys: whether the upgrade chain runs at once on a
  /// stack of its own, and if so its process is started. False when the
  /// install tier is already decided (its render failed).
  bool start_install(TierResult& install);
  void start_chain();
  /// In the chain's process: the upgrade chain on its own stack, its
  /// teardown, its results to the run over `channel`. Returns the exit code.
  int chain_main(int channel, const sigset_t& mask);
  /// install did not pass: the chain has no prerequisite; it is stopped and
  /// torn down, and its tiers are what a sequential run makes them.
  void cancel_chain();
  /// Waits for the chain, takes its secrets and results.
  void join_chain();
  void stop_tiers(const std::string& current_reason, const std::string& rest_reason, const std::string& say);
  /// The tiers after a stop request: the running one and the rest unver
  /// "interrupted by SIG...", `detail` saying what was cut short.
  void stop_interrupted(const std::string& detail);
  /// Once, when a second stop signal has arrived: what ccci skips.
  void note_escalation(const std::string& skipping);
  void collect_evidence();
  void teardown();
  /// `stack` and its edge routes removed, the routes' reload beside the
  /// stack's removal: the swarm's report, the routes left appended to its
  /// leftovers.
  TeardownReport remove_stack_and_routes(const std::string& stack);
  void finish();

  RunOptions options_; ///< completed by prepare() (recipe name, run id)
  Redactor redactor_;
  ResultsJsonWriter results_writer_;
  ConsoleReporter console_;
  std::optional<JUnitWriter> junit_writer_;
  Listeners outputs_; ///< what writes: only ever reached through events_
  RedactingListener events_{redactor_, outputs_};
  RunContext ctx_;
  bool escalation_noted_ = false;
  /// Held for the whole run: `ccci gc` leaves the objects of a run whose
  /// lease is held alone (docs/architecture.md, "Ownership and reaping").
  std::optional<FileLock> lease_;
  /// The upgrade chain's process and stack, when the chains run at once.
  std::optional<Child> chain_;
  std::string chain_stack_, chain_domain_;
  bool chain_cancelled_ = false;
  RunResults chain_results_; ///< its teardown, merged after the run's own
};

void Run::prepare() {
  if (options_.recipe.empty())
    options_.recipe = fs::absolute(options_.recipe_dir).lexically_normal().filename().string();
  if (options_.recipe.empty()) options_.recipe = fs::absolute(options_.recipe_dir).parent_path().filename().string();
  auto ref = resolve_recipe_ref(options_.recipe_dir, options_.version, options_.ref);
  ctx_.tags = recipe_tags(options_.recipe_dir);
  ctx_.meta = load_meta_or_defaults(options_.recipes_dir / options_.recipe);
  check_upgrade_base(ctx_.meta, ctx_.tags, ref.version);
  // --deploy-timeout is weighed per deploy against the recipe's timeout
  // label (choose_deploy_timeout), so it does not overwrite the meta here.
  if (options_.check_timeout) ctx_.meta.check_timeout = *options_.check_timeout;

  if (!ctx_.plugin) {
    auto bundled = options_.plugin_dir / (options_.recipe + ".so");
    if (options_.plugin)
      ctx_.plugin.emplace(*options_.plugin);
    else if (fs::exists(bundled))
      ctx_.plugin.emplace(bundled);
    // A --plugin written for another recipe would judge this one by that
    // recipe's checks: reds (or greens) that say nothing about it. The
    // <recipe>.so of the plugin dir is named for this recipe by whoever put
    // it there (a fork enrolled under its own name links its upstream's).
    if (options_.plugin && ctx_.plugin->plugin().recipe() != options_.recipe)
      throw InputError(fmt::format("plugin {}: is for recipe '{}', not '{}'; pass --plugin with this recipe's "
                                   "plugin, or --recipe {} if that is the recipe under test",
                                   ctx_.plugin->path().string(), ctx_.plugin->plugin().recipe(), options_.recipe,
                                   ctx_.plugin->plugin().recipe()));
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
  try {
    create_private_directories(ctx_.run_dir);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: cannot create the run directory ({}); give --runs-dir (or $CCCI_RUNS_DIR, "
                                 "or $CCCI_STATE_DIR for <state>/runs) a directory ccci may write",
                                 ctx_.run_dir.string(), e.what()));
  }
  lease_.emplace(ctx_.run_dir / lease_file_name);
  if (!lease_->try_lock())
    throw InputError(
        fmt::format("{}: its lease is held by pid {}; pick another --run-id", ctx_.run_dir.string(), lease_->holder()));
  ctx_.owner = this_process_owner(options_.run_id, options_.keep_running);
  set_process_run(options_.run_id, options_.keep_running);
  console_.open_log(ctx_.run_dir / "ccci.log");
  ctx_.fingerprint_key = options_.fingerprint_key;
  if (ctx_.fingerprint_key.empty())
    if (const char* key = std::getenv(std::string(fingerprint_key_variable).c_str())) {
      ctx_.fingerprint_key = key;
      // Read once; the plugin's forked checks and the tools ccci runs need
      // not see it.
      ::unsetenv(std::string(fingerprint_key_variable).c_str());
    }

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

void Run::collect_garbage_first(const std::vector<OwnedObject>* listed, const std::string& listing_error) {
  if (!listed) {
    events_.line(fmt::format("gc: could not look for what dead runs left: {}", listing_error));
    return;
  }
  try {
    GcOptions o;
    o.runs_dir = options_.runs_dir;
    o.quiet = true;
    o.listed = listed;
    collect_garbage(ctx_.swarm, o, [&](const std::string& line) { events_.line(line); });
  } catch (const std::exception& e) {
    // Not this run's own trouble: it goes on, and the next gc tries again.
    events_.line(fmt::format("gc: could not look for what dead runs left: {}", e.what()));
  }
}

void Run::run_tiers() {
  for (Tier t : run_order()) {
    // The chain's process runs these (chain_main).
    if (chain_ && tier_info(t).chain == Chain::upgrade) continue;
    auto& tier = ctx_.results.tier(t);
    auto gate = gate_for(t, ctx_.results);
    if (gate.kind != GateKind::run) {
      apply_gate(tier, gate);
      continue;
    }
    ctx_.current = t;
    if (t == Tier::install && !start_install(tier)) continue;
    tier_function(t)(ctx_, tier);
    if (t == Tier::install && tier.status != Status::pass) cancel_chain();
  }
  ctx_.current.reset();
}

void Run::guarded(const std::function<void()>& tiers) {
  try {
    tiers();
  } catch (const Interrupted& i) {
    stop_interrupted(i.what.empty() ? "" : fmt::format("cut short: {}", i.what));
  } catch (const InfraFailure& e) {
    // A command a stop cut short fails as it dies: that is the stop, not
    // the infrastructure.
    if (stop_requested)
      stop_interrupted(fmt::format("cut short: {}", e.what()));
    else
      stop_tiers(e.what(), fmt::format("not run: {}", e.what()), fmt::format("infrastructure problem: {}", e.what()));
  } catch (const std::exception& e) {
    if (stop_requested)
      stop_interrupted(fmt::format("cut short: {}", e.what()));
    else
      stop_tiers(fmt::format("ccci internal error: {}", e.what()),
                 fmt::format("not run: ccci internal error: {}", e.what()),
                 fmt::format("ccci internal error: {}", e.what()));
  }
}

bool Run::start_install(TierResult& install) {
  auto& r = ctx_.results;
  ChainFacts facts;
  facts.sequential_option = options_.sequential;
  facts.meta_sequential = ctx_.meta.sequential;
  facts.meta_file = ctx_.meta.file.string();
  facts.swarm_shared = ctx_.swarm.shared_with_forked_children();
  std::string base_commit;
  facts.upgrade_deploys = gate_for(Tier::upgrade, r, /*install_beside=*/true).kind == GateKind::run &&
                          upgrade_base_of(ctx_, base_commit).tag;
  auto decision = decide_chains(facts, Compose{}, ctx_.stack);
  if (decision.parallel) {
    // What two stacks would share is read from the rendered target, which
    // install renders first anyway: the same `install/render` check.
    auto started = Clock::now();
    if (!ctx_.render_target(install, started)) {
      ctx_.finish_tier(install, started);
      return false;
    }
    decision = decide_chains(facts, ctx_.state.target->compose, ctx_.stack);
  }
  r.chains.parallel = decision.parallel;
  r.chains.why = decision.why;
  if (!decision.why.empty())
    events_.line(fmt::format("chains: one stack, the install chain then the upgrade chain, because {}", decision.why));
  if (decision.parallel) start_chain();
  return true;
}

void Run::start_chain() {
  chain_domain_ = test_domain(options_.recipe, random_hex(6));
  chain_stack_ = stack_name_for(chain_domain_);
  ctx_.results.chains.upgrade_stack = chain_stack_;
  events_.line(fmt::format("chains: install and custom on stack {}, upgrade, backup and restore at the same time on "
                           "stack {} (domain {}); each line says which chain wrote it",
                           ctx_.stack, chain_stack_, chain_domain_));
  // Nothing buffered may be written twice, and no thread runs in this
  // process: the child runs the plugin's code after a fork without exec
  // (docs/architecture.md, "Chains").
  console_.flush();
  // The stop signals wait, blocked, until the chain's process has its
  // handlers and this one knows where to pass them on: none is lost, none
  // kills the chain before it can tear down.
  const sigset_t mask = block_stop_signals();
  chain_.emplace(Child::fork_run_part([this, &mask](int channel) { return chain_main(channel, mask); }));
  forward_stop_signals_to(chain_->pid());
  restore_signal_mask(mask);
  console_.set_prefix(std::string(install_prefix));
}

int Run::chain_main(int channel, const sigset_t& mask) {
  install_stop_handlers();
  install_cancel_handler();
  restore_signal_mask(mask);
  console_.set_prefix(std::string(upgrade_prefix));
  ctx_.stack = chain_stack_;
  ctx_.domain = chain_domain_;
  ctx_.chain_tag = upgrade_chain_tag;
  ctx_.state = RunState{};
  ctx_.results.evidence.clear();
  ctx_.secret_sink = [channel](const GeneratedSecret& g) {
    write_all(channel,
              json::serialize(json::object{{"secret", json::object{{"name", g.name}, {"value", g.value}}}}) + "\n");
  };
  auto& r = ctx_.results;
  guarded([&] {
    // The target for this stack, its routes reported and its secrets made
    // as install made them on the one stack of a sequential run: the chain's
    // checks are the same either way.
    ctx_.state.target = ctx_.render_release(r.version, r.commit, "target");
    ctx_.state.target->routes_reported = true;
    ctx_.premake_secrets(*ctx_.state.target);
    for (Tier t : run_order()) {
      if (tier_info(t).chain != Chain::upgrade) continue;
      auto& tier = r.tier(t);
      auto gate = gate_for(t, r, /*install_beside=*/true);
      if (gate.kind != GateKind::run) {
        apply_gate(tier, gate);
        continue;
      }
      ctx_.current = t;
      tier_function(t)(ctx_, tier);
    }
    ctx_.current.reset();
  });
  bool chain_failed = false;
  for (auto& t : r.tiers)
    if (tier_info(t.tier).chain == Chain::upgrade && (t.status == Status::fail || t.status == Status::unver))
      chain_failed = true;
  // A cancelled chain's tiers are `na`: nothing of it is worth reading.
  if (chain_failed && !cancelled() && !stop_escalated()) {
    try {
      collect_evidence();
    } catch (const std::exception& e) {
      events_.line(fmt::format("could not collect all evidence: {}", e.what()));
    }
  }
  teardown();
  write_all(channel, json::serialize(json::object{{"results", json::parse(to_json(r))}}) + "\n");
  console_.flush();
  return 0;
}

void Run::cancel_chain() {
  if (!chain_ || chain_cancelled_ || stop_requested) return;
  chain_cancelled_ = true;
  events_.line(fmt::format("install did not pass: cancelling the upgrade chain (stack {} is torn down; its tiers are "
                           "na, as in a sequential run)",
                           chain_stack_));
  chain_->signal(cancel_signal);
}

void Run::join_chain() {
  if (!chain_) return;
  // Blocking reads: EINTR (a stop signal, passed on by the handler) only
  // retries, and EOF comes when the chain's process exits.
  const std::string received = chain_->read_channel_to_end();
  auto status = chain_->wait();
  forward_stop_signals_to(0);
  console_.set_prefix("");
  std::optional<RunResults> chain;
  std::size_t start = 0;
  while (start < received.size()) {
    auto end = received.find('\n', start);
    if (end == std::string::npos) break; // cut off as the process died
    try {
      auto msg = json::parse(std::string_view(received).substr(start, end - start)).as_object();
      if (auto* s = msg.if_contains("secret")) {
        auto& o = s->as_object();
        // Known before anything is written or scanned: the redactor and the
        // leak scan cover both stacks' secrets.
        ctx_.remember_secret({std::string(o.at("name").as_string()), std::string(o.at("value").as_string())});
      } else if (auto* res = msg.if_contains("results")) {
        chain = results_from_json(json::serialize(*res), "the upgrade chain's results");
      }
    } catch (const std::exception& e) {
      events_.line(fmt::format("upgrade chain: a message from its process cannot be read: {}", e.what()));
    }
    start = end + 1;
  }
  const bool install_passed = ctx_.results.tier(Tier::install).status == Status::pass;
  if (!chain) {
    // It died without its report (a crash, a SIGKILL): its stack is torn
    // down from here, and its tiers have no verdict.
    events_.line(fmt::format("upgrade chain: its process ended ({}) without reporting; removing stack {}",
                             status.describe(), chain_stack_));
    chain_results_ = empty_results();
    chain_results_.teardown_leftovers = remove_stack_and_routes(chain_stack_).leftovers;
    chain_results_.clean_teardown = chain_results_.teardown_leftovers.empty();
    for (auto& t : ctx_.results.tiers) {
      if (tier_info(t.tier).chain != Chain::upgrade) continue;
      if (!install_passed) {
        apply_gate(t, gate_for(t.tier, ctx_.results));
      } else if (t.status == Status::na && options_.tiers.count(t.tier)) {
        t.status = Status::unver;
        t.reason = fmt::format("the upgrade chain's process ended ({}) before it reported", status.describe());
      }
    }
    return;
  }
  chain_results_ = *chain;
  // Without a passing install the chain had no prerequisite: its tiers are
  // what the gates (or a stop) made them here, as on one stack.
  if (install_passed && !chain_cancelled_) {
    merge_chain_tiers(ctx_.results, *chain);
  } else {
    for (auto& t : ctx_.results.tiers)
      if (tier_info(t.tier).chain == Chain::upgrade) apply_gate(t, gate_for(t.tier, ctx_.results));
  }
}

void Run::stop_tiers(const std::string& current_reason, const std::string& rest_reason, const std::string& say) {
  mark_unverified(ctx_.results, ctx_.current, current_reason, rest_reason, options_.tiers);
  events_.line(say);
}

void Run::stop_interrupted(const std::string& detail) {
  const auto reason = interrupted_reason();
  stop_tiers(detail.empty() ? reason : fmt::format("{} ({})", reason, detail), fmt::format("not run: {}", reason),
             fmt::format("{}: tearing down (a second stop signal skips the waits of the teardown)", reason));
}

void Run::note_escalation(const std::string& skipping) {
  if (escalation_noted_ || !stop_escalated()) return;
  escalation_noted_ = true;
  events_.line(fmt::format("second stop signal ({}): {}; results.json is still written. A SIGKILL now leaves "
                           "what remains to `ccci gc`",
                           signal_name(static_cast<int>(last_stop_signal)), skipping));
}

void Run::collect_evidence() {
  const Release* deployed = ctx_.state.deployed_release();
  if (!deployed) return;
  auto& r = ctx_.results;
  const std::string dir = ctx_.evidence_dir();
  create_private_directories(ctx_.run_dir / dir);
  ctx_.write_artifact(dir + "/tasks.txt", ctx_.swarm.task_table(ctx_.stack));
  r.evidence.push_back(dir + "/tasks.txt");
  for (auto& s : deployed->compose.services) {
    if (stop_escalated()) {
      note_escalation("skipping the rest of the evidence; tearing down now");
      return;
    }
    auto file = fmt::format("{}/{}.log", dir, s.name);
    ctx_.write_artifact(file, ctx_.swarm.service_log(ctx_.stack, s.name, 100));
    r.evidence.push_back(file);
  }
}

TeardownReport Run::remove_stack_and_routes(const std::string& stack) {
  // The edge lets go of the routes (a reload, ~0.1 s) in a forked process
  // while this one removes the stack (docs/architecture.md, "Where an
  // install's time goes"); a swarm whose state is this process's memory
  // does it here. Neither waits on the other; both are done before the
  // verification below.
  std::optional<Child> routes;
  if (ctx_.swarm.shared_with_forked_children()) {
    try {
      routes = Child::fork([this, &stack](int) {
        // A teardown finishes: a stop signal is the run's to handle.
        std::signal(SIGINT, SIG_IGN);
        std::signal(SIGTERM, SIG_IGN);
        ctx_.swarm.remove_routes(stack);
        return 0;
      });
    } catch (const std::exception&) {
      routes.reset(); // could not fork: done here, one after the other
    }
  }
  if (!routes) ctx_.swarm.remove_routes(stack);
  auto report = ctx_.swarm.remove_stack(stack, /*throwaway=*/true);
  if (routes) routes->wait();
  for (auto& l : ctx_.swarm.route_leftovers(stack))
    report.leftovers.push_back(l);
  return report;
}

void Run::teardown() {
  auto& r = ctx_.results;
  events_.progress("teardown", fmt::format("removing stack {} and everything it made", ctx_.stack));
  auto started = Clock::now();
  auto report = remove_stack_and_routes(ctx_.stack);
  ctx_.trace("teardown: routes and stack", started);
  for (auto& n : report.notes)
    events_.line(fmt::format("    {}", n));
  if (!report.skipped.empty())
    note_escalation(fmt::format("the teardown skipped {}", fmt::join(report.skipped, "; and ")));
  r.teardown_leftovers = report.leftovers;
  r.clean_teardown = r.teardown_leftovers.empty();
  if (!r.clean_teardown)
    note_escalation(fmt::format("the teardown stopped with {} object(s) left; `ccci gc` removes them",
                                r.teardown_leftovers.size()));
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
  auto step = Clock::now();
  auto scan = scan_tree_for_leaks(ctx_.run_dir, redactor_);
  // results.json as the writer will write it: redacted, its flag and exit
  // code set (neither changes what could leak).
  r.no_secret_leak = true;
  r.exit_code = exit_code_for(r);
  scan_text_for_leaks(to_json(redacted(r, redactor_)), "results.json", redactor_, scan);
  for (auto& n : scan.notes)
    events_.line(fmt::format("leak scan: {}", n));
  r.leak_findings = scan.findings();
  if (!scan.clean()) {
    r.no_secret_leak = false;
    for (auto& l : scan.leaks)
      events_.line(fmt::format("SECRET LEAK: {}", l));
    for (auto& u : scan.unreadable)
      events_.line(fmt::format("LEAK SCAN INCOMPLETE (no_secret_leak is false until it can read it): {}", u));
  }
  r.exit_code = exit_code_for(r);
  ctx_.trace("leak scan", step);
  step = Clock::now();
  events_.run_finished(r, ctx_.run_dir / "results.json");
  ctx_.trace("results", step);
}

int Run::execute() {
  const auto run_started = Clock::now();
  prepare();
  announce();
  ctx_.trace("prepare", run_started);
  apply_pre_skips(ctx_.results, ctx_.meta.expected_skips, options_.tiers);
  auto step = Clock::now();
  auto missing = check_tools();
  ctx_.trace("tools", step);
  guarded([&] {
    if (!missing.empty())
      throw InfraFailure(
          fmt::format("required tool(s) not on PATH: {}; install them (see `ccci doctor`)", fmt::join(missing, ", ")));
    const auto gc_started = Clock::now();
    std::string listing_error;
    const auto listed = ctx_.swarm.require_manager_and_owned(listing_error);
    collect_garbage_first(listing_error.empty() ? &listed : nullptr, listing_error);
    ctx_.trace("gc", gc_started);
    run_tiers();
  });
  // An install cut short by an exception did not pass either.
  if (ctx_.results.tier(Tier::install).status != Status::pass) cancel_chain();

  auto own_evidence_and_teardown = [&] {
    note_escalation("skipping the evidence; tearing down now");
    if (needs_evidence(ctx_.results) && !stop_escalated()) {
      try {
        collect_evidence();
      } catch (const std::exception& e) {
        events_.line(fmt::format("could not collect all evidence: {}", e.what()));
      }
    }
    if (options_.keep_running && all_selected_passed(ctx_.results, options_.tiers) &&
        ctx_.state.deployed != Deployed::nothing) {
      // The promotion path: the same install, left running as the warm
      // canonical (the install chain's stack; the upgrade chain's never stays).
      ctx_.results.kept_running = true;
      events_.progress("teardown",
                       fmt::format("kept running on purpose: stack {}, domain {}", ctx_.stack, ctx_.domain));
    } else {
      try {
        teardown();
      } catch (const std::exception& e) {
        // The teardown could not ask docker what remains (docker itself
        // missing, the daemon gone): nothing is known clean, and the verdict
        // and results.json must still be written.
        auto& r = ctx_.results;
        r.clean_teardown = false;
        r.teardown_leftovers.push_back(fmt::format("unknown: the teardown could not run ({}); `ccci gc` removes "
                                                   "what is left once docker answers",
                                                   e.what()));
        events_.line(fmt::format("teardown failed: {}", e.what()));
      }
    }
  };
  // The run's own stack goes while the chain still works, unless keeping it
  // depends on the chain's verdict too.
  if (!options_.keep_running) own_evidence_and_teardown();
  try {
    join_chain();
  } catch (const std::exception& e) {
    events_.line(fmt::format("upgrade chain: could not take its results: {}", e.what()));
  }
  explain_unreached(ctx_.results);
  if (options_.keep_running) own_evidence_and_teardown();
  if (chain_) merge_chain_teardown(ctx_.results, chain_results_);
  note_escalation("the teardown finished without a wait left to skip");
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
