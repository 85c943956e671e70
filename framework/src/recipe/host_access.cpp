#include "recipe/host_access.hpp"

#include "recipe/yaml_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <system_error>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

using yaml::child;
using yaml::scalar_or;

std::string lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// YAML's and docker's spellings of true: a refusal errs on the side of
// reading a value as set.
bool truthy(const YAML::Node& n) {
  static const std::set<std::string> yes{"true", "yes", "on", "y", "1"};
  return n.IsScalar() && yes.count(lower(n.Scalar())) > 0;
}

// The items of a value that may be one scalar or a list.
std::vector<YAML::Node> items_of(const YAML::Node& n) {
  std::vector<YAML::Node> out;
  if (n.IsSequence())
    for (const auto& item : n)
      out.push_back(item);
  else if (n.IsScalar() || n.IsMap())
    out.push_back(n);
  return out;
}

bool inside(const fs::path& base, const fs::path& p) {
  auto rel = p.lexically_relative(base);
  return !rel.empty() && *rel.begin() != "..";
}

// Why the file `written` (as the recipe wrote it) is not in the recipe tree
// `tree` (absolute, normalised), or nullopt when it is.
std::optional<std::string> outside_tree(const fs::path& tree, const std::string& written) {
  const fs::path p(written);
  if (p.is_absolute()) return "an absolute path on the host, outside the recipe tree";
  if (written.starts_with("~")) return "a path in a home directory on the host, outside the recipe tree";
  const fs::path lexical = (tree / p).lexically_normal();
  if (!inside(tree, lexical))
    return fmt::format("a path that leaves the recipe tree through '..' (to {})", lexical.string());
  std::error_code ec_tree, ec;
  const fs::path real_tree = fs::weakly_canonical(tree, ec_tree);
  const fs::path real = fs::weakly_canonical(tree / p, ec);
  if (ec_tree || ec)
    return fmt::format("a path whose symlinks cannot be resolved ({}), so it may leave the recipe tree",
                       (ec ? ec : ec_tree).message());
  if (!inside(real_tree, real))
    return fmt::format("a path through a symlink to {}, outside the recipe tree", real.string());
  return std::nullopt;
}

std::string bind_words(const std::string& source) {
  if (source.ends_with("docker.sock"))
    return fmt::format("bind-mounts {}, the docker socket (root on the host)", source);
  if (fs::path(source).lexically_normal() == "/") return "bind-mounts the host's root directory /";
  if (source.starts_with(".")) return fmt::format("bind-mounts {} of the recipe checkout, a path on the host", source);
  return fmt::format("bind-mounts the host path {}", source);
}

// The namespaces a service may share: the compose key and what it shares.
struct Namespace {
  std::string_view key;
  std::string_view what;
};
constexpr std::array<Namespace, 6> namespaces{{{"network_mode", "network"},
                                               {"pid", "process"},
                                               {"ipc", "IPC"},
                                               {"uts", "UTS (host name)"},
                                               {"cgroup", "cgroup"},
                                               {"userns_mode", "user"}}};

class Finder {
public:
  Finder(const YAML::Node& doc, fs::path tree, const Locate& locate)
      : doc_(doc), tree_(std::move(tree)), locate_(locate) {
    for (const auto& kv : child(doc_, "services"))
      services_.insert(kv.first.Scalar());
    for (const auto& kv : child(doc_, "networks")) {
      const YAML::Node external = child(kv.second, "external");
      if (!external.IsMap() && !truthy(external)) continue;
      std::string name = scalar_or(child(kv.second, "name"), scalar_or(child(external, "name"), kv.first.Scalar()));
      if (name == "host") host_networks_.insert(kv.first.Scalar());
    }
  }

  std::vector<HostAccess> run() {
    for (const auto& kv : child(doc_, "services"))
      if (kv.second.IsMap()) service(kv.first.Scalar(), kv.second);
    for (const auto& kv : child(doc_, "volumes"))
      volume(kv.first.Scalar(), kv.second);
    objects("secret", AccessOwner::secret);
    objects("config", AccessOwner::config);
    return std::move(found_);
  }

private:
  const YAML::Node& doc_;
  fs::path tree_;
  const Locate& locate_;
  std::set<std::string> services_;
  std::set<std::string> host_networks_;
  std::vector<HostAccess> found_;

  void note(AccessOwner kind, const std::string& owner, std::string access, std::string what, const std::string& path) {
    found_.push_back({kind, owner, std::move(access), std::move(what), locate_(path)});
  }

  void service(const std::string& name, const YAML::Node& def) {
    const std::string path = "/services/" + name;
    auto add = [&](std::string access, std::string what, const std::string& at) {
      note(AccessOwner::service, name, std::move(access), std::move(what), at);
    };
    for (const auto& item : items_of(child(def, "volumes"))) {
      std::string source, id;
      if (item.IsScalar()) {
        id = item.Scalar();
        auto colon = id.find(':');
        if (colon == std::string::npos) continue; // an anonymous volume
        source = id.substr(0, colon);
        // docker's rule: a source that is not a path is a named volume.
        if (!source.starts_with("/") && !source.starts_with(".") && !source.starts_with("~")) continue;
      } else if (item.IsMap()) {
        if (scalar_or(child(item, "type"), "volume") != "bind") continue;
        source = id = scalar_or(child(item, "source"));
      }
      if (!source.empty()) add("bind:" + source, bind_words(source), path + "/volumes/" + id);
    }
    for (const auto& ns : namespaces)
      namespace_mode(name, def, ns, add);
    networks(def, path, add);
    if (truthy(child(def, "privileged")))
      add("privileged", "runs privileged (every capability and device of the host)", path + "/privileged");
    for (const auto& item : items_of(child(def, "cap_add")))
      if (auto cap = scalar_or(item); !cap.empty())
        add("cap_add:" + cap, fmt::format("adds the capability {}", cap), path + "/cap_add/" + cap);
    for (const auto& item : items_of(child(def, "devices"))) {
      std::string id = item.IsMap() ? scalar_or(child(item, "source")) : scalar_or(item);
      std::string source = item.IsMap() ? id : id.substr(0, id.find(':'));
      if (!source.empty())
        add("device:" + source, fmt::format("gets the host device {}", source), path + "/devices/" + id);
    }
    for (const auto& item : items_of(child(def, "security_opt"))) {
      std::string opt = scalar_or(item);
      std::string l = lower(opt);
      if (l.find("unconfined") != std::string::npos || l == "label:disable" || l == "label=disable")
        add("security_opt:" + opt, fmt::format("lifts its confinement (security_opt {})", opt),
            path + "/security_opt/" + opt);
    }
    const YAML::Node env_file = child(def, "env_file");
    for (const auto& item : items_of(env_file)) {
      std::string file = item.IsMap() ? scalar_or(child(item, "path")) : scalar_or(item);
      if (file.empty()) continue;
      if (auto why = outside_tree(tree_, file))
        add("file:" + file, fmt::format("reads the env_file {}: {}", file, *why),
            env_file.IsSequence() ? path + "/env_file/" + file : path + "/env_file");
    }
  }

  template <class Add>
  void namespace_mode(const std::string& service, const YAML::Node& def, const Namespace& ns, Add& add) {
    const std::string key(ns.key);
    const std::string value = scalar_or(child(def, key));
    const std::string at = fmt::format("/services/{}/{}", service, key);
    if (value == "host")
      add(key + ":host", fmt::format("shares the host's {} namespace ({}: host)", ns.what, key), at);
    else if (value.starts_with("container:"))
      add(key + ":" + value,
          fmt::format("joins the {} namespace of container {}, outside the stack", ns.what, value.substr(10)), at);
    else if (value.starts_with("service:") && !services_.count(value.substr(8)))
      add(key + ":" + value,
          fmt::format("joins the {} namespace of service {}, which is not a service of this stack", ns.what,
                      value.substr(8)),
          at);
  }

  template <class Add>
  void networks(const YAML::Node& def, const std::string& path, Add& add) {
    for (const auto& key : yaml::names_listed(child(def, "networks")))
      if (host_networks_.count(key))
        add("network:host", fmt::format("joins the swarm's host network (network {}): the host's network stack", key),
            path + "/networks/" + key);
  }

  // The local driver mounts `driver_opts.device` as the volume: a bind of a
  // host path under another name.
  void volume(const std::string& key, const YAML::Node& def) {
    const std::string driver = scalar_or(child(def, "driver"), "local");
    const std::string device = scalar_or(child(child(def, "driver_opts"), "device"));
    if (driver != "local" || device.empty()) return;
    note(AccessOwner::volume, key, "bind:" + device,
         fmt::format("is a local volume over the host path {} (driver_opts.device)", device), "/volumes/" + key);
  }

  void objects(const std::string& kind, AccessOwner owner) {
    for (const auto& kv : child(doc_, kind + "s")) {
      const std::string file = scalar_or(child(kv.second, "file"));
      if (file.empty()) continue;
      if (auto why = outside_tree(tree_, file))
        note(owner, kv.first.Scalar(), "file:" + file, fmt::format("is made from the file {}: {}", file, *why),
             fmt::format("/{}s/{}/file", kind, kv.first.Scalar()));
    }
  }
};

std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string_view to_string(AccessOwner owner) {
  switch (owner) {
  case AccessOwner::service: return "service";
  case AccessOwner::secret: return "secret";
  case AccessOwner::config: return "config";
  case AccessOwner::volume: return "volume";
  }
  return "?";
}

std::optional<AccessOwner> access_owner_from_string(std::string_view s) {
  for (auto o : {AccessOwner::service, AccessOwner::secret, AccessOwner::config, AccessOwner::volume})
    if (to_string(o) == s) return o;
  return std::nullopt;
}

std::optional<std::string> access_form_problem(std::string_view access) {
  static constexpr std::array<std::string_view, 7> with_value{
      "bind:", "device:", "cap_add:", "security_opt:", "file:", "external:", "network:"};
  const std::string forms = "privileged, bind:<host path>, device:<host path>, cap_add:<capability>, "
                            "security_opt:<option>, file:<path>, external:<swarm name>, network:host, or "
                            "<network_mode|pid|ipc|uts|cgroup|userns_mode>:<host|container:X|service:X>";
  if (access == "privileged") return std::nullopt;
  for (auto prefix : with_value) {
    if (!access.starts_with(prefix)) continue;
    auto rest = access.substr(prefix.size());
    if (rest.empty()) return fmt::format("'{}' names nothing after '{}'; the forms are {}", access, prefix, forms);
    if (prefix == "network:" && rest != "host")
      return fmt::format("'{}': the only network a grant names is the host's (network:host)", access);
    return std::nullopt;
  }
  for (const auto& ns : namespaces) {
    const std::string prefix = std::string(ns.key) + ":";
    if (!access.starts_with(prefix)) continue;
    auto rest = access.substr(prefix.size());
    if (rest == "host" || (rest.starts_with("container:") && rest.size() > 10) ||
        (rest.starts_with("service:") && rest.size() > 8))
      return std::nullopt;
    return fmt::format("'{}': after '{}' comes host, container:<name> or service:<name>", access, prefix);
  }
  return fmt::format("'{}' is no form of host access; the forms are {}", access, forms);
}

std::vector<HostAccess> find_host_access(const YAML::Node& document, const fs::path& recipe_dir, const Locate& locate) {
  return Finder(document, fs::absolute(recipe_dir).lexically_normal(), locate).run();
}

std::optional<HostAccess> unscoped_external(AccessOwner kind, const std::string& key, const std::string& name,
                                            const std::string& stack, const std::string& where) {
  if (stack.empty() || name.starts_with(stack + "_")) return std::nullopt;
  return HostAccess{kind, key, "external:" + name,
                    fmt::format("is the external {} '{}', not one of this run's stack ({}_...): another app's or the "
                                "host's {}",
                                to_string(kind), name, stack, to_string(kind)),
                    where};
}

HostAccessVerdict judge_host_access(const std::vector<HostAccess>& found, const std::vector<HostAccessGrant>& grants) {
  HostAccessVerdict v;
  for (const auto& a : found) {
    auto g = std::find_if(grants.begin(), grants.end(), [&](const HostAccessGrant& g) {
      return g.owner_kind == a.owner_kind && g.owner == a.owner && g.access == a.access;
    });
    if (g == grants.end())
      v.refused.push_back(a);
    else
      v.granted.emplace_back(a, *g);
  }
  return v;
}

std::string refusal_message(const HostAccess& a, const std::string& meta_file) {
  return fmt::format("{}: {} {} {}; if the recipe really needs it, allow it in {}: host_access: [{{{}: {}, access: "
                     "{}, reason: \"...\"}}]",
                     a.where, to_string(a.owner_kind), a.owner, a.what, meta_file, to_string(a.owner_kind), a.owner,
                     yaml_quoted(a.access));
}

std::string grant_message(const HostAccess& a, const HostAccessGrant& g) {
  return fmt::format("{} {} {} ({}), allowed by {}: {}", to_string(a.owner_kind), a.owner, a.what, a.where, g.where,
                     g.reason);
}

} // namespace ccci::host
