#include "sweep/sweep.hpp"

#include "gc/gc.hpp"
#include "jobs/child_leaks.hpp"
#include "jobs/child_runs.hpp"
#include "model/errors.hpp"
#include "model/naming.hpp"
#include "model/results.hpp"
#include "model/text.hpp"
#include "model/upgrade_base.hpp"
#include "model/version.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "os/signals.hpp"
#include "recipe/envfile.hpp"
#include "recipe/meta.hpp"
#include "recipe/recipe.hpp"
#include "recipe/yaml_load.hpp"
#include "report/site.hpp"
#include "report/table.hpp"
#include "swarm/docker_swarm.hpp"
#include "sweep/start_order.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

SweepDecision sweep_decision(const std::optional<std::string>& latest_tag, const std::optional<Canonical>& canonical) {
  if (!latest_tag) return {SweepAction::skip_never_released, "no release tag yet"};
  auto latest = parse_version(*latest_tag);
  if (!latest) return {SweepAction::skip_never_released, fmt::format("'{}' is not a release tag", *latest_tag)};
  if (canonical) {
    auto canon = parse_version(canonical->version);
    if (canon && !(*canon < *latest))
      return {SweepAction::skip_no_new_version, fmt::format("canonical {} is the newest release", canonical->version)};
    return {SweepAction::run, fmt::format("{} is newer than the canonical {}", *latest_tag, canonical->version)};
  }
  return {SweepAction::run, fmt::format("{} has no canonical yet", *latest_tag)};
}

bool should_promote(bool enrolled, bool green, bool cold, bool ref_run, bool tagged) {
  return enrolled && green && cold && !ref_run && tagged;
}

std::string sweep_label(const SweepDecision& decision, std::optional<int> run_exit,
                        const std::optional<Canonical>& after, const std::string& latest) {
  switch (decision.action) {
  case SweepAction::skip_no_new_version: return "SKIP no-new-version";
  case SweepAction::skip_never_released: return "SKIP never-released";
  case SweepAction::run: break;
  }
  // -1: killed by a signal (a crash, a second stop signal): no verdict.
  if (!run_exit || *run_exit == 3 || *run_exit == 2 || *run_exit < 0) return "UNVER";
  if (*run_exit != 0) return "FAIL";
  if (after && after->version == latest) return "PASS (promoted)";
  return "GREEN-BUT-PROMOTE-FAILED";
}

std::string warnings_note(const RunResults& results) {
  std::vector<std::string> names;
  for (const auto& t : results.tiers)
    for (const auto& c : t.checks)
      if (c.status == Status::warn) names.push_back(c.name);
  if (names.empty()) return "";
  return fmt::format("{} warning(s): {}", names.size(), fmt::join(names, ", "));
}

std::size_t default_sweep_jobs(unsigned cores, std::uint64_t memory_bytes) {
  constexpr std::uint64_t per_job = std::uint64_t{2} << 30;
  const std::uint64_t n = std::min<std::uint64_t>({cores, memory_bytes / per_job, max_default_sweep_jobs});
  return static_cast<std::size_t>(std::max<std::uint64_t>(n, 1));
}

std::size_t machine_sweep_jobs() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t memory =
      pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
  return default_sweep_jobs(std::thread::hardware_concurrency(), memory);
}

namespace {

// One sweep at a time. A FileLock: the kernel lets go when the holder dies,
// so a crashed sweep never leaves the lock stuck.
FileLock lock_sweep(const fs::path& state_dir) {
  fs::create_directories(state_dir);
  FileLock lock(state_dir / "sweep.lock");
  if (!lock.try_lock()) {
    auto pid = lock.holder();
    throw InfraFailure(fmt::format("another sweep is running (pid {}; lock {}); only one sweep at a time",
                                   pid.empty() ? "?" : pid, lock.path().string()));
  }
  return lock;
}

struct Entry {
  std::string recipe;
  std::string latest;
  SweepDecision decision{SweepAction::skip_never_released, ""};
  std::optional<int> run_exit;
  std::string run_id;
  std::string label;
  std::vector<std::string> notes;
  std::optional<Canonical> before, after;
  std::filesystem::path checkout;
  std::vector<std::string> tags;  ///< the checkout's release tags, as synced
  std::optional<RunResults> cold; ///< the cold run's results, for its promotion
  bool done = false;              ///< labelled
};

ProcessResult git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = std::chrono::minutes(10);
  o.extra_env = {"GIT_TERMINAL_PROMPT=0"};
  return run_process(argv, o);
}

// The sweep's own clone of the upstream: main and every tag, as upstream
// has them now (moved tags included).
void sync_upstream(const fs::path& checkout, const std::string& upstream, Entry& e) {
  if (!fs::exists(checkout / ".git")) {
    fs::create_directories(checkout.parent_path());
    ProcessOptions o;
    o.timeout = std::chrono::minutes(10);
    o.extra_env = {"GIT_TERMINAL_PROMPT=0"};
    auto c = run_process({"git", "clone", "--quiet", upstream, checkout.string()}, o);
    if (!c.ok())
      throw InfraFailure(strip_url_credentials(fmt::format("cannot clone upstream {}: {}", upstream, c.err)));
  }
  git(checkout, {"remote", "set-url", "origin", upstream});
  auto f = git(checkout, {"fetch", "--quiet", "--prune", "--force", "origin", "+refs/heads/*:refs/remotes/origin/*",
                          "+refs/tags/*:refs/tags/*"});
  if (!f.ok()) throw InfraFailure(strip_url_credentials(fmt::format("cannot fetch upstream {}: {}", upstream, f.err)));
  e.notes.push_back(fmt::format("synced from {}", strip_url_credentials(upstream)));
}

void sync_mirror(const fs::path& checkout, const std::string& mirror, Entry& e) {
  auto p = git(checkout, {"push", "--quiet", "--force", mirror, "refs/remotes/origin/main:refs/heads/main",
                          "+refs/tags/*:refs/tags/*"});
  if (!p.ok())
    throw InfraFailure(
        strip_url_credentials(fmt::format("cannot push main and tags to the mirror {}: {}", mirror, p.err)));
  e.notes.push_back(fmt::format("mirrored to {}", strip_url_credentials(mirror)));
}

std::optional<RunResults> read_results(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return results_from_json(ss.str(), file.string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A child `ccci run` (jobs/): one recipe's crash cannot take the sweep
// down, and a stop request reaches it as SIGTERM, so it tears its stack
// down before the sweep exits.
ChildJob child_run(const SweepOptions& o, std::vector<std::string> args, const std::string& run_id) {
  ChildJob job;
  job.args = {"run"};
  job.args.insert(job.args.end(), args.begin(), args.end());
  job.args.insert(job.args.end(), {"--runs-dir", o.runs_dir.string(), "--run-id", run_id});
  job.args.insert(job.args.end(), o.run_args.begin(), o.run_args.end());
  job.log = o.runs_dir / (run_id + ".out");
  job.timeout = std::chrono::hours(2);
  job.label = run_id;
  return job;
}

std::string exit_line(const ChildJob& job) {
  return fmt::format("    ccci run {} -> exit {}{}{}\n", job.label, job.exit_code,
                     job.timed_out ? fmt::format(" (still running after {}h: stopped)",
                                                 std::chrono::duration_cast<std::chrono::hours>(job.timeout).count())
                                   : "",
                     job.cut_short ? fmt::format(" (cut short by a second stop signal{})",
                                                 job.killed ? ": SIGKILLed with its process group" : "")
                                   : "");
}

// The promotion's run ended: record the canonical (only the sweep's own
// process writes the registry, one record at a time), then retire the old one.
void promoted(const SweepOptions& o, Entry& e, int code, const std::optional<RunResults>& res) {
  if (code != 0 || !res || !res->kept_running || !e.cold) {
    e.notes.push_back(fmt::format(
        "promote failed: install of {} for the warm canonical exited {}{}", e.latest, code,
        res ? fmt::format(" ({}: {})", to_string(res->tier(Tier::install).status), res->tier(Tier::install).reason)
            : ""));
    return;
  }
  Canonical c{e.recipe, e.latest, e.cold->commit, e.latest, e.cold->run_id, now_iso8601(), res->stack, res->domain};
  write_canonical(o.state_dir, c);
  // Only now, with the new canonical converged and recorded, does the old
  // one go — gracefully: a warm canonical's containers are never forced.
  if (e.before && !e.before->stack.empty() && e.before->stack != c.stack) {
    DockerSwarm swarm(edge_settings_from_environment());
    swarm.remove_routes(e.before->stack);
    auto report = swarm.remove_stack(e.before->stack, /*throwaway=*/false);
    e.notes.push_back(report.leftovers.empty()
                          ? fmt::format("previous canonical {} (stack {}) removed", e.before->version, e.before->stack)
                          : fmt::format("previous canonical stack {} not fully removed: {}", e.before->stack,
                                        fmt::format("{}", fmt::join(report.leftovers, ", "))));
  }
}

// Sync and decide, in the sweep's own process. A recipe to run gets its
// run id; the caller queues its cold run.
void prepare(const SweepOptions& o, const std::string& sweep_id, const RecipeMeta& meta, Entry& e, std::ostream& out) {
  e.checkout = o.state_dir / "checkouts" / e.recipe;
  auto upstream = meta.upstream.value_or(o.source.empty() ? "" : o.source + "/" + e.recipe);
  if (upstream.empty())
    throw InputError(fmt::format("recipe {}: no upstream: set `upstream:` in its ccci.yml or pass --source", e.recipe));
  sync_upstream(e.checkout, upstream, e);
  if (o.mirror) sync_mirror(e.checkout, *o.mirror + "/" + e.recipe, e);
  e.tags = recipe_tags(e.checkout);
  auto latest = newest_release(e.tags);
  e.latest = latest ? latest->tag : "";
  e.before = read_canonical(o.state_dir, e.recipe);
  e.decision = sweep_decision(latest ? std::optional<std::string>(latest->tag) : std::nullopt, e.before);
  out << fmt::format("  {}: {}\n", e.recipe, e.decision.reason);
  if (e.decision.action == SweepAction::run) e.run_id = fmt::format("{}-{}", sweep_id, e.recipe);
}

// Whose job a child run is: a recipe's cold run or its promotion.
struct JobOwner {
  std::size_t entry;
  bool promote;
};

// The static estimate (sweep/start_order.hpp) of the release the cold run
// tests, read from the sweep's clone at its tag: the compose files its
// .env.sample selects, and whether an upgrade base exists. A recipe whose
// files cannot be read gets no estimate and says why: its defects are the
// run's to report, at the tier where they bite.
ExpectedCost static_estimate(const Entry& e, const RecipeMeta& meta) {
  auto show = [&](const std::string& file) {
    auto r = git(e.checkout, {"show", e.latest + ":" + file});
    if (!r.ok()) throw InfraFailure(fmt::format("{} not at {}", file, e.latest));
    return r.out;
  };
  try {
    std::vector<YAML::Node> docs;
    for (const auto& file : compose_files(parse_env_file(show(".env.sample"), ".env.sample")))
      docs.push_back(load_yaml(show(file)));
    EstimateInputs in;
    std::optional<std::string> canonical;
    if (e.before) canonical = e.before->version;
    in.upgrade = !meta.expected_skips.count("upgrade") &&
                 choose_upgrade_base(e.tags, e.latest, meta.upgrade_base, canonical).tag.has_value();
    in.restore = !meta.expected_skips.count("restore");
    return estimate_cost(docs, in);
  } catch (const std::exception& ex) {
    return {0, fmt::format("no estimate: {}", ex.what())};
  }
}

// docs/architecture.md, "Sweep jobs": the cold runs start longest expected
// first, ties in enrolled order; `jobs` and `owners` are reordered together.
// From history when the runs dir holds a finished sweep run of the recipe,
// else the static estimate.
void order_longest_first(const SweepOptions& o, const std::vector<Entry>& entries,
                         const std::vector<std::pair<std::string, RecipeMeta>>& enrolled, std::vector<ChildJob>& jobs,
                         std::vector<JobOwner>& owners, std::ostream& out) {
  std::vector<std::string> names;
  for (const auto& owner : owners)
    names.push_back(entries[owner.entry].recipe);
  const auto plan = plan_start_order(names, read_past_sweep_runs(o.runs_dir, names), [&](std::size_t j) {
    return static_estimate(entries[owners[j].entry], enrolled[owners[j].entry].second);
  });
  std::vector<ChildJob> sorted_jobs;
  std::vector<JobOwner> sorted_owners;
  for (auto i : plan.order) {
    sorted_jobs.push_back(std::move(jobs[i]));
    sorted_owners.push_back(owners[i]);
  }
  jobs = std::move(sorted_jobs);
  owners = std::move(sorted_owners);
  out << "  " << start_order_line(names, plan.costs, plan.order) << "\n";
}

// One recipe's trouble never stops the others: it becomes that recipe's
// note and UNVER. The URLs it may name keep no credentials
// (docs/architecture.md, "Credentials in URLs").
void could_not_sweep(Entry& e, const std::string& why) {
  e.notes.push_back(strip_url_credentials(why));
  e.decision = {SweepAction::run, "could not be swept"};
  e.run_exit.reset();
}

// The label, from the registry after the fact, said as the recipe is done.
void finish(const SweepOptions& o, Entry& e, std::ostream& out) {
  bool broken_record = false;
  try {
    e.after = read_canonical(o.state_dir, e.recipe);
  } catch (const InfraFailure& ex) {
    // The record that broke prepare is still broken: said once.
    if (std::find(e.notes.begin(), e.notes.end(), ex.what()) == e.notes.end()) e.notes.push_back(ex.what());
    e.after.reset();
    broken_record = true;
  }
  // Whatever the run did, without a readable record nobody can say what
  // the canonical now is.
  e.label = broken_record ? "UNVER" : sweep_label(e.decision, e.run_exit, e.after, e.latest);
  e.done = true;
  out << fmt::format("  {}: {}\n", e.recipe, e.label);
}

std::string summary_table(const std::vector<Entry>& entries) {
  TextTable table({{"recipe", 24}, {"latest", 22}, {"label", 26}, {"notes"}}, {.gap = " "});
  for (auto& e : entries)
    table.add_row({e.recipe, e.latest.empty() ? "-" : e.latest, e.label, fmt::format("{}", fmt::join(e.notes, "; "))});
  return table.render();
}

json::value summary_json(const std::string& sweep_id, const std::vector<Entry>& entries, int exit_code) {
  json::array rows;
  for (auto& e : entries) {
    json::array notes;
    for (auto& n : e.notes)
      notes.emplace_back(n);
    json::value canonical = nullptr;
    if (e.after) canonical = json::object{{"version", e.after->version}, {"run_id", e.after->run_id}};
    rows.push_back(json::object{{"recipe", e.recipe},
                                {"latest", e.latest},
                                {"decision", e.decision.reason},
                                {"run_id", e.run_id},
                                {"run_exit", e.run_exit ? json::value(*e.run_exit) : json::value(nullptr)},
                                {"label", e.label},
                                {"canonical", canonical},
                                {"notes", notes}});
  }
  return json::object{{"sweep_id", sweep_id}, {"finished", now_iso8601()}, {"recipes", rows}, {"exit_code", exit_code}};
}

} // namespace

int run_sweep(const SweepOptions& o, std::ostream& out) {
  // Enrollment first: a sweep over nothing must say so and fail, not pass.
  std::vector<std::pair<std::string, RecipeMeta>> enrolled;
  if (fs::is_directory(o.recipes_dir))
    for (auto& d : fs::directory_iterator(o.recipes_dir)) {
      if (!fs::exists(d.path() / "ccci.yml")) continue;
      auto name = d.path().filename().string();
      if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), name) == o.only.end()) continue;
      auto meta = load_meta(d.path() / "ccci.yml");
      if (meta.enroll) enrolled.emplace_back(name, meta);
    }
  std::sort(enrolled.begin(), enrolled.end(), [](auto& a, auto& b) { return a.first < b.first; });
  if (enrolled.empty())
    throw InputError(fmt::format("no enrolled recipes in {}{}: nothing to sweep (set `enroll: true` in a recipe's "
                                 "ccci.yml, or point --recipes-dir at the right directory)",
                                 o.recipes_dir.string(),
                                 o.only.empty() ? "" : fmt::format(" among {}", fmt::join(o.only, ", "))));

  auto lock = lock_sweep(o.state_dir);
  // What the sweep prints and writes passes its children's fingerprints
  // (jobs/child_leaks.hpp): it never knows their secrets.
  ChildLeakGuard guard;
  RedactedOutput redacted_out(out, guard);
  fs::create_directories(o.runs_dir);
  auto sweep_id = fmt::format(
      "sweep-{}-{}",
      [] {
        std::time_t t = std::time(nullptr);
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char buf[20];
        std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
        return std::string(buf);
      }(),
      random_hex(4));
  out << fmt::format("ccci sweep {}: {} enrolled recipe(s)\n", sweep_id, enrolled.size());
  // What runs that died left (a sweep killed with its child, a reboot): gone
  // before this sweep deploys anything; never a live run's or a canonical's.
  try {
    DockerSwarm swarm(edge_settings_from_environment());
    GcOptions gc;
    gc.runs_dir = o.runs_dir;
    gc.quiet = true;
    collect_garbage(swarm, gc, [&](const std::string& l) { out << l << "\n"; });
  } catch (const std::exception& ex) {
    out << fmt::format("gc: could not look for what dead runs left: {}\n", ex.what());
  }

  // docs/architecture.md, "Sweep jobs": every recipe synced and decided in
  // enrolled order, then the cold runs at most `jobs` at once; a green one's
  // promotion is queued when it ends, so it never overlaps its own run.
  std::vector<Entry> entries(enrolled.size());
  for (std::size_t i = 0; i < enrolled.size(); ++i)
    entries[i].recipe = enrolled[i].first;
  std::vector<ChildJob> jobs;
  std::vector<JobOwner> owners;
  for (std::size_t i = 0; i < enrolled.size(); ++i) {
    const auto& meta = enrolled[i].second;
    auto& e = entries[i];
    if (stop_requested) break; // the rest: "not swept", below
    try {
      prepare(o, sweep_id, meta, e, out);
    } catch (const std::exception& ex) {
      could_not_sweep(e, ex.what());
    }
    if (e.run_id.empty()) {
      finish(o, e, out);
      continue;
    }
    std::vector<std::string> args{"--recipe-dir", e.checkout.string(), "--recipe", e.recipe, "--version", e.latest};
    if (e.before) args.insert(args.end(), {"--canonical", e.before->version});
    jobs.push_back(child_run(o, args, e.run_id));
    owners.push_back({i, false});
  }

  // Nothing to order with one run, and no history to read.
  if (jobs.size() > 1) order_longest_first(o, entries, enrolled, jobs, owners, out);

  ChildRunOptions ro;
  ro.parallel = std::max<std::size_t>(o.jobs, 1);
  // The sweep says when each run starts and ends; between, a line every 30 s
  // says which are going (jobs/job_progress.hpp).
  ro.on_progress = [&](const std::string& line) { out << "    " << line << "\n" << std::flush; };
  ro.progress_on_change = false;
  ro.stop_grace = o.stop_grace;
  ro.on_note = [&](const std::string& line) { out << "  " << line << "\n" << std::flush; };
  ro.extra_env = {guard.child_env()};
  ro.on_start = [&](std::size_t j) {
    auto& e = entries[owners[j].entry];
    out << (owners[j].promote
                ? fmt::format("  {}: promoting {} (a faithful install kept running)\n", e.recipe, e.latest)
                : fmt::format("  {}: cold run of {} through every tier\n", e.recipe, e.latest))
        << std::flush;
  };
  ro.on_finish = [&](std::size_t j) {
    const auto owner = owners[j];
    const auto job = jobs[j]; // a copy: a promotion appended below moves the vector
    auto& e = entries[owner.entry];
    guard.child_finished(o.runs_dir / job.label);
    out << exit_line(job) << std::flush;
    auto res = read_results(o.runs_dir / job.label / "results.json");
    try {
      if (owner.promote) {
        promoted(o, e, job.exit_code, res);
      } else {
        e.run_exit = job.exit_code;
        if (res)
          if (auto note = warnings_note(*res); !note.empty()) e.notes.push_back(note);
        bool green = job.exit_code == 0 && res.has_value();
        bool tagged = res && !res->version.empty() && res->version == e.latest;
        if (should_promote(enrolled[owner.entry].second.enroll, green, /*cold=*/true, /*ref_run=*/false, tagged)) {
          if (stop_requested) {
            could_not_sweep(e, fmt::format("ccci run {}-promote not started: the sweep was asked to stop", e.run_id));
          } else {
            e.cold = res;
            jobs.push_back(child_run(o,
                                     {"--recipe-dir", e.checkout.string(), "--recipe", e.recipe, "--version", e.latest,
                                      "--tiers", "install", "--keep-running"},
                                     e.run_id + "-promote"));
            owners.push_back({owner.entry, true});
            return; // labelled when the promotion ends
          }
        }
      }
    } catch (const std::exception& ex) {
      could_not_sweep(e, ex.what());
    }
    finish(o, e, out);
  };
  try {
    run_children(jobs, ro);
  } catch (const std::exception& ex) {
    // A run that could not be started; the running ones were stopped.
    for (auto& e : entries)
      if (!e.done && !e.run_id.empty()) could_not_sweep(e, ex.what());
  }
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    auto& e = entries[owners[j].entry];
    if (!jobs[j].started && !e.done)
      could_not_sweep(e, fmt::format("ccci run {} not started: the sweep was asked to stop", jobs[j].label));
  }
  for (auto& e : entries) {
    if (e.done) continue;
    if (e.notes.empty() && e.run_id.empty())
      could_not_sweep(e, fmt::format("not swept: the sweep was asked to stop ({})",
                                     signal_name(static_cast<int>(last_stop_signal))));
    finish(o, e, out);
  }

  int code = 0;
  for (auto& e : entries) {
    if (e.label == "FAIL" || e.label == "GREEN-BUT-PROMOTE-FAILED")
      code = 1;
    else if (e.label == "UNVER" && code == 0)
      code = 3;
  }
  auto dir = o.state_dir / "sweeps" / sweep_id;
  fs::create_directories(dir);
  auto table = guard.redact(summary_table(entries));
  // The sweep's own files: its summary (before it is written) and the logs
  // of its child runs, which lie outside their run dirs.
  std::vector<fs::path> logs;
  for (auto& e : entries)
    if (!e.run_id.empty())
      for (auto& id : {e.run_id, e.run_id + "-promote"})
        logs.push_back(o.runs_dir / (id + ".out"));
  auto summary = json::serialize(summary_json(sweep_id, entries, code)) + "\n";
  auto scan = guard.scan(logs, {{"summary.txt", table}, {"summary.json", summary}});
  if (!scan.clean()) code = 1; // a leak is red, as in a run
  summary = guard.redact(with_leak_flag(json::serialize(summary_json(sweep_id, entries, code)), scan));
  table += fmt::format("no_secret_leak={}{}\n", scan.clean(),
                       scan.clean() ? "" : ": " + fmt::format("{}", fmt::join(scan.findings(), "; ")));
  write_file_atomically(dir / "summary.txt", table);
  write_file_atomically(dir / "summary.json", summary);
  out << "\n" << table << fmt::format("summary {}\n", (dir / "summary.json").string());
  // After the summary, which the dashboard shows as this sweep's.
  if (!o.report_dir.empty()) {
    try {
      auto site = write_site({o.state_dir, o.runs_dir, o.recipes_dir, o.report_dir});
      out << fmt::format("dashboard {}\n", site.index.string());
    } catch (const std::exception& ex) {
      auto why = guard.redact(fmt::format("dashboard not written in {}: {} (the sweep's exit status stands: the "
                                          "dashboard is a view of this summary)",
                                          o.report_dir.string(), ex.what()));
      out << why << "\n";
      auto doc = json::parse(summary);
      doc.as_object()["report_error"] = why;
      write_file_atomically(dir / "summary.json", json::serialize(doc) + "\n");
      write_file_atomically(dir / "summary.txt", table + why + "\n");
    }
  }
  return code;
}

} // namespace ccci::host
