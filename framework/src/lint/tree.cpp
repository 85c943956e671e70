#include "lint/tree.hpp"

#include "os/fs.hpp"
#include "os/process.hpp"
#include "recipe/compose.hpp"
#include "recipe/interpolate.hpp"
#include "recipe/yaml_load.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

/// A map with its `<<:` merge keys filled in (explicit keys win), one level
/// deep: enough for the service, deploy and healthcheck maps lint reads.
YAML::Node merged(const YAML::Node& map) {
  if (!map.IsMap() || !map["<<"]) return map;
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : map)
    if (kv.first.Scalar() != "<<") out[kv.first.Scalar()] = kv.second;
  auto take = [&](const YAML::Node& src) {
    if (!src.IsMap()) return;
    for (const auto& kv : src)
      if (!out[kv.first.Scalar()]) out[kv.first.Scalar()] = kv.second;
  };
  const YAML::Node from = map["<<"];
  if (from.IsSequence())
    for (const auto& m : from)
      take(m);
  else
    take(from);
  return out;
}

YAML::Node child(const YAML::Node& map, const char* key) {
  if (!map.IsMap()) return YAML::Node();
  return merged(map)[key];
}

std::string scalar(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : std::string(); }

/// Interpolated as the deploy would; a value the env cannot expand stays as
/// written, since lint judges files the deploy may never select.
std::string expand(const std::string& text, const Env& env, const std::string& where) {
  try {
    return interpolate(text, env, where);
  } catch (const RecipeDefect&) {
    return text;
  }
}

std::map<std::string, std::string> labels_of(const YAML::Node& labels, const Env& env, const std::string& where) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : read_deploy_labels(labels))
    out[expand(k, env, where)] = expand(v, env, where);
  return out;
}

std::optional<bool> healthcheck_of(const YAML::Node& hc) {
  if (!hc || hc.IsNull()) return std::nullopt;
  return healthcheck_enabled_in(hc);
}

/// `- name` or `- source: name`.
std::vector<std::string> references(const YAML::Node& list) {
  std::vector<std::string> out;
  if (!list.IsSequence()) return out;
  for (const auto& item : list) {
    if (item.IsScalar())
      out.push_back(item.Scalar());
    else if (item.IsMap() && item["source"])
      out.push_back(scalar(item["source"]));
  }
  return out;
}

std::vector<FileObject> objects(const YAML::Node& section) {
  std::vector<FileObject> out;
  if (!section.IsMap()) return out;
  for (const auto& kv : section)
    out.push_back({kv.first.Scalar(), scalar(child(kv.second, "name")), line_of(kv.first)});
  return out;
}

bool is_compose_file_name(const std::string& name) { return name.starts_with("compose") && name.ends_with(".yml"); }

std::optional<std::string> read_if_present(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  std::error_code ec;
  auto text = read_file(file, ec);
  if (ec) throw InfraFailure(fmt::format("{}: cannot read ({})", file.string(), ec.message()));
  return text;
}

} // namespace

ComposeFileView read_compose_file(std::string_view text, const std::string& name, const Env& env) {
  ComposeFileView view;
  view.name = name;
  YAML::Node doc;
  try {
    doc = load_yaml(text);
  } catch (const YamlAliasBomb& e) {
    view.error = fmt::format("{}:{}: {}", name, e.mark.line + 1, e.msg);
    return view;
  } catch (const YAML::Exception& e) {
    view.error = fmt::format("{}:{}: not valid YAML: {}", name, e.mark.line + 1, e.msg);
    return view;
  }
  if (!doc.IsMap()) {
    view.error = fmt::format("{}: not a compose file: its top level is not a map", name);
    return view;
  }
  if (auto v = doc["version"]; v && v.IsScalar()) view.version = v.Scalar();
  if (const YAML::Node services = doc["services"]; services.IsMap()) {
    for (const auto& kv : services) {
      FileService s;
      s.name = kv.first.Scalar();
      s.line = line_of(kv.first);
      const std::string where = fmt::format("{}:{}", name, s.line);
      const YAML::Node def = merged(kv.second);
      if (auto image = child(def, "image"); image.IsScalar()) s.image = expand(image.Scalar(), env, where);
      s.labels = labels_of(child(child(def, "deploy"), "labels"), env, where);
      s.healthcheck = healthcheck_of(child(def, "healthcheck"));
      s.secrets = references(child(def, "secrets"));
      s.configs = references(child(def, "configs"));
      view.services.push_back(std::move(s));
    }
  }
  view.secrets = objects(doc["secrets"]);
  view.configs = objects(doc["configs"]);
  return view;
}

ComposeFileView view_of(const Compose& compose) {
  ComposeFileView view;
  view.name = compose.files.empty() ? "the rendered compose" : fs::path(compose.files.front()).filename().string();
  if (compose.document.IsMap())
    if (auto v = compose.document["version"]; v && v.IsScalar()) view.version = v.Scalar();
  for (const auto& s : compose.services) {
    FileService f;
    f.name = s.name;
    if (!s.image.empty()) f.image = s.image;
    f.labels = s.labels;
    // The rendered compose keeps only whether a healthcheck is enabled.
    if (s.has_healthcheck) f.healthcheck = true;
    f.secrets = s.secrets;
    f.configs = s.configs;
    view.services.push_back(std::move(f));
  }
  for (const auto& o : compose.secrets)
    view.secrets.push_back({o.key, o.name, 0});
  for (const auto& o : compose.configs)
    view.configs.push_back({o.key, o.name, 0});
  return view;
}

RecipeTree read_recipe_tree(const fs::path& dir, const Env& env) {
  RecipeTree tree;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && is_compose_file_name(entry.path().filename().string()))
      names.push_back(entry.path().filename().string());
  if (ec) throw InfraFailure(fmt::format("{}: cannot list the recipe tree ({})", dir.string(), ec.message()));
  // compose.yml is the base every COMPOSE_FILE chain starts from.
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    if ((a == "compose.yml") != (b == "compose.yml")) return a == "compose.yml";
    return a < b;
  });
  for (const auto& name : names)
    tree.compose_files.push_back(read_compose_file(*read_if_present(dir / name), name, env));
  tree.readme = read_if_present(dir / "README.md");
  tree.env_sample = read_if_present(dir / ".env.sample");
  tree.abra_sh = read_if_present(dir / "abra.sh");
  return tree;
}

std::vector<RecipeTag> parse_tag_kinds(std::string_view listing) {
  std::vector<RecipeTag> tags;
  std::istringstream in{std::string(listing)};
  for (std::string line; std::getline(in, line);) {
    auto space = line.find(' ');
    if (space == std::string::npos || space + 1 == line.size()) continue;
    tags.push_back({line.substr(space + 1), line.substr(0, space) == "tag"});
  }
  return tags;
}

std::vector<RecipeTag> read_recipe_tags(const fs::path& repo) {
  // One call for every tag: objecttype is `tag` for an annotated tag and the
  // tagged object's type (a `commit`) for a lightweight one — what
  // `git cat-file -t <tag>` says of each, without a process per tag.
  ProcessOptions o;
  o.timeout = std::chrono::minutes(1);
  auto r = run_process(
      {"git", "-C", repo.string(), "for-each-ref", "--format=%(objecttype) %(refname:strip=2)", "refs/tags"}, o);
  if (!r.ok())
    throw InfraFailure(
        fmt::format("git for-each-ref refs/tags in {} failed ({}): {}", repo.string(), r.describe(), r.err));
  return parse_tag_kinds(r.out);
}

} // namespace ccci::host
