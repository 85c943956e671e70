// The host-access policy (docs/recipe-meta.md, "host_access"): what a
// rendered recipe would reach of the host it is deployed on or of other
// apps on the swarm, and which of that the recipe's meta allows. ccci runs
// untrusted recipes on a host whose docker socket is root, so anything found
// here is refused before deploy unless a grant names that exact access.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccci::host {

/// What an access belongs to: a service, or a top-level secret, config or
/// volume. Its name is also the key a grant uses (`service: app`).
enum class AccessOwner { service, secret, config, volume };
std::string_view to_string(AccessOwner owner);
std::optional<AccessOwner> access_owner_from_string(std::string_view s);

/// One way the recipe reaches outside its stack.
struct HostAccess {
  AccessOwner owner_kind = AccessOwner::service;
  std::string owner;  ///< the service, secret, config or volume key
  std::string access; ///< the exact form a grant names, e.g. "bind:/var/run/docker.sock"
  std::string what;   ///< in words: "bind-mounts /var/run/docker.sock (the docker socket: root on the host)"
  std::string where;  ///< "compose.yml:14"
};

/// A meta `host_access:` entry: this owner may have this access, because.
struct HostAccessGrant {
  AccessOwner owner_kind = AccessOwner::service;
  std::string owner;
  std::string access;
  std::string reason;
  std::string where; ///< "<meta file>:<line>"
};

/// Why `access` is no form a grant can name (the forms are listed in
/// docs/recipe-meta.md), or nullopt when it is one.
std::optional<std::string> access_form_problem(std::string_view access);

/// "compose.yml:14" for a path of the merged document such as
/// "/services/app/volumes/<item>" (recipe/compose.cpp keeps the table).
using Locate = std::function<std::string(const std::string& path)>;

/// Every host access of the merged, interpolated `document` before ccci
/// makes its relative paths absolute: host binds (short and long syntax,
/// relative ones too) and local volumes over a host path, the host's
/// namespaces (network_mode, pid, ipc, uts, cgroup, userns_mode: host, or a
/// container or a service outside the stack), the swarm's `host` network,
/// privileged, each cap_add, each device, security_opt that lifts
/// confinement, and `file:`/`env_file:` paths that leave `recipe_dir`
/// (absolute, through `..`, or through a symlink).
std::vector<HostAccess> find_host_access(const YAML::Node& document, const std::filesystem::path& recipe_dir,
                                         const Locate& locate);

/// An external secret, config or volume whose swarm name is not scoped to
/// the run's stack (`<stack>_...`, the names ccci makes): the recipe would
/// read another app's or the host's object. nullopt when scoped, or when
/// `stack` is empty (no stack to scope to).
std::optional<HostAccess> unscoped_external(AccessOwner kind, const std::string& key, const std::string& name,
                                            const std::string& stack, const std::string& where);

/// What the policy says of a release: each access refused, or granted with
/// the grant that allows it.
struct HostAccessVerdict {
  std::vector<HostAccess> refused;
  std::vector<std::pair<HostAccess, HostAccessGrant>> granted;
};
HostAccessVerdict judge_host_access(const std::vector<HostAccess>& found, const std::vector<HostAccessGrant>& grants);

/// The red for a refused access: where, what, and the grant that would allow
/// it in `meta_file`.
std::string refusal_message(const HostAccess& access, const std::string& meta_file);

/// The pass record's words for one granted access.
std::string grant_message(const HostAccess& access, const HostAccessGrant& grant);

} // namespace ccci::host
