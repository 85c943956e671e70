// The docker CLI, for the swarm layer only: DockerSwarm and the edge build on
// these. Everything outside swarm/ asks a Swarm (swarm/swarm.hpp).
#pragma once

#include "os/process.hpp"
#include "swarm/swarm.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ccci::host {

/// The environment every docker CLI call runs with: from `inherited`
/// ("K=V" entries, e.g. ccci's own environment) only what the CLI needs to
/// find and reach its daemon — PATH, HOME, DOCKER_HOST, DOCKER_CONFIG,
/// DOCKER_CONTEXT, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY, when set. `docker
/// stack deploy` fills a bare `environment:` entry from its own environment,
/// so anything more (an operator's shell variable, a token) could reach a
/// stack; the app's values are written into the rendered file instead
/// (docs/architecture.md, "The app env").
std::vector<std::string> docker_cli_environment(const std::vector<std::string>& inherited);

/// `docker ARGS...` with docker_cli_environment() of ccci's environment
/// (plus `options.extra_env`). Throws InfraFailure only when docker cannot
/// be started.
ProcessResult docker(const std::vector<std::string>& args, ProcessOptions options = {});
/// docker for several independent commands at once (run_processes): the
/// results in the commands' order.
std::vector<ProcessResult> docker_all(const std::vector<std::vector<std::string>>& commands,
                                      ProcessOptions options = {});

/// `docker ARGS...` whose failure is an infrastructure problem: throws
/// InfraFailure with `what` and docker's own words.
std::string docker_or_throw(const std::vector<std::string>& args, std::string_view what, ProcessOptions options = {});

/// Throws InfraFailure saying what to do when the daemon is unreachable or
/// this node is not an active swarm manager.
void require_swarm_manager();

/// Creates the attachable overlay network `name` unless it exists; throws
/// when it exists with another driver. Whether it is attachable.
bool ensure_overlay_network(const std::string& name);

/// `docker secret create` with the value on stdin (never on a command line),
/// labelled with the stack's namespace and `owner`'s labels.
void create_secret(const std::string& name, const std::string& value, const std::string& stack, const Owner& owner);

/// Every service, container, secret, config, volume and network with a
/// `ccci.run` label, with all its labels.
std::vector<OwnedObject> labelled_objects();
/// require_swarm_manager() and labelled_objects() in one round trip (a
/// run's start): throws as require_swarm_manager() does; a listing that
/// fails sets `listing_error` instead and gives nothing.
std::vector<OwnedObject> manager_and_labelled_objects(std::string& listing_error);

/// Removes docker objects (not edge routes) in the order that lets docker
/// let go: services, containers (forced), then secrets, configs, volumes and
/// networks, retried while docker still holds them, bounded by `wait`. One
/// entry per object: "" once it is gone, else docker's words.
std::vector<std::string> remove_labelled_objects(const std::vector<OwnedObject>& objects,
                                                 std::chrono::seconds wait = std::chrono::seconds(90));

std::vector<ServiceState> stack_services(const std::string& stack);
/// The same full look, the services' names and replica counts given
/// (`listed`, from stack_replicas just before) rather than listed again.
std::vector<ServiceState> stack_services(const std::string& stack, std::vector<ServiceState> listed);
/// `docker events` for the starts and health changes of `stack`'s
/// containers, from a second before now (nothing between this call and
/// the subscription is missed) until `until`, when docker ends it by itself
/// (so it cannot outlive a run that died). Null when it cannot be started.
std::unique_ptr<StackWatch> watch_stack(const std::string& stack, std::chrono::system_clock::time_point until);
/// The watch watch_stack() is: `argv` started with `options`, each whole
/// line it prints an event, its end the watch's loss. Null when it cannot
/// be started.
std::unique_ptr<StackWatch> watch_lines(const std::vector<std::string>& argv, const SpawnOptions& options);
/// Names and replica counts only: one `docker service ls`.
std::vector<ServiceState> stack_replicas(const std::string& stack);

/// `docker cp CONTAINER:PATH -`: the path as an uncompressed tar stream,
/// handed to `consume` chunk by chunk (run_process_reading_stdout).
ProcessResult copy_from_container(const std::string& container, const std::string& path,
                                  const std::function<void(ByteSource&)>& consume);

/// `docker cp -a - CONTAINER:DIR`: unpacks the tar `produce` writes into
/// DIR, keeping the owners recorded in it (run_process_feeding_stdin).
ProcessResult copy_into_container(const std::string& container, const std::string& dir,
                                  const std::function<void(ByteSink&)>& produce);

/// Runs `bash -c SCRIPT` in the container, with its environment.
ProcessResult exec_shell(const std::string& container, const std::string& script,
                         std::chrono::seconds timeout = std::chrono::minutes(10));

/// The first running container of `<stack>_<service>`, or "".
std::string service_container(const std::string& stack, const std::string& service);

/// Everything of the stack still on this node, as "kind name" lines:
/// services, containers, networks, volumes, secrets, configs labelled with
/// the stack's namespace or named `<stack>_...`.
std::vector<std::string> stack_leftovers(const std::string& stack);

/// Removes the stack and everything it made, waits for it to be gone
/// (bounded by `wait`), and verifies. `throwaway` stacks have their
/// containers force-removed at once, halving teardown; never pass it for a
/// stack whose data still matters. Ignores stop requests: teardown always
/// runs to the end.
TeardownReport teardown_stack(const std::string& stack, bool throwaway,
                              std::chrono::seconds wait = std::chrono::seconds(120));

} // namespace ccci::host
