// The one way ccci parses YAML: yaml-cpp's own parser, with the expansion of
// anchors and aliases bounded before any node is built or walked
// (docs/architecture.md, "Reading YAML").
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string_view>

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

} // namespace ccci::host
