#include "run/run.hpp"

#include "backup/backup.hpp"
#include "lint/lint.hpp"
#include "model/errors.hpp"
#include "model/level.hpp"
#include "model/naming.hpp"
#include "model/upgrade_base.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "os/tools.hpp"
#include "plugin/git_roundtrip.hpp"
#include "plugin/plugin_host.hpp"
#include "recipe/compose.hpp"
#include "recipe/envfile.hpp"
#include "recipe/meta.hpp"
#include "recipe/recipe.hpp"
#include "report/reporter.hpp"
#include "swarm/docker.hpp"
#include "swarm/secrets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace ccci::host {

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

std::string tail_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += lines[i] + "\n";
  return out;
}

// What a plugin's checks see: the deployed app, reached as a user would.
class AppContext final : public Context {
public:
  AppContext(std::string stack, std::string domain, Env env, HttpTarget http, Reporter& reporter)
      : stack_(std::move(stack)), domain_(std::move(domain)), env_(std::move(env)), http_(std::move(http)),
        reporter_(reporter) {}
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
  GitRoundTrip git_round_trip(std::string_view repo) override {
    return host::git_round_trip(git_remote_for(http_, repo));
  }
  LfsRoundTrip lfs_round_trip(std::string_view repo, std::size_t bytes, std::string_view pattern) override {
    return host::lfs_round_trip(git_remote_for(http_, repo), bytes, pattern);
  }
  LfsRoundTrip lfs_push_file(std::string_view repo, std::string_view file, std::string_view content) override {
    return host::lfs_push_file(git_remote_for(http_, repo), file, content);
  }
  LfsRoundTrip lfs_fetch(std::string_view repo, std::string_view file, std::string_view sha256) override {
    return host::lfs_fetch(git_remote_for(http_, repo), file, sha256);
  }
  std::string sha256_hex(std::string_view bytes) override { return host::sha256_hex(bytes); }

private:
  std::string stack_, domain_;
  Env env_;
  HttpTarget http_;
  Reporter& reporter_;
};

// One release of the recipe, checked out and rendered for this run's stack.
struct Release {
  std::string version; ///< release tag, or "" for a non-tag ref
  std::string commit;
  fs::path tree;
  Env env;
  Compose compose;
  fs::path rendered; ///< the compose file handed to docker stack deploy
};

class Run {
public:
  Run(const RunOptions& o, std::ostream& terminal) : opt_(o), reporter_(terminal, redactor_) {}

  int execute();

private:
  void prepare();
  void run_tiers();
  void run_install();
  void run_upgrade();
  void run_backup();
  void run_restore();
  void run_custom();
  void run_lint();

  // Steps shared by the tiers.
  Release render_release(const std::string& version, const std::string& commit, const std::string& label);
  bool render_target(TierResult& tier, std::chrono::steady_clock::time_point started);
  void provision(const Release& r);
  bool deploy(TierResult& tier, const Release& r, std::chrono::steady_clock::time_point started);
  bool converge(TierResult& tier, const std::string& check, bool after_update);
  bool readiness(TierResult& tier);
  void plugin_checks(TierResult& tier, Tier of, const std::string& prefix);
  bool run_hooks(TierResult& tier, Hook kind);
  bool seed_once(TierResult& tier);
  bool take_backup(TierResult& tier);
  void reset_stack(const std::string& why);
  bool passing(const TierResult& tier) const {
    for (auto& c : tier.checks)
      if (c.status != Status::pass) return false;
    return true;
  }

  void collect_evidence();
  void teardown();
  void finish_tier(TierResult& t, std::chrono::steady_clock::time_point started);
  void record(TierResult& tier, CheckRecord rec) {
    reporter_.check(rec);
    tier.checks.push_back(std::move(rec));
  }
  CheckRecord shell_hook(const std::string& name, const std::string& service, const std::string& command);
  void mark_rest(Status status, const std::string& reason);
  void mark_plugin_tiers_unver(const std::vector<std::string>& tools);
  void check_stop() {
    if (stop_requested) throw Interrupted{};
  }
  AppContext app_context() {
    return AppContext(stack_, domain_, target_.env, edge_target(opt_.edge, domain_), reporter_);
  }

  RunOptions opt_;
  Redactor redactor_;
  Reporter reporter_;
  RunResults results_ = empty_results();
  RecipeMeta meta_;
  std::unique_ptr<LoadedPlugin> plugin_;
  fs::path run_dir_;
  std::string stack_, domain_;
  std::vector<std::string> tags_;
  Release target_;
  bool target_rendered_ = false;
  const Compose* deployed_compose_ = nullptr; ///< what is on the swarm now (for evidence)
  bool deployed_ = false;
  bool seeded_ = false; ///< seed hooks ran on the current deployment
  BackupPlan plan_;
  fs::path archive_;
  std::optional<Tier> current_;
};

void Run::prepare() {
  if (opt_.recipe.empty()) opt_.recipe = fs::absolute(opt_.recipe_dir).lexically_normal().filename().string();
  if (opt_.recipe.empty()) opt_.recipe = fs::absolute(opt_.recipe_dir).parent_path().filename().string();
  auto ref = resolve_recipe_ref(opt_.recipe_dir, opt_.version, opt_.ref);
  tags_ = recipe_tags(opt_.recipe_dir);
  meta_ = load_meta_or_defaults(opt_.recipes_dir / opt_.recipe);
  if (opt_.deploy_timeout) meta_.deploy_timeout = *opt_.deploy_timeout;
  if (opt_.check_timeout) meta_.check_timeout = *opt_.check_timeout;

  fs::path plugin_path;
  if (opt_.plugin)
    plugin_path = *opt_.plugin;
  else if (fs::exists(opt_.plugin_dir / (opt_.recipe + ".so")))
    plugin_path = opt_.plugin_dir / (opt_.recipe + ".so");
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

// The tiers that would run plugin code (checks, seeds, verifies, archive
// checks) cannot give a verdict without the plugin's tools: unver, not run.
void Run::mark_plugin_tiers_unver(const std::vector<std::string>& tools) {
  auto has = [&](Tier t) { return !plugin_->checks_for(t).empty(); };
  bool seeds = !plugin_->hooks(Hook::seed).empty(), verifies = !plugin_->hooks(Hook::verify).empty();
  std::map<Tier, bool> uses{{Tier::install, has(Tier::install)},
                            {Tier::upgrade, seeds || verifies || has(Tier::install) || has(Tier::upgrade)},
                            {Tier::backup, seeds || !plugin_->plugin().archive_checks().empty()},
                            {Tier::restore, verifies || has(Tier::restore)},
                            {Tier::custom, has(Tier::custom)}};
  for (auto& t : results_.tiers)
    if (t.status == Status::na && uses[t.tier]) {
      t.status = Status::unver;
      t.reason = fmt::format("the plugin's tool(s) {} not on PATH, and this tier runs the plugin's checks; install "
                             "them (see `ccci doctor`)",
                             fmt::join(tools, ", "));
    }
}

Release Run::render_release(const std::string& version, const std::string& commit, const std::string& label) {
  Release r;
  r.version = version;
  r.commit = commit;
  r.tree = run_dir_ / (label == "target" ? "tree" : "tree-" + label);
  if (!fs::exists(r.tree)) checkout_private_tree(opt_.recipe_dir, commit, r.tree);
  auto app = make_app_env(r.tree, domain_, stack_, meta_.env);
  r.env = app.env;
  r.compose = load_compose(r.tree, app.compose_files, r.env);
  r.rendered = run_dir_ / (label == "target" ? "compose.rendered.yml" : "compose." + label + ".rendered.yml");
  write_file_atomically(r.rendered, render_compose(r.compose));
  if (label == "target") {
    std::string env_text;
    for (auto& [k, v] : r.env)
      env_text += fmt::format("{}={}\n", k, v);
    write_file_atomically(run_dir_ / "app.env", env_text);
  }
  return r;
}

bool Run::render_target(TierResult& tier, std::chrono::steady_clock::time_point started) {
  if (target_rendered_) return true;
  reporter_.progress(ccci::to_string(tier.tier),
                     fmt::format("checking out {} ({})", results_.ref, results_.commit.substr(0, 12)));
  try {
    target_ = render_release(results_.version, results_.commit, "target");
    target_rendered_ = true;
    record(tier, {fmt::format("{}/render", ccci::to_string(tier.tier)), Status::pass,
                  fmt::format("rendered {} ({} service(s)) to compose.rendered.yml",
                              fmt::join(compose_files(target_.env), ", "), target_.compose.services.size()),
                  seconds_since(started)});
    return true;
  } catch (const RecipeDefect& e) {
    record(tier,
           {fmt::format("{}/render", ccci::to_string(tier.tier)), Status::fail, e.what(), seconds_since(started)});
    return false;
  }
}

void Run::provision(const Release& r) {
  ensure_overlay_network("proxy");
  for (auto& s : r.compose.secrets) {
    if (!s.external) continue;
    // One value per secret name for the whole run: a redeploy (upgrade,
    // restore) finds the same secrets the data was written with.
    auto known = std::find_if(redactor_.secrets().begin(), redactor_.secrets().end(),
                              [&](const GeneratedSecret& g) { return g.name == s.name; });
    GeneratedSecret g = known != redactor_.secrets().end() ? *known : GeneratedSecret{s.name, generate_secret_value()};
    if (known == redactor_.secrets().end()) redactor_.add(g);
    if (docker({"secret", "inspect", g.name}).exit_code != 0) create_secret(g.name, g.value, stack_, opt_.run_id);
  }
  if (!r.compose.routes.empty()) {
    ensure_edge(opt_.edge);
    for (auto& route : r.compose.routes)
      add_edge_route(opt_.edge, stack_, route);
  }
}

bool Run::deploy(TierResult& tier, const Release& r, std::chrono::steady_clock::time_point started) {
  check_stop();
  provision(r);
  reporter_.progress(ccci::to_string(tier.tier), fmt::format("docker stack deploy {} ({})", stack_,
                                                             r.version.empty() ? r.commit.substr(0, 12) : r.version));
  deployed_ = true;
  deployed_compose_ = &r.compose;
  auto dep = docker({"stack", "deploy", "--resolve-image", "never", "--compose-file", r.rendered.string(), stack_});
  if (dep.ok()) return true;
  // The CLI's notice about --detach is noise here; keep the daemon's words.
  std::string why;
  std::istringstream lines(dep.err + dep.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.find("--detach") == std::string::npos) why += (why.empty() ? "" : " ") + line;
  if (why.find("only updates to Labels are allowed") != std::string::npos)
    why += " (a config or secret changed its content but kept its name: bump its version, e.g. the matching "
           "*_VERSION export in abra.sh, as abra recipes do)";
  record(tier,
         {fmt::format("{}/deploy", ccci::to_string(tier.tier)), Status::fail,
          fmt::format("docker stack deploy refused {} ({}): {}", r.rendered.filename().string(), dep.describe(), why),
          seconds_since(started)});
  return false;
}

bool Run::converge(TierResult& tier, const std::string& check, bool after_update) {
  auto tier_name = std::string(ccci::to_string(tier.tier));
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + meta_.deploy_timeout;
  std::string last_summary;
  auto last_print = started - 1h;
  auto fail = [&](std::string msg) {
    record(tier, {check, Status::fail, std::move(msg), seconds_since(started)});
    return false;
  };
  while (true) {
    check_stop();
    auto services = stack_services(stack_);
    bool all = services.size() >= deployed_compose_->services.size();
    // The swarm starts an update a moment after the deploy returns: give it
    // that moment before calling anything settled.
    if (after_update && std::chrono::steady_clock::now() - started < 3s) all = false;
    std::vector<std::string> parts, problems;
    for (auto& s : services) {
      auto short_name = s.name.substr(stack_.size() + 1);
      for (auto& e : s.task_errors)
        if (is_image_error(e))
          return fail(fmt::format("service {} cannot get its image, so it will never start: {}", short_name, e));
      if (s.update_state == "paused" || s.update_state.starts_with("rollback"))
        return fail(fmt::format(
            "the swarm's update of service {} ended '{}': {}{}", short_name, s.update_state, s.update_message,
            s.task_errors.empty() ? "" : fmt::format(" (last task error: {})", s.task_errors.back())));
      bool svc_ok = s.running >= s.desired && s.unhealthy == 0 && s.starting == 0;
      bool updating = s.update_state == "updating";
      if (!svc_ok || updating) all = false;
      std::string health;
      if (s.unhealthy) health += fmt::format(", {} unhealthy", s.unhealthy);
      if (s.starting) health += fmt::format(", {} health: starting", s.starting);
      parts.push_back(
          fmt::format("{} {}/{}{}{}", short_name, s.running, s.desired, health, updating ? ", updating" : ""));
      if (!s.task_errors.empty()) problems.push_back(s.task_errors.back());
    }
    std::string summary = parts.empty() ? "no services yet" : fmt::format("{}", fmt::join(parts, "; "));
    if (all) {
      record(tier,
             {check, Status::pass,
              fmt::format("{} service(s) converged in {:.1f}s: {}", services.size(), seconds_since(started), summary),
              seconds_since(started)});
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(fmt::format("not converged within the deploy timeout of {}s: {}{}; see evidence/tasks.txt and "
                              "evidence/<service>.log",
                              meta_.deploy_timeout.count(), summary,
                              problems.empty() ? "" : fmt::format(" (last task error: {})", problems.back())));
    if (summary != last_summary || std::chrono::steady_clock::now() - last_print > 10s) {
      reporter_.progress(tier_name, fmt::format("converging: {}", summary));
      last_summary = summary;
      last_print = std::chrono::steady_clock::now();
    }
    interruptible_sleep(1000ms);
  }
}

bool Run::readiness(TierResult& tier) {
  auto check = fmt::format("{}/ready", ccci::to_string(tier.tier));
  const auto& routes = deployed_compose_->routes;
  if (routes.empty() && meta_.readiness.empty()) return true;
  if (routes.empty()) {
    record(tier, {check, Status::fail,
                  "recipe meta declares readiness probes but no service has traefik labels "
                  "(traefik.enable=true, a Host() rule and a loadbalancer port), so nothing routes to the app",
                  0});
    return false;
  }
  std::vector<ReadinessProbe> probes = meta_.readiness;
  if (probes.empty()) probes.push_back({"/", 0, 30, 1s}); // 0: any answer from the app itself
  auto target = edge_target(opt_.edge, domain_);
  bool all_ok = true;
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
      } catch (const InfraError&) {
        seen.push_back("no answer");
      }
      if (!ok && attempt < p.attempts) interruptible_sleep(p.interval);
    }
    std::string want = p.expect_status ? std::to_string(p.expect_status) : "an answer from the app";
    if (ok)
      record(tier, {check, Status::pass,
                    fmt::format("GET {} answered {} on attempt {} of {} (bounded readiness retries; seen: {})", p.path,
                                seen.back(), seen.size(), p.attempts, fmt::join(seen, ", ")),
                    seconds_since(started)});
    else
      record(tier, {check, any_answer ? Status::fail : Status::unver,
                    fmt::format("GET {} (Host: {}) never gave {} in {} attempts {}s apart; seen: {}", p.path, domain_,
                                want, p.attempts, p.interval.count(), fmt::join(seen, ", ")),
                    seconds_since(started)});
    all_ok = all_ok && ok;
  }
  return all_ok;
}

void Run::plugin_checks(TierResult& tier, Tier of, const std::string& prefix) {
  if (!plugin_) return;
  auto ctx = app_context();
  for (auto& spec : plugin_->checks_for(of)) {
    check_stop();
    auto name = prefix + spec.name;
    reporter_.progress(ccci::to_string(tier.tier), fmt::format("running {}", name));
    record(tier, run_isolated(name, spec.run, ctx, meta_.check_timeout,
                              [&](const std::string& l) { reporter_.line(fmt::format("    | {}", l)); }));
  }
}

bool Run::run_hooks(TierResult& tier, Hook kind) {
  if (!plugin_) return true;
  auto ctx = app_context();
  bool ok = true;
  for (auto& h : plugin_->hooks(kind)) {
    check_stop();
    auto name = fmt::format("{}/{}:{}", ccci::to_string(tier.tier), kind == Hook::seed ? "seed" : "verify", h.name);
    reporter_.progress(ccci::to_string(tier.tier), fmt::format("running {}", name));
    auto rec = run_isolated(name, h.run, ctx, meta_.check_timeout,
                            [&](const std::string& l) { reporter_.line(fmt::format("    | {}", l)); });
    ok = ok && rec.status == Status::pass;
    record(tier, std::move(rec));
  }
  return ok;
}

bool Run::seed_once(TierResult& tier) {
  if (seeded_) return true;
  seeded_ = run_hooks(tier, Hook::seed);
  return seeded_;
}

CheckRecord Run::shell_hook(const std::string& name, const std::string& service, const std::string& command) {
  auto started = std::chrono::steady_clock::now();
  auto container = service_container(stack_, service);
  if (container.empty())
    return {name, Status::fail, fmt::format("no running container of service {} to run the hook in", service), 0};
  auto r = exec_shell(container, command);
  auto out = tail_lines(r.out, 5);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
    out.pop_back();
  if (r.ok()) return {name, Status::pass, fmt::format("`{}` in {}: exit 0", command, service), seconds_since(started)};
  return {name, Status::fail,
          fmt::format("`{}` in {}: {}{}", command, service, r.describe(), out.empty() ? "" : ": " + out),
          seconds_since(started)};
}

void Run::reset_stack(const std::string& why) {
  reporter_.progress(current_ ? ccci::to_string(*current_) : "run", fmt::format("removing the stack: {}", why));
  auto report = teardown_stack(stack_, /*throwaway=*/true);
  if (!report.leftovers.empty())
    throw InfraFailure(
        fmt::format("could not remove the stack before {}: still there: {}", why, fmt::join(report.leftovers, ", ")));
  deployed_ = false;
  seeded_ = false;
}

void Run::run_install() {
  auto& tier = results_.tier(Tier::install);
  current_ = Tier::install;
  auto started = std::chrono::steady_clock::now();
  if (render_target(tier, started) && deploy(tier, target_, started) && converge(tier, "install/converged", false)) {
    readiness(tier);
    plugin_checks(tier, Tier::install, "install/");
  }
  finish_tier(tier, started);
}

void Run::run_upgrade() {
  auto& tier = results_.tier(Tier::upgrade);
  current_ = Tier::upgrade;
  auto started = std::chrono::steady_clock::now();
  auto base = choose_upgrade_base(tags_, results_.version, meta_.upgrade_base, opt_.canonical);
  std::string base_commit;
  if (base.tag) {
    auto rev = run_process({"git", "-C", opt_.recipe_dir.string(), "rev-parse", *base.tag + "^{commit}"});
    base_commit = rev.out.substr(0, rev.out.find('\n'));
    if (base_commit == results_.commit)
      base = {std::nullopt, fmt::format("same version on both sides: {} is the "
                                        "commit under test",
                                        *base.tag)};
  }
  if (!base.tag) {
    tier.status = Status::skip;
    tier.reason = base.reason;
    reporter_.tier_done(tier);
    return;
  }
  reporter_.progress("upgrade", fmt::format("base {}", base.reason));
  reset_stack("deploying the upgrade base");
  Release base_release;
  try {
    base_release = render_release(*base.tag, base_commit, "base");
  } catch (const RecipeDefect& e) {
    record(tier, {"upgrade/base_render", Status::fail,
                  fmt::format("the base release {} does not render: {}", *base.tag, e.what()), seconds_since(started)});
    finish_tier(tier, started);
    return;
  }
  bool ok = deploy(tier, base_release, started) && converge(tier, "upgrade/base_converged", false) && readiness(tier) &&
            seed_once(tier);
  if (ok) {
    reporter_.progress("upgrade", fmt::format("redeploying {} in place over {}",
                                              results_.version.empty() ? results_.ref : results_.version, *base.tag));
    ok = deploy(tier, target_, started) && converge(tier, "upgrade/reconverged", true) && readiness(tier);
    if (ok) {
      run_hooks(tier, Hook::verify);
      plugin_checks(tier, Tier::install, "upgrade/install:");
      plugin_checks(tier, Tier::upgrade, "upgrade/");
    }
  }
  finish_tier(tier, started);
  if (tier.status == Status::pass)
    tier.reason =
        fmt::format("{} -> {}: {}", *base.tag, results_.version.empty() ? results_.ref : results_.version, tier.reason);
}

bool Run::take_backup(TierResult& tier) {
  // The whole backup is retried, at most 3 times, and only when the
  // archive's integrity check says it was cut short.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    check_stop();
    auto started = std::chrono::steady_clock::now();
    fs::create_directories(run_dir_ / "backup");
    archive_ = run_dir_ / "backup" / fmt::format("{}.tar.gz", stack_);
    std::vector<CheckRecord> steps;
    bool ok = true;
    {
      ArchiveWriter writer(archive_);
      for (auto& svc : plan_.services) {
        if (!svc.pre_hook.empty()) {
          steps.push_back(shell_hook(fmt::format("backup/pre-hook:{}", svc.service), svc.service, svc.pre_hook));
          if (steps.back().status != Status::pass) {
            ok = false;
            break;
          }
        }
        auto container = service_container(stack_, svc.service);
        for (auto& vol : svc.volumes) {
          std::vector<std::string> paths = vol.paths.empty() ? std::vector<std::string>{"."} : vol.paths;
          for (auto& rel : paths) {
            auto src = rel == "." ? vol.target + "/." : vol.target + "/" + rel;
            auto copy = copy_from_container(container, src);
            if (!copy.ok()) {
              steps.push_back(
                  {fmt::format("backup/copy:{}/{}", svc.service, vol.volume), Status::fail,
                   fmt::format("docker cp {}:{} failed ({}): {}", svc.service, src, copy.describe(), copy.err),
                   seconds_since(started)});
              ok = false;
              continue;
            }
            auto parent = fs::path(rel).parent_path().string();
            auto prefix = archive_volume_root(stack_, vol.volume) + (rel == "." || parent.empty() ? "" : "/" + parent);
            writer.add_tar_stream(copy.out, prefix);
          }
        }
        if (!svc.post_hook.empty())
          steps.push_back(shell_hook(fmt::format("backup/post-hook:{}", svc.service), svc.service, svc.post_hook));
      }
      writer.close();
    }
    for (auto& s : steps)
      record(tier, s);
    if (!ok) return false;
    auto verdict = verify_archive(archive_, plan_);
    if (verdict.truncated && attempt < 3) {
      reporter_.progress(
          "backup", fmt::format("attempt {} of 3: archive truncated ({}); backing up again", attempt, verdict.error));
      record(tier, {"backup/attempt", Status::pass,
                    fmt::format("attempt {} produced a truncated archive ({}); retried (at most 3 attempts)", attempt,
                                verdict.error),
                    seconds_since(started)});
      continue;
    }
    record(tier, {"backup/archive_complete", verdict.ok() ? Status::pass : Status::fail,
                  fmt::format("{}: {}", fs::relative(archive_, run_dir_).string(), verdict.describe()),
                  seconds_since(started)});
    return verdict.ok();
  }
  return false;
}

void Run::run_backup() {
  auto& tier = results_.tier(Tier::backup);
  current_ = Tier::backup;
  auto started = std::chrono::steady_clock::now();
  try {
    plan_ = plan_backup(target_.compose, stack_);
  } catch (const RecipeDefect& e) {
    record(tier, {"backup/labels", Status::fail, e.what(), 0});
    finish_tier(tier, started);
    return;
  }
  if (plan_.empty()) {
    tier.status = Status::skip;
    tier.reason = "not backup-capable: no service has the label backupbot.backup=true";
    reporter_.tier_done(tier);
    return;
  }
  if (seed_once(tier) && take_backup(tier) && plugin_) {
    ArchiveReader reader(archive_, stack_);
    auto ctx = app_context();
    for (auto& a : plugin_->plugin().archive_checks()) {
      check_stop();
      auto run = a.run;
      record(tier,
             run_isolated(
                 fmt::format("backup/archive:{}", a.name), [&reader, run](Context& c) { return run(c, reader); }, ctx,
                 meta_.check_timeout, [&](const std::string& l) { reporter_.line(fmt::format("    | {}", l)); }));
    }
  }
  finish_tier(tier, started);
}

void Run::run_restore() {
  auto& tier = results_.tier(Tier::restore);
  current_ = Tier::restore;
  auto started = std::chrono::steady_clock::now();
  reset_stack("restoring into fresh volumes");
  bool ok = deploy(tier, target_, started) && converge(tier, "restore/converged", false);
  for (auto& svc : plan_.services) {
    if (!ok) break;
    if (!svc.restore_pre_hook.empty()) {
      record(tier, shell_hook(fmt::format("restore/pre-hook:{}", svc.service), svc.service, svc.restore_pre_hook));
      ok = tier.checks.back().status == Status::pass;
    }
    auto container = service_container(stack_, svc.service);
    for (auto& vol : svc.volumes) {
      if (!ok) break;
      auto tar = volume_tar_for_restore(archive_, stack_, vol.volume);
      auto name = fmt::format("restore/copy:{}/{}", svc.service, vol.volume);
      if (!tar) {
        record(tier, {name, Status::fail, fmt::format("the archive holds nothing of volume {}", vol.volume), 0});
        ok = false;
        break;
      }
      auto r = copy_into_container(container, vol.target, *tar);
      record(tier, {name, r.ok() ? Status::pass : Status::fail,
                    r.ok() ? fmt::format("{} bytes of tar into {}:{}", tar->size(), svc.service, vol.target)
                           : fmt::format("docker cp into {}:{} failed ({}): {}", svc.service, vol.target, r.describe(),
                                         r.err),
                    0});
      ok = r.ok();
    }
    if (ok && !svc.restore_post_hook.empty()) {
      record(tier, shell_hook(fmt::format("restore/post-hook:{}", svc.service), svc.service, svc.restore_post_hook));
      ok = tier.checks.back().status == Status::pass;
    }
  }
  if (ok && converge(tier, "restore/reconverged", false) && readiness(tier)) {
    // The data must come back: the verify hooks look for what was seeded.
    seeded_ = true;
    run_hooks(tier, Hook::verify);
    plugin_checks(tier, Tier::restore, "restore/");
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
    reporter_.tier_done(tier);
    return;
  }
  plugin_checks(tier, Tier::custom, "custom/");
  finish_tier(tier, started);
}

void Run::run_lint() {
  auto& tier = results_.tier(Tier::lint);
  current_ = Tier::lint;
  auto started = std::chrono::steady_clock::now();
  if (!render_target(tier, started)) {
    finish_tier(tier, started);
    return;
  }
  BackupPlan plan;
  try {
    plan = plan_backup(target_.compose, stack_);
  } catch (const RecipeDefect& e) {
    record(tier, {"lint/backup-labels", Status::fail, e.what(), 0});
  }
  auto findings = lint_recipe(target_.compose, plan, results_.version);
  auto table = lint_table(findings);
  write_file_atomically(run_dir_ / "lint.txt", table);
  reporter_.line(table);
  for (auto& f : findings) {
    bool failing = !f.satisfied && f.severity == "error";
    record(tier, {fmt::format("lint/{}", f.rule), failing ? Status::fail : Status::pass,
                  f.satisfied ? f.detail : fmt::format("{}: {}; fix: {}", f.severity, f.detail, f.fix), 0});
  }
  finish_tier(tier, started);
}

void Run::run_tiers() {
  auto status_of = [&](Tier t) { return results_.tier(t).status; };
  auto to_run = [&](Tier t) { return status_of(t) == Status::na; }; // selected, not skipped up front
  if (to_run(Tier::install)) run_install();
  // Every deployed tier needs the one before it to have passed (or been a
  // skip that leaves the app as it was).
  std::string blocker;
  if (status_of(Tier::install) != Status::pass)
    blocker = status_of(Tier::install) == Status::skip
                  ? "install did not run, and every later tier needs a deployed app"
                  : fmt::format("install did not pass ({})", to_string(status_of(Tier::install)));
  for (Tier t : {Tier::upgrade, Tier::backup, Tier::restore, Tier::custom}) {
    if (!to_run(t)) {
      // Marked unver before the run (a missing plugin tool): it stops the climb.
      if (status_of(t) == Status::unver && blocker.empty())
        blocker = fmt::format("{} did not pass (unver)", ccci::to_string(t));
      continue;
    }
    if (!blocker.empty()) {
      results_.tier(t).reason = blocker;
      continue;
    }
    if (t == Tier::restore && status_of(Tier::backup) != Status::pass) {
      auto& r = results_.tier(t);
      r.status = Status::skip;
      r.reason = fmt::format("nothing to restore: the backup tier did not produce an archive ({}: {})",
                             to_string(status_of(Tier::backup)), results_.tier(Tier::backup).reason);
      r.declared_skip = results_.tier(Tier::backup).declared_skip;
      continue;
    }
    if (t == Tier::upgrade) run_upgrade();
    if (t == Tier::backup) run_backup();
    if (t == Tier::restore) run_restore();
    if (t == Tier::custom) run_custom();
    auto st = status_of(t);
    if (st == Status::fail || st == Status::unver)
      blocker = fmt::format("{} did not pass ({})", ccci::to_string(t), to_string(st));
  }
  // Lint is static: it judges the recipe at the ref whatever the deployed
  // tiers found.
  if (to_run(Tier::lint)) run_lint();
}

void Run::collect_evidence() {
  fs::create_directories(run_dir_ / "evidence");
  auto ps = docker({"stack", "ps", "--no-trunc", "--format",
                    "{{.Name}}\t{{.Image}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}", stack_});
  write_file_atomically(run_dir_ / "evidence" / "tasks.txt",
                        redactor_.redact("NAME\tIMAGE\tDESIRED\tCURRENT\tERROR\n" + ps.out + ps.err));
  results_.evidence.push_back("evidence/tasks.txt");
  for (auto& s : deployed_compose_->services) {
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
  for (auto& n : report.notes)
    reporter_.line(fmt::format("    {}", n));
  results_.teardown_leftovers = report.leftovers;
  for (auto& l : edge_route_leftovers(opt_.edge, stack_))
    results_.teardown_leftovers.push_back(l);
  results_.clean_teardown = results_.teardown_leftovers.empty();
  reporter_.progress("teardown", fmt::format("{} in {:.1f}s", results_.clean_teardown ? "clean" : "NOT clean",
                                             seconds_since(started)));
}

int Run::execute() {
  prepare();
  reporter_.line(fmt::format("ccci run {} at {} ({}) as stack {}, domain {}", opt_.recipe,
                             results_.version.empty() ? results_.ref : results_.version, results_.commit.substr(0, 12),
                             stack_, domain_));
  reporter_.line(fmt::format("run directory {}", run_dir_.string()));
  reporter_.line(
      plugin_ ? fmt::format("plugin {} ({} checks and hooks)", plugin_->path().string(), plugin_->info().checks.size())
              : "no plugin for this recipe: only ccci's own checks run");

  std::vector<std::string> tools;
  for (auto& t : framework_tools())
    tools.push_back(t.name);
  if (plugin_)
    for (auto& t : plugin_->plugin().required_tools())
      tools.push_back(t);
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
    }
  }

  // A missing tool of ccci's own stops every tier; one that only the plugin
  // declared stops the tiers that run plugin code (lint still runs).
  std::vector<std::string> missing, missing_for_plugin;
  for (auto& t : results_.environment) {
    if (t.found()) continue;
    bool own = std::any_of(framework_tools().begin(), framework_tools().end(),
                           [&](const RequiredTool& r) { return r.name == t.name; });
    auto& list = own ? missing : missing_for_plugin;
    if (std::find(list.begin(), list.end(), t.name) == list.end()) list.push_back(t.name);
  }
  if (missing.empty() && !missing_for_plugin.empty()) mark_plugin_tiers_unver(missing_for_plugin);

  try {
    if (!missing.empty())
      throw InfraFailure(
          fmt::format("required tool(s) not on PATH: {}; install them (see `ccci doctor`)", fmt::join(missing, ", ")));
    require_swarm_manager();
    run_tiers();
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
  for (auto& t : results_.tiers)
    trouble |= t.status == Status::fail || t.status == Status::unver;
  if (trouble && deployed_ && deployed_compose_) {
    try {
      collect_evidence();
    } catch (const std::exception& e) {
      reporter_.line(fmt::format("could not collect all evidence: {}", e.what()));
    }
  }
  bool all_passed = true;
  for (auto& t : results_.tiers)
    if (opt_.tiers.count(t.tier)) all_passed = all_passed && t.status == Status::pass;
  if (opt_.keep_running && all_passed && deployed_) {
    // The promotion path: the same install, left running as the warm canonical.
    results_.kept_running = true;
    reporter_.progress("teardown", fmt::format("kept running on purpose: stack {}, domain {}", stack_, domain_));
  } else {
    teardown();
  }

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
    for (auto& l : leaks)
      reporter_.line(fmt::format("SECRET LEAK: {}", l));
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

} // namespace ccci::host
