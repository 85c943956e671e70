#include "support/leftovers.hpp"

#include "os/process.hpp"

#include <sstream>

namespace ccci::test {

namespace {

struct Listing {
  const char* kind;
  std::vector<std::string> argv;
};

Listing listing(DockerObject o) {
  switch (o) {
  case DockerObject::stack: return {"stack", {"docker", "stack", "ls", "--format", "{{.Name}}"}};
  case DockerObject::service: return {"service", {"docker", "service", "ls", "--format", "{{.Name}}"}};
  case DockerObject::container: return {"container", {"docker", "ps", "-a", "--format", "{{.Names}}"}};
  case DockerObject::network: return {"network", {"docker", "network", "ls", "--format", "{{.Name}}"}};
  case DockerObject::volume: return {"volume", {"docker", "volume", "ls", "--format", "{{.Name}}"}};
  case DockerObject::secret: return {"secret", {"docker", "secret", "ls", "--format", "{{.Name}}"}};
  case DockerObject::config: return {"config", {"docker", "config", "ls", "--format", "{{.Name}}"}};
  }
  return {"?", {}};
}

} // namespace

DockerInventory::DockerInventory(std::initializer_list<DockerObject> kinds) {
  for (auto kind : kinds) {
    auto l = listing(kind);
    std::istringstream in(host::run_process(l.argv).out);
    for (std::string line; std::getline(in, line);)
      objects_.emplace_back(l.kind, line);
  }
}

std::vector<std::string> DockerInventory::matching(std::string_view stack) const {
  std::vector<std::string> found;
  for (auto& [kind, name] : objects_)
    if (name.find(stack) != std::string::npos) found.push_back(kind + " " + name);
  return found;
}

std::vector<std::string> leftovers_of(std::string_view stack) {
  return DockerInventory({DockerObject::service, DockerObject::container, DockerObject::network, DockerObject::volume,
                          DockerObject::secret, DockerObject::config})
      .matching(stack);
}

} // namespace ccci::test
