#include "sweep/registry.hpp"

#include "model/errors.hpp"
#include "model/version.hpp"
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
  std::error_code ec;
  auto kind = fs::symlink_status(file, ec);
  if (kind.type() == fs::file_type::not_found) return std::nullopt;
  auto unusable = [&](const std::string& what) {
    return InfraFailure(fmt::format("{}: not a usable canonical record of {} ({}); delete it to let the next sweep "
                                    "promote {} afresh, or restore it from a sweep summary (summary.json)",
                                    file.string(), recipe, what, recipe));
  };
  if (ec) throw unusable(ec.message());
  if (kind.type() != fs::file_type::regular) throw unusable("not a regular file");
  auto text = read_file(file, ec);
  if (ec) throw unusable(fmt::format("cannot read it: {}", ec.message()));
  Canonical c;
  // boost.json's exception text carries its own source location: the
  // error code's message is the part a person can act on.
  boost::system::error_code parse_error;
  auto parsed = json::parse(text, parse_error);
  if (parse_error) throw unusable(fmt::format("not JSON: {}", parse_error.message()));
  try {
    auto o = parsed.as_object();
    auto str = [&](const char* k) { return std::string(o.at(k).as_string()); };
    c = Canonical{str("recipe"), str("version"),     str("commit"), str("tag"),
                  str("run_id"), str("promoted_at"), str("stack"),  str("domain")};
  } catch (const std::exception& e) {
    throw unusable(e.what());
  }
  if (c.recipe != recipe) throw unusable(fmt::format("it names recipe '{}'", c.recipe));
  if (!parse_version(c.version)) throw unusable(fmt::format("version '{}' is not a release version", c.version));
  return c;
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
