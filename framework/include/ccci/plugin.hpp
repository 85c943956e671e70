// ccci plugin SDK: the one header a recipe's plugin includes.
//
// A plugin is a shared object that registers named checks per tier with
// CCCI_CHECK and ends with one CCCI_PLUGIN(...) line that exports the ABI
// version and the factory. The host (the `ccci` CLI) loads it with Boost.DLL,
// runs every check in its own process and gives it a Context through which it
// reaches the deployed app.
#pragma once

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccci {

/// Bumped on any change to the layout or meaning of the types in this header.
/// The host refuses a plugin built against another value.
inline constexpr int abi_version = 1;

/// The tiers, in the order a run takes them.
enum class Tier { install, upgrade, backup, restore, custom, lint };

/// "install", "upgrade", ...
constexpr std::string_view to_string(Tier t) noexcept {
  switch (t) {
  case Tier::install: return "install";
  case Tier::upgrade: return "upgrade";
  case Tier::backup: return "backup";
  case Tier::restore: return "restore";
  case Tier::custom: return "custom";
  case Tier::lint: return "lint";
  }
  return "?";
}

/// An HTTP answer from the deployed app. Header names are lower-case.
struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  /// The value of header `name` (any case), or "" when absent.
  std::string header(std::string_view name) const {
    std::string key(name);
    for (auto& c : key)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    auto it = headers.find(key);
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// What a command run inside a service's container produced.
struct ExecResult {
  int exit_code = -1;
  std::string output; ///< stdout and stderr, interleaved
};

/// Thrown by the Context helpers when the infrastructure (not the app) could
/// not be reached: the check is then recorded `unver`, never `fail`.
class InfraError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What a check sees of the run. Implemented by the host.
class BOOST_SYMBOL_VISIBLE Context {
public:
  virtual ~Context() = default;
  /// The swarm stack the recipe is deployed as (e.g. `cht-1a2b3c_ccci_test`).
  virtual std::string stack() const = 0;
  /// The app's test domain (its DOMAIN env value).
  virtual std::string domain() const = 0;
  /// A value of the app's rendered env ("" when unset). Never a secret.
  virtual std::string env(std::string_view key) const = 0;
  /// GET `path` (e.g. "/index.html") on the app, through the same proxy path
  /// a user would take (Host header = domain). Redirects are not followed.
  virtual HttpResponse http_get(std::string_view path) = 0;
  /// HEAD `path` on the app.
  virtual HttpResponse http_head(std::string_view path) = 0;
  /// Run `argv` inside a running container of `service` (the compose
  /// service name, e.g. "app"), with that container's environment.
  virtual ExecResult exec(std::string_view service, const std::vector<std::string>& argv) = 0;
  /// A line for the run's log (secret values are redacted by the host).
  virtual void log(std::string_view line) = 0;
};

/// The verdict of one check.
struct CheckResult {
  bool passed = false;
  std::string message;
};

/// A passing result; say what was seen.
inline CheckResult pass(std::string message) { return {true, std::move(message)}; }
/// A failing result; say what was expected, what was got, and where to look.
inline CheckResult fail(std::string message) { return {false, std::move(message)}; }

using CheckFunction = CheckResult (*)(Context&);

/// One registered check: `install/serving` is {Tier::install, "serving", fn}.
struct CheckSpec {
  Tier tier;
  std::string name;
  CheckFunction run;
};

/// The interface the host talks to. Plugins normally never implement it by
/// hand: CCCI_PLUGIN does it from the CCCI_CHECK registrations.
class BOOST_SYMBOL_VISIBLE Plugin {
public:
  virtual ~Plugin() = default;
  /// The recipe the plugin tests, e.g. "custom-html-tiny".
  virtual std::string recipe() const = 0;
  /// Every registered check, in registration order.
  virtual std::vector<CheckSpec> checks() const = 0;
  /// Programs the checks need on PATH (e.g. "git", "git-lfs"). A tier whose
  /// tools are missing is recorded `unver`.
  virtual std::vector<std::string> required_tools() const = 0;
};

namespace detail {

inline std::vector<CheckSpec>& registry() {
  static std::vector<CheckSpec> checks;
  return checks;
}

struct CheckRegistrar {
  CheckRegistrar(Tier tier, const char* name, CheckFunction fn) {
    registry().push_back(CheckSpec{tier, name, fn});
  }
};

class RegisteredPlugin final : public Plugin {
public:
  RegisteredPlugin(std::string recipe, std::vector<std::string> tools)
      : recipe_(std::move(recipe)), tools_(std::move(tools)) {}
  std::string recipe() const override { return recipe_; }
  std::vector<CheckSpec> checks() const override { return registry(); }
  std::vector<std::string> required_tools() const override { return tools_; }

private:
  std::string recipe_;
  std::vector<std::string> tools_;
};

} // namespace detail
} // namespace ccci

#define CCCI_DETAIL_CAT2(a, b) a##b
#define CCCI_DETAIL_CAT(a, b) CCCI_DETAIL_CAT2(a, b)

/// Defines and registers a check: `CCCI_CHECK(custom, content_type) { ... }`
/// registers `custom/content_type`. The body receives `ccci::Context& ctx` and
/// returns a ccci::CheckResult. Throwing fails the check with the exception's
/// text (a ccci::InfraError makes it `unver`).
#define CCCI_CHECK(tier, name)                                                                     \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_check_##tier##_, name)(::ccci::Context & ctx);  \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_registrar_##tier##_, name){     \
      ::ccci::Tier::tier, #name, &CCCI_DETAIL_CAT(ccci_check_##tier##_, name)};                    \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_check_##tier##_, name)(                          \
      [[maybe_unused]] ::ccci::Context & ctx)

/// Exports the plugin: `CCCI_PLUGIN("custom-html-tiny", "curl")`. Use once
/// per shared object, after the checks. Extra arguments name required tools.
#define CCCI_PLUGIN(recipe_name, ...)                                                              \
  namespace ccci_plugin_exports {                                                                  \
  int abi_version_of_plugin() { return ::ccci::abi_version; }                                      \
  std::unique_ptr<::ccci::Plugin> create_plugin() {                                                \
    return std::make_unique<::ccci::detail::RegisteredPlugin>(                                     \
        recipe_name, std::vector<std::string>{__VA_ARGS__});                                       \
  }                                                                                                \
  }                                                                                                \
  BOOST_DLL_ALIAS(ccci_plugin_exports::abi_version_of_plugin, ccci_abi_version)                    \
  BOOST_DLL_ALIAS(ccci_plugin_exports::create_plugin, ccci_create_plugin)
