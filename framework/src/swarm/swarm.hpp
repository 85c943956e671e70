// The swarm as the tiers see it: stacks, services, containers, secrets, the
// edge's routes. DockerSwarm (swarm/docker_swarm.hpp) is the only
// implementation that talks to Docker, and swarm/ the only layer that builds
// docker command lines; tests drive the tiers against a FakeSwarm
// (tests/support/fake_swarm.hpp).
#pragma once

#include "model/ownership.hpp"
#include "os/process.hpp"
#include "plugin/http.hpp"
#include "recipe/compose.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ccci::host {

/// One service of a stack as the swarm sees it now.
struct ServiceState {
  std::string name; ///< full name, <stack>_<service>
  int running = 0, desired = 0;
  std::string update_state;                     ///< "" | updating | completed | paused | rollback_*
  std::string update_message;                   ///< the swarm's words about the last update
  std::vector<std::string> task_errors;         ///< "task app.1: Rejected: No such image: ..."
  int healthy = 0, unhealthy = 0, starting = 0; ///< containers by health
};

/// Images that cannot be had are hopeless to wait for; everything else
/// (a slow start, a healthcheck still failing) may yet converge.
bool is_image_error(std::string_view task_error);

struct DeployOutcome {
  bool ok = false;
  std::string describe; ///< "exit 1", "timed out"...
  std::string words;    ///< the daemon's own words when refused, with a hint where one helps
};

/// What happens to a stack's containers, as it happens: converge waits on it
/// rather than polling (docs/architecture.md, "Where an install's time goes").
class StackWatch {
public:
  enum class Woke {
    event,   ///< one of the stack's containers started or changed health
    timeout, ///< nothing until `until` (or a stop was requested)
    lost,    ///< the watch ended; it gives nothing more
  };
  virtual ~StackWatch() = default;
  virtual Woke wait(std::chrono::steady_clock::time_point until) = 0;
};

struct TeardownReport {
  std::vector<std::string> leftovers; ///< empty = clean
  std::vector<std::string> notes;     ///< what was done, for the log
  /// What a second stop signal made the teardown skip (os/signals.hpp,
  /// stop_escalated), for the run to say; empty when it skipped nothing.
  std::vector<std::string> skipped;
};

/// Something ccci made that carries its owner labels (model/ownership.hpp):
/// a docker object, or one of the edge's route files (its owner record).
struct OwnedObject {
  std::string kind; ///< service, container, secret, config, volume, network, edge-route
  std::string name; ///< docker's name; for an edge-route, the file's path
  Labels labels;
};

struct SwarmInfo {
  bool reachable = false;
  std::string server_version;
  std::string state; ///< "active", "inactive", ...
  bool manager = false;
  std::string error; ///< why it is not reachable
};

class Swarm {
public:
  virtual ~Swarm() = default;

  /// Whether a forked child of this process reaches the same swarm through
  /// this object (a real daemon: yes); the run's chains run at once only
  /// then (docs/architecture.md, "Chains").
  virtual bool shared_with_forked_children() const { return true; }

  virtual SwarmInfo info() = 0;
  /// Throws InfraFailure saying what to do when the daemon is unreachable or
  /// this node is not an active swarm manager.
  virtual void require_manager() = 0;
  /// Creates the attachable overlay network `name` unless it exists.
  virtual void ensure_network(const std::string& name) = 0;
  virtual bool has_secret(const std::string& name) = 0;
  /// The value goes on stdin, never on a command line. Labelled with the
  /// stack and with `owner`.
  virtual void create_secret(const std::string& name, const std::string& value, const std::string& stack,
                             const Owner& owner) = 0;

  virtual DeployOutcome deploy_stack(const std::string& stack, const std::filesystem::path& compose_file) = 0;
  virtual std::vector<ServiceState> services(const std::string& stack) = 0;
  /// Only each service's name and replica counts (running/desired), in as
  /// little as one docker command: what converge polls between the full
  /// looks of services() (docs/architecture.md, "Where an install's time goes").
  virtual std::vector<ServiceState> replicas(const std::string& stack) { return services(stack); }
  /// services() when replicas() has just listed the stack's services
  /// (`listed`): the full look without listing them a second time.
  virtual std::vector<ServiceState> services_listed(const std::string& stack, std::vector<ServiceState> listed) {
    (void)listed;
    return services(stack);
  }
  /// A watch on the starts and health changes of `stack`'s containers from
  /// a moment before now until `until`, or null when this swarm has none
  /// (converge then polls the replica counts).
  virtual std::unique_ptr<StackWatch> watch(const std::string& stack, std::chrono::system_clock::time_point until) {
    (void)stack;
    (void)until;
    return nullptr;
  }
  /// The first running container of `<stack>_<service>`, or "".
  virtual std::string container_of(const std::string& stack, const std::string& service) = 0;
  virtual ProcessResult exec(const std::string& container, const std::vector<std::string>& argv) = 0;
  /// `bash -c SCRIPT` with the container's environment: a backupbot hook as
  /// backupbot runs it, SCRIPT being hook_script(hook) (backup/plan.hpp).
  virtual ProcessResult exec_shell(const std::string& container, const std::string& script) = 0;
  /// The path as an uncompressed tar stream, handed to `consume` chunk by
  /// chunk: a volume never sits in memory whole (run_process_reading_stdout).
  virtual ProcessResult copy_from(const std::string& container, const std::string& path,
                                  const std::function<void(ByteSource&)>& consume) = 0;
  /// Unpacks the tar `produce` writes, chunk by chunk, into DIR, keeping the
  /// owners recorded in it (run_process_feeding_stdin).
  virtual ProcessResult copy_into(const std::string& container, const std::string& dir,
                                  const std::function<void(ByteSink&)>& produce) = 0;

  /// Evidence: the stack's tasks as a tab-separated table, and the last
  /// `lines` of a service's log (or a sentence saying why there is none).
  virtual std::string task_table(const std::string& stack) = 0;
  virtual std::string service_log(const std::string& stack, const std::string& service, int lines) = 0;

  /// Removes the stack and everything it made and verifies it is gone.
  /// `throwaway` stacks have their containers force-removed at once; never
  /// for a stack whose data still matters. Ignores stop requests.
  virtual TeardownReport remove_stack(const std::string& stack, bool throwaway) = 0;

  /// The edge: routes the recipe's traefik labels name, by Host; the route
  /// file records `owner`. Returns what the edge did that the user should
  /// hear of (a migration), if any.
  virtual std::vector<std::string> publish_routes(const std::string& stack, const std::vector<Route>& routes,
                                                  const Owner& owner) = 0;
  /// Never throws (teardown).
  virtual void remove_routes(const std::string& stack) = 0;
  virtual std::vector<std::string> route_leftovers(const std::string& stack) = 0;
  /// Where HTTP for `host` goes.
  virtual HttpTarget http_target(const std::string& host) = 0;

  /// Everything that carries a `ccci.run` label (or, for a route file, an
  /// owner record), whoever made it: what `ccci gc` judges. Objects without
  /// one are never listed.
  virtual std::vector<OwnedObject> owned_objects() = 0;
  /// require_manager() and owned_objects() together (a run's start, in one
  /// round trip where it can): throws as require_manager() does; a listing
  /// that fails sets `listing_error` instead and gives nothing.
  virtual std::vector<OwnedObject> require_manager_and_owned(std::string& listing_error) {
    require_manager();
    try {
      return owned_objects();
    } catch (const std::exception& e) {
      listing_error = e.what();
      return {};
    }
  }
  /// Removes `objects` (services before their containers, containers before
  /// the volumes and networks they hold, a route file with an edge reload),
  /// waiting a bounded time for docker to let go. One entry per object: ""
  /// when it is gone (already gone counts), else why it is not. Ignores stop
  /// requests.
  virtual std::vector<std::string> remove_owned(const std::vector<OwnedObject>& objects) = 0;
};

} // namespace ccci::host
