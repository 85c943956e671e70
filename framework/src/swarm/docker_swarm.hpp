// The Swarm of a real Docker engine, through the docker CLI, with the
// managed edge proxy for routes.
#pragma once

#include "swarm/edge.hpp"
#include "swarm/swarm.hpp"

namespace ccci::host {

class DockerSwarm final : public Swarm {
public:
  explicit DockerSwarm(EdgeSettings edge = {}) : edge_(std::move(edge)) {}

  SwarmInfo info() override;
  void require_manager() override;
  void ensure_network(const std::string& name) override;
  bool has_secret(const std::string& name) override;
  void create_secret(const std::string& name, const std::string& value, const std::string& stack,
                     const Owner& owner) override;
  DeployOutcome deploy_stack(const std::string& stack, const std::filesystem::path& compose_file) override;
  std::vector<ServiceState> services(const std::string& stack) override;
  std::vector<ServiceState> replicas(const std::string& stack) override;
  std::vector<ServiceState> services_listed(const std::string& stack, std::vector<ServiceState> listed) override;
  std::unique_ptr<StackWatch> watch(const std::string& stack, std::chrono::system_clock::time_point until) override;
  std::string container_of(const std::string& stack, const std::string& service) override;
  ProcessResult exec(const std::string& container, const std::vector<std::string>& argv) override;
  ProcessResult exec_shell(const std::string& container, const std::string& script) override;
  ProcessResult copy_from(const std::string& container, const std::string& path,
                          const std::function<void(ByteSource&)>& consume) override;
  ProcessResult copy_into(const std::string& container, const std::string& dir,
                          const std::function<void(ByteSink&)>& produce) override;
  std::string task_table(const std::string& stack) override;
  std::string service_log(const std::string& stack, const std::string& service, int lines) override;
  TeardownReport remove_stack(const std::string& stack, bool throwaway) override;
  std::vector<std::string> publish_routes(const std::string& stack, const std::vector<Route>& routes,
                                          const Owner& owner) override;
  void remove_routes(const std::string& stack) override;
  std::vector<std::string> route_leftovers(const std::string& stack) override;
  HttpTarget http_target(const std::string& host) override;
  std::vector<OwnedObject> owned_objects() override;
  std::vector<OwnedObject> require_manager_and_owned(std::string& listing_error) override;
  std::vector<std::string> remove_owned(const std::vector<OwnedObject>& objects) override;

private:
  EdgeSettings edge_;
};

} // namespace ccci::host
