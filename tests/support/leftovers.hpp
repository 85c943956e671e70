// The leftovers inventory: what docker itself lists, asked directly rather
// than through ccci's own teardown code, since that code is what the tests
// check.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccci::test {

enum class DockerObject { stack, service, container, network, volume, secret, config };

/// What docker lists of the given kinds at the moment it is made.
class DockerInventory {
public:
  explicit DockerInventory(std::initializer_list<DockerObject> kinds);
  /// "<kind> <name>" of every object whose name contains `stack`.
  std::vector<std::string> matching(std::string_view stack) const;

private:
  std::vector<std::pair<std::string, std::string>> objects_; ///< kind, name
};

/// Everything of `stack` still there: services, containers (stopped ones
/// too), networks, volumes, secrets and configs.
std::vector<std::string> leftovers_of(std::string_view stack);

} // namespace ccci::test
