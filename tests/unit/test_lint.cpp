#define BOOST_TEST_MODULE lint
#include <boost/test/unit_test.hpp>

#include "backup/plan.hpp"
#include "lint/lint.hpp"
#include "lint/tree.hpp"
#include "os/process.hpp"
#include "support/files.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

/// A recipe directory of its own per test, removed afterwards.
class TempRecipe : ccci::test::TempTree {
public:
  TempRecipe() : TempTree("unit-lint") {}
  Compose load(const std::string& compose_yml) const {
    write("compose.yml", compose_yml);
    return load_compose(dir(), {"compose.yml"}, {{"STACK_NAME", "app_example_com"}});
  }
};

Compose load(const std::string& compose_yml) { return TempRecipe().load(compose_yml); }

const LintFinding& rule(const std::vector<LintFinding>& findings, const std::string& name) {
  auto it = std::find_if(findings.begin(), findings.end(), [&](const auto& f) { return f.rule == name; });
  BOOST_TEST_REQUIRE((it != findings.end()), "no finding for rule " << name);
  return *it;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// An app service with a version label and a pinned image; `extra` adds services.
std::string recipe(const std::string& app_image = "nginx:1.25",
                   const std::string& labels = "        - coop-cloud.${STACK_NAME}.version=1.0.0+1.25\n",
                   const std::string& extra = "", const std::string& volumes = "") {
  return "services:\n"
         "  app:\n"
         "    image: " +
         app_image +
         "\n"
         "    deploy:\n"
         "      labels:\n"
         "        - traefik.enable=true\n" +
         labels + extra + (volumes.empty() ? "" : "volumes:\n" + volumes);
}

// The mattermost-lts shape (seed 002): postgres backed up as the live PGDATA,
// dumped by a pre-hook, with no restore hook to load the dump.
const std::string mattermost_db =
    "  postgres:\n"
    "    image: postgres:15\n"
    "    volumes:\n"
    "      - postgres_data:/var/lib/postgresql/data\n"
    "    deploy:\n"
    "      labels:\n"
    "        backupbot.backup: \"true\"\n"
    "        backupbot.backup.pre-hook: \"sh -c 'pg_dump -U $$POSTGRES_USER $$POSTGRES_DB > "
    "/var/lib/postgresql/data/postgres-backup.sql'\"\n"
    "        backupbot.backup.post-hook: \"rm -f /var/lib/postgresql/data/postgres-backup.sql\"\n";

// The immich shape: only the dump is archived, and a restore hook loads it.
const std::string immich_db = "  database:\n"
                              "    image: ghcr.io/immich-app/postgres:14-vectorchord0.3.0\n"
                              "    volumes:\n"
                              "      - postgres:/var/lib/postgresql/data\n"
                              "    deploy:\n"
                              "      labels:\n"
                              "        backupbot.backup: \"true\"\n"
                              "        backupbot.backup.pre-hook: \"/pg_backup.sh backup\"\n"
                              "        backupbot.backup.volumes.postgres.path: backup.sql\n"
                              "        backupbot.restore.post-hook: \"/pg_backup.sh restore\"\n";

/// Lints `c` with the backup plan the lint tier makes of it.
std::vector<LintFinding> lint_with_plan(const Compose& c, const std::string& tag = "") {
  return lint_recipe(c, plan_backup(c, "app_example_com"), tag);
}

} // namespace

// ---- C001-version-label-matches-tag

BOOST_AUTO_TEST_CASE(version_label_equal_to_tag_passes) {
  auto f = rule(lint_recipe(load(recipe()), {}, "1.0.0+1.25"), "C001-version-label-matches-tag");
  BOOST_TEST(f.satisfied);
  BOOST_TEST(has(f.detail, "coop-cloud.app_example_com.version=1.0.0+1.25"), f.detail);
}

BOOST_AUTO_TEST_CASE(version_label_different_from_tag_fails) {
  auto f = rule(lint_recipe(load(recipe()), {}, "1.0.1+1.25"), "C001-version-label-matches-tag");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "1.0.0+1.25"), f.detail);
  BOOST_TEST(has(f.detail, "1.0.1+1.25"), f.detail);
  BOOST_TEST(has(f.fix, "coop-cloud.${STACK_NAME}.version=1.0.1+1.25"), f.fix);
  BOOST_TEST(has(f.fix, "service app"), f.fix);
}

BOOST_AUTO_TEST_CASE(version_label_missing_fails) {
  auto f = rule(lint_recipe(load(recipe("nginx:1.25", "")), {}, "1.0.0+1.25"), "C001-version-label-matches-tag");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "no `coop-cloud.<stack>.version`"), f.detail);
  BOOST_TEST(has(f.fix, "add `coop-cloud.${STACK_NAME}.version=1.0.0+1.25` to service app's deploy.labels"), f.fix);
}

BOOST_AUTO_TEST_CASE(empty_tag_is_not_a_release_and_is_satisfied_with_a_note) {
  auto with_label = rule(lint_recipe(load(recipe()), {}, ""), "C001-version-label-matches-tag");
  BOOST_TEST(with_label.satisfied);
  BOOST_TEST(has(with_label.detail, "not testing a release tag"), with_label.detail);

  auto without = rule(lint_recipe(load(recipe("nginx:1.25", "")), {}, ""), "C001-version-label-matches-tag");
  BOOST_TEST(without.satisfied);
  BOOST_TEST(has(without.detail, "not testing a release tag"), without.detail);
  BOOST_TEST(has(without.detail, "no coop-cloud.*.version label"), without.detail);
}

// ---- C002-images-pinned

BOOST_AUTO_TEST_CASE(images_with_a_version_tag_or_digest_pass) {
  for (std::string image : {"nginx:1.25", "registry:5000/app:2.0", "ghcr.io/org/app:v1.2.3",
                            "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                            "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    auto f = rule(lint_recipe(load(recipe(image)), {}, ""), "C002-images-pinned");
    BOOST_TEST(f.satisfied, image << ": " << f.detail);
  }
}

BOOST_AUTO_TEST_CASE(images_without_tag_or_latest_fail) {
  struct Case {
    std::string image, repository, why;
  };
  for (const auto& c : {Case{"nginx", "nginx", "has no tag"}, Case{"nginx:latest", "nginx", "`latest`"},
                        Case{"registry:5000/app", "registry:5000/app", "has no tag"}}) {
    auto f = rule(lint_recipe(load(recipe(c.image)), {}, ""), "C002-images-pinned");
    BOOST_TEST(!f.satisfied, c.image);
    BOOST_TEST(has(f.detail, "service app: image `" + c.image + "`"), f.detail);
    BOOST_TEST(has(f.detail, c.why), f.detail);
    BOOST_TEST(
        has(f.fix, "pin service app's image in compose.yml to a version tag, e.g. `" + c.repository + ":<version>`"),
        f.fix);
  }
}

BOOST_AUTO_TEST_CASE(images_pinned_names_every_unpinned_service) {
  auto c = load(recipe("nginx:1.25", "", "  worker:\n    image: busybox\n  cache:\n    image: redis:latest\n"));
  auto f = rule(lint_recipe(c, {}, ""), "C002-images-pinned");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "service worker"), f.detail);
  BOOST_TEST(has(f.detail, "service cache"), f.detail);
  BOOST_TEST(!has(f.detail, "service app"), f.detail);
}

// ---- C003-secrets-configs-declared

BOOST_AUTO_TEST_CASE(secrets_and_configs_declared_is_satisfied_for_a_loaded_compose) {
  auto c = load(recipe("nginx:1.25", "", "    secrets:\n      - db_password\n    configs:\n      - nginx_conf\n", "") +
                "secrets:\n  db_password:\n    external: true\n    name: ${STACK_NAME}_db_password_v1\n"
                "configs:\n  nginx_conf:\n    file: nginx.conf\n");
  auto f = rule(lint_recipe(c, {}, ""), "C003-secrets-configs-declared");
  BOOST_TEST(f.satisfied);
  BOOST_TEST(has(f.detail, "1 secret and 1 config"), f.detail);
}

BOOST_AUTO_TEST_CASE(an_undeclared_secret_fails_when_compose_was_built_without_load_compose) {
  Compose c;
  ComposeService s;
  s.name = "app";
  s.image = "nginx:1.25";
  s.secrets = {"db_password"};
  c.services = {s};
  auto f = rule(lint_recipe(c, {}, ""), "C003-secrets-configs-declared");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "secret `db_password`"), f.detail);
  BOOST_TEST(has(f.fix, "top-level `secrets:`"), f.fix);
}

// ---- a whole recipe tree, as the lint tier reads it

namespace {

const std::string good_compose = "version: \"3.8\"\n"
                                 "services:\n"
                                 "  app:\n"
                                 "    image: nginx:1.25\n"
                                 "    healthcheck:\n"
                                 "      test: [\"CMD\", \"true\"]\n"
                                 "    configs:\n"
                                 "      - source: nginx_conf\n"
                                 "        target: /etc/nginx/nginx.conf\n"
                                 "    secrets:\n"
                                 "      - db_password\n"
                                 "    deploy:\n"
                                 "      labels:\n"
                                 "        - traefik.enable=true\n"
                                 "        - coop-cloud.${STACK_NAME}.version=1.0.0+1.25\n"
                                 "configs:\n"
                                 "  nginx_conf:\n"
                                 "    name: ${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}\n"
                                 "    file: nginx.conf\n"
                                 "secrets:\n"
                                 "  db_password:\n"
                                 "    external: true\n"
                                 "    name: ${STACK_NAME}_db_password_${SECRET_DB_PASSWORD_VERSION}\n";

const std::string good_readme = "# example\n\n<!-- metadata -->\n"
                                "* **Category**: Apps\n* **Status**: 1, alpha\n* **Image**: `nginx`, 4, upstream\n"
                                "* **Healthcheck**: Yes\n* **Backups**: No\n* **Email**: N/A\n* **Tests**: No\n"
                                "* **SSO**: N/A\n<!-- endmetadata -->\n";

/// A recipe that satisfies every rule; each test breaks one thing. lint()
/// writes the files into a fresh tree and lints it as the tier does.
struct Recipe {
  std::map<std::string, std::optional<std::string>> files{
      {"compose.yml", good_compose},
      {"README.md", good_readme},
      {".env.sample", "TYPE=example\nDOMAIN=example.com\nSECRET_DB_PASSWORD_VERSION=v1\n"},
      {"abra.sh", "export NGINX_CONF_VERSION=v1\n"},
      {"nginx.conf", "events {}\n"},
  };
  std::vector<RecipeTag> tags{{"1.0.0+1.25", true}};
  std::string tag = "1.0.0+1.25";
  bool with_tree = true;
  bool with_tags = true;

  std::vector<LintFinding> lint() const {
    ccci::test::TempTree dir("unit-lint");
    for (const auto& [name, text] : files)
      if (text) dir.write(name, *text);
    const Env env{{"STACK_NAME", "app_example_com"},
                  {"DOMAIN", "app.example.com"},
                  {"NGINX_CONF_VERSION", "v1"},
                  {"SECRET_DB_PASSWORD_VERSION", "v1"}};
    const Compose compose = load_compose(dir.dir(), {"compose.yml"}, env);
    const RecipeTree tree = read_recipe_tree(dir.dir(), env);
    const BackupPlan plan;
    return lint_recipe(LintInput{compose, plan, tag, with_tree ? &tree : nullptr, with_tags ? &tags : nullptr,
                                 with_tags ? "" : "git: not a repository"});
  }
  LintFinding finding(const std::string& id) const { return rule(lint(), id); }
};

/// The rule's severity as listed, so a test also pins it to abra's.
Severity severity_of(std::string_view id) {
  for (const LintRule* r : lint_rules())
    if (r->id == id) return r->severity;
  BOOST_FAIL("no rule " << id);
  return Severity::error;
}

/// Asserts the rule is satisfied by `good` and unsatisfied by `bad`, has
/// `severity`, and names `seen` in its detail and `fix` in its fix.
void satisfied_then_broken(const std::string& id, Severity severity, const Recipe& good, const Recipe& bad,
                           const std::string& seen, const std::string& fix) {
  BOOST_TEST_CONTEXT(id) {
    BOOST_TEST((severity_of(id) == severity));
    auto ok = good.finding(id);
    BOOST_TEST(ok.satisfied, ok.detail << ok.not_judged);
    BOOST_TEST(ok.not_judged.empty());
    BOOST_TEST(!ok.detail.empty());
    BOOST_TEST((ok.severity == severity));
    auto broken = bad.finding(id);
    BOOST_TEST(!broken.satisfied);
    BOOST_TEST(broken.not_judged.empty(), broken.not_judged);
    BOOST_TEST(has(broken.detail, seen), broken.detail);
    BOOST_TEST(has(broken.fix, fix), broken.fix);
    BOOST_TEST((broken.severity == severity));
  }
}

Recipe with(const std::string& file, std::optional<std::string> text) {
  Recipe r;
  r.files[file] = std::move(text);
  return r;
}

Recipe with_compose(const std::string& from, const std::string& to) {
  std::string c = good_compose;
  auto pos = c.find(from);
  BOOST_TEST_REQUIRE(pos != std::string::npos, "no `" << from << "` in the good compose");
  c.replace(pos, from.size(), to);
  return with("compose.yml", c);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_good_recipe_satisfies_every_offline_rule_and_the_network_ones_are_not_judged) {
  const auto findings = Recipe().lint();
  std::vector<std::string> names;
  for (const auto& f : findings)
    names.push_back(f.rule);
  const std::vector<std::string> expected{"R001-compose-version",       "R002-healthchecks",
                                          "R003-images-tagged",         "R004-no-unstable-tags",
                                          "R005-semver-like-tags",      "R006-published-catalogue-version",
                                          "R007-readme-metadata",       "R008-env-sample",
                                          "R009-one-service-named-app", "R010-traefik-enabled",
                                          "R011-images-present",        "R012-config-versions-vendored",
                                          "R013-recipe-repo-exists",    "R014-annotated-tags",
                                          "R015-short-secret-names",    "C001-version-label-matches-tag",
                                          "C002-images-pinned",         "C003-secrets-configs-declared",
                                          "C004-db-backup-is-a-dump",   "C005-dump-has-restore-hook",
                                          "C006-backupbot-label-once"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  for (const auto& f : findings) {
    BOOST_TEST_CONTEXT(f.rule) {
      if (f.needs_network) {
        BOOST_TEST(!f.satisfied);
        BOOST_TEST(has(f.not_judged, "needs the network"), f.not_judged);
        BOOST_TEST(lint_outcome(f) == "not judged");
      } else {
        BOOST_TEST(f.satisfied, f.detail << f.not_judged);
        BOOST_TEST(lint_outcome(f) == "pass");
        BOOST_TEST(f.fix.empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(abras_severities_are_abras) {
  const std::map<std::string_view, Severity> abra{
      {"R001-compose-version", Severity::warning},     {"R002-healthchecks", Severity::warning},
      {"R003-images-tagged", Severity::warning},       {"R004-no-unstable-tags", Severity::warning},
      {"R005-semver-like-tags", Severity::warning},    {"R006-published-catalogue-version", Severity::warning},
      {"R007-readme-metadata", Severity::warning},     {"R008-env-sample", Severity::error},
      {"R009-one-service-named-app", Severity::error}, {"R010-traefik-enabled", Severity::error},
      {"R011-images-present", Severity::error},        {"R012-config-versions-vendored", Severity::error},
      {"R013-recipe-repo-exists", Severity::warning},  {"R014-annotated-tags", Severity::error},
      {"R015-short-secret-names", Severity::error},
  };
  std::size_t seen = 0;
  for (const LintRule* r : lint_rules()) {
    if (!r->id.starts_with("R")) continue;
    ++seen;
    auto it = abra.find(r->id);
    BOOST_TEST_REQUIRE((it != abra.end()), "rule " << r->id << " is not one of abra's");
    BOOST_TEST((r->severity == it->second), r->id);
    BOOST_TEST(r->needs_network == (r->id.starts_with("R006") || r->id.starts_with("R013")), r->id);
  }
  BOOST_TEST(seen == abra.size());
}

BOOST_AUTO_TEST_CASE(R001_compose_version) {
  satisfied_then_broken("R001-compose-version", Severity::warning, Recipe(),
                        with_compose("version: \"3.8\"\n", "version: \"3.7\"\n"), "compose.yml has `version: \"3.7\"`",
                        "put `version: \"3.8\"` at the top of compose.yml");
  auto none = with_compose("version: \"3.8\"\n", "");
  BOOST_TEST(has(none.finding("R001-compose-version").detail, "compose.yml has no top-level `version:`"));
}

BOOST_AUTO_TEST_CASE(R002_healthchecks) {
  satisfied_then_broken("R002-healthchecks", Severity::warning, Recipe(),
                        with_compose("    healthcheck:\n      test: [\"CMD\", \"true\"]\n", ""),
                        "compose.yml:3 service app: no healthcheck", "give service app a `healthcheck:`");
  auto disabled = with_compose("      test: [\"CMD\", \"true\"]\n", "      disable: true\n");
  BOOST_TEST(has(disabled.finding("R002-healthchecks").detail, "healthcheck disabled"));
  // An overlay may add the healthcheck a service lacks in compose.yml.
  auto overlay = with_compose("    healthcheck:\n      test: [\"CMD\", \"true\"]\n", "");
  overlay.files["compose.health.yml"] =
      "version: \"3.8\"\nservices:\n  app:\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n";
  BOOST_TEST(overlay.finding("R002-healthchecks").satisfied);
}

BOOST_AUTO_TEST_CASE(R003_images_tagged) {
  satisfied_then_broken("R003-images-tagged", Severity::warning, Recipe(),
                        with_compose("image: nginx:1.25", "image: nginx"),
                        "compose.yml:3 service app: image `nginx` has no tag", "`nginx:<version>`");
  auto digest = with_compose("image: nginx:1.25", "image: nginx@sha256:0123456789abcdef");
  BOOST_TEST(has(digest.finding("R003-images-tagged").detail, "(only a digest)"));
}

BOOST_AUTO_TEST_CASE(R004_no_unstable_tags) {
  satisfied_then_broken("R004-no-unstable-tags", Severity::warning, Recipe(),
                        with_compose("image: nginx:1.25", "image: nginx:latest"),
                        "image `nginx:latest` uses the unstable tag `latest`", "`nginx:<version>`");
}

BOOST_AUTO_TEST_CASE(R005_semver_like_tags) {
  satisfied_then_broken("R005-semver-like-tags", Severity::warning, Recipe(),
                        with_compose("image: nginx:1.25", "image: nginx:bookworm"),
                        "image `nginx:bookworm` has tag `bookworm`, which is not semver-like", "e.g. `nginx:1.2.3`");
  for (std::string tag : {"1", "1.2.3", "v1.132.3", "15-alpine", "14-vectorchord0.3.0", "2.39.5", "1.25.3-bookworm"}) {
    auto r = with_compose("image: nginx:1.25", "image: nginx:" + tag);
    BOOST_TEST(r.finding("R005-semver-like-tags").satisfied, tag);
  }
  for (std::string tag : {"bookworm", "stable", "main-2024", "x1.2"}) {
    auto r = with_compose("image: nginx:1.25", "image: nginx:" + tag);
    BOOST_TEST(!r.finding("R005-semver-like-tags").satisfied, tag);
  }
}

BOOST_AUTO_TEST_CASE(R006_and_R013_need_the_network_and_are_never_judged_or_passed) {
  for (auto id : {"R006-published-catalogue-version", "R013-recipe-repo-exists"}) {
    auto f = Recipe().finding(id);
    BOOST_TEST(!f.satisfied, id);
    BOOST_TEST(f.needs_network, id);
    BOOST_TEST(has(f.not_judged, "needs the network"), f.not_judged);
    BOOST_TEST((f.severity == Severity::warning), id);
  }
}

BOOST_AUTO_TEST_CASE(R007_readme_metadata) {
  std::string unfilled = good_readme;
  unfilled.replace(unfilled.find("Yes"), 3, "?");
  satisfied_then_broken("R007-readme-metadata", Severity::warning, Recipe(), with("README.md", unfilled),
                        "README.md metadata not filled in: Healthcheck", "fill in Healthcheck");
  std::string without_sso = good_readme;
  without_sso.erase(without_sso.find("* **SSO**: N/A\n"), 15);
  auto f = with("README.md", without_sso).finding("R007-readme-metadata");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "README.md has no `**SSO**:` metadata"), f.detail);
  auto missing = with("README.md", std::nullopt).finding("R007-readme-metadata");
  BOOST_TEST(!missing.satisfied);
  BOOST_TEST(has(missing.detail, "README.md: missing"), missing.detail);
}

BOOST_AUTO_TEST_CASE(R008_env_sample) {
  // Without .env.sample nothing renders, so the bad case lints an input
  // whose tree lacks it beside a compose rendered from another.
  Recipe good;
  auto f = good.finding("R008-env-sample");
  BOOST_TEST(f.satisfied);
  BOOST_TEST((severity_of("R008-env-sample") == Severity::error));
  auto bad = with(".env.sample", std::nullopt).finding("R008-env-sample");
  BOOST_TEST(!bad.satisfied);
  BOOST_TEST(has(bad.detail, ".env.sample: missing"), bad.detail);
  BOOST_TEST(has(bad.fix, "TYPE, DOMAIN and COMPOSE_FILE"), bad.fix);
  BOOST_TEST((bad.severity == Severity::error));
}

BOOST_AUTO_TEST_CASE(R009_one_service_named_app) {
  auto renamed = with_compose("  app:\n", "  web:\n");
  satisfied_then_broken("R009-one-service-named-app", Severity::error, Recipe(), renamed,
                        "no service is named `app` (services: web)", "rename the main service (web) to `app`");
}

BOOST_AUTO_TEST_CASE(R010_traefik_enabled) {
  satisfied_then_broken("R010-traefik-enabled", Severity::error, Recipe(),
                        with_compose("        - traefik.enable=true\n", ""),
                        "no service has the deploy label `traefik.enable=true`", "add `traefik.enable=true`");
  auto off = with_compose("traefik.enable=true", "traefik.enable=false");
  BOOST_TEST(!off.finding("R010-traefik-enabled").satisfied);
}

BOOST_AUTO_TEST_CASE(R011_images_present) {
  // An overlay leaves the image to compose.yml: fine. A service only an
  // overlay defines, without an image: an error naming that file.
  Recipe good;
  good.files["compose.smtp.yml"] = "version: \"3.8\"\nservices:\n  app:\n    environment:\n      - SMTP=1\n";
  Recipe bad = good;
  bad.files["compose.worker.yml"] = "version: \"3.8\"\nservices:\n  worker:\n    command: run\n";
  satisfied_then_broken("R011-images-present", Severity::error, good, bad,
                        "compose.worker.yml:3 service worker: no `image:` in any compose file",
                        "add `image: <repository>:<version>` to service worker in compose.worker.yml");
}

BOOST_AUTO_TEST_CASE(R012_config_versions_vendored) {
  satisfied_then_broken("R012-config-versions-vendored", Severity::error, Recipe(), with("abra.sh", "# nothing\n"),
                        "compose.yml:17 config nginx_conf: `${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}` names "
                        "`NGINX_CONF_VERSION`, which abra.sh does not export",
                        "add `export NGINX_CONF_VERSION=v1` to abra.sh");
  auto no_abra_sh = with("abra.sh", std::nullopt).finding("R012-config-versions-vendored");
  BOOST_TEST(!no_abra_sh.satisfied);
  BOOST_TEST(has(no_abra_sh.detail, "(there is no abra.sh)"), no_abra_sh.detail);
  // Secrets' version variables come from .env.sample, not abra.sh: not this rule's.
  BOOST_TEST(has(Recipe().finding("R012-config-versions-vendored").detail, "1 config version variable(s)"));
}

BOOST_AUTO_TEST_CASE(R014_annotated_tags) {
  Recipe bad;
  bad.tags = {{"1.0.0+1.25", true}, {"1.0.1+1.25", false}};
  satisfied_then_broken("R014-annotated-tags", Severity::error, Recipe(), bad,
                        "lightweight tag(s), not annotated: 1.0.1+1.25",
                        "`git tag -a -f -m 1.0.1+1.25 1.0.1+1.25 1.0.1+1.25^{commit}`");
  Recipe untagged;
  untagged.tags.clear();
  auto f = untagged.finding("R014-annotated-tags");
  BOOST_TEST(f.satisfied);
  BOOST_TEST(has(f.detail, "no tags yet"), f.detail);
  Recipe unread;
  unread.with_tags = false;
  auto u = unread.finding("R014-annotated-tags");
  BOOST_TEST(!u.satisfied);
  BOOST_TEST(!u.needs_network);
  BOOST_TEST(has(u.not_judged, "could not be read: git: not a repository"), u.not_judged);
}

BOOST_AUTO_TEST_CASE(R015_short_secret_names) {
  // 13 characters: `<45-char stack>_admin_password_v1` would be 64 + 1.
  std::string c = good_compose;
  for (auto pos = c.find("db_password"); pos != std::string::npos; pos = c.find("db_password", pos + 1))
    c.replace(pos, 11, "adm_password1");
  Recipe bad = with("compose.yml", c);
  satisfied_then_broken("R015-short-secret-names", Severity::error, Recipe(), bad,
                        "compose.yml:21 secret `adm_password1` is 13 characters long (at most 12)",
                        "shorten secret `adm_password1` to at most 12 characters");
}

BOOST_AUTO_TEST_CASE(C001_version_label_matches_tag_severity_and_both_cases) {
  Recipe bumped;
  bumped.tag = "1.0.1+1.25";
  satisfied_then_broken("C001-version-label-matches-tag", Severity::error, Recipe(), bumped,
                        "`coop-cloud.app_example_com.version=1.0.0+1.25` but the release tag is `1.0.1+1.25`",
                        "coop-cloud.${STACK_NAME}.version=1.0.1+1.25");
}

BOOST_AUTO_TEST_CASE(C002_images_pinned_reads_overlays_that_compose_file_does_not_select) {
  Recipe bad;
  bad.files["compose.smtp.yml"] = "version: \"3.8\"\nservices:\n  mail:\n    image: postfix:latest\n";
  satisfied_then_broken("C002-images-pinned", Severity::error, Recipe(), bad,
                        "compose.smtp.yml:3 service mail: image `postfix:latest` uses the moving `latest` tag",
                        "pin service mail's image in compose.smtp.yml");
  // The other image rules read the overlay too, naming the file.
  BOOST_TEST(has(bad.finding("R004-no-unstable-tags").detail, "compose.smtp.yml:3 service mail"));
}

BOOST_AUTO_TEST_CASE(C003_secrets_configs_declared_in_an_overlay) {
  Recipe good;
  good.files["compose.smtp.yml"] = "version: \"3.8\"\nservices:\n  app:\n    secrets:\n      - smtp_pass\n"
                                   "      - db_password\nsecrets:\n  smtp_pass:\n    external: true\n";
  Recipe bad;
  bad.files["compose.smtp.yml"] = "version: \"3.8\"\nservices:\n  app:\n    secrets:\n      - smtp_pass\n";
  satisfied_then_broken("C003-secrets-configs-declared", Severity::error, good, bad,
                        "compose.smtp.yml:3 service app uses secret `smtp_pass`, not declared at top level",
                        "declare `smtp_pass` under the top-level `secrets:` of compose.smtp.yml");
}

BOOST_AUTO_TEST_CASE(without_the_tree_compose_rules_read_the_rendered_compose_and_file_rules_are_not_judged) {
  Recipe r;
  r.with_tree = false;
  r.files["compose.yml"] = good_compose;
  const auto findings = r.lint();
  for (auto id : {"R007-readme-metadata", "R008-env-sample", "R012-config-versions-vendored"}) {
    auto f = rule(findings, id);
    BOOST_TEST(!f.satisfied, id);
    BOOST_TEST(has(f.not_judged, "the recipe tree was not read"), id << ": " << f.not_judged);
    BOOST_TEST(lint_outcome(f) == "not judged");
  }
  BOOST_TEST(rule(findings, "R009-one-service-named-app").satisfied);
  BOOST_TEST(rule(findings, "R002-healthchecks").satisfied);
  BOOST_TEST(rule(findings, "C002-images-pinned").satisfied);
}

BOOST_AUTO_TEST_CASE(a_compose_file_that_is_not_yaml_is_named_with_its_line_and_left_out_of_the_rules) {
  auto view = read_compose_file("services:\n  app:\n    image: [unclosed\n", "compose.broken.yml", {});
  BOOST_TEST(has(view.error, "compose.broken.yml:"), view.error);
  BOOST_TEST(has(view.error, "not valid YAML"), view.error);
  BOOST_TEST(view.services.empty());
  BOOST_TEST(has(read_compose_file("- a\n- b\n", "compose.list.yml", {}).error, "top level is not a map"));
  Recipe r;
  r.files["compose.broken.yml"] = "services:\n  worker:\n    image: [unclosed\n";
  BOOST_TEST(rule(r.lint(), "R011-images-present").satisfied);
}

BOOST_AUTO_TEST_CASE(a_compose_file_is_read_with_interpolation_merge_keys_and_both_label_forms) {
  const std::string text = "x-defaults: &defaults\n"
                           "  healthcheck:\n    test: [\"CMD\", \"true\"]\n"
                           "services:\n"
                           "  app:\n"
                           "    <<: *defaults\n"
                           "    image: nginx:${NGINX_TAG}\n"
                           "    deploy:\n      labels:\n        traefik.enable: \"true\"\n"
                           "  worker:\n"
                           "    image: busybox:${MISSING:?set it}\n"
                           "    configs: [{source: conf, target: /c}]\n"
                           "configs:\n  conf:\n    name: ${STACK_NAME}_conf_${CONF_VERSION}\n";
  auto v = read_compose_file(text, "compose.yml", {{"NGINX_TAG", "1.25"}});
  BOOST_TEST_REQUIRE(v.error.empty(), v.error);
  BOOST_TEST_REQUIRE(v.services.size() == 2u);
  BOOST_TEST(v.services[0].image.value_or("") == "nginx:1.25");
  BOOST_TEST(v.services[0].healthcheck.value_or(false));
  BOOST_TEST(v.services[0].labels.at("traefik.enable") == "true");
  BOOST_TEST(v.services[0].line == 5);
  // What cannot be interpolated is kept as written, never thrown.
  BOOST_TEST(v.services[1].image.value_or("") == "busybox:${MISSING:?set it}");
  BOOST_TEST(!v.services[1].healthcheck.has_value());
  BOOST_TEST(v.services[1].configs == std::vector<std::string>{"conf"}, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(v.configs.size() == 1u);
  BOOST_TEST(v.configs[0].raw_name == "${STACK_NAME}_conf_${CONF_VERSION}");
}

BOOST_AUTO_TEST_CASE(the_tree_lists_compose_yml_first_then_every_other_compose_file_by_name) {
  ccci::test::TempTree dir("unit-lint-tree");
  for (auto name : {"compose.yml", "compose.smtp.yml", "compose.a.yml", "docker-compose.override.yml", "notes.yml"})
    dir.write(name, "services: {}\n");
  auto tree = read_recipe_tree(dir.dir(), {});
  std::vector<std::string> names;
  for (const auto& f : tree.compose_files)
    names.push_back(f.name);
  BOOST_TEST(names == (std::vector<std::string>{"compose.yml", "compose.a.yml", "compose.smtp.yml"}),
             boost::test_tools::per_element());
  BOOST_TEST(!tree.readme.has_value());
  BOOST_TEST(!tree.env_sample.has_value());
}

BOOST_AUTO_TEST_CASE(tag_kinds_are_read_from_git_annotated_and_lightweight) {
  BOOST_TEST(parse_tag_kinds("tag 1.0.0+1\ncommit 1.0.1+1\n\n").size() == 2u);
  ccci::test::TempTree dir("unit-lint-tags");
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", dir.dir().string(), "-c", "user.name=t", "-c", "user.email=t@t"});
    auto r = run_process(args);
    BOOST_TEST_REQUIRE(r.ok(), r.err);
  };
  git({"init", "--quiet"});
  dir.write("compose.yml", "services: {}\n");
  git({"add", "-A"});
  git({"commit", "--quiet", "-m", "one"});
  git({"tag", "-a", "1.0.0+1", "-m", "1.0.0+1"});
  git({"tag", "1.0.1+1"});
  auto tags = read_recipe_tags(dir.dir());
  BOOST_TEST_REQUIRE(tags.size() == 2u);
  BOOST_TEST(tags[0].name == "1.0.0+1");
  BOOST_TEST(tags[0].annotated);
  BOOST_TEST(tags[1].name == "1.0.1+1");
  BOOST_TEST(!tags[1].annotated);
  BOOST_CHECK_THROW(read_recipe_tags(dir.dir() / "nope"), InfraFailure);
}

BOOST_AUTO_TEST_CASE(an_unsatisfied_warning_reads_warn_and_an_error_reads_fail) {
  LintFinding warning{"R002-healthchecks", Severity::warning, false, "no healthcheck", "add one"};
  LintFinding error{"R009-one-service-named-app", Severity::error, false, "no app", "rename"};
  BOOST_TEST(lint_outcome(warning) == "warn");
  BOOST_TEST(lint_outcome(error) == "FAIL");
  error.satisfied = true;
  BOOST_TEST(lint_outcome(error) == "pass");
}

// ---- C004-db-backup-is-a-dump, C005-dump-has-restore-hook, C006-backupbot-label-once
//
// The plans come from plan_backup over the same compose, as the lint tier
// makes them: one backupbot.backup=true backs up every volume of the stack.

namespace {

const std::string c004 = "C004-db-backup-is-a-dump", c005 = "C005-dump-has-restore-hook",
                  c006 = "C006-backupbot-label-once";

const std::string label_on_app = "        - backupbot.backup=true\n";

/// A database service `db` (no backupbot label of its own unless `labels`).
std::string db_service(const std::string& image, const std::string& mount, const std::string& labels = "") {
  return "  db:\n    image: " + image + "\n    volumes:\n      - " + mount + "\n" +
         (labels.empty() ? "" : "    deploy:\n      labels:\n" + labels);
}

} // namespace

BOOST_AUTO_TEST_CASE(no_backup_labels_passes_every_backup_rule) {
  auto c = load(recipe("nginx:1.25", "", db_service("postgres:15", "db:/var/lib/postgresql/data"), "  db:\n"));
  auto findings = lint_with_plan(c);
  for (const auto& name : {c004, c005, c006}) {
    auto f = rule(findings, name);
    BOOST_TEST(f.satisfied, name);
    BOOST_TEST(has(f.detail, "no backup configured"), f.detail);
  }
}

BOOST_AUTO_TEST_CASE(mattermost_lts_shape_fails_both_db_rules) {
  auto c = load(recipe("mattermost/mattermost-team-edition:10.11.15", "", mattermost_db, "  postgres_data:\n"));
  auto findings = lint_with_plan(c);

  auto dump = rule(findings, c004);
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.detail, "the whole of volume postgres_data, which service postgres (postgres) mounts at "
                              "/var/lib/postgresql/data"),
             dump.detail);
  // The pre-hook already writes a dump inside the volume: select exactly that file.
  BOOST_TEST(has(dump.fix, "add `backupbot.backup.volumes.postgres_data.path=postgres-backup.sql` to service "
                           "postgres's deploy.labels so only the dump"),
             dump.fix);

  auto restore = rule(findings, c005);
  BOOST_TEST(!restore.satisfied);
  BOOST_TEST(has(restore.detail, "service postgres: backupbot.backup.pre-hook (`sh -c 'pg_dump"), restore.detail);
  BOOST_TEST(has(restore.detail, "writes /var/lib/postgresql/data/postgres-backup.sql, which the backup takes "
                                 "(volume postgres_data, the whole volume)"),
             restore.detail);
  BOOST_TEST(has(restore.detail, "service postgres has no backupbot.restore.post-hook"), restore.detail);
  BOOST_TEST(has(restore.fix, "add `backupbot.restore.post-hook` to service postgres's deploy.labels"), restore.fix);
  BOOST_TEST(has(restore.fix, "psql"), restore.fix);
  BOOST_TEST(has(restore.fix, "/var/lib/postgresql/data/postgres-backup.sql"), restore.fix);
}

BOOST_AUTO_TEST_CASE(the_label_on_app_backs_up_the_live_data_of_a_db_service_without_labels) {
  // The issue's shape: backupbot.backup=true on app only; db's volume is
  // backed up all the same, as its live data directory.
  auto c =
      load(recipe("nginx:1.25", label_on_app, db_service("postgres:15", "db:/var/lib/postgresql/data"), "  db:\n"));
  auto findings = lint_with_plan(c);
  auto dump = rule(findings, c004);
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.detail, "the whole of volume db, which service db (postgres) mounts"), dump.detail);
  BOOST_TEST(has(dump.detail, "backupbot.backup=true on service app backs up every volume of the stack"), dump.detail);
  BOOST_TEST(has(dump.fix, "add `backupbot.backup.volumes.db.path=backup.sql` to service db's deploy.labels so only "
                           "the dump is archived"),
             dump.fix);
  BOOST_TEST(has(dump.fix, "pg_dump to /var/lib/postgresql/data/backup.sql"), dump.fix);
  BOOST_TEST(has(dump.fix, "`backupbot.backup.volumes.db=false`"), dump.fix);
  // Nothing is dumped, so there is no dump to load: that rule has nothing to say.
  BOOST_TEST(rule(findings, c005).satisfied);
  BOOST_TEST(rule(findings, c006).satisfied);
}

BOOST_AUTO_TEST_CASE(the_label_on_app_with_the_dump_and_its_restore_hook_on_db_passes) {
  const std::string db_labels =
      "        - \"backupbot.backup.pre-hook=pg_dump -U notes notes > /var/lib/postgresql/data/backup.sql\"\n"
      "        - backupbot.backup.volumes.db.path=backup.sql\n"
      "        - \"backupbot.restore.post-hook=psql -U notes -d notes -f /var/lib/postgresql/data/backup.sql\"\n";
  auto findings = lint_with_plan(load(recipe(
      "nginx:1.25", label_on_app, db_service("postgres:15", "db:/var/lib/postgresql/data", db_labels), "  db:\n")));
  auto dump = rule(findings, c004);
  BOOST_TEST(dump.satisfied, dump.detail);
  BOOST_TEST(has(dump.detail, "volume db (service db) limited to backup.sql"), dump.detail);
  auto restore = rule(findings, c005);
  BOOST_TEST(restore.satisfied, restore.detail);
  BOOST_TEST(has(restore.detail, "service db: the /var/lib/postgresql/data/backup.sql its pre-hook writes is loaded by "
                                 "its backupbot.restore.post-hook"),
             restore.detail);
  auto once = rule(findings, c006);
  BOOST_TEST(once.satisfied);
  BOOST_TEST(once.detail == "backupbot.backup=true on service app only");
}

BOOST_AUTO_TEST_CASE(a_restore_hook_on_another_service_does_not_load_the_dump) {
  const std::string db_labels =
      "        - \"backupbot.backup.pre-hook=pg_dump -U notes notes > /var/lib/postgresql/data/backup.sql\"\n"
      "        - backupbot.backup.volumes.db.path=backup.sql\n";
  auto f =
      rule(lint_with_plan(load(recipe("nginx:1.25",
                                      label_on_app + "        - \"backupbot.restore.post-hook=psql -h db -f "
                                                     "/var/lib/postgresql/data/backup.sql\"\n",
                                      db_service("postgres:15", "db:/var/lib/postgresql/data", db_labels), "  db:\n"))),
           c005);
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "service db has no backupbot.restore.post-hook or pre-hook"), f.detail);
  BOOST_TEST(has(f.detail, "(volume db, path backup.sql)"), f.detail);
  BOOST_TEST(has(f.fix, "add `backupbot.restore.post-hook` to service db's deploy.labels"), f.fix);
}

BOOST_AUTO_TEST_CASE(any_tool_writing_into_a_selected_volume_needs_a_restore_hook) {
  // Not a database tool at all: an export over HTTP into the backed-up volume.
  const std::string app_labels =
      label_on_app + "        - \"backupbot.backup.pre-hook=curl -fsS -o /srv/data/export.json localhost/export\"\n";
  const std::string volume = "    volumes:\n      - data:/srv/data\n";
  auto without = rule(lint_with_plan(load(recipe("nginx:1.25", app_labels, volume, "  data:\n"))), c005);
  BOOST_TEST(!without.satisfied);
  BOOST_TEST(
      has(without.detail, "writes /srv/data/export.json, which the backup takes (volume data, the whole volume)"),
      without.detail);
  BOOST_TEST(has(without.fix, "that loads /srv/data/export.json back (the reverse of its pre-hook)"), without.fix);

  // A restore hook that reads the file, whatever tool it runs, loads it.
  auto with = rule(lint_with_plan(load(recipe("nginx:1.25",
                                              app_labels + "        - \"backupbot.restore.post-hook=curl -fsS -T "
                                                           "/srv/data/export.json localhost/import\"\n",
                                              volume, "  data:\n"))),
                   c005);
  BOOST_TEST(with.satisfied, with.detail);
  // One that runs something else, never touching the file, does not.
  auto other = rule(lint_with_plan(load(
                        recipe("nginx:1.25", app_labels + "        - \"backupbot.restore.post-hook=app-ctl restart\"\n",
                               volume, "  data:\n"))),
                    c005);
  BOOST_TEST(!other.satisfied);
  BOOST_TEST(has(other.detail, "(`app-ctl restart`) neither reads it nor runs a load tool or script"), other.detail);

  // tee and scripts write too.
  for (std::string hook : {"pg_dumpall | tee /srv/data/all.sql", "/usr/local/bin/export.sh /srv/data/export"}) {
    auto f = rule(lint_with_plan(
                      load(recipe("nginx:1.25", label_on_app + "        - \"backupbot.backup.pre-hook=" + hook + "\"\n",
                                  volume, "  data:\n"))),
                  c005);
    BOOST_TEST(!f.satisfied, hook);
  }
}

BOOST_AUTO_TEST_CASE(a_pre_hook_writing_nothing_the_backup_takes_needs_no_restore_hook) {
  const std::string volume = "    volumes:\n      - data:/srv/data\n";
  for (std::string hook : {"/usr/local/bin/not_pg_dumper --now", "pg_dump app > /tmp/dump.sql",
                           "pg_dump app > /srv/data/dumps/x.sql", "app-ctl flush >/dev/null 2>&1"}) {
    const std::string labels = label_on_app + "        - \"backupbot.backup.pre-hook=" + hook +
                               "\"\n        - backupbot.backup.volumes.data.path=uploads\n";
    auto f = rule(lint_with_plan(load(recipe("nginx:1.25", labels, volume, "  data:\n"))), c005);
    BOOST_TEST(f.satisfied, hook << ": " << f.detail);
    BOOST_TEST(has(f.detail, "no backupbot.backup.pre-hook writes a file the backup takes"), f.detail);
  }
}

BOOST_AUTO_TEST_CASE(a_database_image_with_an_unusual_data_directory_is_still_caught) {
  auto c = load(recipe("nginx:1.25", label_on_app, db_service("mongo:7", "mongo:/srv/mongo"), "  mongo:\n"));
  auto dump = rule(lint_with_plan(c), c004);
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.fix, "backupbot.backup.volumes.mongo.path=backup.archive"), dump.fix);
  BOOST_TEST(has(dump.fix, "mongodump"), dump.fix);
}

BOOST_AUTO_TEST_CASE(immich_shape_passes_both_db_rules) {
  auto c = load(recipe("ghcr.io/immich-app/immich-server:v1.132.3", "", immich_db, "  postgres:\n"));
  auto findings = lint_with_plan(c);
  auto dump = rule(findings, c004);
  BOOST_TEST(dump.satisfied, dump.detail);
  BOOST_TEST(has(dump.detail, "volume postgres (service database) limited to backup.sql"), dump.detail);
  // Its pre-hook is a script whose writes the text cannot show: nothing to judge.
  BOOST_TEST(rule(findings, c005).satisfied);
}

BOOST_AUTO_TEST_CASE(path_selection_of_the_dump_passes_and_a_restore_post_hook_satisfies) {
  // The mattermost shape, fixed both ways.
  auto c = load(recipe("nginx:1.25", "",
                       mattermost_db + "        backupbot.backup.volumes.postgres_data.path: postgres-backup.sql\n"
                                       "        backupbot.restore.post-hook: \"psql -U $$POSTGRES_USER -d "
                                       "$$POSTGRES_DB -f /var/lib/postgresql/data/postgres-backup.sql\"\n",
                       "  postgres_data:\n"));
  auto findings = lint_with_plan(c);
  BOOST_TEST(rule(findings, c004).satisfied, rule(findings, c004).detail);
  auto restore = rule(findings, c005);
  BOOST_TEST(restore.satisfied, restore.detail);
  BOOST_TEST(has(restore.detail, "backupbot.restore.post-hook"), restore.detail);
}

BOOST_AUTO_TEST_CASE(a_restore_pre_hook_script_also_loads_the_dump) {
  auto c = load(recipe("nginx:1.25", "", mattermost_db + "        backupbot.restore.pre-hook: /restore.sh\n",
                       "  postgres_data:\n"));
  auto f = rule(lint_with_plan(c), c005);
  BOOST_TEST(f.satisfied, f.detail);
  BOOST_TEST(has(f.detail, "backupbot.restore.pre-hook"), f.detail);
}

BOOST_AUTO_TEST_CASE(a_restore_hook_that_only_removes_the_dump_does_not_load_it) {
  // The bad-restore canary's shape: a hook exists, but nothing reads the dump.
  auto with_hook = [](const std::string& hook) {
    return load(recipe("nginx:1.25", "", mattermost_db + "        backupbot.restore.post-hook: \"" + hook + "\"\n",
                       "  postgres_data:\n"));
  };
  auto f = rule(lint_with_plan(with_hook("rm -f /var/lib/postgresql/data/postgres-backup.sql")), c005);
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "its backupbot.restore.post-hook (`rm -f /var/lib/postgresql/data/postgres-backup.sql`) "
                           "neither reads it nor runs a load tool or script"),
             f.detail);
  BOOST_TEST(rule(lint_with_plan(with_hook("pg_restore -d app /var/lib/postgresql/data/backup.dump")), c005).satisfied);
  BOOST_TEST(rule(lint_with_plan(with_hook("sh -c 'psql app < /var/lib/postgresql/data/postgres-backup.sql'")), c005)
                 .satisfied);
}

BOOST_AUTO_TEST_CASE(selecting_the_data_directory_by_path_is_still_live_data) {
  // Mounted one level up: the path "data" is PGDATA itself.
  auto c = load(
      recipe("nginx:1.25", label_on_app,
             db_service("postgres:15", "db:/var/lib/postgresql", "        - backupbot.backup.volumes.db.path=data/\n"),
             "  db:\n"));
  auto f = rule(lint_with_plan(c), c004);
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "the backup takes /var/lib/postgresql/data of volume db"), f.detail);
  BOOST_TEST(has(f.fix, "backupbot.backup.volumes.db.path=backup.sql"), f.fix);
}

BOOST_AUTO_TEST_CASE(a_volume_mounted_inside_a_data_directory_is_live_data) {
  // PGDATA=/var/lib/postgresql/data/pgdata, a common layout; the image name says nothing.
  auto c = load(
      recipe("nginx:1.25", label_on_app, db_service("example/db:1", "db:/var/lib/postgresql/data/pgdata/"), "  db:\n"));
  auto f = rule(lint_with_plan(c), c004);
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "live data directory /var/lib/postgresql/data/pgdata "), f.detail);
}

BOOST_AUTO_TEST_CASE(mariadb_data_directory_is_recognised_by_mount_target) {
  // The image name says nothing; the mount target does.
  auto c = load(recipe("nginx:1.25", label_on_app,
                       db_service("example/custom-db:1", "mariadb:/var/lib/mysql",
                                  "        - \"backupbot.backup.pre-hook=sh -c 'mariadb-dump --all-databases > "
                                  "/var/lib/mysql/backup.sql'\"\n"),
                       "  mariadb:\n"));
  auto findings = lint_with_plan(c);
  auto dump = rule(findings, c004);
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.fix, "backupbot.backup.volumes.mariadb.path=backup.sql"), dump.fix);
  BOOST_TEST(has(dump.fix, "only the dump its pre-hook writes (/var/lib/mysql/backup.sql)"), dump.fix);
  auto restore = rule(findings, c005);
  BOOST_TEST(!restore.satisfied);
  BOOST_TEST(has(restore.detail, "mariadb-dump"), restore.detail);
  BOOST_TEST(has(restore.fix, "mysql"), restore.fix);
}

BOOST_AUTO_TEST_CASE(a_non_database_volume_backed_up_whole_passes) {
  auto c =
      load(recipe("nginx:1.25", label_on_app, "    volumes:\n      - content:/usr/share/nginx/html\n", "  content:\n"));
  auto findings = lint_with_plan(c);
  auto dump = rule(findings, c004);
  BOOST_TEST(dump.satisfied);
  BOOST_TEST(has(dump.detail, "no database data directory among the 1 backed-up volume(s)"), dump.detail);
  BOOST_TEST(rule(findings, c005).satisfied);
}

BOOST_AUTO_TEST_CASE(the_backup_label_on_several_services_is_a_warning_naming_them) {
  auto c = load(recipe("nginx:1.25", label_on_app,
                       db_service("postgres:15", "db:/var/lib/postgresql/data",
                                  "        - backupbot.backup=true\n        - backupbot.backup.volumes.db=false\n"),
                       "  db:\n"));
  auto f = rule(lint_with_plan(c), c006);
  BOOST_TEST((f.severity == Severity::warning));
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "backupbot.backup=true is set on services app, db"), f.detail);
  BOOST_TEST(has(f.detail, "enables the backup of the whole stack"), f.detail);
  BOOST_TEST(f.fix == "keep `backupbot.backup=true` on service app and remove it from the deploy.labels of service db");
}

// ---- lint_table

BOOST_AUTO_TEST_CASE(lint_table_lists_every_rule_with_its_severity_summary_and_the_fix_of_a_failing_one) {
  Recipe r = with_compose("image: nginx:1.25", "image: nginx");
  const auto findings = r.lint();
  const std::string table = lint_table(findings);
  BOOST_TEST_MESSAGE(table);
  for (const LintRule* rule : lint_rules()) {
    BOOST_TEST(has(table, std::string(rule->id)), rule->id);
    BOOST_TEST(has(table, std::string(rule->summary)), rule->summary);
  }
  for (const auto& f : findings) {
    if (!f.not_judged.empty())
      BOOST_TEST(has(table, "not judged: " + f.not_judged), f.rule);
    else
      BOOST_TEST(has(table, "seen: " + f.detail), f.detail);
    if (!f.satisfied && f.not_judged.empty()) BOOST_TEST(has(table, "fix: " + f.fix), f.fix);
  }
  BOOST_TEST(has(table, "FAIL")); // C002: no tag
  BOOST_TEST(has(table, "warn")); // R003: no tag
  BOOST_TEST(has(table, "not judged"));
  BOOST_TEST(has(table, "pass"));
}

BOOST_AUTO_TEST_CASE(lint_table_is_fixed_width_with_what_was_seen_and_the_fix_under_the_summary) {
  const std::vector<LintFinding> findings{
      {"C002-images-pinned", Severity::error, false, "service app: image `nginx` has no tag",
       "pin service app's image to a version tag"},
      {"R002-healthchecks", Severity::warning, false, "compose.yml:3 service app: no healthcheck", "add one"},
      {"R008-env-sample", Severity::error, true, ".env.sample is provided", ""},
      {"R013-recipe-repo-exists", Severity::warning, false, "", "", "needs the network", true}};
  BOOST_TEST(lint_table(findings) ==
             "rule                     severity  result      what it asks / what was seen\n"
             "-----------------------  --------  ----------  ----------------------------\n"
             "C002-images-pinned       error     FAIL        every service image has an explicit tag that is not "
             "`latest`, or a digest\n"
             "                                               seen: service app: image `nginx` has no tag\n"
             "                                               fix: pin service app's image to a version tag\n"
             "R002-healthchecks        warning   warn        every service has a healthcheck enabled\n"
             "                                               seen: compose.yml:3 service app: no healthcheck\n"
             "                                               fix: add one\n"
             "R008-env-sample          error     pass        a .env.sample is provided\n"
             "                                               seen: .env.sample is provided\n"
             "R013-recipe-repo-exists  warning   not judged  the recipe's repository exists on git.coopcloud.tech\n"
             "                                               not judged: needs the network\n");
}

// ---- the rule list

namespace {

/// A service using a config that is not declared at top level, which
/// load_compose would refuse, so the Compose is built by hand.
Compose undeclared_config() {
  Compose c;
  ComposeService s;
  s.name = "app";
  s.image = "nginx:1.25";
  s.configs = {"nginx_conf"};
  c.services = {s};
  return c;
}

/// `<CODE>-<slug>`: R or C, three digits, a dash, lowercase words with dashes.
bool code_and_slug(std::string_view id) {
  if (id.size() < 6 || (id[0] != 'R' && id[0] != 'C') || id[4] != '-') return false;
  for (std::size_t i = 1; i < 4; ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  return id.substr(5).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(rule_ids_are_unique_codes_with_slugs_and_every_rule_says_what_it_asks) {
  BOOST_TEST_REQUIRE(!lint_rules().empty());
  BOOST_TEST(code_and_slug("R009-one-service-named-app"));
  BOOST_TEST(!code_and_slug("one-service-named-app"));
  BOOST_TEST(!code_and_slug("R9-app"));
  BOOST_TEST(!code_and_slug("R009-App"));
  std::set<std::string_view> ids, codes;
  for (const LintRule* r : lint_rules()) {
    BOOST_TEST_REQUIRE((r != nullptr));
    BOOST_TEST(ids.insert(r->id).second, "rule id " << r->id << " is listed twice");
    // The id names the rule's file and its check (`lint/<id>`) in results.json.
    BOOST_TEST(code_and_slug(r->id), "rule id " << r->id << " is not <CODE>-<slug>");
    BOOST_TEST(codes.insert(r->id.substr(0, 4)).second, "code " << r->id.substr(0, 4) << " is used twice");
    BOOST_TEST(!r->summary.empty(), "rule " << r->id << " has no summary");
    BOOST_TEST((r->check != nullptr), "rule " << r->id << " has no check");
  }
}

BOOST_AUTO_TEST_CASE(lint_recipe_reports_every_listed_rule_in_order_with_its_severity) {
  const auto findings = Recipe().lint();
  const auto rules = lint_rules();
  BOOST_TEST_REQUIRE(findings.size() == rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    BOOST_TEST(findings[i].rule == rules[i]->id);
    BOOST_TEST(findings[i].severity == rules[i]->severity, findings[i].rule);
    BOOST_TEST(findings[i].needs_network == rules[i]->needs_network, findings[i].rule);
  }
}

BOOST_AUTO_TEST_CASE(every_offline_rule_has_a_recipe_that_breaks_it) {
  // A rule nothing can break checks nothing: each listed rule needs a case here.
  const std::map<std::string, std::function<std::vector<LintFinding>()>> breaks{
      {"R001-compose-version", [] { return with_compose("version: \"3.8\"\n", "").lint(); }},
      {"R002-healthchecks",
       [] { return with_compose("      test: [\"CMD\", \"true\"]\n", "      disable: true\n").lint(); }},
      {"R003-images-tagged", [] { return with_compose("image: nginx:1.25", "image: nginx").lint(); }},
      {"R004-no-unstable-tags", [] { return with_compose("image: nginx:1.25", "image: nginx:latest").lint(); }},
      {"R005-semver-like-tags", [] { return with_compose("image: nginx:1.25", "image: nginx:stable").lint(); }},
      {"R007-readme-metadata", [] { return with("README.md", "# nothing\n").lint(); }},
      {"R008-env-sample", [] { return with(".env.sample", std::nullopt).lint(); }},
      {"R009-one-service-named-app", [] { return with_compose("  app:\n", "  web:\n").lint(); }},
      {"R010-traefik-enabled", [] { return with_compose("traefik.enable=true", "traefik.enable=false").lint(); }},
      {"R011-images-present",
       [] {
         Recipe r;
         r.files["compose.x.yml"] = "services:\n  x:\n    command: run\n";
         return r.lint();
       }},
      {"R012-config-versions-vendored", [] { return with("abra.sh", std::nullopt).lint(); }},
      {"R014-annotated-tags",
       [] {
         Recipe r;
         r.tags = {{"1.0.0+1.25", false}};
         return r.lint();
       }},
      {"R015-short-secret-names",
       [] {
         Recipe r;
         r.files["compose.x.yml"] = "secrets:\n  a_much_too_long_key:\n    external: true\n";
         return r.lint();
       }},
      {"C001-version-label-matches-tag", [] { return lint_recipe(load(recipe()), {}, "9.9.9+1.25"); }},
      {"C002-images-pinned", [] { return lint_recipe(load(recipe("nginx:latest")), {}, ""); }},
      {"C003-secrets-configs-declared", [] { return lint_recipe(undeclared_config(), {}, ""); }},
      {"C004-db-backup-is-a-dump",
       [] { return lint_with_plan(load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n"))); }},
      {"C005-dump-has-restore-hook",
       [] { return lint_with_plan(load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n"))); }},
      {"C006-backupbot-label-once",
       [] {
         return lint_with_plan(
             load(recipe("nginx:1.25", "        - backupbot.backup=true\n", mattermost_db, "  postgres_data:\n")));
       }},
  };
  for (const LintRule* r : lint_rules()) {
    if (r->needs_network) continue;
    const std::string id(r->id);
    auto it = breaks.find(id);
    BOOST_TEST((it != breaks.end()), "rule " << id << " has no recipe that breaks it in this test: add one");
    if (it == breaks.end()) continue;
    const auto findings = it->second();
    const auto& f = rule(findings, id);
    BOOST_TEST(!f.satisfied, id << ": " << f.detail);
    BOOST_TEST(f.not_judged.empty(), id << ": " << f.not_judged);
    BOOST_TEST(!f.fix.empty(), id << " says nothing about how to fix it");
  }
}

BOOST_AUTO_TEST_CASE(an_undeclared_config_fails_secrets_configs_declared) {
  auto f = rule(lint_recipe(undeclared_config(), {}, ""), "C003-secrets-configs-declared");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "service app uses config `nginx_conf`, not declared at top level"), f.detail);
  BOOST_TEST(has(f.fix, "declare `nginx_conf` under the top-level `configs:`"), f.fix);
}
