#define BOOST_TEST_MODULE backup
#include <boost/test/unit_test.hpp>

#include "backup/archive.hpp"
#include "backup/hook_text.hpp"
#include "support/files.hpp"

#include <fmt/format.h>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

/// A directory of its own per test, removed afterwards.
class Scratch : public ccci::test::TempTree {
public:
  Scratch() : TempTree("unit-backup") {}
  Compose compose(const std::string& text) const {
    write("compose.yml", text);
    return load_compose(dir(), {"compose.yml"}, {});
  }
};

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// ---- tar streams as `docker cp CONTAINER:PATH -` writes them

struct TarEntry {
  std::string path;
  std::string data;
  bool directory = false;
  int mode = 0644;
  std::string hardlink; ///< non-empty: a hard link to this path
};

TarEntry dir(std::string path, int mode = 0755) { return {std::move(path), "", true, mode, ""}; }
TarEntry file(std::string path, std::string data, int mode = 0644) {
  return {std::move(path), std::move(data), false, mode, ""};
}

struct WriteFree {
  void operator()(archive* a) const noexcept { archive_write_free(a); }
};
struct ReadFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};

la_ssize_t append(archive*, void* out, const void* buffer, std::size_t length) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

/// An uncompressed tar as docker's Go archive/tar writes it: ustar, with pax
/// records only where a name needs them.
std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  BOOST_TEST_REQUIRE(archive_write_set_format_pax_restricted(a.get()) == ARCHIVE_OK);
  BOOST_TEST_REQUIRE(archive_write_open2(a.get(), &out, nullptr, &append, nullptr, nullptr) == ARCHIVE_OK);
  for (const auto& e : entries) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname_utf8(entry.get(), e.path.c_str());
    archive_entry_set_filetype(entry.get(), e.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), static_cast<mode_t>(e.mode));
    archive_entry_set_mtime(entry.get(), 1700000000, 0);
    if (!e.hardlink.empty()) archive_entry_set_hardlink_utf8(entry.get(), e.hardlink.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
    BOOST_TEST_REQUIRE(archive_write_header(a.get(), entry.get()) == ARCHIVE_OK);
    if (!e.data.empty())
      BOOST_TEST_REQUIRE(archive_write_data(a.get(), e.data.data(), e.data.size()) ==
                         static_cast<la_ssize_t>(e.data.size()));
  }
  BOOST_TEST_REQUIRE(archive_write_close(a.get()) == ARCHIVE_OK);
  return out;
}

/// A tar whose one file has a non-ASCII name, byte for byte as docker's Go
/// archive/tar writes it: a pax "path" record in UTF-8, an ASCII stand-in in
/// the ustar header. Built by hand because libarchive, in the C locale the
/// tests run in, will not write a UTF-8 name it cannot convert.
std::string docker_pax_stream(const std::string& name, const std::string& data) {
  auto header = [](const std::string& field_name, char type, std::size_t size) {
    std::string h(512, '\0');
    auto put = [&](std::size_t offset, const std::string& value) { h.replace(offset, value.size(), value); };
    put(0, field_name);
    put(100, fmt::format("{:07o}", 0644));
    put(108, "0000000");
    put(116, "0000000");
    put(124, fmt::format("{:011o}", size));
    put(136, fmt::format("{:011o}", 1700000000));
    h[156] = type;
    put(257, "ustar");
    put(263, "00");
    put(148, "        "); // the checksum counts its own field as spaces
    unsigned sum = 0;
    for (unsigned char c : h)
      sum += c;
    put(148, fmt::format("{:06o}", sum));
    h[154] = '\0';
    return h;
  };
  auto padded = [](std::string block) {
    block.resize((block.size() + 511) / 512 * 512, '\0');
    return block;
  };
  // "<length> path=<name>\n", the length counting its own digits.
  const std::string body = " path=" + name + "\n";
  std::size_t length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length)
    ++length;
  const std::string record = std::to_string(length) + body;
  return header("PaxHeaders.0/x", 'x', record.size()) + padded(record) + header("./x.txt", '0', data.size()) +
         padded(data) + std::string(1024, '\0');
}

/// Every entry of an uncompressed tar (a restore stream), data included.
std::vector<TarEntry> read_tar(const std::string& tar) {
  std::vector<TarEntry> out;
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  BOOST_TEST_REQUIRE(archive_read_open_memory(a.get(), tar.data(), tar.size()) == ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    TarEntry t;
    // As stored: ccci keeps names as bytes (see backup.cpp), so read them as bytes.
    t.path = archive_entry_pathname(e);
    t.directory = archive_entry_filetype(e) == AE_IFDIR;
    if (t.directory && t.path.ends_with('/')) t.path.pop_back(); // tar's spelling of a directory
    t.mode = static_cast<int>(archive_entry_perm(e));
    if (const char* link = archive_entry_hardlink(e)) t.hardlink = link;
    char buffer[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0)
      t.data.append(buffer, static_cast<std::size_t>(n));
    BOOST_TEST_REQUIRE(n == 0);
    out.push_back(std::move(t));
  }
  return out;
}

const TarEntry& entry(const std::vector<TarEntry>& entries, const std::string& path) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.path == path; });
  BOOST_TEST_REQUIRE((it != entries.end()), "no entry " << path);
  return *it;
}

/// Through the interface plugins get, where read()'s max_bytes has its default.
std::optional<std::string> read(const ccci::BackupArchive& archive, const std::string& path) {
  return archive.read(path);
}

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(42);
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(gen() & 0xff);
  return out;
}

const std::string stack = "bk-1a2b_ccci_test";
const std::string data_root = archive_volume_root(stack, "data");
const std::string db_root = archive_volume_root(stack, "db");
const std::string sql = "CREATE TABLE t (x int);\nINSERT INTO t VALUES (1);\n";
const std::string big = random_bytes(300 * 1024); // incompressible: half the .tar.gz is mid-stream

/// The stack backs up all of `data` (app's, `uploads` excluded) and only
/// backup.sql of `db`.
BackupPlan sample_plan() {
  BackupPlan plan;
  plan.stack = stack;
  plan.enabled_by = {"app"};
  plan.volumes.push_back({"data", {{"app", "/srv/data"}}, {}});
  plan.volumes.push_back({"db", {{"db", "/var/lib/postgresql/data"}}, {"backup.sql"}});
  plan.excluded.push_back("uploads");
  return plan;
}

std::string data_stream() {
  return make_tar({dir("./"), dir("./a", 0750), file("./a/b.txt", "hello\n", 0640), file("./big.bin", big)});
}

/// The archive sample_plan() expects, as ccci writes it.
fs::path write_sample(const Scratch& tmp, const std::string& name = "backup.tar.gz") {
  ArchiveWriter w(tmp / name);
  w.add_tar_stream(data_stream(), data_root);
  w.add_tar_stream(make_tar({file("backup.sql", sql, 0600)}), db_root);
  w.close();
  return tmp / name;
}

const VolumeSelection& volume(const BackupPlan& plan, const std::string& name) {
  auto it = std::find_if(plan.volumes.begin(), plan.volumes.end(), [&](const auto& v) { return v.volume == name; });
  BOOST_TEST_REQUIRE((it != plan.volumes.end()), "no volume " << name << " in the plan");
  return *it;
}

std::vector<std::string> volume_names(const BackupPlan& plan) {
  std::vector<std::string> out;
  for (const auto& v : plan.volumes)
    out.push_back(v.volume);
  return out;
}

std::string defect(const Scratch& tmp, const std::string& compose_text) {
  try {
    plan_backup(tmp.compose(compose_text), stack);
  } catch (const RecipeDefect& e) {
    return e.what();
  }
  return "(no RecipeDefect thrown)";
}

} // namespace

// ------------------------------------------------------------------ plan

BOOST_AUTO_TEST_CASE(one_label_on_app_backs_up_every_volume_of_every_service) {
  // The backup-bot-two shape: the label on app, the database volume and its
  // hooks on db, a cache no label mentions.
  Scratch tmp;
  const BackupPlan plan = plan_backup(tmp.compose(R"yaml(version: "3.8"
services:
  app:
    image: nginx
    volumes:
      - data:/srv/data
    deploy:
      labels:
        - "backupbot.backup=true"
  db:
    image: postgres
    volumes:
      - type: volume
        source: db
        target: /var/lib/postgresql/data
    deploy:
      labels:
        backupbot.backup.pre-hook: "pg_dump -U postgres -f /var/lib/postgresql/data/backup.sql"
        backupbot.backup.volumes.db.path: "backup.sql, /dumps/ ,./x/y,,"
        backupbot.restore.post-hook: "psql -U postgres -f /var/lib/postgresql/data/backup.sql"
  cache:
    image: redis
    volumes:
      - cache:/data
volumes:
  data:
  db:
  cache:
)yaml"),
                                      stack);
  BOOST_TEST(plan.stack == stack);
  BOOST_TEST(!plan.empty());
  BOOST_TEST(plan.enabled_by == std::vector<std::string>{"app"});
  BOOST_TEST(volume_names(plan) == (std::vector<std::string>{"data", "db", "cache"}));
  BOOST_TEST(plan.excluded.empty());

  const auto& db = volume(plan, "db");
  BOOST_TEST(db.service() == "db"); // copied through the service that mounts it, not the labelled one
  BOOST_TEST(db.target() == "/var/lib/postgresql/data");
  BOOST_TEST(db.paths == (std::vector<std::string>{"backup.sql", "dumps", "x/y"}));
  const auto& cache = volume(plan, "cache");
  BOOST_TEST(cache.service() == "cache");
  BOOST_TEST(cache.target() == "/data");
  BOOST_TEST(cache.paths.empty());
  BOOST_TEST(volume(plan, "data").service() == "app");

  BOOST_TEST_REQUIRE(plan.hooks.size() == 2u);
  BOOST_TEST(plan.hooks[0].service == "db");
  BOOST_TEST((plan.hooks[0].point == HookPoint::backup_pre));
  BOOST_TEST(plan.hooks[0].command == "pg_dump -U postgres -f /var/lib/postgresql/data/backup.sql");
  BOOST_TEST(plan.hooks_at(HookPoint::restore_post).at(0).command ==
             "psql -U postgres -f /var/lib/postgresql/data/backup.sql");
  BOOST_TEST(plan.hooks_at(HookPoint::backup_post).empty());
}

BOOST_AUTO_TEST_CASE(volume_labels_may_sit_on_any_service_and_exclusions_win) {
  Scratch tmp;
  const auto plan = plan_backup(tmp.compose(R"yaml(services:
  app:
    image: nginx
    volumes: [data:/srv/data]
    deploy:
      labels:
        - "backupbot.backup=true"
        - "backupbot.backup.volumes.uploads=false"
        - "backupbot.backup.volumes.logs.path=current"
        - "backupbot.backup.volumes.data=true"
  files:
    image: busybox
    volumes: [uploads:/u, logs:/var/log/app]
    deploy:
      labels:
        backupbot.backup.volumes.logs.path: "archive/, current"
volumes: {data: {}, uploads: {}, logs: {}}
)yaml"),
                                stack);
  BOOST_TEST(volume_names(plan) == (std::vector<std::string>{"data", "logs"}));
  BOOST_TEST(plan.excluded == std::vector<std::string>{"uploads"});
  // Two services limiting one volume: the backup takes both selections.
  BOOST_TEST(volume(plan, "logs").paths == (std::vector<std::string>{"current", "archive"}));
  BOOST_TEST(volume(plan, "data").paths.empty()); // `=true` is no limit
}

BOOST_AUTO_TEST_CASE(a_volume_several_services_mount_is_taken_once_through_the_first) {
  Scratch tmp;
  const auto plan = plan_backup(tmp.compose(R"yaml(services:
  worker:
    image: busybox
    volumes: [shared:/work]
  app:
    image: nginx
    volumes: [shared:/srv/shared, own:/srv/own]
    deploy:
      labels: ["backupbot.backup=true"]
volumes: {shared: {}, own: {}}
)yaml"),
                                stack);
  BOOST_TEST(volume_names(plan) == (std::vector<std::string>{"shared", "own"}));
  const auto& shared = volume(plan, "shared");
  BOOST_TEST_REQUIRE(shared.mounts.size() == 2u);
  BOOST_TEST(shared.service() == "worker");
  BOOST_TEST(shared.target() == "/work");
  BOOST_TEST(shared.target_in("app") == "/srv/shared");
  BOOST_TEST(shared.target_in("nobody").empty());
}

BOOST_AUTO_TEST_CASE(hooks_of_every_service_run_in_compose_order_per_point) {
  Scratch tmp;
  const auto plan = plan_backup(tmp.compose(R"yaml(services:
  app:
    image: nginx
    deploy:
      labels:
        backupbot.backup: "True"
        backupbot.backup.pre-hook: "app-maintenance on"
        backupbot.backup.post-hook: "app-maintenance off"
        backupbot.restore.post-hook: "app-reindex"
  db:
    image: postgres
    volumes: [db:/var/lib/postgresql/data]
    deploy:
      labels:
        backupbot.backup.pre-hook: "pg_dump -f /var/lib/postgresql/data/backup.sql"
        backupbot.backup.post-hook: "rm -f /var/lib/postgresql/data/backup.sql"
        backupbot.restore.pre-hook: "true"
        backupbot.restore.post-hook: "psql -f /var/lib/postgresql/data/backup.sql"
volumes: {db: {}}
)yaml"),
                                stack);
  auto services_at = [&](HookPoint point) {
    std::vector<std::string> out;
    for (const auto& h : plan.hooks_at(point))
      out.push_back(h.service + ": " + h.command);
    return out;
  };
  BOOST_TEST(
      services_at(HookPoint::backup_pre) ==
      (std::vector<std::string>{"app: app-maintenance on", "db: pg_dump -f /var/lib/postgresql/data/backup.sql"}));
  BOOST_TEST(services_at(HookPoint::backup_post) ==
             (std::vector<std::string>{"app: app-maintenance off", "db: rm -f /var/lib/postgresql/data/backup.sql"}));
  BOOST_TEST(services_at(HookPoint::restore_pre) == (std::vector<std::string>{"db: true"}));
  BOOST_TEST(services_at(HookPoint::restore_post) ==
             (std::vector<std::string>{"app: app-reindex", "db: psql -f /var/lib/postgresql/data/backup.sql"}));
  BOOST_TEST(label_of(HookPoint::restore_pre) == "backupbot.restore.pre-hook");
  BOOST_TEST(check_prefix_of(HookPoint::backup_post) == "backup/post-hook");
}

BOOST_AUTO_TEST_CASE(without_the_enabling_label_the_plan_is_empty_whatever_else_is_labelled) {
  Scratch tmp;
  const auto plan = plan_backup(tmp.compose(R"yaml(services:
  app:
    image: nginx
    volumes: [data:/srv]
    deploy:
      labels:
        backupbot.backup: "false"
        backupbot.backup.pre-hook: "touch /srv/x"
volumes: {data: {}}
)yaml"),
                                stack);
  BOOST_TEST(plan.empty());
  BOOST_TEST(plan.volumes.empty());
  BOOST_TEST(plan.hooks.empty());
  BOOST_TEST(plan_backup(tmp.compose("services:\n  app:\n    image: nginx\n"), stack).empty());
}

BOOST_AUTO_TEST_CASE(the_label_on_several_services_still_means_the_stack) {
  Scratch tmp;
  const auto plan = plan_backup(tmp.compose(R"yaml(services:
  app:
    image: nginx
    volumes: [data:/srv]
    deploy: {labels: ["backupbot.backup=true"]}
  db:
    image: postgres
    volumes: [data:/also]
    deploy: {labels: ["backupbot.backup=true"]}
volumes: {data: {}}
)yaml"),
                                stack);
  BOOST_TEST(plan.enabled_by == (std::vector<std::string>{"app", "db"}));
  BOOST_TEST(volume_names(plan) == std::vector<std::string>{"data"}); // once
}

BOOST_AUTO_TEST_CASE(plan_rejects_labels_for_volumes_no_service_mounts) {
  Scratch tmp;
  const std::string path_label = defect(tmp, R"yaml(services:
  app:
    image: nginx
    deploy:
      labels: ["backupbot.backup=true"]
  db:
    image: postgres
    volumes: [db:/var/lib/postgresql/data]
    deploy:
      labels:
        backupbot.backup.volumes.database.path: backup.sql
volumes: {db: {}}
)yaml");
  BOOST_TEST(has(path_label, "compose.yml"), path_label);
  BOOST_TEST(has(path_label, "service 'db'"), path_label);
  BOOST_TEST(has(path_label, "backupbot.backup.volumes.database.path"), path_label);
  BOOST_TEST(has(path_label, "'database'"), path_label);
  BOOST_TEST(has(path_label, "the stack mounts db"), path_label);

  const std::string exclusion = defect(tmp, R"yaml(services:
  app:
    image: nginx
    volumes: [data:/srv]
    deploy:
      labels: ["backupbot.backup=true", "backupbot.backup.volumes.uploads=false"]
volumes: {data: {}}
)yaml");
  BOOST_TEST(has(exclusion, "'uploads'"), exclusion);
  BOOST_TEST(has(exclusion, "service 'app'"), exclusion);
  BOOST_TEST(has(exclusion, "fix the volume name"), exclusion);
}

BOOST_AUTO_TEST_CASE(plan_rejects_paths_that_leave_the_volume) {
  Scratch tmp;
  const std::string message = defect(tmp, R"yaml(services:
  db:
    image: postgres
    volumes: [db:/data]
    deploy:
      labels:
        backupbot.backup: "true"
        backupbot.backup.volumes.db.path: "backup.sql,../etc/passwd"
volumes: {db: {}}
)yaml");
  BOOST_TEST(has(message, "../etc/passwd"), message);
  BOOST_TEST(has(message, "leaves the volume"), message);
}

// ------------------------------------------------------------------ hooks as backupbot runs them

BOOST_AUTO_TEST_CASE(hook_script_strips_a_shell_wrapper_and_one_pair_of_quotes_behind_pipefail) {
  struct Case {
    std::string hook, script;
  };
  const std::vector<Case> cases{
      // notes-pg, gitea-style: a bare command line.
      {"pg_dump --clean --if-exists -U notes notes > /var/lib/postgresql/data/backup.sql",
       "set -o pipefail;pg_dump --clean --if-exists -U notes notes > /var/lib/postgresql/data/backup.sql"},
      // mattermost-style: sh -c '...'.
      {"sh -c 'pg_dump -U $POSTGRES_USER $POSTGRES_DB > /var/lib/postgresql/data/postgres-backup.sql'",
       "set -o pipefail;pg_dump -U $POSTGRES_USER $POSTGRES_DB > /var/lib/postgresql/data/postgres-backup.sql"},
      // wordpress/mariadb-style: a pipe inside bash -c "...", quotes within kept.
      {R"(bash -c "mariadb-dump -u root -p'$(cat /run/secrets/db_root_password)' wp | gzip > /var/lib/mysql/dump.sql.gz")",
       R"(set -o pipefail;mariadb-dump -u root -p'$(cat /run/secrets/db_root_password)' wp | gzip > /var/lib/mysql/dump.sql.gz)"},
      // immich-style: a script of the image's own.
      {"/pg_backup.sh backup", "set -o pipefail;/pg_backup.sh backup"},
      {"  sh -c   'rm -f /x'  ", "set -o pipefail;rm -f /x"},
      {"sh -c rm -f /x", "set -o pipefail;rm -f /x"},
      {"'touch /srv/.frozen'", "set -o pipefail;touch /srv/.frozen"},
      // Only a leading wrapper, and only one pair of quotes.
      {"shred -c x", "set -o pipefail;shred -c x"},
      {"echo sh -c x", "set -o pipefail;echo sh -c x"},
      {"sh -c \"'quoted twice'\"", "set -o pipefail;'quoted twice'"},
      // As backupbot strips them: the first and last characters, even when
      // they quote two different words.
      {"'a' && 'b'", "set -o pipefail;a' && 'b"},
      {"\"a'", "set -o pipefail;\"a'"},
  };
  for (const auto& c : cases)
    BOOST_TEST(hook_script(c.hook) == c.script, c.hook);
}

// ------------------------------------------------------------------ what a hook writes

BOOST_AUTO_TEST_CASE(files_written_by_reads_redirections_options_tee_and_moves) {
  using V = std::vector<std::string>;
  struct Case {
    std::string hook;
    V files;
  };
  const std::vector<Case> cases{
      {"pg_dump -U notes notes > /var/lib/postgresql/data/backup.sql", {"/var/lib/postgresql/data/backup.sql"}},
      {"pg_dump app >>/d/x.sql", {"/d/x.sql"}},
      {R"x(sh -c 'mariadb-dump -u root -p"$(cat /run/secrets/pw)" wp | gzip > /var/lib/mysql/backup.sql.gz')x",
       {"/var/lib/mysql/backup.sql.gz"}},
      {"pg_dump -Fc -f /dumps/db.dump app", {"/dumps/db.dump"}},
      {"pg_dump --file=/d/a.sql app && pg_dump --file /d/b.sql app && pg_dump -f/d/c.sql app",
       {"/d/a.sql", "/d/b.sql", "/d/c.sql"}},
      {"mongodump --archive=/data/db/backup.archive --gzip", {"/data/db/backup.archive"}},
      {"mysqldump -r /var/lib/mysql/dump.sql db", {"/var/lib/mysql/dump.sql"}},
      {"pg_dumpall | tee -a /backup/all.sql > /dev/null", {"/backup/all.sql"}},
      {"tar -czf /srv/data/uploads.tgz -C /srv uploads", {"/srv/data/uploads.tgz"}},
      {"pg_dump app > /tmp/x && mv /tmp/x /var/lib/postgresql/data/backup.sql",
       {"/tmp/x", "/var/lib/postgresql/data/backup.sql"}},
      {"curl -fsS -o /data/export.json http://localhost/api/export", {"/data/export.json"}},
      {"sqlite3 /data/app.db \".backup '/data/backup.db'\" &> /data/backup.log", {"/data/backup.log"}},
      {"pg_dump app 2> /tmp/err.log > /d/x.sql", {"/d/x.sql"}},
      {"bash -c 'pg_dump app' > /d/outer.sql", {"/d/outer.sql"}},
      {"/usr/local/bin/backup.sh /srv/data/out --fast", {"/srv/data/out"}},
      {"PGPASSWORD=$(cat /run/secrets/pw) pg_dump -h db app > $DUMP_DIR/x.sql", {"$DUMP_DIR/x.sql"}},
      // Nothing written: descriptors, /dev/null, removals, quoted text.
      {"app-ctl flush >/dev/null 2>&1", {}},
      {"rm -f /var/lib/postgresql/data/backup.sql", {}},
      {"echo '> /not/a/file'", {}},
      {"psql -f /var/lib/postgresql/data/backup.sql", {}},
  };
  for (const auto& c : cases)
    BOOST_TEST(files_written_by(c.hook) == c.files, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(hook_commands_open_shell_wrappers_and_know_scripts_and_inputs) {
  const auto commands = hook_commands("sh -c 'mkdir -p /d; /pg_backup.sh restore' && mysql db < /d/dump.sql");
  BOOST_TEST_REQUIRE(commands.size() == 3u);
  BOOST_TEST(commands[0].program == "mkdir");
  BOOST_TEST(!commands[0].script);
  BOOST_TEST(commands[1].program == "/pg_backup.sh");
  BOOST_TEST(commands[1].args == std::vector<std::string>{"restore"});
  BOOST_TEST(commands[1].script);
  BOOST_TEST(commands[2].program == "mysql");
  BOOST_TEST(commands[2].reads == std::vector<std::string>{"/d/dump.sql"});
  BOOST_TEST(hook_commands("python3 /srv/export.py")[0].script);
  BOOST_TEST(hook_commands("./restore")[0].script);
  BOOST_TEST(!hook_commands("pg_restore -d app /d/x.dump")[0].script);
  BOOST_TEST(program_name("/usr/bin/pg_dump") == "pg_dump");
}

BOOST_AUTO_TEST_CASE(volume_root_is_where_docker_keeps_the_volume) {
  BOOST_TEST(archive_volume_root("st", "db") == "var/lib/docker/volumes/st_db/_data");
}

// ------------------------------------------------------------------ writing and verifying

BOOST_AUTO_TEST_CASE(complete_archive_verifies) {
  Scratch tmp;
  const auto verdict = verify_archive(write_sample(tmp), sample_plan());
  BOOST_TEST(verdict.readable);
  BOOST_TEST(!verdict.truncated);
  BOOST_TEST(verdict.error.empty());
  BOOST_TEST(verdict.missing.empty());
  BOOST_TEST(verdict.unexpected.empty());
  BOOST_TEST(verdict.entries == 4u); // a, a/b.txt, big.bin, backup.sql — "./" is dropped
  BOOST_TEST(verdict.ok());
  BOOST_TEST(verdict.describe() == "complete: 4 entries");
}

BOOST_AUTO_TEST_CASE(archive_cut_in_half_is_truncated) {
  Scratch tmp;
  const auto path = write_sample(tmp);
  fs::resize_file(path, fs::file_size(path) / 2);
  const auto verdict = verify_archive(path, sample_plan());
  BOOST_TEST(verdict.truncated);
  BOOST_TEST(!verdict.readable);
  BOOST_TEST(!verdict.ok());
  BOOST_TEST(!verdict.error.empty());
  BOOST_TEST(verdict.describe().starts_with("truncated"), verdict.describe());
  BOOST_TEST(verdict.missing.empty()); // a damaged archive says nothing about the plan
}

BOOST_AUTO_TEST_CASE(archive_missing_its_last_bytes_is_truncated) {
  // The tar end marker survives; only the gzip trailer (CRC and length) is cut.
  Scratch tmp;
  const auto path = write_sample(tmp);
  fs::resize_file(path, fs::file_size(path) - 4);
  const auto verdict = verify_archive(path, sample_plan());
  BOOST_TEST(verdict.truncated, verdict.describe());
  BOOST_TEST(!verdict.ok());
}

BOOST_AUTO_TEST_CASE(non_archive_and_absent_files_are_unreadable_not_truncated) {
  Scratch tmp;
  tmp.write("notes.txt", "this is not a tar.gz, just a note someone left behind\n");
  const auto text = verify_archive(tmp / "notes.txt", sample_plan());
  BOOST_TEST(!text.readable);
  BOOST_TEST(!text.truncated);
  BOOST_TEST(!text.error.empty());
  BOOST_TEST(text.describe().starts_with("unreadable: "), text.describe());

  const auto absent = verify_archive(tmp / "nope.tar.gz", sample_plan());
  BOOST_TEST(!absent.readable);
  BOOST_TEST(!absent.truncated);
  BOOST_TEST(has(absent.error, "nope.tar.gz"), absent.error);
}

BOOST_AUTO_TEST_CASE(missing_selected_volume_and_path_are_named) {
  Scratch tmp;
  {
    ArchiveWriter w(tmp / "b.tar.gz");
    w.add_tar_stream(make_tar({file("other.sql", sql)}), db_root); // backup.sql never made it
  }                                                                // the destructor finishes the archive
  const auto verdict = verify_archive(tmp / "b.tar.gz", sample_plan());
  BOOST_TEST(verdict.readable);
  BOOST_TEST(!verdict.ok());
  BOOST_TEST(verdict.missing == (std::vector<std::string>{"app/data", "db/db/backup.sql"}));
  BOOST_TEST(verdict.unexpected == std::vector<std::string>{db_root + "/other.sql"});
  BOOST_TEST(verdict.describe() == "missing: app/data, db/db/backup.sql; unexpected: " + db_root + "/other.sql");
}

BOOST_AUTO_TEST_CASE(excluded_volume_in_the_archive_is_unexpected_once) {
  Scratch tmp;
  const auto path = tmp / "b.tar.gz";
  {
    ArchiveWriter w(path);
    w.add_tar_stream(data_stream(), data_root);
    w.add_tar_stream(make_tar({file("backup.sql", sql)}), db_root);
    w.add_tar_stream(make_tar({dir("./"), file("./u1.png", "png"), file("./u2.png", "png")}),
                     archive_volume_root(stack, "uploads"));
    w.close();
  }
  const auto verdict = verify_archive(path, sample_plan());
  BOOST_TEST(verdict.missing.empty());
  BOOST_TEST(verdict.unexpected == std::vector<std::string>{archive_volume_root(stack, "uploads")});
  BOOST_TEST(has(verdict.describe(), "unexpected: var/lib/docker/volumes/" + stack + "_uploads/_data"),
             verdict.describe());
}

BOOST_AUTO_TEST_CASE(path_limited_volume_with_an_unselected_file_is_unexpected) {
  Scratch tmp;
  const auto path = tmp / "b.tar.gz";
  {
    ArchiveWriter w(path);
    w.add_tar_stream(data_stream(), data_root);
    // The whole data directory of postgres, not just the dump.
    w.add_tar_stream(make_tar({dir("./"), file("./backup.sql", sql), dir("./base"), file("./base/1", "page"),
                               file("./PG_VERSION", "16")}),
                     db_root);
    w.close();
  }
  const auto verdict = verify_archive(path, sample_plan());
  BOOST_TEST(verdict.missing.empty());
  BOOST_TEST(verdict.unexpected == (std::vector<std::string>{db_root + "/base", db_root + "/PG_VERSION"}));
}

BOOST_AUTO_TEST_CASE(selected_directory_path_is_present_through_its_content) {
  Scratch tmp;
  BackupPlan plan;
  plan.stack = stack;
  plan.enabled_by = {"db"};
  plan.volumes.push_back({"db", {{"db", "/data"}}, {"dumps"}});
  const auto path = tmp / "b.tar.gz";
  {
    ArchiveWriter w(path);
    w.add_tar_stream(make_tar({dir("dumps"), file("dumps/x.sql", sql)}), db_root);
    w.close();
  }
  BOOST_TEST(verify_archive(path, plan).ok(), verify_archive(path, plan).describe());
  plan.volumes[0].paths = {"dump"}; // a prefix of a name is not the path
  const auto wrong = verify_archive(path, plan);
  BOOST_TEST(wrong.missing == std::vector<std::string>{"db/db/dump"});
  BOOST_TEST(wrong.unexpected == std::vector<std::string>{db_root + "/dumps"});
}

// ------------------------------------------------------------------ path rewriting

BOOST_AUTO_TEST_CASE(tar_stream_paths_land_under_the_prefix) {
  Scratch tmp;
  const auto path = tmp / "b.tar.gz";
  {
    ArchiveWriter w(path);
    w.add_tar_stream(make_tar({dir("./"), dir("./x"), file("./x/y", "y")}), data_root);
    w.add_tar_stream(make_tar({file("backup.sql", sql)}),
                     db_root + "/"); // a trailing slash changes nothing
    w.add_tar_stream(docker_pax_stream("./café.txt", "crème"), archive_volume_root(stack, "intl"));
    w.close();
  }
  std::vector<std::string> paths;
  for (const auto& e : ArchiveReader(path, stack).entries())
    paths.push_back(e.path);
  BOOST_TEST(paths == (std::vector<std::string>{data_root + "/x", data_root + "/x/y", db_root + "/backup.sql",
                                                archive_volume_root(stack, "intl") + "/café.txt"}));
  BOOST_TEST(read(ArchiveReader(path, stack), archive_volume_root(stack, "intl") + "/café.txt").value() == "crème");
  const auto intl = read_tar(volume_tar_for_restore(path, stack, "intl").value());
  BOOST_TEST_REQUIRE(intl.size() == 1u);
  BOOST_TEST(intl[0].path == "café.txt");
  BOOST_TEST(intl[0].data == "crème");
}

BOOST_AUTO_TEST_CASE(malformed_or_empty_tar_streams_are_infra_failures) {
  Scratch tmp;
  ArchiveWriter w(tmp / "b.tar.gz");
  BOOST_CHECK_THROW(w.add_tar_stream("", data_root), InfraFailure);
  BOOST_CHECK_THROW(w.add_tar_stream(std::string(1024, 'x'), data_root), InfraFailure);
  std::string cut = make_tar({file("big.bin", big)});
  cut.resize(cut.size() / 2);
  try {
    w.add_tar_stream(cut, data_root);
    BOOST_FAIL("a cut tar stream was accepted");
  } catch (const InfraFailure& e) {
    BOOST_TEST(has(e.what(), data_root), e.what());
  }
}

BOOST_AUTO_TEST_CASE(archive_that_cannot_be_created_is_an_infra_failure) {
  Scratch tmp;
  try {
    ArchiveWriter w(tmp / "no-such-dir" / "b.tar.gz");
    BOOST_FAIL("no exception");
  } catch (const InfraFailure& e) {
    BOOST_TEST(has(e.what(), "no-such-dir"), e.what());
  }
}

// ------------------------------------------------------------------ the plugins' view

BOOST_AUTO_TEST_CASE(reader_lists_entries_and_reads_bytes_exactly) {
  Scratch tmp;
  const ArchiveReader reader(write_sample(tmp), stack);
  const auto entries = reader.entries();
  BOOST_TEST_REQUIRE(entries.size() == 4u);
  BOOST_TEST(entries[0].path == data_root + "/a");
  BOOST_TEST(entries[0].directory);
  BOOST_TEST(entries[1].path == data_root + "/a/b.txt");
  BOOST_TEST(!entries[1].directory);
  BOOST_TEST(entries[1].size == 6u);
  BOOST_TEST(entries[2].size == big.size());
  BOOST_TEST(entries[3].path == db_root + "/backup.sql");

  BOOST_TEST(reader.volume_path("db", "backup.sql") == db_root + "/backup.sql");
  BOOST_TEST(reader.volume_path("db", "./backup.sql") == db_root + "/backup.sql");
  BOOST_TEST(reader.volume_path("data", "/a/b.txt") == data_root + "/a/b.txt");

  BOOST_TEST(read(reader, reader.volume_path("db", "backup.sql")).value() == sql);
  BOOST_TEST((read(reader, data_root + "/big.bin").value() == big)); // spans many read blocks
  BOOST_TEST(read(reader, "./" + data_root + "/a/b.txt").value() == "hello\n");
  BOOST_TEST(reader.read(data_root + "/a/b.txt", 3).value() == "hel");
  BOOST_TEST(!read(reader, db_root + "/nope.sql").has_value());
  BOOST_TEST(!read(reader, data_root + "/a").has_value()); // a directory is not a file
}

BOOST_AUTO_TEST_CASE(reader_follows_hard_links) {
  Scratch tmp;
  const auto path = tmp / "b.tar.gz";
  {
    ArchiveWriter w(path);
    TarEntry link = file("./g", "");
    link.hardlink = "./f";
    w.add_tar_stream(make_tar({dir("./"), file("./f", "shared bytes"), link}), data_root);
    w.close();
  }
  BOOST_TEST(read(ArchiveReader(path, stack), data_root + "/g").value() == "shared bytes");
  const auto restored = read_tar(volume_tar_for_restore(path, stack, "data").value());
  BOOST_TEST(entry(restored, "g").hardlink == "f");
}

BOOST_AUTO_TEST_CASE(reader_of_a_damaged_archive_throws_infra_error_naming_it) {
  Scratch tmp;
  tmp.write("junk.tar.gz", "junk");
  const ArchiveReader reader(tmp / "junk.tar.gz", stack);
  try {
    read(reader, db_root + "/backup.sql");
    BOOST_FAIL("no exception");
  } catch (const ccci::InfraError& e) {
    BOOST_TEST(has(e.what(), "junk.tar.gz"), e.what());
  }
  BOOST_CHECK_THROW(reader.entries(), ccci::InfraError);

  const auto path = write_sample(tmp);
  fs::resize_file(path, fs::file_size(path) / 2);
  BOOST_CHECK_THROW(ArchiveReader(path, stack).entries(), ccci::InfraError);
  // The dump lies after the cut: the reader cannot know whether it exists.
  BOOST_CHECK_THROW(read(ArchiveReader(path, stack), db_root + "/backup.sql"), ccci::InfraError);
}

// ------------------------------------------------------------------ restore

BOOST_AUTO_TEST_CASE(restore_stream_round_trips_a_volume) {
  Scratch tmp;
  const auto path = write_sample(tmp);
  const auto tar = volume_tar_for_restore(path, stack, "data");
  BOOST_TEST_REQUIRE(tar.has_value());
  const auto entries = read_tar(*tar);
  BOOST_TEST_REQUIRE(entries.size() == 3u); // nothing of the db volume
  BOOST_TEST(entries[0].path == "a");
  BOOST_TEST(entries[0].directory);
  BOOST_TEST(entries[0].mode == 0750);
  BOOST_TEST(entries[1].path == "a/b.txt");
  BOOST_TEST(entries[1].data == "hello\n");
  BOOST_TEST(entries[1].mode == 0640);
  BOOST_TEST(entries[2].path == "big.bin");
  BOOST_TEST((entries[2].data == big));

  const auto db = read_tar(volume_tar_for_restore(path, stack, "db").value());
  BOOST_TEST_REQUIRE(db.size() == 1u);
  BOOST_TEST(db[0].path == "backup.sql");
  BOOST_TEST(db[0].data == sql);
  BOOST_TEST(db[0].mode == 0600);

  BOOST_TEST(!volume_tar_for_restore(path, stack, "uploads").has_value());
  BOOST_TEST(!volume_tar_for_restore(path, "other-stack", "data").has_value());
}

BOOST_AUTO_TEST_CASE(restore_from_a_truncated_archive_is_an_infra_failure) {
  Scratch tmp;
  const auto path = write_sample(tmp);
  fs::resize_file(path, fs::file_size(path) / 2);
  try {
    volume_tar_for_restore(path, stack, "db");
    BOOST_FAIL("no exception");
  } catch (const InfraFailure& e) {
    BOOST_TEST(has(e.what(), path.filename().string()), e.what());
    BOOST_TEST(has(e.what(), "truncated"), e.what());
  }
}

// ------------------------------------------------------------------ streams, modes

namespace {

// A stream handed out a few bytes at a time, as a pipe may: entries and
// their data straddle every read.
class TrickleSource final : public ByteSource {
public:
  explicit TrickleSource(std::string data) : data_(std::move(data)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min({size, data_.size() - at_, std::size_t{333}});
    std::copy_n(data_.data() + at_, n, buffer);
    at_ += n;
    return n;
  }

private:
  std::string data_;
  std::size_t at_ = 0;
};

// Takes `budget` bytes, then refuses, like a docker cp that died.
class RefusingSink final : public ByteSink {
public:
  explicit RefusingSink(std::size_t budget) : budget_(budget) {}
  bool write(std::string_view data) override {
    if (data.size() > budget_) return false;
    budget_ -= data.size();
    return true;
  }

private:
  std::size_t budget_;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_tar_stream_read_in_small_pieces_lands_whole_in_the_archive) {
  Scratch tmp;
  const auto path = tmp / "trickled.tar.gz";
  {
    ArchiveWriter w(path);
    TrickleSource data(data_stream());
    w.add_tar_stream(data, data_root);
    TrickleSource dump(make_tar({file("backup.sql", sql, 0600)}));
    w.add_tar_stream(dump, db_root);
    w.close();
  }
  BOOST_TEST(verify_archive(path, sample_plan()).ok(), verify_archive(path, sample_plan()).describe());
  const auto restored = read_tar(volume_tar_for_restore(path, stack, "data").value());
  BOOST_TEST_REQUIRE(restored.size() == 3u);
  BOOST_TEST((restored[2].data == big));
  TrickleSource empty("");
  ArchiveWriter w(tmp / "empty.tar.gz");
  BOOST_CHECK_EXCEPTION(w.add_tar_stream(empty, data_root), InfraFailure,
                        [](const InfraFailure& e) { return has(e.what(), "docker cp produced nothing"); });
}

BOOST_AUTO_TEST_CASE(the_backup_archive_is_private_even_when_it_replaces_an_older_attempt) {
  Scratch tmp;
  const auto old_umask = ::umask(0);
  ccci::test::write(tmp / "b.tar.gz", "an earlier attempt");
  fs::permissions(tmp / "b.tar.gz", fs::perms::all);
  {
    ArchiveWriter w(tmp / "b.tar.gz");
    w.add_tar_stream(data_stream(), data_root);
    w.close();
  }
  ::umask(old_umask);
  BOOST_TEST(((fs::status(tmp / "b.tar.gz").permissions() & fs::perms::all) ==
              (fs::perms::owner_read | fs::perms::owner_write)));
}

BOOST_AUTO_TEST_CASE(a_restore_stream_its_reader_stops_taking_is_an_infra_failure) {
  Scratch tmp;
  const auto path = write_sample(tmp);
  RefusingSink sink(4096);
  BOOST_CHECK_EXCEPTION(write_volume_tar(path, stack, "data", sink), InfraFailure,
                        [](const InfraFailure& e) { return has(e.what(), "stopped taking it"); });
  // The whole stream, counted, when the reader takes it all.
  RefusingSink all(64u << 20);
  const auto written = write_volume_tar(path, stack, "data", all);
  BOOST_TEST(written.entries == 3u);
  BOOST_TEST(written.bytes == volume_tar_for_restore(path, stack, "data")->size());
}

namespace {
// How many data blocks the sparse map of each regular file holds, by path,
// over a tar (gzip or not) on disk or in memory.
std::map<std::string, int> sparse_blocks(const std::string& tar_or_path, bool is_path) {
  std::map<std::string, int> out;
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  const int opened = is_path ? archive_read_open_filename(a.get(), tar_or_path.c_str(), 65536)
                             : archive_read_open_memory(a.get(), tar_or_path.data(), tar_or_path.size());
  BOOST_TEST_REQUIRE(opened == ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK)
    if (archive_entry_filetype(e) == AE_IFREG) out[archive_entry_pathname(e)] = archive_entry_sparse_count(e);
  return out;
}
} // namespace

BOOST_AUTO_TEST_CASE(a_large_file_of_mostly_zeros_is_stored_sparse_and_restored_whole) {
  Scratch tmp;
  // As docker cp sends a sparse file: its holes as zeros, no map.
  std::string holey(3 << 20, '\0');
  std::fill_n(holey.begin() + (1 << 20), 70000, 'd');
  const std::string all_holes(2 << 20, '\0');
  const auto path = tmp / "sparse.tar.gz";
  {
    ArchiveWriter w(path);
    w.add_tar_stream(
        make_tar({dir("./"), file("./holey.bin", holey), file("./empty.img", all_holes), file("./small.txt", "small")}),
        data_root);
    w.close();
  }
  // Only the data is stored: far less than the 5 MiB of zeros would compress to.
  BOOST_TEST(fs::file_size(path) < 20000u);
  auto blocks = sparse_blocks(path.string(), true);
  BOOST_TEST(blocks[data_root + "/holey.bin"] == 2); // the data, then the file's last byte
  BOOST_TEST(blocks[data_root + "/empty.img"] == 1);
  BOOST_TEST(blocks[data_root + "/small.txt"] == 0); // small files go straight through
  // Listed with their sizes, and restored byte for byte, still sparse.
  ArchiveReader reader(path, stack);
  for (const auto& e : reader.entries())
    if (e.path == data_root + "/holey.bin") BOOST_TEST(e.size == holey.size());
  const auto tar = volume_tar_for_restore(path, stack, "data").value();
  const auto restored = read_tar(tar);
  BOOST_TEST_REQUIRE(restored.size() == 3u);
  BOOST_TEST((restored[0].path == "holey.bin" && restored[0].data == holey));
  BOOST_TEST((restored[1].path == "empty.img" && restored[1].data == all_holes));
  BOOST_TEST(restored[2].data == "small");
  BOOST_TEST(sparse_blocks(tar, false)["holey.bin"] == 2);
  BOOST_TEST(tar.size() < 200000u); // the two 64 KiB blocks holding data, not 5 MiB
  // The spool files are gone with their descriptors.
  BOOST_TEST(std::distance(fs::directory_iterator(tmp.dir()), fs::directory_iterator{}) == 1);
}
