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
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccci {

/// Bumped on any change to the layout or meaning of the types in this header.
/// The host refuses a plugin built against another value. 4: Plugin gained
/// secrets() (CCCI_SECRET), which changes its vtable.
inline constexpr int abi_version = 4;

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

/// `s` with ASCII letters lower-cased (media types and header names compare
/// case-insensitively).
inline std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// The first `n` bytes of `text` on one line, for failure messages: runs of
/// whitespace become one space, other control characters become '.', and
/// "..." marks a cut. `ccci::fail("body starts: '" + ccci::excerpt(r.body) + "'")`
inline std::string excerpt(std::string_view text, std::size_t n = 200) {
  std::string out;
  for (char c : text.substr(0, n)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += u < 0x20 || u == 0x7f ? '.' : c;
    }
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  if (text.size() > n) out += "...";
  return out;
}

/// An HTTP answer from the deployed app. Header names are lower-case.
struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  /// The value of header `name` (any case), or "" when absent.
  std::string header(std::string_view name) const {
    auto it = headers.find(lowercase(name));
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// What a command run inside a service's container produced.
struct ExecResult {
  int exit_code = -1;
  std::string output; ///< stdout and stderr, interleaved
};

/// What Context::git_round_trip saw: clone, commit, push, fresh clone.
struct GitRoundTrip {
  bool ok = false;
  /// What was done and seen, or which step failed with git's (and so the
  /// server's) own words.
  std::string message;
  std::string url;    ///< the repository's URL as git saw it
  std::string commit; ///< the commit pushed, found again in the fresh clone
  double clone_seconds = 0, push_seconds = 0, fresh_clone_seconds = 0, total_seconds = 0;
};

/// What Context::lfs_round_trip, lfs_push_file and lfs_fetch saw.
struct LfsRoundTrip {
  bool ok = false;
  /// Sizes, SHA-256s and times; or the failing step with the server's answer
  /// (e.g. the LFS batch API's status and message).
  std::string message;
  std::string url;         ///< the repository's URL
  std::string file;        ///< the file's path in the repository
  std::uint64_t bytes = 0; ///< size of the content pushed (or expected)
  std::uint64_t cloned_bytes = 0;
  std::string sha256_pushed;    ///< lower-case hex; "" for lfs_fetch without an expectation
  std::string sha256_cloned;    ///< of the file in the fresh clone after the LFS download
  bool pointer_in_repo = false; ///< git's object store holds an LFS pointer, not the bytes
  double push_seconds = 0, fetch_seconds = 0, total_seconds = 0;
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

  // Git helpers (need "git" and, for LFS, "git-lfs" on PATH: declare them in
  // CCCI_PLUGIN). `repo_path` is the repository's path on the app, e.g.
  // "git/ccci.git"; the app is reached like http_get (Host = domain). Each
  // call works in its own temporary directories (removed afterwards) with a
  // private git configuration: nothing of the user's or the machine's is read
  // or written. A failing step gives ok=false with git's words; the helpers
  // throw InfraError only when git itself cannot be run.

  /// Clones the repository over HTTP, commits a small file, pushes, clones
  /// afresh elsewhere and checks the commit is there.
  ///   auto r = ctx.git_round_trip("git/ccci-install.git");
  ///   return r.ok ? ccci::pass(r.message) : ccci::fail(r.message);
  virtual GitRoundTrip git_round_trip(std::string_view repo_path) = 0;

  /// Commits `bytes` random bytes as a file matching `pattern` (tracked by
  /// Git LFS), pushes, clones afresh elsewhere, downloads the object through
  /// the LFS API and compares SHA-256s; also checks git itself stores only
  /// the pointer. When the server does not serve LFS, `message` carries its
  /// answer.
  ///   auto r = ctx.lfs_round_trip("git/ccci-lfs.git", 10u << 20);
  ///   return r.ok ? ccci::pass(r.message) : ccci::fail(r.message);
  virtual LfsRoundTrip lfs_round_trip(std::string_view repo_path, std::size_t bytes,
                                      std::string_view pattern = "*.bin") = 0;

  /// Like lfs_round_trip, with your content at `file` (tracked by LFS by its
  /// own path). Pushing the same content again changes nothing and passes.
  /// For seed hooks: derive `content` from ctx.stack().
  ///   auto r = ctx.lfs_push_file("git/seed.git", "data/seed.bin", content);
  virtual LfsRoundTrip lfs_push_file(std::string_view repo_path, std::string_view file, std::string_view content) = 0;

  /// Clones afresh and downloads `file` through the LFS API; with
  /// `expected_sha256` (lower-case hex) a different hash is a failure. For
  /// verify hooks.
  ///   auto r = ctx.lfs_fetch("git/seed.git", "data/seed.bin", sha256_of_content);
  virtual LfsRoundTrip lfs_fetch(std::string_view repo_path, std::string_view file,
                                 std::string_view expected_sha256 = {}) = 0;

  /// The SHA-256 of `bytes`, lower-case hex (what Git LFS calls the oid), so
  /// a verify hook can name the hash of the content its seed pushed.
  ///   auto want = ctx.sha256_hex(seed_content(ctx));
  virtual std::string sha256_hex(std::string_view bytes) = 0;
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

/// One member of a backup archive.
struct ArchiveEntry {
  std::string path; ///< as stored, e.g. "var/lib/docker/volumes/<stack>_db/_data/backup.sql"
  std::uint64_t size = 0;
  bool directory = false;
};

/// A read-only view of the backup tier's archive (a .tar.gz): listed and
/// read by streaming, never unpacked to disk. Implemented by the host.
class BOOST_SYMBOL_VISIBLE BackupArchive {
public:
  virtual ~BackupArchive() = default;
  /// Every entry, in archive order.
  virtual std::vector<ArchiveEntry> entries() const = 0;
  /// The bytes of the entry stored as `path` (at most `max_bytes`), or
  /// nullopt when there is no such file entry.
  virtual std::optional<std::string> read(std::string_view path, std::size_t max_bytes = 64u << 20) const = 0;
  /// Where `relative` (a path inside volume `volume` of the app, e.g.
  /// "backup.sql") is stored in the archive.
  virtual std::string volume_path(std::string_view volume, std::string_view relative) const = 0;
};

using ArchiveCheckFunction = CheckResult (*)(Context&, const BackupArchive&);

/// Data hooks. Seeds run on a freshly deployed app before the upgrade (on the
/// base release) or, when there was no upgrade, before the backup; verifies
/// run after the upgrade and after the restore. Each hook runs in its own
/// process, so a verify cannot see a seed's memory: derive the data from
/// ctx.stack() (or constants) so the verify knows what to look for.
enum class Hook { seed, verify };

/// One registered check: `install/serving` is {Tier::install, "serving", fn}.
struct CheckSpec {
  Tier tier;
  std::string name;
  CheckFunction run;
};

struct HookSpec {
  Hook hook;
  std::string name;
  CheckFunction run;
};

struct ArchiveCheckSpec {
  std::string name;
  ArchiveCheckFunction run;
};

/// Makes the value of a secret the recipe marks `# generate=false` in
/// .env.sample (abra leaves those to the operator: a key pair, a token an
/// upstream service issued). Runs in its own process before the deploy, so
/// of the Context only stack(), domain(), env() and log() are meaningful.
/// The value is redacted from everything ccci writes; never log it.
using SecretFunction = std::string (*)(Context&);

/// One registered secret maker: `CCCI_SECRET("ssh_key")` is {"ssh_key", fn},
/// keyed by the compose secret's key (the top-level `secrets:` entry).
struct SecretSpec {
  std::string key;
  SecretFunction make;
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
  /// Every registered seed and verify hook, in registration order.
  virtual std::vector<HookSpec> hooks() const = 0;
  /// Every registered backup-archive check.
  virtual std::vector<ArchiveCheckSpec> archive_checks() const = 0;
  /// Programs the checks need on PATH (e.g. "git", "git-lfs"). A tier whose
  /// tools are missing is recorded `unver`.
  virtual std::vector<std::string> required_tools() const = 0;
  /// Every registered secret maker (ABI 4).
  virtual std::vector<SecretSpec> secrets() const = 0;
};

namespace detail {

inline std::vector<CheckSpec>& registry() {
  static std::vector<CheckSpec> checks;
  return checks;
}
inline std::vector<HookSpec>& hook_registry() {
  static std::vector<HookSpec> hooks;
  return hooks;
}
inline std::vector<ArchiveCheckSpec>& archive_registry() {
  static std::vector<ArchiveCheckSpec> checks;
  return checks;
}
inline std::vector<SecretSpec>& secret_registry() {
  static std::vector<SecretSpec> secrets;
  return secrets;
}

struct CheckRegistrar {
  CheckRegistrar(Tier tier, const char* name, CheckFunction fn) { registry().push_back(CheckSpec{tier, name, fn}); }
  CheckRegistrar(Hook hook, const char* name, CheckFunction fn) { hook_registry().push_back(HookSpec{hook, name, fn}); }
  CheckRegistrar(const char* name, ArchiveCheckFunction fn) {
    archive_registry().push_back(ArchiveCheckSpec{name, fn});
  }
  CheckRegistrar(const char* key, SecretFunction fn) { secret_registry().push_back(SecretSpec{key, fn}); }
};

class RegisteredPlugin final : public Plugin {
public:
  RegisteredPlugin(std::string recipe, std::vector<std::string> tools)
      : recipe_(std::move(recipe)), tools_(std::move(tools)) {}
  std::string recipe() const override { return recipe_; }
  std::vector<CheckSpec> checks() const override { return registry(); }
  std::vector<HookSpec> hooks() const override { return hook_registry(); }
  std::vector<ArchiveCheckSpec> archive_checks() const override { return archive_registry(); }
  std::vector<std::string> required_tools() const override { return tools_; }
  std::vector<SecretSpec> secrets() const override { return secret_registry(); }

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
#define CCCI_CHECK(tier, name)                                                                                         \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_check_##tier##_, name)(::ccci::Context & ctx);                       \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_registrar_##tier##_, name){                         \
      ::ccci::Tier::tier, #name, &CCCI_DETAIL_CAT(ccci_check_##tier##_, name)};                                        \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_check_##tier##_, name)([[maybe_unused]] ::ccci::Context & ctx)

/// Defines and registers a seed hook: `CCCI_SEED(rows) { ... }`. Recorded as
/// `<tier>/seed:<name>`; a failing seed fails the tier it ran for.
#define CCCI_SEED(name)                                                                                                \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_seed_, name)(::ccci::Context & ctx);                                 \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_seed_registrar_, name){                             \
      ::ccci::Hook::seed, #name, &CCCI_DETAIL_CAT(ccci_seed_, name)};                                                  \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_seed_, name)([[maybe_unused]] ::ccci::Context & ctx)

/// Defines and registers a verify hook: `CCCI_VERIFY(rows) { ... }`, run
/// after the upgrade (`upgrade/verify:rows`) and after the restore
/// (`restore/verify:rows`).
#define CCCI_VERIFY(name)                                                                                              \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_verify_, name)(::ccci::Context & ctx);                               \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_verify_registrar_, name){                           \
      ::ccci::Hook::verify, #name, &CCCI_DETAIL_CAT(ccci_verify_, name)};                                              \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_verify_, name)([[maybe_unused]] ::ccci::Context & ctx)

/// Defines and registers a backup-archive check, recorded as
/// `backup/archive:<name>`. The body receives `ctx` and
/// `const ccci::BackupArchive& archive`.
#define CCCI_ARCHIVE_CHECK(name)                                                                                       \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_archive_, name)(::ccci::Context & ctx,                               \
                                                                  const ::ccci::BackupArchive& archive);               \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_archive_registrar_,                                 \
                                                              name){#name, &CCCI_DETAIL_CAT(ccci_archive_, name)};     \
  static ::ccci::CheckResult CCCI_DETAIL_CAT(ccci_archive_, name)(                                                     \
      [[maybe_unused]] ::ccci::Context & ctx, [[maybe_unused]] const ::ccci::BackupArchive& archive)

/// Defines and registers the maker of a `generate=false` secret, by its
/// compose key: `CCCI_SECRET("ssh_key") { return make_key(); }`. The body
/// receives `ccci::Context& ctx` and returns the value (a std::string, not
/// empty). Throwing, crashing or returning "" fails `<tier>/secrets` and the
/// deploy does not happen. One per secret key; use once per line.
#define CCCI_SECRET(key)                                                                                               \
  static std::string CCCI_DETAIL_CAT(ccci_secret_, __LINE__)(::ccci::Context & ctx);                                   \
  static const ::ccci::detail::CheckRegistrar CCCI_DETAIL_CAT(ccci_secret_registrar_, __LINE__){                       \
      key, &CCCI_DETAIL_CAT(ccci_secret_, __LINE__)};                                                                  \
  static std::string CCCI_DETAIL_CAT(ccci_secret_, __LINE__)([[maybe_unused]] ::ccci::Context & ctx)

/// Exports the plugin: `CCCI_PLUGIN("custom-html-tiny", "curl")`. Use once
/// per shared object, after the checks. Extra arguments name required tools.
#define CCCI_PLUGIN(recipe_name, ...)                                                                                  \
  namespace ccci_plugin_exports {                                                                                      \
  int abi_version_of_plugin() { return ::ccci::abi_version; }                                                          \
  std::unique_ptr<::ccci::Plugin> create_plugin() {                                                                    \
    return std::make_unique<::ccci::detail::RegisteredPlugin>(recipe_name, std::vector<std::string>{__VA_ARGS__});     \
  }                                                                                                                    \
  }                                                                                                                    \
  BOOST_DLL_ALIAS(ccci_plugin_exports::abi_version_of_plugin, ccci_abi_version)                                        \
  BOOST_DLL_ALIAS(ccci_plugin_exports::create_plugin, ccci_create_plugin)
