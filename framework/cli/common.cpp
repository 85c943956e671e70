#include "cli.hpp"

#include "jobs/child_runs.hpp"
#include "model/errors.hpp"
#include "model/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ccci::host;

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

fs::path default_runs_dir(const fs::path& state_dir) { return env_or("CCCI_RUNS_DIR", (state_dir / "runs").string()); }

fs::path default_report_dir(const fs::path& state_dir) {
  return env_or("CCCI_REPORT_DIR", (state_dir / "report").string());
}

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

po::variables_map parse_options(std::string_view command, const Args& args, const po::options_description& options,
                                const po::positional_options_description* positional) {
  // Words past the positions the command takes land here, to be named.
  constexpr const char* stray = "ccci-stray-words";
  po::options_description all;
  all.add(options).add_options()(stray, po::value<std::vector<std::string>>());
  po::positional_options_description positions = positional ? *positional : po::positional_options_description();
  positions.add(stray, -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positions).run(), vm);
  po::notify(vm);
  if (vm.count(stray))
    throw InputError(fmt::format("ccci {}: unexpected argument '{}' (options are written --name VALUE); see `ccci {} "
                                 "--help`",
                                 command, vm[stray].as<std::vector<std::string>>().front(), command));
  return vm;
}

fs::path path_option(const po::variables_map& vm, const char* name, const fs::path& fallback) {
  return vm.count(name) ? fs::path(vm[name].as<std::string>()) : fallback;
}

fs::path dir_option(const po::variables_map& vm, const char* name, const fs::path& fallback) {
  auto dir = path_option(vm, name, fallback);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError(fmt::format("{} {}: not a directory; give a directory ccci may create files in",
                                 vm.count(name) ? fmt::format("--{}", name)
                                                : fmt::format("--{} (its default, from the environment)", name),
                                 dir.string()));
  return dir;
}

std::optional<fs::path> output_file_option(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::nullopt;
  const auto given = vm[name].as<std::string>();
  auto bad = [&](std::string_view what) { return InputError(fmt::format("--{} {}: {}", name, given, what)); };
  if (given.empty()) throw bad("empty; give the file to write, e.g. --" + std::string(name) + " ccci-junit.xml");
  const auto file = fs::absolute(given).lexically_normal();
  std::error_code ec;
  if (fs::is_directory(file, ec))
    throw bad("is a directory; give the file to write in it, e.g. " + (file / "ccci-junit.xml").string());
  const auto parent = file.parent_path();
  if (!fs::exists(parent, ec))
    throw bad(
        fmt::format("its directory {} does not exist; create it, or give a file in one that does", parent.string()));
  if (!fs::is_directory(parent, ec)) throw bad(fmt::format("{} is not a directory", parent.string()));
  // The file is written by rename from a temp file beside it: the directory
  // must be writable, whatever the file's own mode.
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw bad(fmt::format("ccci may not create files in {}; give a file in a directory it may write", parent.string()));
  return file;
}

std::optional<int> port_option(const po::variables_map& vm, const char* name, int fallback) {
  if (!vm.count(name)) return std::nullopt;
  const auto& text = vm[name].as<std::string>();
  auto port = parse_port(text);
  if (!port) throw InputError(bad_port_message(fmt::format("--{}", name), text, fallback));
  return port;
}

std::optional<std::chrono::seconds> seconds_option(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::nullopt;
  int t = vm[name].as<int>();
  if (t <= 0) throw InputError(fmt::format("--{} {}: must be a positive number of seconds", name, t));
  return std::chrono::seconds(t);
}

void add_stop_grace_option(po::options_description& d) {
  d.add_options()(
      "stop-grace", po::value<int>()->value_name("SECONDS"),
      fmt::format("after SIGINT/SIGTERM/SIGHUP, how long each child `ccci run` may take to tear down before it "
                  "is killed (default: {})",
                  default_stop_grace.count())
          .c_str());
}

std::chrono::seconds stop_grace_option(const po::variables_map& vm) {
  return seconds_option(vm, "stop-grace").value_or(default_stop_grace);
}

} // namespace ccci::cli
