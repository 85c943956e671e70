// Loads plugin shared objects and runs their checks, each in its own process
// so a crash, an abort, an exception or a hang is one failed check and not
// the end of the run.
#pragma once

#include "model/results.hpp"

#include <ccci/plugin.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace ccci::host {

/// A plugin object and what keeps its code loaded: for a plugin from a .so,
/// the deleter owns the library, so the library outlives the object however
/// the handle is copied or dropped.
using PluginHandle = std::shared_ptr<const Plugin>;

class LoadedPlugin {
public:
  /// Loads with rtld_now. Throws InputError (exit 2) naming the file when
  /// it is not a loadable shared object, lacks the ccci exports, or was
  /// built for another ABI version.
  explicit LoadedPlugin(const std::filesystem::path& path);
  /// A plugin already in this process (tests), reported as `path`.
  LoadedPlugin(std::filesystem::path path, PluginHandle plugin);

  const Plugin& plugin() const { return *plugin_; }
  const std::filesystem::path& path() const { return path_; }
  std::vector<CheckSpec> checks_for(Tier tier) const;
  std::vector<HookSpec> hooks(Hook kind) const;
  /// The plugin's CCCI_SECRET maker for compose secret `key`, if any.
  std::optional<SecretSpec> secret_maker(std::string_view key) const;
  PluginInfo info() const;

private:
  std::filesystem::path path_;
  PluginHandle plugin_;
};

/// Called in the parent for each line a check logs.
using LogSink = std::function<void(const std::string&)>;

/// What an isolated child runs: a check, a hook, or an archive check bound
/// to its archive.
using CheckBody = std::function<CheckResult(Context&)>;

/// Runs `body` in a forked child with `timeout`, recorded as `name`. The
/// child's verdict comes back over a pipe; a signal, an exit without a
/// verdict, or the timeout make it `fail` with that text; a
/// ccci::InfraError makes it `unver`.
CheckRecord run_isolated(const std::string& name, const CheckBody& body, Context& context, std::chrono::seconds timeout,
                         const LogSink& log);

/// What a CCCI_SECRET maker gave: the value only when it succeeded; the
/// record (named `name`) never holds the value, so it can be written out.
struct MadeSecret {
  std::optional<std::string> value;
  CheckRecord record;
};

/// Runs a secret maker as run_isolated runs a check (its own process, the
/// timeout, a crash or a throw is a failed record). An empty value fails.
MadeSecret make_secret_isolated(const std::string& name, const SecretSpec& spec, Context& context,
                                std::chrono::seconds timeout, const LogSink& log);

/// run_isolated for a registered check, recorded as `<tier>/<name>`.
CheckRecord run_isolated_check(const CheckSpec& spec, Context& context, std::chrono::seconds timeout,
                               const LogSink& log);

} // namespace ccci::host
