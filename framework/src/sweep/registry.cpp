#include "sweep/registry.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

fs::path registry_file(const fs::path& state_dir, const std::string& recipe) {
  return state_dir / "registry" / (recipe + ".json");
}

std::optional<Canonical> read_canonical(const fs::path& state_dir, const std::string& recipe) {
  auto file = registry_file(state_dir, recipe);
  if (!fs::exists(file)) return std::nullopt;
  auto text = read_file(file);
  try {
    auto o = json::parse(text).as_object();
    auto str = [&](const char* k) { return std::string(o.at(k).as_string()); };
    return Canonical{str("recipe"), str("version"),     str("commit"), str("tag"),
                     str("run_id"), str("promoted_at"), str("stack"),  str("domain")};
  } catch (const std::exception& e) {
    throw InfraFailure(fmt::format("{}: not a canonical record ({}); restore it from the sweep summaries or "
                                   "remove it to let the next sweep promote afresh",
                                   file.string(), e.what()));
  }
}

void write_canonical(const fs::path& state_dir, const Canonical& c) {
  auto file = registry_file(state_dir, c.recipe);
  // The registry says which stacks are warm canonicals: ccci's alone (0700, 0600).
  create_private_directories(file.parent_path());
  json::object o{{"recipe", c.recipe}, {"version", c.version},         {"commit", c.commit}, {"tag", c.tag},
                 {"run_id", c.run_id}, {"promoted_at", c.promoted_at}, {"stack", c.stack},   {"domain", c.domain}};
  write_file_atomically(file, json::serialize(o) + "\n");
}

} // namespace ccci::host
