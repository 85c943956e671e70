// Everything a tier works with, and the steps tiers share (render, deploy,
// converge, readiness, plugin checks and hooks, backupbot hooks, stack
// reset). One RunContext per run, made by the sequencer (run/run.cpp); the
// tiers (tiers/*.cpp) hold no state of their own.
#pragma once

#include "model/results.hpp"
#include "os/signals.hpp"
#include "plugin/app_context.hpp"
#include "plugin/plugin_host.hpp"
#include "recipe/meta.hpp"
#include "report/listener.hpp"
#include "run/run.hpp"
#include "run/run_state.hpp"
#include "swarm/secrets.hpp"
#include "swarm/swarm.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ccci::host {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t);

class RunContext {
public:
  RunContext(const RunOptions& options, Swarm& swarm, RunListener& events, Redactor& redactor)
      : options(options), swarm(swarm), events(events), redactor(redactor) {}

  const RunOptions& options;
  Swarm& swarm;
  RunListener& events;
  Redactor& redactor;
  std::string fingerprint_key; ///< "" when no parent asked for fingerprints
  RecipeMeta meta;
  std::optional<LoadedPlugin> plugin;
  RunResults results = empty_results();
  RunState state;
  std::filesystem::path run_dir;
  std::string stack, domain;
  Owner owner;                   ///< on everything the run makes (docs/architecture.md, "Ownership and reaping")
  std::vector<std::string> tags; ///< the recipe's release tags
  std::optional<Tier> current;   ///< the tier running now (for interruption and errors)
  /// "" for the run's own process; "upgrade-chain" in the upgrade chain's
  /// process (docs/architecture.md, "Chains"), whose files of the run dir
  /// carry it: compose.upgrade-chain.rendered.yml, evidence/upgrade-chain/.
  std::string chain_tag;
  /// Told each secret as it is made, before it is used (the upgrade chain
  /// sends it to the run over a pipe); unset in the run's own process.
  std::function<void(const GeneratedSecret&)> secret_sink;

  /// "1.1.0+1.22.1", or the ref when not testing a release.
  std::string target_label() const { return results.version.empty() ? results.ref : results.version; }

  /// A check recorded once a stop was requested ran while ccci was being
  /// stopped, so its commands may have been cut short: it is unver
  /// "interrupted by SIGTERM", never a pass or a fail, and Interrupted is
  /// thrown after it is recorded.
  void record(TierResult& tier, CheckRecord rec);
  /// Writes a file of the run dir (`relative` to it) atomically, through the
  /// redactor: the one way anything but the listeners writes there.
  void write_artifact(const std::filesystem::path& relative, std::string_view content);
  /// Adds a new secret to the redactor before it is used anywhere, and to
  /// the fingerprints a parent command reads (options.fingerprint_key).
  void remember_secret(const GeneratedSecret& secret);
  /// The values of the external secrets of `r` not made yet, made as its
  /// deploy would make them but recorded as no check: the upgrade chain
  /// starts on a stack whose install made them in a sequential run.
  void premake_secrets(const Release& r);
  /// "evidence", or "evidence/upgrade-chain" in the upgrade chain's process.
  std::string evidence_dir() const { return chain_tag.empty() ? "evidence" : "evidence/" + chain_tag; }
  /// Where this process keeps its secrets' fingerprints (jobs/child_leaks).
  std::filesystem::path fingerprints_path() const;
  /// Judges the tier from its checks (the teeth rule) and reports it.
  void finish_tier(TierResult& tier, Clock::time_point started);
  /// Sets a tier's status without checks (a skip that applies) and reports it.
  void skip_tier(TierResult& tier, std::string reason);
  /// Throws Interrupted (os/signals.hpp) when SIGINT/SIGTERM/SIGHUP arrived:
  /// the sequencer marks the tier and the rest unver and tears down.
  void check_stop() const;

  /// Checks out and renders `commit` for this run's stack. `label` "target"
  /// writes compose.rendered.yml (and app.env), others compose.<label>.rendered.yml.
  /// Throws RecipeDefect.
  Release render_release(const std::string& version, const std::string& commit, const std::string& label);
  /// Renders the target once; a RecipeDefect is a failed `<tier>/render` check.
  bool render_target(TierResult& tier, Clock::time_point started);
  /// Secrets and network, then `docker stack deploy`, then the routes; a refusal is a
  /// failed `<tier>/deploy` check with the daemon's words.
  bool deploy(TierResult& tier, Deployed which, Clock::time_point started);
  /// Waits until every service is N/N, healthy, not updating, bounded by the
  /// deploy timeout; `after_update` gives the swarm a moment to start the update.
  bool converge(TierResult& tier, const std::string& check, bool after_update);
  /// The readiness probes, the only place with retries (bounded, recorded).
  bool readiness(TierResult& tier);
  void plugin_checks(TierResult& tier, Tier of, const std::string& prefix);
  bool run_hooks(TierResult& tier, Hook kind);
  bool seed_once(TierResult& tier);
  /// A backupbot hook in its service's running container, run as backupbot
  /// runs it; the check is `<check_prefix_of(point)>:<service>`.
  CheckRecord backupbot_hook(const BackupHook& hook);
  /// Removes the stack (and its volumes) before a tier that starts afresh.
  void reset_stack(const std::string& why);
  AppContext app_context();
  /// With CCCI_TRACE=1, one line per step of a run: how long it took since
  /// `since` and the wall clock when it ended (docs/architecture.md, "Where
  /// an install's time goes"). Nothing without it.
  void trace(std::string_view step, Clock::time_point since);

private:
  /// converge's wait between two full looks at the services, at most until
  /// `until`. The replica counts that ended it complete, if they did.
  /// `watch`: the stack's container events (null: polled); dropped when lost.
  std::optional<std::vector<ServiceState>> wait_for_replicas(std::size_t expected, bool ready_already,
                                                             Clock::time_point until,
                                                             std::unique_ptr<StackWatch>& watch);
  /// The host-access policy over `r` (docs/recipe-meta.md, "host_access"):
  /// each refused access is a failed `<tier>/host-access` check naming the
  /// line and the grant that would allow it, and false; the accesses the
  /// meta grants are listed in one passing check.
  bool host_access_allowed(TierResult& tier, const Release& r, Clock::time_point started);
  /// Network and secrets (as .env.sample's modifiers say, or the plugin's
  /// CCCI_SECRET makers); false when a secret could not be made
  /// (a failed `<tier>/secrets` check).
  bool provision(TierResult& tier, const Release& r, Clock::time_point started);
  /// The value for a new secret and how it was made (for `<tier>/secrets`);
  /// nullopt after recording a failed maker.
  std::optional<std::string> make_secret(TierResult& tier, const Release& r, const ComposeObject& secret,
                                         std::string& how);
  void log_line(std::string_view line) { events.line(fmt_log(line)); }
  static std::string fmt_log(std::string_view line);
};

} // namespace ccci::host
