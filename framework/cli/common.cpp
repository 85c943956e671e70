#include "cli.hpp"

#include <cstdlib>

namespace fs = std::filesystem;

namespace ccci::cli {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

fs::path exe_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

namespace {
// The first candidate that exists: an installed layout, then the build tree.
fs::path first_existing(std::initializer_list<fs::path> candidates) {
  for (auto& c : candidates)
    if (fs::exists(c)) return c;
  return *candidates.begin();
}
} // namespace

fs::path default_state_dir() { return env_or("CCCI_STATE_DIR", "/var/lib/ccci"); }

fs::path default_plugin_dir() {
  auto bin = exe_dir();
  return env_or("CCCI_PLUGIN_DIR", first_existing({bin / "../lib/ccci/plugins", bin / "../plugins"}).string());
}

fs::path default_recipes_dir() {
  auto bin = exe_dir();
  return env_or("CCCI_RECIPES_DIR", first_existing({bin / "../share/ccci/recipes", CCCI_SOURCE_RECIPES_DIR}).string());
}

fs::path default_source_dir() {
  return env_or("CCCI_SOURCE_DIR", fs::path(CCCI_SOURCE_RECIPES_DIR).parent_path().string());
}

} // namespace ccci::cli
