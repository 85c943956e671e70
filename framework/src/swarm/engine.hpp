// The Docker Engine API over the daemon's own socket, for the reads a run
// makes most often (docs/architecture.md, "Where an install's time goes"): a
// request costs a few milliseconds where a docker CLI process costs 15-60.
// Everything that changes the swarm stays with the CLI, and so does every
// read when the CLI would reach its daemon another way (DOCKER_HOST over TCP
// or ssh, a docker context): the two never talk to different daemons.
#pragma once

#include "model/ownership.hpp"
#include "swarm/swarm.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ccci::host {

/// The daemon socket the docker CLI would use, when it is a local unix
/// socket. The CLI picks DOCKER_CONTEXT, else DOCKER_HOST, else its
/// config's currentContext; only the default context ("default", empty or
/// unset) is known here: its daemon is DOCKER_HOST's when that is set
/// (unix://PATH: PATH; tcp://, ssh://: nullopt), else /var/run/docker.sock.
/// Any other context: nullopt, and the CLI is used.
std::optional<std::string> engine_socket_for(const std::optional<std::string>& docker_host,
                                             const std::optional<std::string>& docker_context,
                                             const std::optional<std::string>& config_context);

/// GET `target` (a path and query, e.g. "/services?status=true") from the
/// engine: its JSON answer (null for a 404: no such object), or nullopt when the engine is not to be used:
/// not local (engine_socket_for of this process's environment and the CLI's
/// config.json), turned off (CCCI_DOCKER_API=0, use_engine(false)), or a
/// request failed, which turns it off for the rest of the process. The
/// caller then asks the CLI, which says in its own words what is wrong.
std::optional<boost::json::value> engine_get(const std::string& target, bool ignore_stop = false);

/// How this process reads from docker, for `ccci doctor`: "the Engine API
/// on <socket>", or "the docker CLI" and why.
std::string engine_reads();

/// Turns the engine off (or on again, when it is local): tests compare what
/// the two readers see.
void use_engine(bool on);

/// `text` percent-encoded, for a path segment or a query value.
std::string engine_path_segment(const std::string& text);

/// A `filters=` query value: {"KEY": [VALUES...]} as JSON, percent-encoded.
std::string engine_filters(const std::string& key, const std::vector<std::string>& values);

/// An object as a listing gives it.
struct EngineObject {
  std::string id, name;
  Labels labels;
};

// What the answers hold, in the shapes the CLI's readers give. They throw
// InfraFailure on an answer of another shape; the caller turns the engine
// off and asks the CLI.

/// GET /services?status=true: names and replica counts, as `docker service
/// ls`'s {{.Replicas}} (running/desired tasks).
std::vector<ServiceState> replicas_from_engine(const boost::json::value& services);
/// A full look at a stack's services (stack_services) from GET
/// /services?status=true, /tasks and /containers/json (the running ones),
/// each filtered to the stack: replica counts, update state, task errors
/// ("task <service>.<slot>: Rejected: \"<error>\"", as the CLI's `service
/// ps` names and quotes them) and containers by health. `listed`, when not empty, gives the
/// services to report and their counts (stack_replicas just before).
std::vector<ServiceState> services_from_engine(const boost::json::value& services, const boost::json::value& tasks,
                                               const boost::json::value& containers,
                                               std::vector<ServiceState> listed = {});
/// GET /services, /containers/json, /networks, /volumes, /secrets or
/// /configs: `kind` (service, container, network, volume, secret, config)
/// says which. A container's name is its first, without docker's "/".
std::vector<EngineObject> objects_from_engine(const std::string& kind, const boost::json::value& listing);
/// GET /info: whether this node is an active swarm manager, as `docker
/// info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'`
/// prints it ("active true").
std::string manager_state_from_engine(const boost::json::value& info);

/// GET /tasks: the IDs of the tasks of `services` (service IDs) that a node
/// has been given but not started yet (assigned ... starting). Such a task
/// may still get a container after its service is removed; once it has
/// ended, or swarm lists it no more, that container exists if it ever will.
std::vector<std::string> tasks_not_started_from_engine(const boost::json::value& tasks,
                                                       const std::set<std::string>& services);

struct NetworkFacts {
  bool exists = false;
  std::string driver; ///< "overlay", "bridge"...
  bool attachable = false;
};
/// GET /networks/NAME; nullopt when the engine is not to be used.
std::optional<NetworkFacts> engine_network(const std::string& name);

/// Every `kind` object (as objects_from_engine; containers stopped or not),
/// only those with `label` (KEY or KEY=VALUE) when it is given. nullopt when
/// the engine is not to be used (engine_get).
std::optional<std::vector<EngineObject>> engine_objects(const std::string& kind, const std::string& label = "",
                                                        bool ignore_stop = false);

} // namespace ccci::host
