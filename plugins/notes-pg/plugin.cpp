// ccci checks for the example recipe notes-pg: a notes app (nginx + a shell
// CGI) on PostgreSQL 15. The db service is backed up by backupbot as a
// pg_dump (backup.sql in the db volume) and restored by a psql post-hook.
//
// Data: the seed inserts three notes whose bodies are derived from the stack
// name, so the verify (another process) knows what to look for; the archive
// check looks for the same bodies in the dump.
#include <ccci/plugin.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t seed_count = 3;

/// `s` as one single-quoted shell word.
std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// `s` as an SQL string literal.
std::string sql_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// The bodies of the seeded notes: ccci-seed-<stack>-1 .. -3.
std::vector<std::string> seed_bodies(const ccci::Context& ctx) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= seed_count; ++i)
    out.push_back("ccci-seed-" + ctx.stack() + "-" + std::to_string(i));
  return out;
}

/// Runs `sql` with psql inside the db container, as the `notes` role on the
/// `notes` database over the local socket; unaligned, tuples only.
ccci::ExecResult psql(ccci::Context& ctx, const std::string& sql) {
  return ctx.exec("db", {"sh", "-c", "psql -X -q -v ON_ERROR_STOP=1 -U notes -d notes -tAc " + shell_quote(sql)});
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

/// The seeded bodies stored in the notes table, or an error message.
struct StoredBodies {
  std::set<std::string> bodies;
  std::string error;
};

StoredBodies stored_seed_bodies(ccci::Context& ctx) {
  const auto r = psql(ctx, "SELECT body FROM notes WHERE body LIKE " + sql_literal("ccci-seed-" + ctx.stack() + "-%") +
                               " ORDER BY id");
  if (r.exit_code != 0)
    return {{},
            "psql in the db container exited " + std::to_string(r.exit_code) + ": '" + ccci::excerpt(r.output) +
                "' (is the notes table there? the app's schema step creates it: see the app service's log)"};
  StoredBodies out;
  for (auto& line : lines_of(r.output))
    out.bodies.insert(line);
  return out;
}

/// Normalises an archive path for comparison: no leading "/" or "./".
[[maybe_unused]] std::string norm(std::string_view p) { // unused without the archive check
  while (p.starts_with("./") || p.starts_with("/"))
    p.remove_prefix(p.starts_with("/") ? 1 : 2);
  return std::string(p);
}

} // namespace

// GET /notes, through the proxy, lists the notes table as text/plain: nginx,
// fcgiwrap, the CGI, the db_password secret and the database all work.
CCCI_CHECK(install, notes_served) {
  const ccci::HttpResponse r = ctx.http_get("/notes");
  if (r.status != 200)
    return ccci::fail("GET /notes: status " + std::to_string(r.status) +
                      ", expected 200 (a 503 body says why the CGI could not read the notes table; a 502 means "
                      "fcgiwrap is not running: see the app service's log); body: '" +
                      ccci::excerpt(r.body) + "'");
  const std::string type = r.header("content-type");
  if (!ccci::lowercase(type).starts_with("text/plain"))
    return ccci::fail("GET /notes: status 200 but Content-Type is '" + type +
                      "', expected text/plain (the CGI prints its own Content-Type header); body: '" +
                      ccci::excerpt(r.body) + "'");
  return ccci::pass("GET /notes: 200 " + type + ", " + std::to_string(lines_of(r.body).size()) + " note(s) listed");
}

// Three notes named after the stack; inserting only the absent ones, so a
// seed that runs twice (or after a restore) never duplicates them.
CCCI_SEED(rows) {
  const auto bodies = seed_bodies(ctx);
  std::string sql;
  for (const auto& b : bodies)
    sql += "INSERT INTO notes(body) SELECT " + sql_literal(b) +
           " WHERE NOT EXISTS (SELECT 1 FROM notes WHERE body = " + sql_literal(b) + "); ";
  const auto r = psql(ctx, sql);
  if (r.exit_code != 0)
    return ccci::fail("seeding " + std::to_string(bodies.size()) +
                      " notes with psql in the db container failed (exit " + std::to_string(r.exit_code) + "): '" +
                      ccci::excerpt(r.output) +
                      "' (is the notes table there? the app's schema step creates it: see the app service's log)");
  const auto stored = stored_seed_bodies(ctx);
  if (!stored.error.empty()) return ccci::fail("after seeding: " + stored.error);
  std::vector<std::string> missing;
  for (const auto& b : bodies)
    if (!stored.bodies.contains(b)) missing.push_back(b);
  if (!missing.empty())
    return ccci::fail("the INSERTs succeeded but these notes are not in the table afterwards: " + join(missing));
  return ccci::pass("notes table holds the " + std::to_string(bodies.size()) + " seeded notes (" + join(bodies) + ")");
}

// The seeded notes survived (the upgrade, or the wipe and restore): in the
// database, and as the app serves them.
CCCI_VERIFY(rows) {
  const auto bodies = seed_bodies(ctx);
  const auto stored = stored_seed_bodies(ctx);
  if (!stored.error.empty()) return ccci::fail(stored.error);
  std::vector<std::string> missing_db;
  for (const auto& b : bodies)
    if (!stored.bodies.contains(b)) missing_db.push_back(b);
  if (!missing_db.empty())
    return ccci::fail(std::to_string(missing_db.size()) + " of " + std::to_string(bodies.size()) +
                      " seeded notes missing from the notes table: " + join(missing_db) +
                      " (after a restore: did the restore post-hook load backup.sql? after an upgrade: did the db "
                      "volume change?)");

  const ccci::HttpResponse r = ctx.http_get("/notes");
  if (r.status != 200)
    return ccci::fail("the seeded notes are in the database, but GET /notes answers " + std::to_string(r.status) +
                      " (expected 200): '" + ccci::excerpt(r.body) + "'");
  std::vector<std::string> missing_http;
  for (const auto& b : bodies)
    if (r.body.find(b) == std::string::npos) missing_http.push_back(b);
  if (!missing_http.empty())
    return ccci::fail("the seeded notes are in the database, but GET /notes does not list " + join(missing_http) +
                      "; body: '" + ccci::excerpt(r.body) + "'");
  return ccci::pass("all " + std::to_string(bodies.size()) +
                    " seeded notes are in the notes table and listed by GET /notes");
}

// The newest release's migration ran: notes.created_at, timestamptz, NOT NULL
// (release 1.1.0 adds it in the app's schema step; a default run tests the
// newest release).
CCCI_CHECK(custom, migration_applied) {
  const auto r = psql(ctx, "SELECT data_type || '|' || is_nullable FROM information_schema.columns "
                           "WHERE table_schema = 'public' AND table_name = 'notes' AND column_name = 'created_at'");
  if (r.exit_code != 0)
    return ccci::fail("psql in the db container exited " + std::to_string(r.exit_code) + ": '" +
                      ccci::excerpt(r.output) + "'");
  const auto lines = lines_of(r.output);
  if (lines.empty())
    return ccci::fail("column notes.created_at does not exist: the 1.1.0 migration (ALTER TABLE notes ADD COLUMN "
                      "created_at ...) did not run; see the app service's log for its schema step");
  if (lines.front() != "timestamp with time zone|NO")
    return ccci::fail("column notes.created_at is '" + lines.front() +
                      "' (type|nullable), expected 'timestamp with time zone|NO'");
  return ccci::pass("notes.created_at exists: timestamp with time zone, NOT NULL");
}

// Built without it (NOTES_PG_WITHOUT_ARCHIVE_CHECK) only for ccci's own
// tests, which prove the restore tier catches data that does not come back
// even when no archive check caught the bad backup first.
#ifndef NOTES_PG_WITHOUT_ARCHIVE_CHECK
// The archive holds the db volume as a pg_dump with the seeded rows, never the
// live data directory (which is not consistent while postgres runs, and which
// a restore hook cannot load).
CCCI_ARCHIVE_CHECK(dump_has_rows) {
  const std::string dump_path = archive.volume_path("db", "backup.sql");
  const std::string want = norm(dump_path);
  constexpr std::string_view file = "backup.sql";
  const std::string root = want.ends_with(file) ? want.substr(0, want.size() - file.size()) : want;

  // Live data-directory entries anywhere under the db volume.
  constexpr std::array<std::string_view, 5> live_markers{"PG_VERSION", "base/", "global/pg_control", "pg_wal/",
                                                         "postmaster.pid"};
  std::vector<std::string> live;
  std::size_t in_volume = 0;
  std::string stored_as;
  for (const auto& e : archive.entries()) {
    const std::string p = norm(e.path);
    if (!p.starts_with(root)) continue;
    ++in_volume;
    if (p == want && !e.directory) stored_as = e.path;
    const std::string rel = "/" + p.substr(root.size()) + (e.directory ? "/" : "");
    for (auto m : live_markers)
      if (rel.find("/" + std::string(m)) != std::string::npos) {
        if (live.size() < 5) live.push_back(p.substr(root.size()) + (e.directory ? "/" : ""));
        break;
      }
  }
  if (!live.empty())
    return ccci::fail("the db volume was archived as PostgreSQL's live data directory (e.g. " + join(live) + " under " +
                      root +
                      "): such a copy of a running database is not consistent and no restore hook loads it. Dump "
                      "instead: backupbot.backup.pre-hook=pg_dump ... > /var/lib/postgresql/data/backup.sql, "
                      "backupbot.backup.volumes.db.path=backup.sql, and a backupbot.restore.post-hook that runs psql "
                      "-f on it");
  if (stored_as.empty())
    return ccci::fail("no " + want + " in the archive (" + std::to_string(in_volume) +
                      " entries under the db volume): did the backup pre-hook (pg_dump > backup.sql) run, and does "
                      "backupbot.backup.volumes.db.path name backup.sql?");
  const std::optional<std::string> dump = archive.read(stored_as);
  if (!dump) return ccci::fail("the archive lists " + stored_as + " but it could not be read as a file");
  if (dump->empty())
    return ccci::fail(want + " is empty: pg_dump wrote nothing (did the pre-hook fail? its redirection creates the "
                             "file even when pg_dump cannot connect)");
  std::vector<std::string> missing;
  for (const auto& b : seed_bodies(ctx))
    if (dump->find(b) == std::string::npos) missing.push_back(b);
  if (!missing.empty())
    return ccci::fail(want + " (" + std::to_string(dump->size()) + " bytes) lacks the seeded notes " + join(missing) +
                      " (was it dumped from another database, or before the seed?); starts: '" + ccci::excerpt(*dump) +
                      "'");
  return ccci::pass(want + ": " + std::to_string(dump->size()) + " bytes, holds all " + std::to_string(seed_count) +
                    " seeded notes; no live data-directory files in the db volume");
}
#endif

CCCI_PLUGIN("notes-pg")
