// The one way ccci parses YAML: yaml-cpp's own parser, with the expansion of
// anchors and aliases bounded before any node is built or walked
// (docs/architecture.md, "Reading YAML").
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host {

/// How many nodes a document may hold once every alias is expanded. yaml-cpp
/// shares an aliased node, so parsing a "billion laughs" costs little; it is
/// every walk over the tree (copying, merging, linting) that would visit each
/// alias as often as it is reachable. A large real compose file has a few
/// thousand nodes.
inline constexpr std::size_t max_yaml_nodes = 100'000;

/// Thrown instead of building a document whose aliases expand past the
/// bound, or that holds an alias inside the node it names (a cycle). A
/// YAML::ParserException, so every reader reports it with the file and the
/// line of the alias, as it reports a syntax error.
class YamlAliasBomb : public YAML::ParserException {
public:
  using YAML::ParserException::ParserException;
};

/// YAML::Load of the first document of `text`, after one pass of yaml-cpp's
/// event parser has counted the document's size with every alias expanded.
/// Throws YAML::ParserException for invalid YAML and YamlAliasBomb past
/// `max_nodes`.
YAML::Node load_yaml(std::string_view text, std::size_t max_nodes = max_yaml_nodes);

namespace yaml {

/// A read-only lookup: yaml-cpp hands back an invalid node for a missing key,
/// and most accessors throw on those, so missing becomes null here.
inline YAML::Node child(const YAML::Node& map, const std::string& key) {
  if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Null);
  YAML::Node c = map[key];
  return c.IsDefined() ? c : YAML::Node(YAML::NodeType::Null);
}

/// The scalar's text, or `fallback` when `n` is missing or not a scalar.
inline std::string scalar_or(const YAML::Node& n, std::string fallback = {}) {
  return n.IsDefined() && n.IsScalar() ? n.Scalar() : fallback;
}

/// The names a compose list-or-map field gives (`networks: [a, b]` or
/// `networks: {a: …, b: …}`), in order; none for anything else.
inline std::vector<std::string> names_listed(const YAML::Node& n) {
  std::vector<std::string> names;
  if (n.IsSequence())
    for (const auto& item : n)
      names.push_back(scalar_or(item));
  else if (n.IsMap())
    for (const auto& kv : n)
      names.push_back(kv.first.Scalar());
  return names;
}

} // namespace yaml

} // namespace ccci::host
