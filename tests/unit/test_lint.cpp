#define BOOST_TEST_MODULE lint
#include <boost/test/unit_test.hpp>

#include "lint/lint.hpp"
#include "support/files.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <map>
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

BackupPlan mattermost_plan() {
  ServiceBackup sb;
  sb.service = "postgres";
  sb.pre_hook = "sh -c 'pg_dump -U $POSTGRES_USER $POSTGRES_DB > /var/lib/postgresql/data/postgres-backup.sql'";
  sb.post_hook = "rm -f /var/lib/postgresql/data/postgres-backup.sql";
  sb.volumes = {VolumeSelection{"postgres_data", "/var/lib/postgresql/data", {}}};
  return BackupPlan{"app_example_com", {sb}};
}

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

BackupPlan immich_plan() {
  ServiceBackup sb;
  sb.service = "database";
  sb.pre_hook = "/pg_backup.sh backup";
  sb.restore_post_hook = "/pg_backup.sh restore";
  sb.volumes = {VolumeSelection{"postgres", "/var/lib/postgresql/data", {"backup.sql"}}};
  return BackupPlan{"app_example_com", {sb}};
}

} // namespace

BOOST_AUTO_TEST_CASE(every_rule_yields_exactly_one_finding) {
  auto findings = lint_recipe(load(recipe()), BackupPlan{}, "1.0.0+1.25");
  std::vector<std::string> names;
  for (const auto& f : findings)
    names.push_back(f.rule);
  std::vector<std::string> expected{"version-label-matches-tag", "images-pinned", "secrets-configs-declared",
                                    "db-backup-is-a-dump", "dump-has-restore-hook"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  for (const auto& f : findings) {
    BOOST_TEST(f.severity == Severity::error);
    BOOST_TEST(f.satisfied, f.rule << ": " << f.detail);
    BOOST_TEST(!f.detail.empty());
    BOOST_TEST(f.fix.empty());
  }
}

// ---- version-label-matches-tag

BOOST_AUTO_TEST_CASE(version_label_equal_to_tag_passes) {
  auto f = rule(lint_recipe(load(recipe()), {}, "1.0.0+1.25"), "version-label-matches-tag");
  BOOST_TEST(f.satisfied);
  BOOST_TEST(has(f.detail, "coop-cloud.app_example_com.version=1.0.0+1.25"), f.detail);
}

BOOST_AUTO_TEST_CASE(version_label_different_from_tag_fails) {
  auto f = rule(lint_recipe(load(recipe()), {}, "1.0.1+1.25"), "version-label-matches-tag");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "1.0.0+1.25"), f.detail);
  BOOST_TEST(has(f.detail, "1.0.1+1.25"), f.detail);
  BOOST_TEST(has(f.fix, "coop-cloud.${STACK_NAME}.version=1.0.1+1.25"), f.fix);
  BOOST_TEST(has(f.fix, "service app"), f.fix);
}

BOOST_AUTO_TEST_CASE(version_label_missing_fails) {
  auto f = rule(lint_recipe(load(recipe("nginx:1.25", "")), {}, "1.0.0+1.25"), "version-label-matches-tag");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "no `coop-cloud.<stack>.version`"), f.detail);
  BOOST_TEST(has(f.fix, "add `coop-cloud.${STACK_NAME}.version=1.0.0+1.25` to service app's deploy.labels"), f.fix);
}

BOOST_AUTO_TEST_CASE(empty_tag_is_not_a_release_and_is_satisfied_with_a_note) {
  auto with_label = rule(lint_recipe(load(recipe()), {}, ""), "version-label-matches-tag");
  BOOST_TEST(with_label.satisfied);
  BOOST_TEST(has(with_label.detail, "not testing a release tag"), with_label.detail);

  auto without = rule(lint_recipe(load(recipe("nginx:1.25", "")), {}, ""), "version-label-matches-tag");
  BOOST_TEST(without.satisfied);
  BOOST_TEST(has(without.detail, "not testing a release tag"), without.detail);
  BOOST_TEST(has(without.detail, "no coop-cloud.*.version label"), without.detail);
}

// ---- images-pinned

BOOST_AUTO_TEST_CASE(images_with_a_version_tag_or_digest_pass) {
  for (std::string image : {"nginx:1.25", "registry:5000/app:2.0", "ghcr.io/org/app:v1.2.3",
                            "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                            "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    auto f = rule(lint_recipe(load(recipe(image)), {}, ""), "images-pinned");
    BOOST_TEST(f.satisfied, image << ": " << f.detail);
  }
}

BOOST_AUTO_TEST_CASE(images_without_tag_or_latest_fail) {
  struct Case {
    std::string image, repository, why;
  };
  for (const auto& c : {Case{"nginx", "nginx", "has no tag"}, Case{"nginx:latest", "nginx", "`latest`"},
                        Case{"registry:5000/app", "registry:5000/app", "has no tag"}}) {
    auto f = rule(lint_recipe(load(recipe(c.image)), {}, ""), "images-pinned");
    BOOST_TEST(!f.satisfied, c.image);
    BOOST_TEST(has(f.detail, "service app: image `" + c.image + "`"), f.detail);
    BOOST_TEST(has(f.detail, c.why), f.detail);
    BOOST_TEST(has(f.fix, "pin service app's image to a version tag, e.g. `" + c.repository + ":<version>`"), f.fix);
  }
}

BOOST_AUTO_TEST_CASE(images_pinned_names_every_unpinned_service) {
  auto c = load(recipe("nginx:1.25", "", "  worker:\n    image: busybox\n  cache:\n    image: redis:latest\n"));
  auto f = rule(lint_recipe(c, {}, ""), "images-pinned");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "service worker"), f.detail);
  BOOST_TEST(has(f.detail, "service cache"), f.detail);
  BOOST_TEST(!has(f.detail, "service app"), f.detail);
}

// ---- secrets-configs-declared

BOOST_AUTO_TEST_CASE(secrets_and_configs_declared_is_satisfied_for_a_loaded_compose) {
  auto c = load(recipe("nginx:1.25", "", "    secrets:\n      - db_password\n    configs:\n      - nginx_conf\n", "") +
                "secrets:\n  db_password:\n    external: true\n    name: ${STACK_NAME}_db_password_v1\n"
                "configs:\n  nginx_conf:\n    file: nginx.conf\n");
  auto f = rule(lint_recipe(c, {}, ""), "secrets-configs-declared");
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
  auto f = rule(lint_recipe(c, {}, ""), "secrets-configs-declared");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "secret `db_password`"), f.detail);
  BOOST_TEST(has(f.fix, "top-level `secrets:`"), f.fix);
}

// ---- db-backup-is-a-dump and dump-has-restore-hook

BOOST_AUTO_TEST_CASE(no_backup_labels_passes_both_backup_rules) {
  auto c =
      load(recipe("nginx:1.25", "",
                  "  db:\n    image: postgres:15\n    volumes:\n      - db:/var/lib/postgresql/data\n", "  db:\n"));
  auto findings = lint_recipe(c, BackupPlan{"app_example_com", {}}, "");
  for (auto name : {"db-backup-is-a-dump", "dump-has-restore-hook"}) {
    auto f = rule(findings, name);
    BOOST_TEST(f.satisfied, name);
    BOOST_TEST(has(f.detail, "no backup configured"), f.detail);
  }
}

BOOST_AUTO_TEST_CASE(mattermost_lts_shape_fails_both_db_rules) {
  auto c = load(recipe("mattermost/mattermost-team-edition:10.11.15", "", mattermost_db, "  postgres_data:\n"));
  auto findings = lint_recipe(c, mattermost_plan(), "");

  auto dump = rule(findings, "db-backup-is-a-dump");
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.detail, "service postgres"), dump.detail);
  BOOST_TEST(has(dump.detail, "/var/lib/postgresql/data"), dump.detail);
  // The pre-hook already writes a dump inside the volume: select exactly that file.
  BOOST_TEST(has(dump.fix, "add `backupbot.backup.volumes.postgres_data.path=postgres-backup.sql` to service "
                           "postgres's deploy.labels so only the dump"),
             dump.fix);

  auto restore = rule(findings, "dump-has-restore-hook");
  BOOST_TEST(!restore.satisfied);
  BOOST_TEST(has(restore.detail, "pg_dump"), restore.detail);
  BOOST_TEST(has(restore.detail, "/var/lib/postgresql/data/postgres-backup.sql"), restore.detail);
  BOOST_TEST(has(restore.fix, "add `backupbot.restore.post-hook` to service postgres's deploy.labels"), restore.fix);
  BOOST_TEST(has(restore.fix, "psql"), restore.fix);
  BOOST_TEST(has(restore.fix, "/var/lib/postgresql/data/postgres-backup.sql"), restore.fix);
}

BOOST_AUTO_TEST_CASE(whole_data_volume_without_a_dump_gets_a_conventional_dump_path) {
  // No pre-hook at all: the raw files of a running postgres are archived.
  auto c =
      load(recipe("nginx:1.25", "",
                  "  db:\n    image: postgres:15\n    volumes:\n      - db:/var/lib/postgresql/data\n", "  db:\n"));
  ServiceBackup sb;
  sb.service = "db";
  sb.volumes = {VolumeSelection{"db", "/var/lib/postgresql/data", {}}};
  auto findings = lint_recipe(c, BackupPlan{"s", {sb}}, "");
  auto dump = rule(findings, "db-backup-is-a-dump");
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.detail, "the whole of volume db"), dump.detail);
  BOOST_TEST(has(dump.fix, "add `backupbot.backup.volumes.db.path=backup.sql` to service db's deploy.labels so only "
                           "the dump is archived"),
             dump.fix);
  BOOST_TEST(has(dump.fix, "pg_dump to /var/lib/postgresql/data/backup.sql"), dump.fix);
  // Nothing is dumped, so there is no dump to load: that rule has nothing to say.
  BOOST_TEST(rule(findings, "dump-has-restore-hook").satisfied);
}

BOOST_AUTO_TEST_CASE(a_database_image_with_an_unusual_data_directory_is_still_caught) {
  auto c = load(
      recipe("nginx:1.25", "", "  db:\n    image: mongo:7\n    volumes:\n      - mongo:/srv/mongo\n", "  mongo:\n"));
  ServiceBackup sb;
  sb.service = "db";
  sb.volumes = {VolumeSelection{"mongo", "/srv/mongo", {}}};
  auto dump = rule(lint_recipe(c, BackupPlan{"s", {sb}}, ""), "db-backup-is-a-dump");
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.fix, "backupbot.backup.volumes.mongo.path=backup.archive"), dump.fix);
  BOOST_TEST(has(dump.fix, "mongodump"), dump.fix);
}

BOOST_AUTO_TEST_CASE(immich_shape_passes_both_db_rules) {
  auto c = load(recipe("ghcr.io/immich-app/immich-server:v1.132.3", "", immich_db, "  postgres:\n"));
  auto findings = lint_recipe(c, immich_plan(), "");
  auto dump = rule(findings, "db-backup-is-a-dump");
  BOOST_TEST(dump.satisfied, dump.detail);
  BOOST_TEST(has(dump.detail, "volume postgres limited to backup.sql"), dump.detail);
  BOOST_TEST(rule(findings, "dump-has-restore-hook").satisfied);
}

BOOST_AUTO_TEST_CASE(path_selection_of_the_dump_passes_and_a_restore_post_hook_satisfies) {
  // The mattermost shape, fixed both ways.
  auto c = load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n"));
  auto plan = mattermost_plan();
  plan.services[0].volumes[0].paths = {"backup.sql"};
  plan.services[0].restore_post_hook = "psql -U $POSTGRES_USER -d $POSTGRES_DB -f /var/lib/postgresql/data/backup.sql";
  auto findings = lint_recipe(c, plan, "");
  BOOST_TEST(rule(findings, "db-backup-is-a-dump").satisfied, rule(findings, "db-backup-is-a-dump").detail);
  auto restore = rule(findings, "dump-has-restore-hook");
  BOOST_TEST(restore.satisfied);
  BOOST_TEST(has(restore.detail, "backupbot.restore.post-hook"), restore.detail);
}

BOOST_AUTO_TEST_CASE(a_restore_pre_hook_also_loads_the_dump) {
  auto c = load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n"));
  auto plan = mattermost_plan();
  plan.services[0].restore_pre_hook = "/restore.sh";
  BOOST_TEST(rule(lint_recipe(c, plan, ""), "dump-has-restore-hook").satisfied);
}

BOOST_AUTO_TEST_CASE(a_restore_hook_that_only_removes_the_dump_does_not_load_it) {
  // The bad-restore canary's shape: a hook exists, but nothing reads the dump.
  auto c = load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n"));
  auto plan = mattermost_plan();
  plan.services[0].restore_post_hook = "rm -f /var/lib/postgresql/data/backup.sql";
  auto f = rule(lint_recipe(c, plan, ""), "dump-has-restore-hook");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "runs no load tool or script"), f.detail);
  plan.services[0].restore_post_hook = "pg_restore -d app /var/lib/postgresql/data/backup.dump";
  BOOST_TEST(rule(lint_recipe(c, plan, ""), "dump-has-restore-hook").satisfied);
}

BOOST_AUTO_TEST_CASE(selecting_the_data_directory_by_path_is_still_live_data) {
  // Mounted one level up: the path "data" is PGDATA itself.
  auto c = load(recipe("nginx:1.25", "",
                       "  db:\n    image: postgres:15\n    volumes:\n      - db:/var/lib/postgresql\n", "  db:\n"));
  ServiceBackup sb;
  sb.service = "db";
  sb.volumes = {VolumeSelection{"db", "/var/lib/postgresql", {"data/"}}};
  auto f = rule(lint_recipe(c, BackupPlan{"s", {sb}}, ""), "db-backup-is-a-dump");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.fix, "backupbot.backup.volumes.db.path=backup.sql"), f.fix);
}

BOOST_AUTO_TEST_CASE(a_volume_mounted_inside_a_data_directory_is_live_data) {
  // PGDATA=/var/lib/postgresql/data/pgdata, a common layout; the image name says nothing.
  auto c = load(recipe("nginx:1.25", "",
                       "  db:\n    image: example/db:1\n    volumes:\n      - db:/var/lib/postgresql/data/pgdata\n",
                       "  db:\n"));
  ServiceBackup sb;
  sb.service = "db";
  sb.volumes = {VolumeSelection{"db", "/var/lib/postgresql/data/pgdata/", {}}};
  auto f = rule(lint_recipe(c, BackupPlan{"s", {sb}}, ""), "db-backup-is-a-dump");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "live data directory /var/lib/postgresql/data/pgdata "), f.detail);
}

BOOST_AUTO_TEST_CASE(mariadb_data_directory_is_recognised_by_mount_target) {
  // The image name says nothing; the mount target does.
  auto c = load(recipe("nginx:1.25", "",
                       "  db:\n    image: example/custom-db:1\n    volumes:\n      - mariadb:/var/lib/mysql\n",
                       "  mariadb:\n"));
  ServiceBackup sb;
  sb.service = "db";
  sb.pre_hook = "sh -c 'mariadb-dump --all-databases > /var/lib/mysql/backup.sql'";
  sb.volumes = {VolumeSelection{"mariadb", "/var/lib/mysql", {}}};
  auto findings = lint_recipe(c, BackupPlan{"s", {sb}}, "");
  auto dump = rule(findings, "db-backup-is-a-dump");
  BOOST_TEST(!dump.satisfied);
  BOOST_TEST(has(dump.fix, "backupbot.backup.volumes.mariadb.path=backup.sql"), dump.fix);
  auto restore = rule(findings, "dump-has-restore-hook");
  BOOST_TEST(!restore.satisfied);
  BOOST_TEST(has(restore.detail, "mariadb-dump"), restore.detail);
  BOOST_TEST(has(restore.fix, "mysql"), restore.fix);
}

BOOST_AUTO_TEST_CASE(a_non_database_service_backed_up_whole_passes) {
  auto c = load(recipe());
  ServiceBackup sb;
  sb.service = "app";
  sb.volumes = {VolumeSelection{"content", "/usr/share/nginx/html", {}}};
  auto findings = lint_recipe(c, BackupPlan{"s", {sb}}, "");
  auto dump = rule(findings, "db-backup-is-a-dump");
  BOOST_TEST(dump.satisfied);
  BOOST_TEST(has(dump.detail, "no database data directory"), dump.detail);
  auto restore = rule(findings, "dump-has-restore-hook");
  BOOST_TEST(restore.satisfied);
  BOOST_TEST(has(restore.detail, "no backupbot.backup.pre-hook produces a database dump"), restore.detail);
}

BOOST_AUTO_TEST_CASE(dump_tools_are_matched_as_whole_words) {
  ServiceBackup sb;
  sb.service = "app";
  sb.pre_hook = "/usr/local/bin/not_pg_dumper --now";
  auto f = rule(lint_recipe(load(recipe()), BackupPlan{"s", {sb}}, ""), "dump-has-restore-hook");
  BOOST_TEST(f.satisfied, f.detail);
}

// ---- lint_table

BOOST_AUTO_TEST_CASE(lint_table_lists_every_rule_and_the_fix_of_a_failing_one) {
  auto c = load(recipe("nginx", "", mattermost_db, "  postgres_data:\n"));
  auto findings = lint_recipe(c, mattermost_plan(), "2.1.9+10.11.15");
  const std::string table = lint_table(findings);
  BOOST_TEST_MESSAGE(table);
  for (const auto& f : findings) {
    BOOST_TEST(has(table, f.rule), f.rule);
    BOOST_TEST(has(table, f.detail), f.detail);
    if (!f.satisfied) BOOST_TEST(has(table, "fix: " + f.fix), f.fix);
  }
  BOOST_TEST(has(table, "rule"));
  BOOST_TEST(has(table, "severity"));
  BOOST_TEST(has(table, "satisfied"));
  BOOST_TEST(has(table, "backupbot.backup.volumes.postgres_data.path=postgres-backup.sql"));
  BOOST_TEST(has(table, "NO"));
  BOOST_TEST(has(table, "yes")); // secrets-configs-declared
}

BOOST_AUTO_TEST_CASE(lint_table_is_fixed_width_with_each_fix_under_its_detail) {
  const std::vector<LintFinding> findings{{"images-pinned", Severity::error, false,
                                           "service app: image `nginx` has no tag",
                                           "pin service app's image to a version tag"},
                                          {"a-warning-rule", Severity::warning, true, "all fine", ""},
                                          {"dump-has-restore-hook", Severity::error, false, "no restore hook", ""}};
  BOOST_TEST(lint_table(findings) ==
             "rule                   severity  satisfied  detail / how to fix\n"
             "---------------------  --------  ---------  -------------------\n"
             "images-pinned          error     NO         service app: image `nginx` has no tag\n"
             "                                            fix: pin service app's image to a "
             "version tag\n"
             "a-warning-rule         warning   yes        all fine\n"
             "dump-has-restore-hook  error     NO         no restore hook\n");
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

} // namespace

BOOST_AUTO_TEST_CASE(rule_ids_are_unique_and_every_rule_says_what_it_asks) {
  BOOST_TEST_REQUIRE(!lint_rules().empty());
  std::set<std::string_view> ids;
  for (const LintRule* r : lint_rules()) {
    BOOST_TEST_REQUIRE((r != nullptr));
    BOOST_TEST(ids.insert(r->id).second, "rule id " << r->id << " is listed twice");
    // The id names the rule's file and its check (`lint/<id>`) in results.json.
    BOOST_TEST(!r->id.empty());
    BOOST_TEST((r->id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos),
               "rule id " << r->id << " is not lowercase-with-dashes");
    BOOST_TEST(!r->summary.empty(), "rule " << r->id << " has no summary");
    BOOST_TEST((r->check != nullptr), "rule " << r->id << " has no check");
  }
}

BOOST_AUTO_TEST_CASE(lint_recipe_reports_every_listed_rule_in_order_with_its_severity) {
  const auto findings = lint_recipe(load(recipe()), {}, "");
  const auto rules = lint_rules();
  BOOST_TEST_REQUIRE(findings.size() == rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    BOOST_TEST(findings[i].rule == rules[i]->id);
    BOOST_TEST(findings[i].severity == rules[i]->severity, findings[i].rule);
  }
}

BOOST_AUTO_TEST_CASE(every_rule_has_a_recipe_that_breaks_it) {
  // A rule nothing can break checks nothing: each listed rule needs a case here.
  const std::map<std::string, std::function<std::vector<LintFinding>()>> breaks{
      {"version-label-matches-tag", [] { return lint_recipe(load(recipe()), {}, "9.9.9+1.25"); }},
      {"images-pinned", [] { return lint_recipe(load(recipe("nginx:latest")), {}, ""); }},
      {"secrets-configs-declared", [] { return lint_recipe(undeclared_config(), {}, ""); }},
      {"db-backup-is-a-dump",
       [] {
         return lint_recipe(load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n")), mattermost_plan(), "");
       }},
      {"dump-has-restore-hook",
       [] {
         return lint_recipe(load(recipe("nginx:1.25", "", mattermost_db, "  postgres_data:\n")), mattermost_plan(), "");
       }},
  };
  for (const LintRule* r : lint_rules()) {
    const std::string id(r->id);
    auto it = breaks.find(id);
    BOOST_TEST((it != breaks.end()), "rule " << id << " has no recipe that breaks it in this test: add one");
    if (it == breaks.end()) continue;
    const auto findings = it->second();
    const auto& f = rule(findings, id);
    BOOST_TEST(!f.satisfied, id << ": " << f.detail);
    BOOST_TEST(!f.fix.empty(), id << " says nothing about how to fix it");
  }
}

BOOST_AUTO_TEST_CASE(an_undeclared_config_fails_secrets_configs_declared) {
  auto f = rule(lint_recipe(undeclared_config(), {}, ""), "secrets-configs-declared");
  BOOST_TEST(!f.satisfied);
  BOOST_TEST(has(f.detail, "service app uses config `nginx_conf`, not declared at top level"), f.detail);
  BOOST_TEST(has(f.fix, "declare `nginx_conf` under the top-level `configs:` of compose.yml"), f.fix);
}
