#define BOOST_TEST_MODULE lint
#include <boost/test/unit_test.hpp>

#include "backup/plan.hpp"
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

BOOST_AUTO_TEST_CASE(every_rule_yields_exactly_one_finding) {
  auto findings = lint_recipe(load(recipe()), BackupPlan{}, "1.0.0+1.25");
  std::vector<std::string> names;
  for (const auto& f : findings)
    names.push_back(f.rule);
  std::vector<std::string> expected{"version-label-matches-tag",  "images-pinned",
                                    "secrets-configs-declared",   "C004-db-backup-is-a-dump",
                                    "C005-dump-has-restore-hook", "C006-backupbot-label-once"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  for (const auto& f : findings) {
    BOOST_TEST((f.severity == (f.rule == "C006-backupbot-label-once" ? Severity::warning : Severity::error)), f.rule);
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
  // The shape: backupbot.backup=true on app only; db's volume is
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

BOOST_AUTO_TEST_CASE(lint_table_lists_every_rule_and_the_fix_of_a_failing_one) {
  auto c = load(recipe("nginx", "", mattermost_db, "  postgres_data:\n"));
  auto findings = lint_with_plan(c, "2.1.9+10.11.15");
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
    BOOST_TEST((r->id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") ==
                std::string_view::npos),
               "rule id " << r->id << " is not <CODE>-<slug>");
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
