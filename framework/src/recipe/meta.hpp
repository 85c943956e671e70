// Recipe meta: what ccci knows about testing one recipe, in
// `recipes/<recipe>/ccci.yml`. Format documented in docs/recipe-meta.md.
#pragma once

#include "model/errors.hpp"
#include "recipe/host_access.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccci::host {

/// An HTTP readiness probe: the app is ready once GET `path` answers
/// `expect_status`. Retried at most `attempts` times, `interval` apart; every
/// attempt is recorded.
struct ReadinessProbe {
  std::string path = "/";
  int expect_status = 200;
  int attempts = 30;
  std::chrono::seconds interval{2};
};

struct RecipeMeta {
  std::filesystem::path file; ///< where it was read from ("" = defaults)
  /// Convergence bound per deploy; unset: the recipe's timeout label, else
  /// default_deploy_timeout (choose_deploy_timeout).
  std::optional<std::chrono::seconds> deploy_timeout;
  std::chrono::seconds check_timeout{60};            ///< per plugin check
  Env env;                                           ///< overrides on top of .env.sample
  std::vector<ReadinessProbe> readiness;             ///< none = no HTTP probe
  std::map<std::string, std::string> expected_skips; ///< tier name -> reason
  bool enroll = false;                               ///< part of the weekly sweep
  std::optional<std::string> upgrade_base;           ///< pinned upgrade base release tag
  std::optional<std::string> upstream;               ///< the recipe's git URL for the sweep
  std::vector<HostAccessGrant> host_access;          ///< accesses outside the stack allowed, each with a reason
  /// `sequential: <reason>`: the run's two chains one after the other on one
  /// stack, never at once (docs/recipe-meta.md, "sequential").
  std::optional<std::string> sequential;
};

/// The deploy timeout when neither --deploy-timeout, the meta, nor the
/// recipe's `coop-cloud.${STACK_NAME}.timeout` label sets one.
inline constexpr std::chrono::seconds default_deploy_timeout{300};

/// The deploy timeout one deploy uses, and why.
struct DeployTimeout {
  std::chrono::seconds value;
  /// "--deploy-timeout", "deploy_timeout in <meta file>", "label <key> on
  /// service app", or "ccci's default (...)".
  std::string source;
  /// The same in a few words, for a status line: "--deploy-timeout", "the
  /// meta", "the timeout label", "ccci's default".
  std::string origin;
};

/// abra's rule with ccci's overrides on top: `option` (--deploy-timeout),
/// else the meta's deploy_timeout, else the `app` service's timeout label
/// (`label` = {key, seconds}), else default_deploy_timeout.
DeployTimeout choose_deploy_timeout(const std::optional<std::chrono::seconds>& option, const RecipeMeta& meta,
                                    const std::optional<std::pair<std::string, int>>& label);

/// Reads and validates a meta file. Every problem throws InputError naming
/// the file, the line, the key and the fix: unknown keys (with the known
/// ones listed), wrong types, non-positive durations, a tier name that is
/// not a tier in expected_skips, an empty skip reason, a host_access grant
/// without exactly one owner, with an access of no known form, or without a
/// reason.
RecipeMeta load_meta(const std::filesystem::path& file);

/// The meta's pinned upgrade_base against the recipe's `tags` and the
/// version under test (`target`, "" for a ref that is no release): throws
/// InputError naming the meta file, `upgrade_base`, the newest few release
/// tags and the fix when the pin is not one of the tags, or is newer than the
/// target. Checked before anything is deployed (docs/recipe-meta.md).
void check_upgrade_base(const RecipeMeta& meta, const std::vector<std::string>& tags, const std::string& target);

/// `dir/ccci.yml` when it exists, else defaults (file empty).
RecipeMeta load_meta_or_defaults(const std::filesystem::path& dir);

} // namespace ccci::host
