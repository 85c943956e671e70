#include "runner.hpp"

#include "compose.hpp"
#include "docker.hpp"
#include "errors.hpp"
#include "level.hpp"
#include "meta.hpp"
#include "naming.hpp"
#include "plugin_host.hpp"
#include "process.hpp"
#include "recipe.hpp"
#include "reporter.hpp"
#include "secrets.hpp"

#include <fmt/format.h>

#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace ccci::detail {

const std::set<Tier>& implemented_tiers() {
  static const std::set<Tier> t{Tier::install, Tier::custom};
  return t;
}

std::set<Tier> parse_tier_list(std::string_view list) {
  std::set<Tier> out;
  std::string item;
  std::istringstream in{std::string(list)};
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    auto t = tier_from_string(item);
    if (!t)
      throw InputError(fmt::format("--tiers: '{}' is not a tier (tiers: install, upgrade, backup, "
                                   "restore, custom, lint)",
                                   item));
    out.insert(*t);
  }
  if (out.empty()) throw InputError("--tiers: empty list; name at least one tier, e.g. --tiers install,custom");
  return out;
}

namespace {

struct Interrupted {};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string compact_utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string tool_version(const std::string& tool) {
  try {
    ProcessOptions o;
    o.timeout = 10s;
    o.merge_stderr = true;
    auto r = run_process({tool, "--version"}, o);
    return r.out.substr(0, r.out.find('\n'));
  } catch (const std::exception&) {
    return "";
  }
}

std::vector<ToolInfo> fingerprint(const std::vector<std::string>& tools) {
  std::vector<ToolInfo> out;
  for (auto& t : tools) {
    auto path = find_on_path(t);
    out.push_back({t, path ? path->string() : "", path ? tool_version(t) : ""});
  }
  return out;
}

std::string tail_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

// What a plugin's checks see: the deployed app, reached as a user would.
class AppContext final : public Context {
public:
  AppContext(std::string stack, std::string domain, Env env, HttpTarget http, Reporter& reporter)
      : stack_(std::move(stack)), domain_(std::move(domain)), env_(std::move(env)),
        http_(std::move(http)), reporter_(reporter) {}
  std::string stack() const override { return stack_; }
  std::string domain() const override { return domain_; }
  std::string env(std::string_view key) const override {
    auto it = env_.find(std::string(key));
    return it == env_.end() ? "" : it->second;
  }
  HttpResponse http_get(std::string_view path) override { return http_request(http_, "GET", path); }
  HttpResponse http_head(std::string_view path) override { return http_request(http_, "HEAD", path); }
  ExecResult exec(std::string_view service, const std::vector<std::string>& argv) override {
    auto container = service_container(stack_, std::string(service));
    if (container.empty())
      throw InfraError(fmt::format("no running container of service '{}' in stack {}", service, stack_));
    std::vector<std::string> args{"exec", container};
    args.insert(args.end(), argv.begin(), argv.end());
    ProcessOptions o;
    o.merge_stderr = true;
    auto r = docker(args, o);
    return {r.exit_code, r.out};
  }
  void log(std::string_view line) override { reporter_.line(fmt::format("    | {}", line)); }

private:
  std::string stack_, domain_;
  Env env_;
  HttpTarget http_;
  Reporter& reporter_;
};

class Run {
public:
  Run(const RunOptions& o, std::ostream& terminal) : opt_(o), reporter_(terminal, redactor_) {}

  int execute();

private:
  void prepare();
  void run_install();
  void run_custom();
  void converge(TierResult& tier, std::chrono::seconds timeout);
  void readiness(TierResult& tier);
  void plugin_checks(TierResult& tier);
  void collect_evidence();
  void teardown();
  void finish_tier(TierResult& t, std::chrono::steady_clock::time_point started);
  void record(TierResult& tier, CheckRecord rec) {
    reporter_.check(rec);
    tier.checks.push_back(std::move(rec));
  }
  void mark_rest(Status status, const std::string& reason);
  void check_stop() {
    if (stop_requested) throw Interrupted{};
  }

  RunOptions opt_;
  Redactor redactor_;
  Reporter reporter_;
  RunResults results_ = empty_results();
  RecipeMeta meta_;
  std::unique_ptr<LoadedPlugin> plugin_;
  fs::path run_dir_;
  std::string stack_, domain_;
  Env env_;
  Compose compose_;
  bool deployed_ = false;
  std::optional<Tier> current_;
};

void Run::prepare() {
  if (opt_.recipe.empty()) opt_.recipe = fs::absolute(opt_.recipe_dir).lexically_normal().filename().string();
  if (opt_.recipe.empty()) opt_.recipe = fs::absolute(opt_.recipe_dir).parent_path().filename().string();
  auto ref = resolve_recipe_ref(opt_.recipe_dir, opt_.version, opt_.ref);
  meta_ = load_meta_or_defaults(opt_.recipes_dir / opt_.recipe);
  if (opt_.deploy_timeout) meta_.deploy_timeout = *opt_.deploy_timeout;
  if (opt_.check_timeout) meta_.check_timeout = *opt_.check_timeout;

  fs::path plugin_path;
  if (opt_.plugin) plugin_path = *opt_.plugin;
  else if (fs::exists(opt_.plugin_dir / (opt_.recipe + ".so"))) plugin_path = opt_.plugin_dir / (opt_.recipe + ".so");
  if (!plugin_path.empty()) plugin_ = std::make_unique<LoadedPlugin>(plugin_path);

  auto hex = random_hex(6);
  domain_ = test_domain(opt_.recipe, hex);
  stack_ = stack_name_for(domain_);
  if (opt_.run_id.empty()) opt_.run_id = make_run_id(opt_.recipe, compact_utc_now(), hex);
  if (opt_.run_id.find('/') != std::string::npos || opt_.run_id.starts_with("."))
    throw InputError(fmt::format("--run-id '{}': must be a plain name (no '/', not starting with '.')", opt_.run_id));
  run_dir_ = opt_.runs_dir / opt_.run_id;
  if (fs::exists(run_dir_))
    throw InputError(fmt::format("{}: a run with this id already exists; pick another --run-id or leave it "
                                 "out to get a fresh one",
                                 run_dir_.string()));
  fs::create_directories(run_dir_);
  reporter_.open_log(run_dir_ / "ccci.log");

  results_.recipe = opt_.recipe;
  results_.version = ref.version;
  results_.ref = ref.ref;
  results_.commit = ref.commit;
  results_.run_id = opt_.run_id;
  results_.stack = stack_;
  results_.domain = domain_;
  results_.started = now_iso8601();
  results_.ccci_version = CCCI_VERSION;
  if (plugin_) results_.plugin = plugin_->info();
}

void Run::finish_tier(TierResult& t, std::chrono::steady_clock::time_point started) {
  auto v = judge_tier(t.checks);
  t.status = v.status;
  t.reason = v.reason;
  t.duration = seconds_since(started);
  reporter_.tier_done(t);
}

void Run::mark_rest(Status status, const std::string& reason) {
  for (auto& t : results_.tiers)
    if (t.status == Status::na && t.reason == "not attempted" && opt_.tiers.count(t.tier)) {
      t.status = status;
      t.reason = reason;
    }
}

void Run::converge(TierResult& tier, std::chrono::seconds timeout) {
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + timeout;
  std::string last_summary;
  auto last_print = started - 1h;
  while (true) {
    check_stop();
    auto services = stack_services(stack_);
    bool all = services.size() >= compose_.services.size();
    std::vector<std::string> parts, problems;
    for (auto& s : services) {
      for (auto& e : s.task_errors)
        if (is_image_error(e)) {
          record(tier, {"install/converged", Status::fail,
                        fmt::format("service {} cannot get its image, so it will never start: {}", s.name, e),
                        seconds_since(started)});
          return;
        }
      bool svc_ok = s.running >= s.desired && s.unhealthy == 0 && s.starting == 0;
      bool updating = s.update_state == "updating" || s.update_state == "paused" ||
                      s.update_state.starts_with("rollback_started") || s.update_state == "rollback_paused";
      if (!svc_ok || updating) all = false;
      std::string health;
      if (s.unhealthy) health += fmt::format(", {} unhealthy", s.unhealthy);
      if (s.starting) health += fmt::format(", {} health: starting", s.starting);
      parts.push_back(fmt::format("{} {}/{}{}{}", s.name.substr(stack_.size() + 1), s.running, s.desired,
                                  health, updating ? ", update " + s.update_state : ""));
      if (!s.task_errors.empty()) problems.push_back(s.task_errors.back());
    }
    std::string summary = parts.empty() ? "no services yet" : fmt::format("{}", fmt::join(parts, "; "));
    if (all) {
      record(tier, {"install/converged", Status::pass,
                    fmt::format("{} service(s) converged in {:.1f}s: {}", services.size(), seconds_since(started),
                                summary),
                    seconds_since(started)});
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      record(tier, {"install/converged", Status::fail,
                    fmt::format("not converged within the deploy timeout of {}s: {}{}; see evidence/tasks.txt "
                                "and evidence/<service>.log",
                                timeout.count(), summary,
                                problems.empty() ? "" : fmt::format(" (last task error: {})", problems.back())),
                    seconds_since(started)});
      return;
    }
    if (summary != last_summary || std::chrono::steady_clock::now() - last_print > 10s) {
      reporter_.progress("install", fmt::format("converging: {}", summary));
      last_summary = summary;
      last_print = std::chrono::steady_clock::now();
    }
    interruptible_sleep(1000ms);
  }
}

void Run::readiness(TierResult& tier) {
  if (compose_.routes.empty() && meta_.readiness.empty()) return;
  if (compose_.routes.empty()) {
    record(tier, {"install/ready", Status::fail,
                  "recipe meta declares readiness probes but no service has traefik labels "
                  "(traefik.enable=true, a Host() rule and a loadbalancer port), so nothing routes to the app",
                  0});
    return;
  }
  std::vector<ReadinessProbe> probes = meta_.readiness;
  if (probes.empty()) probes.push_back({"/", 0, 30, 1s}); // 0: any answer from the app itself
  auto target = edge_target(opt_.edge, domain_);
  for (auto& p : probes) {
    auto started = std::chrono::steady_clock::now();
    std::vector<std::string> seen;
    bool ok = false, any_answer = false;
    for (int attempt = 1; attempt <= p.attempts && !ok; ++attempt) {
      check_stop();
      try {
        auto r = http_request(target, "GET", p.path, 10s);
        any_answer = true;
        bool from_app = r.status != 421 && r.status != 502 && r.status != 503 && r.status != 504;
        ok = p.expect_status ? r.status == p.expect_status : from_app;
        seen.push_back(std::to_string(r.status));
      } catch (const InfraError& e) {
        seen.push_back("no answer");
      }
      if (!ok && attempt < p.attempts) interruptible_sleep(p.interval);
    }
    std::string want = p.expect_status ? std::to_string(p.expect_status) : "an answer from the app";
    if (ok)
      record(tier, {"install/ready", Status::pass,
                    fmt::format("GET {} answered {} on attempt {} of {} (bounded readiness retries; seen: {})",
                                p.path, seen.back(), seen.size(), p.attempts, fmt::join(seen, ", ")),
                    seconds_since(started)});
    else
      record(tier, {"install/ready", any_answer ? Status::fail : Status::unver,
                    fmt::format("GET {} (Host: {}) never gave {} in {} attempts {}s apart; seen: {}", p.path,
                                domain_, want, p.attempts, p.interval.count(), fmt::join(seen, ", ")),
                    seconds_since(started)});
  }
}

void Run::plugin_checks(TierResult& tier) {
  if (!plugin_) return;
  AppContext ctx(stack_, domain_, env_, edge_target(opt_.edge, domain_), reporter_);
  for (auto& spec : plugin_->checks_for(tier.tier)) {
    check_stop();
    reporter_.progress(ccci::to_string(tier.tier), fmt::format("running {}/{}", ccci::to_string(tier.tier), spec.name));
    record(tier, run_isolated_check(spec, ctx, meta_.check_timeout,
                                    [&](const std::string& l) { reporter_.line(fmt::format("    | {}", l)); }));
  }
}

void Run::run_install() {
  auto& tier = results_.tier(Tier::install);
  current_ = Tier::install;
  auto started = std::chrono::steady_clock::now();
  reporter_.progress("install", fmt::format("checking out {} ({})", results_.ref, results_.commit.substr(0, 12)));
  auto tree = run_dir_ / "tree";
  checkout_private_tree(opt_.recipe_dir, results_.commit, tree);

  try {
    auto app = make_app_env(tree, domain_, stack_, meta_.env);
    env_ = app.env;
    compose_ = load_compose(tree, app.compose_files, env_);
    write_file_atomically(run_dir_ / "compose.rendered.yml", render_compose(compose_));
    std::string env_text;
    for (auto& [k, v] : env_) env_text += fmt::format("{}={}\n", k, v);
    write_file_atomically(run_dir_ / "app.env", env_text);
    record(tier, {"install/render", Status::pass,
                  fmt::format("rendered {} ({} service(s)) to compose.rendered.yml", fmt::join(app.compose_files, ", "),
                              compose_.services.size()),
                  seconds_since(started)});
  } catch (const RecipeDefect& e) {
    record(tier, {"install/render", Status::fail, e.what(), seconds_since(started)});
    finish_tier(tier, started);
    return;
  }

  reporter_.progress("install", "creating secrets and the proxy network");
  ensure_overlay_network("proxy");
  for (auto& s : compose_.secrets) {
    if (!s.external) continue;
    GeneratedSecret g{s.name, generate_secret_value()};
    redactor_.add(g);
    create_secret(g.name, g.value, stack_, opt_.run_id);
  }
  if (!compose_.routes.empty()) {
    reporter_.progress("install", fmt::format("routing {} through the edge proxy on 127.0.0.1:{}", domain_,
                                              opt_.edge.port));
    ensure_edge(opt_.edge);
    for (auto& r : compose_.routes) add_edge_route(opt_.edge, stack_, r);
  }

  check_stop();
  reporter_.progress("install", fmt::format("docker stack deploy {}", stack_));
  deployed_ = true;
  auto dep = docker({"stack", "deploy", "--prune", "--resolve-image", "never", "--compose-file",
                     (run_dir_ / "compose.rendered.yml").string(), stack_});
  if (!dep.ok()) {
    record(tier, {"install/deploy", Status::fail,
                  fmt::format("docker stack deploy refused compose.rendered.yml ({}): {}", dep.describe(),
                              dep.err.empty() ? dep.out : dep.err),
                  seconds_since(started)});
    finish_tier(tier, started);
    return;
  }
  converge(tier, meta_.deploy_timeout);
  if (tier.checks.back().status == Status::pass) {
    readiness(tier);
    plugin_checks(tier);
  }
  finish_tier(tier, started);
}

void Run::run_custom() {
  auto& tier = results_.tier(Tier::custom);
  current_ = Tier::custom;
  auto started = std::chrono::steady_clock::now();
  if (!plugin_ || plugin_->checks_for(Tier::custom).empty()) {
    tier.status = Status::skip;
    tier.reason = plugin_ ? "the plugin registers no custom checks" : "no plugin for this recipe";
    return;
  }
  plugin_checks(tier);
  finish_tier(tier, started);
}

void Run::collect_evidence() {
  fs::create_directories(run_dir_ / "evidence");
  auto ps = docker({"stack", "ps", "--no-trunc", "--format",
                    "{{.Name}}\t{{.Image}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}", stack_});
  write_file_atomically(run_dir_ / "evidence" / "tasks.txt",
                        redactor_.redact("NAME\tIMAGE\tDESIRED\tCURRENT\tERROR\n" + ps.out + ps.err));
  results_.evidence.push_back("evidence/tasks.txt");
  for (auto& s : compose_.services) {
    ProcessOptions o;
    o.merge_stderr = true;
    o.timeout = 20s;
    auto logs = docker({"service", "logs", "--no-trunc", "--timestamps", "--tail", "100", stack_ + "_" + s.name}, o);
    auto file = fmt::format("evidence/{}.log", s.name);
    auto text = logs.out.empty() ? fmt::format("(service {} logged nothing; {})\n", s.name, logs.describe())
                                 : tail_lines(logs.out, 100);
    write_file_atomically(run_dir_ / file, redactor_.redact(text));
    results_.evidence.push_back(file);
  }
}

void Run::teardown() {
  reporter_.progress("teardown", fmt::format("removing stack {} and everything it made", stack_));
  auto started = std::chrono::steady_clock::now();
  remove_edge_routes(opt_.edge, stack_);
  auto report = teardown_stack(stack_, /*throwaway=*/true);
  for (auto& n : report.notes) reporter_.line(fmt::format("    {}", n));
  results_.teardown_leftovers = report.leftovers;
  for (auto& l : edge_route_leftovers(opt_.edge, stack_)) results_.teardown_leftovers.push_back(l);
  results_.clean_teardown = results_.teardown_leftovers.empty();
  reporter_.progress("teardown", fmt::format("{} in {:.1f}s", results_.clean_teardown ? "clean" : "NOT clean",
                                             seconds_since(started)));
}

int Run::execute() {
  prepare();
  reporter_.line(fmt::format("ccci run {} at {} ({}) as stack {}, domain {}", opt_.recipe,
                             results_.version.empty() ? results_.ref : results_.version,
                             results_.commit.substr(0, 12), stack_, domain_));
  reporter_.line(fmt::format("run directory {}", run_dir_.string()));
  reporter_.line(plugin_ ? fmt::format("plugin {} ({} checks)", plugin_->path().string(), plugin_->info().checks.size())
                         : "no plugin for this recipe: only ccci's own checks run");

  std::vector<std::string> tools{"docker", "git"};
  if (plugin_)
    for (auto& t : plugin_->plugin().required_tools()) tools.push_back(t);
  results_.environment = fingerprint(tools);

  // Tiers that will not run say why up front.
  for (auto& t : results_.tiers) {
    auto name = std::string(ccci::to_string(t.tier));
    if (auto it = meta_.expected_skips.find(name); it != meta_.expected_skips.end()) {
      t.status = Status::skip;
      t.declared_skip = true;
      t.reason = it->second;
    } else if (!opt_.tiers.count(t.tier)) {
      t.status = Status::skip;
      t.reason = "not selected with --tiers";
    } else if (!implemented_tiers().count(t.tier)) {
      t.status = Status::skip;
      t.reason = "not implemented in this version of ccci";
    }
  }

  std::vector<std::string> missing;
  for (auto& t : results_.environment)
    if (!t.found()) missing.push_back(t.name);

  try {
    if (!missing.empty())
      throw InfraFailure(fmt::format("required tool(s) not on PATH: {}; install them (see `ccci doctor`)",
                                     fmt::join(missing, ", ")));
    require_swarm_manager();
    bool install_selected = results_.tier(Tier::install).status == Status::na;
    if (install_selected) run_install();
    auto install_status = results_.tier(Tier::install).status;
    if (install_status != Status::pass) {
      auto why = install_selected ? fmt::format("install did not pass ({})", to_string(install_status))
                                  : std::string("install did not run, and every later tier needs a deployed app");
      for (auto& t : results_.tiers)
        if (t.status == Status::na && t.tier != Tier::install) t.reason = why;
    } else if (results_.tier(Tier::custom).status == Status::na) {
      run_custom();
    }
  } catch (const Interrupted&) {
    auto sig = signal_name(static_cast<int>(stop_requested));
    if (current_) {
      auto& t = results_.tier(*current_);
      t.status = Status::unver;
      t.reason = fmt::format("interrupted by {}", sig);
    }
    mark_rest(Status::unver, fmt::format("not run: interrupted by {}", sig));
    reporter_.line(fmt::format("interrupted by {}: tearing down", sig));
  } catch (const InfraFailure& e) {
    if (current_) {
      auto& t = results_.tier(*current_);
      t.status = Status::unver;
      t.reason = e.what();
    }
    mark_rest(Status::unver, fmt::format("not run: {}", e.what()));
    reporter_.line(fmt::format("infrastructure problem: {}", e.what()));
  } catch (const std::exception& e) {
    if (current_) {
      auto& t = results_.tier(*current_);
      t.status = Status::unver;
      t.reason = fmt::format("ccci internal error: {}", e.what());
    }
    mark_rest(Status::unver, fmt::format("not run: ccci internal error: {}", e.what()));
    reporter_.line(fmt::format("ccci internal error: {}", e.what()));
  }
  // A tier still `na` at this point was never reached: the reason says why.
  for (auto& t : results_.tiers)
    if (t.status == Status::na && t.reason == "not attempted") t.reason = "an earlier tier did not pass";

  bool trouble = false;
  for (auto& t : results_.tiers) trouble |= t.status == Status::fail || t.status == Status::unver;
  if (trouble && deployed_) {
    try {
      collect_evidence();
    } catch (const std::exception& e) {
      reporter_.line(fmt::format("could not collect all evidence: {}", e.what()));
    }
  }
  teardown();

  results_.level = compute_level(results_.tiers);
  results_.finished = now_iso8601();
  // The leak scan covers every artifact, results.json included: judge the
  // flag on the document as it will be written.
  auto leaks = find_secret_leaks(run_dir_, redactor_.secrets());
  results_.no_secret_leak = true;
  results_.exit_code = exit_code_for(results_);
  auto leaks_in_results = find_secret_leaks_in(to_json(results_), "results.json", redactor_.secrets());
  leaks.insert(leaks.end(), leaks_in_results.begin(), leaks_in_results.end());
  if (!leaks.empty()) {
    results_.no_secret_leak = false;
    for (auto& l : leaks) reporter_.line(fmt::format("SECRET LEAK: {}", l));
  }
  results_.exit_code = exit_code_for(results_);
  auto results_file = run_dir_ / "results.json";
  write_file_atomically(results_file, to_json(results_));
  reporter_.summary(results_, results_file);
  return results_.exit_code;
}

} // namespace

int run_recipe(const RunOptions& options, std::ostream& terminal) {
  Run run(options, terminal);
  return run.execute();
}

} // namespace ccci::detail
