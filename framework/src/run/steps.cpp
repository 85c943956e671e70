// The steps tiers share. Each records what it did as a check of the tier it
// runs for, so a tier's result says which step stopped it and why.
#include "model/errors.hpp"
#include "model/level.hpp"
#include "model/text.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "plugin/http.hpp"
#include "recipe/envfile.hpp"
#include "recipe/recipe.hpp"
#include "run/context.hpp"
#include "run/wait_status.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace ccci::host {

namespace {

std::string tier_name(const TierResult& tier) { return std::string(ccci::to_string(tier.tier)); }

std::string describe_route(const Route& r) {
  std::string hosts = r.host_regex.empty() ? fmt::format("{}", fmt::join(r.hosts, ", ")) : "HostRegexp " + r.host_regex;
  std::string path = r.path_match == PathMatch::exact    ? " Path " + r.path
                     : r.path_match == PathMatch::prefix ? " PathPrefix " + r.path
                                                         : "";
  return fmt::format("{}{} -> {}:{} (router {}, priority {})", hosts, path, r.service, r.port, r.router, r.priority);
}

// What the edge serves of a release and what it skips (docs/results-schema.md
// "<tier>/routes"): the routes as Traefik would try them, then each note.
std::string describe_routes(const Compose& c) {
  std::vector<std::string> served;
  for (auto& r : c.routes)
    served.push_back(describe_route(r));
  std::string out = served.empty() ? "the edge serves no route"
                                   : fmt::format("the edge serves {} route(s), in Traefik's order: {}", served.size(),
                                                 fmt::join(served, "; "));
  if (!c.route_notes.empty())
    out += fmt::format(". Not served ({}): {}", c.route_notes.size(), fmt::join(c.route_notes, "; "));
  return out;
}

} // namespace

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool tracing() {
  static const bool on = [] {
    const char* v = std::getenv("CCCI_TRACE");
    return v && std::string_view(v) == "1";
  }();
  return on;
}

void RunContext::trace(std::string_view step, Clock::time_point since) {
  if (!tracing()) return;
  const auto wall = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  events.line(fmt::format("trace: {} {:.3f}s, done at {:.3f}", step, seconds_since(since), wall));
}

std::string RunContext::fmt_log(std::string_view line) { return fmt::format("    | {}", line); }

void RunContext::record(TierResult& tier, CheckRecord rec) {
  // A stop cuts docker, git and the check processes short; what they leave
  // behind is no verdict either way (docs/architecture.md, "Stopping").
  const bool cut_short = stop_requested != 0;
  if (cut_short && !(rec.status == Status::unver && rec.message.starts_with(interrupted_reason()))) {
    rec.message = fmt::format("{}: cut short, no verdict{}", interrupted_reason(),
                              rec.message.empty() ? "" : fmt::format(" (it said, as it was stopped: {})", rec.message));
    rec.status = Status::unver;
  }
  events.check_done(rec);
  tier.checks.push_back(std::move(rec));
  if (cut_short) throw Interrupted{tier.checks.back().name};
}

void RunContext::write_artifact(const fs::path& relative, std::string_view content) {
  auto path = run_dir / relative;
  fs::create_directories(path.parent_path());
  write_file_atomically(path, redactor.redact(std::string(content)));
}

void RunContext::remember_secret(const GeneratedSecret& secret) {
  redactor.add(secret);
  if (secret_sink) secret_sink(secret);
  // Before the value goes anywhere: a run killed a moment later still leaves
  // its parent what it needs to scan (docs/architecture.md, "Leaks").
  if (!fingerprint_key.empty())
    write_file_atomically(fingerprints_path(),
                          fingerprints_to_json(fingerprints_of(redactor.secrets(), fingerprint_key)), 0600);
}

fs::path RunContext::fingerprints_path() const {
  // Two processes never write one file: the upgrade chain keeps its own.
  return chain_tag.empty() ? run_dir / fingerprints_file : run_dir / chain_fingerprints_file(chain_tag);
}

void RunContext::premake_secrets(const Release& r) {
  TierResult scratch{Tier::install, Status::na, "", false, 0, {}};
  for (auto& s : r.compose.secrets) {
    if (!s.external) continue;
    auto& known = redactor.secrets();
    if (std::any_of(known.begin(), known.end(), [&](const GeneratedSecret& g) { return g.name == s.name; })) continue;
    std::string how;
    // A maker that fails here fails in the install too, which cancels this
    // chain: the deploy that needs the value is never reached.
    if (auto value = make_secret(scratch, r, s, how)) remember_secret({s.name, std::move(*value)});
  }
}

void RunContext::finish_tier(TierResult& tier, Clock::time_point started) {
  auto v = judge_tier(tier.checks);
  tier.status = v.status;
  tier.reason = v.reason;
  tier.duration = seconds_since(started);
  events.tier_done(tier);
}

void RunContext::skip_tier(TierResult& tier, std::string reason) {
  tier.status = Status::skip;
  tier.reason = std::move(reason);
  events.tier_done(tier);
}

void RunContext::check_stop() const {
  if (stop_requested) throw Interrupted{""};
}

AppContext RunContext::app_context() {
  return AppContext(swarm, stack, domain, state.target ? state.target->env : Env{},
                    [this](std::string_view l) { log_line(l); });
}

Release RunContext::render_release(const std::string& version, const std::string& commit, const std::string& label) {
  Release r;
  r.version = version;
  r.commit = commit;
  bool target = label == "target";
  r.tree = run_dir / (target ? "tree" : "tree-" + label);
  if (!fs::exists(r.tree)) checkout_private_tree(options.recipe_dir, commit, r.tree);
  auto app = make_app_env(r.tree, domain, stack, meta.env);
  r.env = app.env;
  r.secret_modifiers = app.secret_modifiers;
  r.compose = load_compose(r.tree, app.compose_files, r.env);
  add_labels(r.compose, owner_labels(owner));
  // The upgrade chain renders the target for its own stack beside the
  // install's: its files carry the chain's tag.
  const std::string tagged = chain_tag.empty() ? "" : chain_tag + ".";
  r.rendered = run_dir / (target ? "compose." + tagged + "rendered.yml" : "compose." + label + ".rendered.yml");
  write_artifact(r.rendered.filename(), render_compose(r.compose));
  if (target) {
    std::string env_text;
    for (auto& [k, v] : r.env)
      env_text += fmt::format("{}={}\n", k, v);
    write_artifact("app." + tagged + "env", env_text);
  }
  return r;
}

bool RunContext::render_target(TierResult& tier, Clock::time_point started) {
  if (state.target) return true;
  events.progress(tier_name(tier), fmt::format("checking out {} ({})", results.ref, results.commit.substr(0, 12)));
  try {
    state.target = render_release(results.version, results.commit, "target");
    trace("render", started);
    record(tier, {fmt::format("{}/render", tier_name(tier)), Status::pass,
                  fmt::format("rendered {} ({} service(s)) to compose.rendered.yml",
                              fmt::join(compose_files(state.target->env), ", "), state.target->compose.services.size()),
                  seconds_since(started)});
    return true;
  } catch (const RecipeDefect& e) {
    record(tier, {fmt::format("{}/render", tier_name(tier)), Status::fail, e.what(), seconds_since(started)});
    return false;
  }
}

std::optional<std::string> RunContext::make_secret(TierResult& tier, const Release& r, const ComposeObject& secret,
                                                   std::string& how) {
  const auto variable = secret_version_variable(secret.key);
  auto found = r.secret_modifiers.find(variable);
  const SecretModifiers m = found != r.secret_modifiers.end() ? found->second : SecretModifiers{};
  const std::string kind = m.length ? fmt::format("{} characters{}", *m.length, m.special ? ", charset=special" : "")
                                    : fmt::format("a {}-word passphrase", passphrase_words);
  if (m.generate) {
    how = fmt::format("{}: {}", secret.key, kind);
    return generate_secret_value(m.length, m.special);
  }
  auto maker = plugin ? plugin->secret_maker(secret.key) : std::nullopt;
  if (!maker) {
    // docs/results-schema.md: this note is how a reader learns the value
    // was assumed rather than inserted as the recipe expects.
    how = fmt::format("{}: generate=false ({}) and the plugin has no CCCI_SECRET(\"{}\"): a generated value "
                      "({}) was assumed",
                      secret.key, m.where.empty() ? variable : m.where, secret.key, kind);
    return generate_secret_value(m.length, m.special);
  }
  auto ctx = app_context();
  auto made = make_secret_isolated(fmt::format("{}/secrets", ccci::to_string(tier.tier)), *maker, ctx,
                                   meta.check_timeout, [&](const std::string& l) { log_line(l); });
  if (!made.value) {
    record(tier, std::move(made.record));
    return std::nullopt;
  }
  how = made.record.message;
  return made.value;
}

bool RunContext::host_access_allowed(TierResult& tier, const Release& r, Clock::time_point started) {
  const auto check = fmt::format("{}/host-access", tier_name(tier));
  const auto verdict = judge_host_access(r.compose.host_access, meta.host_access);
  const auto meta_file =
      (meta.file.empty() ? options.recipes_dir / options.recipe / "ccci.yml" : meta.file).lexically_normal().string();
  for (const auto& a : verdict.refused)
    record(tier, {check, Status::fail, refusal_message(a, meta_file), seconds_since(started)});
  if (!verdict.refused.empty()) {
    events.progress(tier_name(tier), fmt::format("not deploying {}: {} host access(es) refused (see {})",
                                                 r.rendered.filename().string(), verdict.refused.size(), check));
    return false;
  }
  if (!verdict.granted.empty()) {
    std::vector<std::string> granted;
    for (const auto& [a, g] : verdict.granted)
      granted.push_back(grant_message(a, g));
    record(tier, {check, Status::pass,
                  fmt::format("{} granted by the recipe meta for {}: {}", granted.size(),
                              r.version.empty() ? r.commit.substr(0, 12) : r.version, fmt::join(granted, "; ")),
                  seconds_since(started)});
  }
  return true;
}

bool RunContext::provision(TierResult& tier, const Release& r, Clock::time_point started) {
  auto step = Clock::now();
  swarm.ensure_network("proxy");
  state.touched = true;
  std::vector<std::string> made;
  for (auto& s : r.compose.secrets) {
    if (!s.external) continue;
    // One value per secret name for the whole run: a redeploy (upgrade,
    // restore) finds the same secrets the data was written with.
    auto& known = redactor.secrets();
    auto it = std::find_if(known.begin(), known.end(), [&](const GeneratedSecret& g) { return g.name == s.name; });
    GeneratedSecret g;
    const bool known_before = it != known.end();
    if (known_before) {
      g = *it;
    } else {
      std::string how;
      auto value = make_secret(tier, r, s, how);
      if (!value) return false;
      g = GeneratedSecret{s.name, std::move(*value)};
      remember_secret(g);
      made.push_back(std::move(how));
    }
    // A value made just now has no secret yet (the stack name is the run's
    // own): created without asking first, and asked only if that fails.
    if (known_before && swarm.has_secret(g.name)) continue;
    try {
      swarm.create_secret(g.name, g.value, stack, owner);
    } catch (const InfraFailure&) {
      if (!swarm.has_secret(g.name)) throw;
    }
  }
  if (!made.empty())
    record(tier,
           {fmt::format("{}/secrets", ccci::to_string(tier.tier)), Status::pass,
            fmt::format("made as .env.sample's modifiers say: {}", fmt::join(made, "; ")), seconds_since(started)});
  trace("secrets", step);
  return true;
}

bool RunContext::deploy(TierResult& tier, Deployed which, Clock::time_point started) {
  check_stop();
  Release& r = which == Deployed::base ? *state.base : *state.target;
  // Before the edge takes them: the notes stay in the results if it fails.
  if (!r.routes_reported && (!r.compose.routes.empty() || !r.compose.route_notes.empty())) {
    r.routes_reported = true;
    record(tier, {fmt::format("{}/routes", tier_name(tier)), Status::pass, describe_routes(r.compose), 0});
  }
  // Before anything of the release is made: a refused recipe deploys nothing.
  if (!host_access_allowed(tier, r, started)) return false;
  if (!provision(tier, r, started)) return false;
  events.progress(tier_name(tier), fmt::format("docker stack deploy {} ({})", stack,
                                               r.version.empty() ? r.commit.substr(0, 12) : r.version));
  // Recorded before the deploy returns: a refused deploy may still have made
  // services, and the evidence and teardown must look for them.
  state.deployed = which;
  const auto step = Clock::now();
  auto dep = swarm.deploy_stack(stack, r.rendered);
  trace("deploy", step);
  if (dep.ok) {
    // After the deploy, not before: the edge's reload then happens while the
    // swarm starts the tasks, which converge waits for anyway; nothing can
    // reach the app before it converges (docs/architecture.md, "Where an
    // install's time goes").
    const auto routes_started = Clock::now();
    for (auto& note : swarm.publish_routes(stack, r.compose.routes, owner))
      events.progress(tier_name(tier), note);
    trace("routes", routes_started);
    return true;
  }
  record(tier, {fmt::format("{}/deploy", tier_name(tier)), Status::fail,
                fmt::format("docker stack deploy refused {} ({}): {}", r.rendered.filename().string(), dep.describe,
                            dep.words),
                seconds_since(started)});
  return false;
}

bool RunContext::converge(TierResult& tier, const std::string& check, bool after_update) {
  auto name = tier_name(tier);
  auto started = Clock::now();
  const Release* deployed = state.deployed_release();
  const auto timeout =
      choose_deploy_timeout(options.deploy_timeout, meta, deployed ? deployed->compose.timeout_label : std::nullopt);
  auto deadline = started + timeout.value;
  std::size_t expected = deployed ? deployed->compose.services.size() : 0;
  events.progress(name, fmt::format("deploy timeout {}s, from {}", timeout.value.count(), timeout.source));
  auto fail = [&](std::string msg) {
    record(tier, {check, Status::fail, std::move(msg), seconds_since(started)});
    return false;
  };
  // Zero services converge at once: a pass with nothing running would break
  // the teeth rule. load_compose refuses such a recipe already.
  if (expected == 0) return fail("no services to converge: the deployed compose defines none");
  // The replica counts a quick poll just found complete: the full look that
  // follows does not list them again.
  std::optional<std::vector<ServiceState>> listed;
  // Started before the first look: what happens after that look is an event.
  auto watch = swarm.watch(stack, std::chrono::system_clock::now() +
                                      std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout.value));
  while (true) {
    check_stop();
    auto services = listed ? swarm.services_listed(stack, std::move(*listed)) : swarm.services(stack);
    listed.reset();
    std::vector<std::string> problems;
    for (auto& s : services) {
      auto short_name = s.name.substr(stack.size() + 1);
      for (auto& e : s.task_errors)
        if (is_image_error(e))
          return fail(fmt::format("service {} cannot get its image, so it will never start: {}", short_name, e));
      if (s.update_state == "paused" || s.update_state.starts_with("rollback"))
        return fail(fmt::format(
            "the swarm's update of service {} ended '{}': {}{}", short_name, s.update_state, s.update_message,
            s.task_errors.empty() ? "" : fmt::format(" (last task error: {})", s.task_errors.back())));
      if (!s.task_errors.empty()) problems.push_back(s.task_errors.back());
    }
    auto summary = summarize_services(services, stack);
    // The swarm starts an update a moment after the deploy returns: give it
    // that moment before calling anything settled.
    bool all = summary.settled && services.size() >= expected && !(after_update && Clock::now() - started < 3s);
    if (all) {
      trace("converge", started);
      record(tier, {check, Status::pass,
                    fmt::format("{} service(s) converged in {:.1f}s (deploy timeout {}s, from {}): {}", services.size(),
                                seconds_since(started), timeout.value.count(), timeout.source, summary.text),
                    seconds_since(started)});
      return true;
    }
    if (Clock::now() >= deadline)
      return fail(fmt::format("not converged within the deploy timeout of {}s (from {}): {}{}; see "
                              "{}/tasks.txt and {}/<service>.log",
                              timeout.value.count(), timeout.source, summary.text,
                              problems.empty() ? "" : fmt::format(" (last task error: {})", problems.back()),
                              evidence_dir(), evidence_dir()));
    // The console decides how often a person sees it (docs/architecture.md, "Reporting").
    events.status(name, converge_status(summary, seconds_since(started), timeout));
    listed = wait_for_replicas(expected, summary.replicas_ready && services.size() >= expected,
                               std::min(Clock::time_point(deadline), Clock::now() + 1000ms), watch);
  }
}

std::optional<std::vector<ServiceState>> RunContext::wait_for_replicas(std::size_t expected, bool ready_already,
                                                                       Clock::time_point until,
                                                                       std::unique_ptr<StackWatch>& watch) {
  // Between full looks at the services (several docker commands), only their
  // replica counts (one): the last task turning running (a task with a
  // healthcheck runs once healthy) is noticed at once, and the full look that
  // records it follows, on those counts (docs/architecture.md, "Where an
  // install's time goes"). When the counts are already complete and
  // something else is awaited (an update, a health state), the full look
  // comes every 250 ms instead.
  if (ready_already) {
    interruptible_sleep(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::clamp<Clock::duration>(until - Clock::now(), 0ms, 250ms)));
    return std::nullopt;
  }
  auto complete = [&]() -> std::optional<std::vector<ServiceState>> {
    auto counts = swarm.replicas(stack);
    bool ready = counts.size() >= expected;
    for (auto& c : counts)
      ready = ready && c.running >= c.desired;
    if (ready) return counts;
    return std::nullopt;
  };
  // The counts are listed when a container of the stack starts or changes
  // health, then every 25 ms for 300 ms: the swarm learns of a task's new
  // state a moment after its container's event.
  auto settling_until = Clock::time_point::min();
  while (watch && Clock::now() < until) {
    const bool settling = Clock::now() < settling_until;
    const auto woke = watch->wait(settling ? std::min(until, Clock::now() + 25ms) : until);
    check_stop();
    if (woke == StackWatch::Woke::lost) {
      watch.reset(); // polled from here on
      break;
    }
    if (woke == StackWatch::Woke::event)
      settling_until = Clock::now() + 300ms;
    else if (!settling)
      return std::nullopt; // `until`: the next full look
    if (auto counts = complete()) return counts;
  }
  // Without a watch: polled every 50 ms.
  while (Clock::now() < until) {
    interruptible_sleep(50ms);
    check_stop();
    if (auto counts = complete()) return counts;
  }
  return std::nullopt;
}

bool RunContext::readiness(TierResult& tier) {
  auto check = fmt::format("{}/ready", tier_name(tier));
  const Release* deployed = state.deployed_release();
  static const std::vector<Route> none;
  const auto& routes = deployed ? deployed->compose.routes : none;
  if (routes.empty() && meta.readiness.empty()) return true;
  if (routes.empty()) {
    record(tier, {check, Status::fail,
                  "recipe meta declares readiness probes but no service has traefik labels "
                  "(traefik.enable=true, a Host() rule and a loadbalancer port), so nothing routes to the app",
                  0});
    return false;
  }
  std::vector<ReadinessProbe> probes = meta.readiness;
  if (probes.empty()) probes.push_back({"/", 0, 30, 1s}); // 0: any answer from the app itself
  auto target = swarm.http_target(domain);
  bool all_ok = true;
  const auto step = Clock::now();
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const auto& p = probes[i];
    auto started = Clock::now();
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
      if (!ok && attempt < p.attempts) {
        events.status(tier_name(tier), readiness_status(p, i + 1, probes.size(), seen, seconds_since(started)));
        interruptible_sleep(p.interval);
      }
    }
    std::string want = p.expect_status ? std::to_string(p.expect_status) : "an answer from the app";
    if (ok)
      record(tier, {check, Status::pass,
                    fmt::format("GET {} answered {} on attempt {} of {} (bounded readiness retries; seen: {})", p.path,
                                seen.back(), seen.size(), p.attempts, fmt::join(seen, ", ")),
                    seconds_since(started)});
    else
      record(tier, {check, any_answer ? Status::fail : Status::unver,
                    fmt::format("GET {} (Host: {}) never gave {} in {} attempts {}s apart; seen: {}", p.path, domain,
                                want, p.attempts, p.interval.count(), fmt::join(seen, ", ")),
                    seconds_since(started)});
    all_ok = all_ok && ok;
  }
  trace("readiness", step);
  return all_ok;
}

void RunContext::plugin_checks(TierResult& tier, Tier of, const std::string& prefix) {
  if (!plugin) return;
  auto ctx = app_context();
  const auto step = Clock::now();
  for (auto& spec : plugin->checks_for(of)) {
    check_stop();
    auto name = prefix + spec.name;
    events.progress(tier_name(tier), fmt::format("running {}", name));
    record(tier, run_isolated(name, spec.run, ctx, meta.check_timeout, [&](const std::string& l) { log_line(l); }));
  }
  trace(fmt::format("{}checks", prefix), step);
}

bool RunContext::run_hooks(TierResult& tier, Hook kind) {
  if (!plugin) return true;
  auto ctx = app_context();
  bool ok = true;
  for (auto& h : plugin->hooks(kind)) {
    check_stop();
    auto name = fmt::format("{}/{}:{}", tier_name(tier), kind == Hook::seed ? "seed" : "verify", h.name);
    events.progress(tier_name(tier), fmt::format("running {}", name));
    auto rec = run_isolated(name, h.run, ctx, meta.check_timeout, [&](const std::string& l) { log_line(l); });
    ok = ok && rec.status == Status::pass;
    record(tier, std::move(rec));
  }
  return ok;
}

bool RunContext::seed_once(TierResult& tier) {
  if (state.seeded) return true;
  state.seeded = run_hooks(tier, Hook::seed);
  return state.seeded;
}

CheckRecord RunContext::backupbot_hook(const BackupHook& hook) {
  auto started = Clock::now();
  const auto name = fmt::format("{}:{}", check_prefix_of(hook.point), hook.service);
  const auto label = label_of(hook.point);
  auto container = swarm.container_of(stack, hook.service);
  if (container.empty())
    return {name, Status::fail, fmt::format("no running container of service {} to run its {} in", hook.service, label),
            0};
  auto r = swarm.exec_shell(container, hook_script(hook.command));
  // The last lines the hook printed, bounded: they go into results.json
  // (docs/architecture.md, "Bounded memory and permissions").
  auto out = tail_lines(r.out, hook_tail_lines, hook_tail_line_bytes, hook_tail_bytes);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
    out.pop_back();
  const auto what = fmt::format("{} of service {} (`{}`)", label, hook.service, hook.command);
  if (r.ok()) return {name, Status::pass, fmt::format("{}: exit 0", what), seconds_since(started)};
  // docker's words when the image has no bash to run the hook with.
  const bool no_bash = out.find("\"bash\"") != std::string::npos && out.find("not found") != std::string::npos;
  const bool backup = hook.point == HookPoint::backup_pre || hook.point == HookPoint::backup_post;
  return {name, Status::fail,
          fmt::format("{}, run as bash -c 'set -o pipefail;...': {}{}{}; backupbot itself would only have logged "
                      "this failure and reported the {} as successful",
                      what, r.describe(), out.empty() ? "" : ": " + out,
                      no_bash ? fmt::format(" (the image of service {} has no bash, which backupbot runs every hook "
                                            "with: the hook fails under backupbot too)",
                                            hook.service)
                              : "",
                      backup ? "backup" : "restore"),
          seconds_since(started)};
}

void RunContext::reset_stack(const std::string& why) {
  state.seeded = false;
  // A stack nothing was ever made for (the upgrade chain's, before its
  // base): listing the swarm for its objects would only cost time.
  if (!state.touched) return;
  events.progress(current ? ccci::to_string(*current) : "run", fmt::format("removing the stack: {}", why));
  auto report = swarm.remove_stack(stack, /*throwaway=*/true);
  if (!report.leftovers.empty())
    throw InfraFailure(
        fmt::format("could not remove the stack before {}: still there: {}", why, fmt::join(report.leftovers, ", ")));
  state.deployed = Deployed::nothing;
  state.seeded = false;
}

} // namespace ccci::host
