// C001-version-label-matches-tag (ccci, error): abra learns which release is deployed from a
// `coop-cloud.<stack>.version` deploy label, so a release tag whose label
// still names the previous release (or none) deploys under a wrong name.
// Testing a branch or a commit there is no release to compare with: the rule
// is satisfied with a note.
#include "lint/helpers.hpp"

#include <fmt/format.h>

#include <utility>

namespace ccci::host::lint {

namespace {

/// The service and key carrying abra's version label, for naming it.
std::pair<std::string, std::string> version_label_site(const Compose& compose) {
  for (const auto& s : compose.services)
    for (const auto& [k, v] : s.labels)
      if (k.starts_with("coop-cloud.") && k.ends_with(".version") && k.size() > 19) return {s.name, k};
  return {};
}

/// Where a missing label should go: the service the domain routes to is the
/// app abra talks about; otherwise the first service.
std::string app_service(const Compose& compose) {
  if (!compose.routes.empty()) return compose.routes.front().service;
  return compose.services.empty() ? "app" : compose.services.front().name;
}

LintVerdict check(const LintInput& in) {
  const Compose& compose = in.compose;
  const std::string_view tag = in.tag;
  if (tag.empty()) {
    return verdict({}, {},
                   compose.version_label
                       ? fmt::format("not testing a release tag, so nothing to compare; the version label is `{}`",
                                     *compose.version_label)
                       : "not testing a release tag, so nothing to compare (note: no coop-cloud.*.version "
                         "label is set; the next release needs one)");
  }
  if (!compose.version_label) {
    return verdict(
        {fmt::format("no `coop-cloud.<stack>.version` deploy label on any service; release tag is `{}`", tag)},
        {fmt::format("add `coop-cloud.${{STACK_NAME}}.version={}` to service {}'s deploy.labels so abra "
                     "knows which release is deployed",
                     tag, app_service(compose))},
        "");
  }
  auto [service, key] = version_label_site(compose);
  if (*compose.version_label != tag) {
    return verdict(
        {fmt::format("service {} has `{}={}` but the release tag is `{}`", service, key, *compose.version_label, tag)},
        {fmt::format("set `coop-cloud.${{STACK_NAME}}.version={}` in service {}'s deploy.labels "
                     "(the label must be bumped with every release)",
                     tag, service)},
        "");
  }
  return verdict({}, {}, fmt::format("service {} has `{}={}`, equal to the release tag", service, key, tag));
}

} // namespace

extern const LintRule C001_version_label_matches_tag{
    "C001-version-label-matches-tag", Severity::error,
    "a `coop-cloud.<stack>.version` deploy label exists and equals the release tag under test", check};

} // namespace ccci::host::lint
