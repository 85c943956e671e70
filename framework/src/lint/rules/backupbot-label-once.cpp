// C006-backupbot-label-once (warning): `backupbot.backup=true` on one service
// enables the backup of the whole stack; set on several it means the same,
// and the backupbot spec asks implementations to complain
// (docs/architecture.md, "Backup and restore").
#include "lint/helpers.hpp"

#include <fmt/format.h>

namespace ccci::host::lint {

namespace {

LintVerdict check(const LintInput& in) {
  const auto& enabled = in.plan.enabled_by;
  if (enabled.empty()) return verdict({}, {}, "no backup configured (no service has backupbot.backup=true)");
  if (enabled.size() == 1)
    return verdict({}, {}, fmt::format("backupbot.backup=true on service {} only", enabled.front()));
  const std::vector<std::string> rest(enabled.begin() + 1, enabled.end());
  return verdict({fmt::format("backupbot.backup=true is set on services {}: one label on one service already "
                              "enables the backup of the whole stack (every volume of every service)",
                              join(enabled, ", "))},
                 {fmt::format("keep `backupbot.backup=true` on service {} and remove it from the deploy.labels of "
                              "service{} {}",
                              enabled.front(), rest.size() > 1 ? "s" : "", join(rest, ", "))},
                 "");
}

} // namespace

extern const LintRule backupbot_label_once{
    "C006-backupbot-label-once", Severity::warning,
    "backupbot.backup=true is set on one service only: it enables the whole stack", check};

} // namespace ccci::host::lint
