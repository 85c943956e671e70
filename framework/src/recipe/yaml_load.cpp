#include "recipe/yaml_load.hpp"

#include <yaml-cpp/eventhandler.h>

#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

namespace ccci::host {
namespace {

/// Counts the nodes of one document with each alias standing for the whole
/// node it names: the size a walk of the loaded tree would see. Every event
/// adds to one running total, so an anchored node's expanded size is the
/// total at its end minus the total at its start.
class ExpansionCounter final : public YAML::EventHandler {
public:
  explicit ExpansionCounter(std::size_t limit) : limit_(limit) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { names_.push_back(name); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor == 0 || anchor > sizes_.size() || sizes_[anchor - 1] == open)
      throw YamlAliasBomb(mark, fmt::format("alias *{} refers to a node that contains it: expanding it never ends; "
                                            "ccci refuses such a document, write the value out instead",
                                            name_of(anchor)));
    add(mark, sizes_[anchor - 1], anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    start(mark, anchor);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    start(mark, anchor);
  }
  void OnMapEnd() override { end(); }

private:
  static constexpr std::size_t open = static_cast<std::size_t>(-1);
  struct Collection {
    YAML::anchor_t anchor;
    std::size_t total_at_start;
  };

  std::size_t limit_;
  std::size_t total_ = 0;
  std::vector<std::size_t> sizes_; ///< expanded size per anchor id - 1; `open` while its node is being read
  std::vector<std::string> names_; ///< anchor names in the order yaml-cpp numbers them
  std::vector<Collection> open_;

  std::string name_of(YAML::anchor_t anchor) const {
    return anchor >= 1 && anchor <= names_.size() ? names_[anchor - 1] : std::to_string(anchor);
  }

  void define(YAML::anchor_t anchor, std::size_t size) {
    if (anchor == 0) return;
    if (sizes_.size() < anchor) sizes_.resize(anchor, open);
    sizes_[anchor - 1] = size;
  }

  void add(const YAML::Mark& mark, std::size_t n, YAML::anchor_t via) {
    // total_ <= limit_ and n <= limit_ here, so the sum cannot wrap.
    total_ += n;
    if (total_ <= limit_) return;
    throw YamlAliasBomb(
        mark, via == 0 ? fmt::format("the document has more than {} nodes; ccci reads no YAML that large", limit_)
                       : fmt::format("aliases expand the document to more than {} nodes (here *{}, which stands for {} "
                                     "nodes): an alias bomb such as \"billion laughs\"; ccci refuses to expand it, "
                                     "use fewer nested aliases",
                                     limit_, name_of(via), n));
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, 1, 0);
    define(anchor, 1);
  }

  void start(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, 1, 0);
    if (anchor != 0) define(anchor, open);
    open_.push_back({anchor, total_ - 1});
  }

  void end() {
    auto c = open_.back();
    open_.pop_back();
    define(c.anchor, total_ - c.total_at_start);
  }
};

} // namespace

YAML::Node load_yaml(std::string_view text, std::size_t max_nodes) {
  {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    ExpansionCounter counter(max_nodes);
    parser.HandleNextDocument(counter);
  }
  return YAML::Load(std::string(text));
}

} // namespace ccci::host
