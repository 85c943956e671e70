// A Swarm with no Docker behind it, for unit tests of the tiers' sequencing:
// it keeps the stack's services from the compose file it was handed, answers
// as a healthy swarm unless told otherwise, and writes every call to a log
// the test reads back in order.
#pragma once

#include "swarm/swarm.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ccci::test {

class FakeSwarm final : public host::Swarm {
public:
  /// Every call, in order: "deploy compose.base.rendered.yml", "remove_stack", ...
  std::vector<std::string> log;
  /// When set, every log line is also appended to this file, where a test
  /// plugin's checks (forked children) can append theirs: one timeline.
  std::filesystem::path journal;

  /// Its state is this process's memory: a forked chain changes a copy of
  /// its own (its calls reach `journal`, not `log`). A test that reads only
  /// results and the journal may let the chains fork.
  bool chains_may_fork = false;
  bool shared_with_forked_children() const override { return chains_may_fork; }

  // What to misbehave on, by the compose file's name.
  std::map<std::string, std::string> refuse_deploy;             ///< file -> the daemon's words
  std::set<std::string> never_converges;                        ///< file: services stay 0/1
  std::set<std::string> failing_hooks;                          ///< a hook command containing this exits 1
  std::string failing_hook_output = "hook failed on purpose\n"; ///< what such a hook prints
  /// When true, copy_from answers with a tar of one small file, as `docker cp`
  /// would from a volume: "./data.txt" for a directory ("DIR/."), else the
  /// path's last component. When false, it fails: no volume data.
  bool volumes_hold_data = false;
  /// Called at each deploy (after logging it): e.g. to request a stop.
  std::function<void(const std::string& file)> on_deploy;
  /// Thrown from services() once this many deploys happened (0 = never).
  int infra_failure_after_deploys = 0;
  /// What owned_objects() lists: the secrets and services this swarm made
  /// with owner labels (a service's are its compose deploy.labels), and what
  /// a test adds. remove_owned and remove_stack take them out.
  std::vector<host::OwnedObject> owned;
  /// remove_owned fails for these names, with the words docker might use.
  std::set<std::string> refuse_removal;

  host::SwarmInfo info() override { return {true, "fake", "active", true, ""}; }
  void require_manager() override { note("require_manager"); }
  void ensure_network(const std::string& name) override { note("ensure_network " + name); }
  bool has_secret(const std::string& name) override { return secrets_.count(name) > 0; }
  void create_secret(const std::string& name, const std::string& value, const std::string& stack,
                     const host::Owner& owner) override;
  host::DeployOutcome deploy_stack(const std::string& stack, const std::filesystem::path& compose_file) override;
  std::vector<host::ServiceState> services(const std::string& stack) override;
  std::string container_of(const std::string& stack, const std::string& service) override;
  host::ProcessResult exec(const std::string& container, const std::vector<std::string>& argv) override;
  host::ProcessResult exec_shell(const std::string& container, const std::string& command) override;
  host::ProcessResult copy_from(const std::string& container, const std::string& path,
                                const std::function<void(host::ByteSource&)>& consume) override;
  /// Reads the whole stream `produce` writes, as docker cp would, keeping
  /// its size in `copied_into`.
  host::ProcessResult copy_into(const std::string& container, const std::string& dir,
                                const std::function<void(host::ByteSink&)>& produce) override;
  std::vector<std::size_t> copied_into; ///< bytes of each copy_into's stream
  std::string task_table(const std::string& stack) override;
  std::string service_log(const std::string& stack, const std::string& service, int lines) override;
  host::TeardownReport remove_stack(const std::string& stack, bool throwaway) override;
  std::vector<std::string> publish_routes(const std::string& stack, const std::vector<host::Route>& routes,
                                          const host::Owner& owner) override;
  void remove_routes(const std::string& stack) override { note("remove_routes " + stack); }
  std::vector<std::string> route_leftovers(const std::string&) override { return {}; }
  host::HttpTarget http_target(const std::string& host) override { return {"http://127.0.0.1:9", host}; }
  std::vector<host::OwnedObject> owned_objects() override;
  std::vector<std::string> remove_owned(const std::vector<host::OwnedObject>& objects) override;

  /// Index of the first log entry starting with `prefix` at or after `from`, or -1.
  int find(const std::string& prefix, int from = 0) const;
  /// How many log entries start with `prefix`.
  int count(const std::string& prefix) const;

private:
  void note(std::string line);
  std::set<std::string> secrets_;
  std::vector<std::string> services_; ///< of the stack now deployed
  std::string deployed_file_;
  int deploys_ = 0;
};

} // namespace ccci::test
