#include "recipe/compose.hpp"

#include "os/fs.hpp"
#include "recipe/interpolate.hpp"
#include "recipe/traefik.hpp"
#include "recipe/yaml_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

/// Where each piece of the merged document came from: a path such as
/// "/services/app/secrets/db_password" -> "compose.yml:12". The merged
/// document is built from copies that carry no marks, so defects found after
/// merging are located through this table. The first file to mention a path
/// wins: that is where an author would look.
using Where = std::map<std::string, std::string>;

std::string location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return fmt::format("{}:{}", file, mark.line + 1);
}

// The most precise known location of `path`, walking up to its parents.
std::string where_of(const Where& where, std::string path, const std::string& fallback) {
  while (!path.empty()) {
    if (auto it = where.find(path); it != where.end()) return it->second;
    path.erase(path.rfind('/'));
  }
  return fallback;
}

bool has(const YAML::Node& map, const std::string& key) {
  return map.IsDefined() && map.IsMap() && map[key].IsDefined();
}

using yaml::child;
using yaml::scalar_or;

std::string_view type_name(const YAML::Node& n) {
  switch (n.Type()) {
  case YAML::NodeType::Map: return "map";
  case YAML::NodeType::Sequence: return "list";
  case YAML::NodeType::Scalar: return "scalar";
  case YAML::NodeType::Null: return "null";
  default: return "nothing";
  }
}

// The reference key of a `secrets:`/`configs:` entry of a service or a
// sequence item: `- name` or `- source: name`.
std::string entry_name(const YAML::Node& item) {
  if (item.IsScalar()) return item.Scalar();
  if (item.IsMap()) return scalar_or(child(item, "source"));
  return {};
}

/// Copies one parsed file into a fresh tree (no node shared with the parse,
/// so aliases cannot leak edits from one place to another), resolving `<<`
/// merge keys — yaml-cpp parses them as an ordinary key — and interpolating
/// every scalar value. Keys are not interpolated, as docker does not either.
class FileCopier {
public:
  FileCopier(std::string file, const Env& env, Where& where) : file_(std::move(file)), env_(env), where_(where) {}

  YAML::Node copy(const YAML::Node& in, const std::string& path) {
    switch (in.Type()) {
    case YAML::NodeType::Scalar: {
      YAML::Node out(interpolate(in.Scalar(), env_, location(file_, in.Mark())));
      // Quoted scalars carry the tag "!": keep it so rendering quotes them
      // again and `version: "3.8"` does not come back as a float.
      out.SetTag(in.Tag());
      return out;
    }
    case YAML::NodeType::Sequence: return copy_sequence(in, path);
    case YAML::NodeType::Map: return copy_map(in, path);
    default: return YAML::Node(YAML::NodeType::Null);
    }
  }

private:
  std::string file_;
  const Env& env_;
  Where& where_;

  YAML::Node copy_sequence(const YAML::Node& in, const std::string& path) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < in.size(); ++i) {
      YAML::Node item = copy(in[i], fmt::format("{}/{}", path, i));
      if (auto name = entry_name(item); !name.empty()) where_.emplace(path + "/" + name, location(file_, in[i].Mark()));
      out.push_back(item);
    }
    return out;
  }

  YAML::Node copy_map(const YAML::Node& in, const std::string& path) {
    std::set<std::string> explicit_keys;
    for (const auto& kv : in)
      if (kv.first.Scalar() != "<<") explicit_keys.insert(kv.first.Scalar());

    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : in) {
      const std::string& key = kv.first.Scalar();
      if (key == "<<") {
        merge_sources(kv.second, path, explicit_keys, out);
        continue;
      }
      where_.emplace(path + "/" + key, location(file_, kv.first.Mark()));
      out[key] = copy(kv.second, path + "/" + key);
    }
    return out;
  }

  // YAML merge: keys written in the map win over merged ones, and among a
  // list of merged maps the earlier one wins.
  void merge_sources(const YAML::Node& value, const std::string& path, const std::set<std::string>& explicit_keys,
                     YAML::Node& out) {
    std::vector<YAML::Node> sources;
    if (value.IsMap())
      sources.push_back(value);
    else if (value.IsSequence())
      for (const auto& s : value)
        sources.push_back(s);
    for (const auto& s : sources)
      if (!s.IsMap())
        throw RecipeDefect(
            fmt::format("{}: merge key '<<' needs a map or a list of maps (e.g. <<: *defaults), got a {}",
                        location(file_, value.Mark()), type_name(s)));
    if (sources.empty())
      throw RecipeDefect(fmt::format("{}: merge key '<<' needs a map or a list of maps (e.g. <<: *defaults), got a {}",
                                     location(file_, value.Mark()), type_name(value)));

    for (const auto& source : sources) {
      YAML::Node merged = copy_map(source, path);
      for (const auto& kv : merged) {
        const std::string& key = kv.first.Scalar();
        if (explicit_keys.count(key) || has(out, key)) continue;
        out[key] = kv.second;
      }
    }
  }
};

YAML::Node load_one(const fs::path& path, const std::string& label, const Env& env, Where& where) {
  std::error_code ec;
  auto text = read_file(path, ec);
  if (ec)
    throw RecipeDefect(
        fmt::format("{}: cannot read compose file {} ({}); check that it exists and that COMPOSE_FILE names it", label,
                    path.string(), ec.message()));

  YAML::Node raw;
  try {
    raw = load_yaml(text);
  } catch (const YamlAliasBomb& e) {
    throw RecipeDefect(fmt::format("{}:{}:{}: {}", label, e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const YAML::Exception& e) {
    throw RecipeDefect(
        fmt::format("{}:{}:{}: invalid YAML: {}; fix the syntax", label, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (raw.IsNull())
    throw RecipeDefect(fmt::format("{}:1: compose file is empty; it needs at least a 'services:' map", label));
  if (!raw.IsMap())
    throw RecipeDefect(fmt::format("{}: top level must be a map with a 'services:' key, got a {}",
                                   location(label, raw.Mark()), type_name(raw)));
  if (!has(raw, "services"))
    throw RecipeDefect(fmt::format("{}:1: no 'services:' key; a compose file must define its services", label));
  if (!raw["services"].IsMap())
    throw RecipeDefect(fmt::format("{}: 'services:' must be a map of service name to definition, got a {}",
                                   location(label, raw["services"].Mark()), type_name(raw["services"])));
  return FileCopier(label, env, where).copy(raw, "");
}

// ---- merging overlay files ------------------------------------------------

bool is_merged_list(const std::string& key) {
  static const std::set<std::string> keys{"ports",       "volumes", "secrets", "configs",
                                          "environment", "labels",  "networks"};
  return keys.count(key) > 0;
}

bool is_keyed_list(const std::string& key) { return key == "environment" || key == "labels"; }

// What makes two list items "the same" so an overlay replaces rather than
// duplicates: the variable/label name, the secret/config source, the mount
// target; anything else by its whole content.
std::string identity(const std::string& list_key, const YAML::Node& item) {
  if (item.IsScalar()) {
    const std::string& s = item.Scalar();
    if (is_keyed_list(list_key)) return s.substr(0, s.find('='));
    if (list_key == "volumes") {
      auto first = s.find(':');
      if (first == std::string::npos) return s;
      auto second = s.find(':', first + 1);
      return s.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    }
    return s;
  }
  if (item.IsMap()) {
    if (list_key == "secrets" || list_key == "configs") return entry_name(item);
    if (list_key == "volumes") return scalar_or(child(item, "target"));
  }
  return YAML::Dump(item);
}

// `KEY=value` list form to map form, so list and map forms can be merged.
YAML::Node keyed_list_to_map(const YAML::Node& n) {
  if (!n.IsSequence()) return n;
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& item : n) {
    std::string s = scalar_or(item);
    auto eq = s.find('=');
    if (eq == std::string::npos)
      out[s] = YAML::Node(YAML::NodeType::Null);
    else
      out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

void merge_into(YAML::Node base, const YAML::Node& over);

YAML::Node merge_lists(const std::string& key, const YAML::Node& base, const YAML::Node& over) {
  std::vector<YAML::Node> items;
  std::vector<std::string> ids;
  for (const auto& b : base) {
    items.push_back(b);
    ids.push_back(identity(key, b));
  }
  for (const auto& o : over) {
    auto id = identity(key, o);
    auto it = std::find(ids.begin(), ids.end(), id);
    // reset, not `=`: assigning a yaml-cpp node writes through to the node
    // it aliases, which here is an item of the base document.
    if (it != ids.end())
      items[static_cast<std::size_t>(it - ids.begin())].reset(o);
    else {
      items.push_back(o);
      ids.push_back(id);
    }
  }
  YAML::Node out(YAML::NodeType::Sequence);
  for (const auto& i : items)
    out.push_back(i);
  return out;
}

// docker's merge of a later compose file onto an earlier one.
void merge_into(YAML::Node base, const YAML::Node& over) {
  for (const auto& kv : over) {
    const std::string& key = kv.first.Scalar();
    if (!has(base, key)) {
      base[key] = kv.second;
      continue;
    }
    YAML::Node existing = base[key];
    const YAML::Node& incoming = kv.second;
    if (is_keyed_list(key) && (existing.IsMap() || incoming.IsMap()) &&
        (existing.IsSequence() || incoming.IsSequence())) {
      YAML::Node merged = keyed_list_to_map(existing);
      merge_into(merged, keyed_list_to_map(incoming));
      base[key] = merged;
    } else if (existing.IsMap() && incoming.IsMap()) {
      merge_into(existing, incoming);
    } else if (is_merged_list(key) && existing.IsSequence() && incoming.IsSequence()) {
      base[key] = merge_lists(key, existing, incoming);
    } else {
      base[key] = incoming;
    }
  }
}

// ---- reading the merged document ------------------------------------------

std::string absolute_under(const fs::path& recipe_dir, const std::string& p) {
  return (recipe_dir / p).lexically_normal().string();
}

ComposeObject read_object(const std::string& key, const YAML::Node& def, const fs::path& recipe_dir,
                          const std::string& stack) {
  ComposeObject o;
  o.key = key;
  if (def.IsMap()) {
    o.name = scalar_or(child(def, "name"));
    YAML::Node external = child(def, "external");
    if (external.IsMap()) { // legacy `external: {name: x}`
      o.external = true;
      if (o.name.empty()) o.name = scalar_or(child(external, "name"));
    } else if (external.IsScalar()) {
      o.external = external.Scalar() == "true" || external.Scalar() == "True" || external.Scalar() == "yes";
    }
    if (auto file = scalar_or(child(def, "file")); !file.empty()) {
      o.file = fs::path(file).is_absolute() ? file : absolute_under(recipe_dir, file);
      YAML::Node writable = def;
      writable["file"] = o.file;
    }
  }
  // docker stack deploy prefixes unnamed objects with the stack name, and
  // looks an unnamed external one up by its key.
  if (o.name.empty()) o.name = stack.empty() || o.external ? key : stack + "_" + key;
  return o;
}

std::map<std::string, std::string> read_labels(const YAML::Node& labels) {
  std::map<std::string, std::string> out;
  if (labels.IsSequence()) {
    for (const auto& item : labels) {
      std::string s = scalar_or(item);
      auto eq = s.find('=');
      if (eq == std::string::npos)
        out[s] = "";
      else
        out[s.substr(0, eq)] = s.substr(eq + 1);
    }
  } else if (labels.IsMap()) {
    for (const auto& kv : labels)
      out[kv.first.Scalar()] = scalar_or(kv.second);
  }
  return out;
}

bool healthcheck_enabled(const YAML::Node& hc) {
  if (!hc.IsMap()) return false;
  if (scalar_or(child(hc, "disable")) == "true") return false;
  const YAML::Node test = child(hc, "test");
  if (test.IsSequence() && test.size() > 0 && scalar_or(test[0]) == "NONE") return false;
  if (test.IsScalar() && test.Scalar() == "NONE") return false;
  return true;
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

class Analyzer {
public:
  Analyzer(Compose& c, const fs::path& recipe_dir, const Env& env, const Where& where, std::string fallback)
      : c_(c), dir_(recipe_dir), where_(where), fallback_(std::move(fallback)) {
    if (auto it = env.find("STACK_NAME"); it != env.end()) stack_ = it->second;
  }

  void run() {
    const YAML::Node& doc = c_.document;
    for (auto kv : child(doc, "secrets"))
      c_.secrets.push_back(read_object(kv.first.Scalar(), kv.second, dir_, stack_));
    for (auto kv : child(doc, "configs"))
      c_.configs.push_back(read_object(kv.first.Scalar(), kv.second, dir_, stack_));
    for (const auto& kv : child(doc, "volumes"))
      c_.volumes.push_back(kv.first.Scalar());
    for (const auto& kv : child(doc, "networks")) {
      YAML::Node external = child(kv.second, "external");
      c_.networks[kv.first.Scalar()] = external.IsMap() || scalar_or(external) == "true";
    }
    for (auto kv : child(doc, "services"))
      service(kv.first.Scalar(), kv.second);
    auto routes = read_traefik_routes(c_.services);
    c_.routes = std::move(routes.routes);
    c_.route_notes = std::move(routes.notes);
  }

private:
  Compose& c_;
  fs::path dir_;
  const Where& where_;
  std::string fallback_;
  std::string stack_;

  std::string at(const std::string& path) const { return where_of(where_, path, fallback_); }

  bool declared_object(const std::vector<ComposeObject>& objs, const std::string& key) const {
    return std::any_of(objs.begin(), objs.end(), [&](const ComposeObject& o) { return o.key == key; });
  }

  void undeclared(const std::string& svc, const std::string& kind, const std::string& plural, const std::string& name,
                  const std::string& path) const {
    throw RecipeDefect(fmt::format("{}: service '{}' uses {} '{}', which is not declared under top-level '{}:'; "
                                   "declare it there or drop the reference",
                                   at(path), svc, kind, name, plural));
  }

  void service(const std::string& name, const YAML::Node& def) {
    const std::string path = "/services/" + name;
    if (!def.IsMap())
      throw RecipeDefect(fmt::format("{}: service '{}' must be a map with at least 'image:', got a {}", at(path), name,
                                     type_name(def)));
    ComposeService s;
    s.name = name;
    s.image = scalar_or(child(def, "image"));
    if (s.image.empty())
      throw RecipeDefect(fmt::format("{}: service '{}' has no 'image:' (or it is empty after interpolation); "
                                     "docker stack deploy needs an image for every service",
                                     at(path), name));
    const YAML::Node deploy = child(def, "deploy");
    if (deploy.IsMap()) {
      s.labels = read_labels(child(deploy, "labels"));
      if (has(deploy, "replicas")) {
        auto replicas = to_int(scalar_or(child(deploy, "replicas")));
        if (!replicas || *replicas < 0)
          throw RecipeDefect(fmt::format("{}: deploy.replicas of service '{}' must be a whole number >= 0, got '{}'",
                                         at(path + "/deploy/replicas"), name, scalar_or(child(deploy, "replicas"))));
        s.replicas = *replicas;
      }
    }
    references(s, def, path);
    env_files(def);
    s.has_healthcheck = healthcheck_enabled(child(def, "healthcheck"));
    if (!c_.version_label)
      for (const auto& [k, v] : s.labels)
        if (k.starts_with("coop-cloud.") && k.ends_with(".version") && k.size() > 19) c_.version_label = v;
    c_.services.push_back(std::move(s));
  }

  void references(ComposeService& s, const YAML::Node& def, const std::string& path) {
    for (const auto& item : child(def, "secrets")) {
      auto key = entry_name(item);
      if (!declared_object(c_.secrets, key)) undeclared(s.name, "secret", "secrets", key, path + "/secrets/" + key);
      s.secrets.push_back(key);
    }
    for (const auto& item : child(def, "configs")) {
      auto key = entry_name(item);
      if (!declared_object(c_.configs, key)) undeclared(s.name, "config", "configs", key, path + "/configs/" + key);
      s.configs.push_back(key);
    }
    YAML::Node volumes = child(def, "volumes");
    for (std::size_t i = 0; volumes.IsSequence() && i < volumes.size(); ++i)
      volume(s, volumes[i], path);

    for (const auto& key : yaml::names_listed(child(def, "networks"))) {
      // `default` exists without being declared, as in docker.
      if (key != "default" && !c_.networks.count(key))
        undeclared(s.name, "network", "networks", key, path + "/networks/" + key);
      s.networks.push_back(key);
    }
  }

  // docker reads env files relative to the compose file, and the rendered
  // file is deployed from the run directory.
  void env_files(YAML::Node def) {
    YAML::Node env_file = child(def, "env_file");
    auto absolute = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : absolute_under(dir_, p); };
    if (env_file.IsScalar()) {
      def["env_file"] = absolute(env_file.Scalar());
      return;
    }
    for (std::size_t i = 0; env_file.IsSequence() && i < env_file.size(); ++i) {
      YAML::Node item = env_file[i];
      if (item.IsScalar())
        item = absolute(item.Scalar());
      else if (item.IsMap() && child(item, "path").IsScalar())
        item["path"] = absolute(item["path"].Scalar());
    }
  }

  // Named volumes are recorded (and must be declared); relative bind sources
  // are made absolute in the document, because the rendered file is deployed
  // from the run directory, not from the recipe.
  void volume(ComposeService& s, YAML::Node item, const std::string& path) {
    std::string source, target;
    bool named = false;
    if (item.IsScalar()) {
      const std::string spec = item.Scalar();
      auto colon = spec.find(':');
      if (colon == std::string::npos) return; // anonymous volume
      source = spec.substr(0, colon);
      if (source.starts_with(".")) {
        item = absolute_under(dir_, source) + spec.substr(colon);
        return;
      }
      named = !source.starts_with("/") && !source.starts_with("~");
      target = spec.substr(colon + 1);
      target = target.substr(0, target.find(':'));
    } else if (item.IsMap()) {
      source = scalar_or(child(item, "source"));
      target = scalar_or(child(item, "target"));
      std::string type = scalar_or(child(item, "type"), "volume");
      if (type == "bind" && source.starts_with(".")) {
        item["source"] = absolute_under(dir_, source);
        return;
      }
      named = type == "volume" && !source.empty();
    }
    if (!named) return;
    if (std::find(c_.volumes.begin(), c_.volumes.end(), source) == c_.volumes.end())
      undeclared(s.name, "volume", "volumes", source, path + "/volumes/" + (item.IsScalar() ? item.Scalar() : source));
    if (std::find(s.volumes.begin(), s.volumes.end(), source) == s.volumes.end()) s.volumes.push_back(source);
    s.volume_targets[source] = target;
  }
};

// ---- the app env in the services' environment -----------------------------
// docs/architecture.md, "The app env": what abra does before it deploys.

// A quoted scalar, so a value such as "true" or "08" stays a string.
YAML::Node string_scalar(const std::string& value) {
  YAML::Node n(value);
  n.SetTag("!");
  return n;
}

// Bare entries (`- VAR`, `VAR:`) take the app env's value or are dropped:
// `docker stack deploy` would fill them from its own environment.
void fill_bare_entries(YAML::Node service, const Env& env) {
  YAML::Node environment = service["environment"];
  if (environment.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& item : environment) {
      std::string s = scalar_or(item);
      if (s.find('=') != std::string::npos) {
        out.push_back(item);
      } else if (auto it = env.find(s); it != env.end()) {
        out.push_back(string_scalar(s + "=" + it->second));
      }
    }
    service["environment"] = out;
  } else if (environment.IsMap()) {
    std::vector<std::string> bare;
    for (const auto& kv : environment)
      if (kv.second.IsNull()) bare.push_back(kv.first.Scalar());
    for (const auto& key : bare) {
      if (auto it = env.find(key); it != env.end())
        environment[key] = string_scalar(it->second);
      else
        environment.remove(key);
    }
  }
}

// abra adds every app env variable that the `app` service does not set
// itself to that service's environment.
void add_app_env(YAML::Node service, const Env& env) {
  if (!has(service, "environment") || service["environment"].IsNull())
    service["environment"] = YAML::Node(YAML::NodeType::Map);
  YAML::Node environment = service["environment"];
  std::set<std::string> set_here;
  if (environment.IsSequence())
    for (const auto& item : environment) {
      std::string s = scalar_or(item);
      set_here.insert(s.substr(0, s.find('=')));
    }
  else if (environment.IsMap())
    for (const auto& kv : environment)
      set_here.insert(kv.first.Scalar());
  for (const auto& [key, value] : env) {
    if (set_here.count(key)) continue;
    if (environment.IsSequence())
      environment.push_back(string_scalar(key + "=" + value));
    else if (environment.IsMap())
      environment[key] = string_scalar(value);
  }
}

void expose_app_env(YAML::Node document, const Env& env) {
  YAML::Node services = child(document, "services");
  for (auto kv : services) {
    if (!kv.second.IsMap()) continue;
    if (has(kv.second, "environment")) fill_bare_entries(kv.second, env);
    if (kv.first.Scalar() == "app") add_app_env(kv.second, env);
  }
}

// ---- teeth and names ------------------------------------------------------

void require_services(const Compose& c, const std::vector<std::string>& files) {
  if (child(c.document, "services").size() > 0) return;
  std::string names;
  for (const auto& f : files)
    names += (names.empty() ? "" : ", ") + f;
  throw RecipeDefect(fmt::format("{}: 'services:' is empty after merging {}; there is nothing to deploy, so "
                                 "nothing could be tested (define at least the 'app' service)",
                                 files.front(), names));
}

std::string upper(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// docker refuses a secret or config name over 64 characters; a name ending
// in `_` is abra's `..._${SECRET_X_VERSION}` with the variable missing.
void check_object_names(const std::vector<ComposeObject>& objects, std::string_view kind,
                        std::string_view variable_prefix, const Where& where, const std::string& fallback) {
  for (const auto& o : objects) {
    const std::string variable = fmt::format("{}{}_VERSION", variable_prefix, upper(o.key));
    const std::string at = where_of(where, fmt::format("/{}s/{}", kind, o.key), fallback);
    if (o.name.ends_with("_"))
      throw RecipeDefect(fmt::format("{}: {} '{}' has the swarm name '{}', which ends in '_': its version "
                                     "variable {} is missing from .env.sample; add `{}=v1`",
                                     at, kind, o.key, o.name, variable, variable));
    if (o.name.size() > max_object_name)
      throw RecipeDefect(fmt::format("{}: {} '{}' has the swarm name '{}' ({} characters; docker allows {}), "
                                     "built from STACK_NAME (up to 45 characters), the key and {}; shorten the "
                                     "key '{}' so the name fits",
                                     at, kind, o.key, o.name, o.name.size(), max_object_name, variable, o.key));
  }
}

void find_unscoped_externals(Compose& c, const Env& env, const Locate& locate) {
  const auto stack = env.find("STACK_NAME") != env.end() ? env.at("STACK_NAME") : std::string();
  auto check = [&](AccessOwner kind, const std::string& key, const std::string& name) {
    const auto at = locate(fmt::format("/{}s/{}", to_string(kind), key));
    if (auto a = unscoped_external(kind, key, name, stack, at)) c.host_access.push_back(std::move(*a));
  };
  for (const auto& o : c.secrets)
    if (o.external) check(AccessOwner::secret, o.key, o.name);
  for (const auto& o : c.configs)
    if (o.external) check(AccessOwner::config, o.key, o.name);
  for (const auto& kv : child(c.document, "volumes")) {
    const YAML::Node external = child(kv.second, "external");
    if (!external.IsMap() && scalar_or(external) != "true") continue;
    const std::string key = kv.first.Scalar();
    check(AccessOwner::volume, key, scalar_or(child(kv.second, "name"), scalar_or(child(external, "name"), key)));
  }
}

void read_timeout_label(Compose& c, const Where& where, const std::string& fallback) {
  auto app =
      std::find_if(c.services.begin(), c.services.end(), [](const ComposeService& s) { return s.name == "app"; });
  if (app == c.services.end()) return;
  for (const auto& [k, v] : app->labels) {
    if (!k.starts_with("coop-cloud.") || !k.ends_with(".timeout")) continue;
    auto seconds = to_int(v);
    if (!seconds || *seconds <= 0)
      throw RecipeDefect(fmt::format("{}: label '{}' of service 'app' must be the deploy timeout in whole seconds "
                                     "(e.g. 300), got '{}'",
                                     where_of(where, "/services/app/deploy/labels", fallback), k, v));
    c.timeout_label = std::make_pair(k, *seconds);
  }
}

void emit(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
  case YAML::NodeType::Map:
    out << YAML::BeginMap;
    for (const auto& kv : n) {
      // Keys are not interpolated by docker, so they are not escaped either.
      out << YAML::Key << kv.first.Scalar() << YAML::Value;
      emit(out, kv.second);
    }
    out << YAML::EndMap;
    break;
  case YAML::NodeType::Sequence:
    out << YAML::BeginSeq;
    for (const auto& item : n)
      emit(out, item);
    out << YAML::EndSeq;
    break;
  case YAML::NodeType::Scalar: {
    std::string value = escape_dollars(n.Scalar());
    // Plain stays plain (numbers, booleans keep their type); anything that
    // was quoted or tagged is written quoted so it stays a string.
    if (n.Tag().empty() || n.Tag() == "?")
      out << value;
    else
      out << YAML::DoubleQuoted << value;
    break;
  }
  default: out << YAML::Null;
  }
}

} // namespace

Compose load_compose(const fs::path& recipe_dir, const std::vector<std::string>& files, const Env& env) {
  if (files.empty()) throw RecipeDefect("no compose files selected; set COMPOSE_FILE or add compose.yml");
  const fs::path dir = fs::absolute(recipe_dir).lexically_normal();
  Compose c;
  Where where;
  for (const auto& f : files) {
    fs::path abs = (dir / f).lexically_normal();
    YAML::Node doc = load_one(abs, f, env, where);
    if (c.files.empty())
      c.document.reset(doc);
    else
      merge_into(c.document, doc);
    c.files.push_back(abs.string());
  }
  require_services(c, files);
  expose_app_env(c.document, env);
  const Locate locate = [&](const std::string& path) { return where_of(where, path, files.front()); };
  // Before the Analyzer makes relative paths absolute: an access is named as
  // the recipe wrote it.
  c.host_access = find_host_access(c.document, dir, locate);
  Analyzer(c, dir, env, where, files.front()).run();
  find_unscoped_externals(c, env, locate);
  check_object_names(c.secrets, "secret", "SECRET_", where, files.front());
  check_object_names(c.configs, "config", "", where, files.front());
  read_timeout_label(c, where, files.front());
  return c;
}

std::map<std::string, std::string> read_deploy_labels(const YAML::Node& labels) { return read_labels(labels); }

bool healthcheck_enabled_in(const YAML::Node& healthcheck) { return healthcheck_enabled(healthcheck); }

namespace {

// `holder[key]` as labels in the form the recipe wrote them (a list of
// `k=v`, or a map), with `labels` set in it.
void set_labels(YAML::Node holder, const std::string& key, const std::map<std::string, std::string>& labels) {
  if (!has(holder, key) || holder[key].IsNull()) holder[key] = YAML::Node(YAML::NodeType::Map);
  YAML::Node node = holder[key];
  if (node.IsSequence()) {
    YAML::Node kept(YAML::NodeType::Sequence);
    for (const auto& item : node) {
      auto s = scalar_or(item);
      if (!labels.count(s.substr(0, s.find('=')))) kept.push_back(item);
    }
    for (const auto& [k, v] : labels)
      kept.push_back(string_scalar(k + "=" + v));
    holder[key] = kept;
  } else if (node.IsMap()) {
    for (const auto& [k, v] : labels)
      node[k] = string_scalar(v);
  }
}

bool is_external(const YAML::Node& def) {
  if (!def.IsMap() || !has(def, "external")) return false;
  const auto& e = def["external"];
  return !(e.IsScalar() && (e.Scalar() == "false" || e.Scalar() == "False"));
}

} // namespace

void add_labels(Compose& compose, const std::map<std::string, std::string>& labels) {
  YAML::Node doc = compose.document;
  if (!doc.IsMap()) return;
  if (has(doc, "services") && doc["services"].IsMap())
    for (auto kv : doc["services"]) {
      YAML::Node service = kv.second;
      if (!service.IsMap()) continue;
      if (!has(service, "deploy") || service["deploy"].IsNull()) service["deploy"] = YAML::Node(YAML::NodeType::Map);
      if (service["deploy"].IsMap()) set_labels(service["deploy"], "labels", labels);
      set_labels(service, "labels", labels);
    }
  // A service without `networks:` joins `<stack>_default`, which docker makes
  // only when some service uses it; declared, it carries the labels too.
  if (!has(doc, "networks") || doc["networks"].IsNull()) doc["networks"] = YAML::Node(YAML::NodeType::Map);
  if (doc["networks"].IsMap() && !has(doc["networks"], "default"))
    doc["networks"]["default"] = YAML::Node(YAML::NodeType::Map);
  for (const char* section : {"volumes", "networks", "secrets", "configs"}) {
    if (!has(doc, section) || !doc[section].IsMap()) continue;
    for (auto kv : doc[section]) {
      if (kv.second.IsNull()) doc[section][kv.first.Scalar()] = YAML::Node(YAML::NodeType::Map);
      YAML::Node def = doc[section][kv.first.Scalar()];
      if (def.IsMap() && !is_external(def)) set_labels(def, "labels", labels);
    }
  }
}

std::string render_compose(const Compose& compose) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, compose.document);
  return std::string(out.c_str()) + "\n";
}

} // namespace ccci::host
