// ccci checks for the example recipe linkshelf: a bookmarks app (nginx + a
// shell CGI over psql) on PostgreSQL 15, and a static service for /static.
// Two Traefik routers share the domain: /static goes to `static`, the rest to
// `app`; each nginx says who answered in an X-Linkshelf-Service header. The db
// volume is backed up by backupbot as a gzipped pg_dump (backup.sql.gz) and
// restored by a psql post-hook.
//
// Data: the seed inserts bookmarks whose titles and URLs are derived from the
// stack name, so the verify (another process) knows what to look for.
#include <ccci/plugin.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t seed_count = 3;

/// `s` as an SQL string literal.
std::string sql_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

struct Bookmark {
  std::string url;
  std::string title;
  std::string host;       ///< what release 1.1.0's migration must compute from url
  std::string title_html; ///< the title as the front page must print it
};

/// The seeded bookmarks. Their hosts are upper-case in the URL (the 1.1.0
/// migration lower-cases them), and the last title needs HTML escaping.
std::vector<Bookmark> seed_bookmarks(const ccci::Context& ctx) {
  std::vector<Bookmark> out;
  for (std::size_t i = 1; i <= seed_count; ++i) {
    const std::string n = std::to_string(i);
    Bookmark b{"https://Shelf-" + n + ".Example.ORG:8443/ccci/" + ctx.stack() + "?n=" + n,
               "ccci-seed-" + ctx.stack() + "-" + n, "shelf-" + n + ".example.org", ""};
    b.title_html = b.title;
    if (i == seed_count) {
      b.title += " <&>";
      b.title_html += " &lt;&amp;&gt;";
    }
    out.push_back(b);
  }
  return out;
}

/// Runs `sql` with psql inside the db container, as the `linkshelf` role
/// over the local socket; unaligned, tuples only, fields split by '|'.
ccci::ExecResult psql(ccci::Context& ctx, const std::string& sql) {
  return ctx.exec(
      "db", {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "linkshelf", "-d", "linkshelf", "-tA", "-c", sql});
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

std::string psql_failure(const ccci::ExecResult& r) {
  return "psql in the db container exited " + std::to_string(r.exit_code) + ": '" + ccci::excerpt(r.output) +
         "' (is the bookmarks table there? the app's schema step creates it: see the app service's log)";
}

/// Which service answered: the X-Linkshelf-Service header each nginx adds.
std::string served_by(const ccci::HttpResponse& r) {
  const std::string s = r.header("x-linkshelf-service");
  return s.empty() ? "no X-Linkshelf-Service header (neither linkshelf service answered)" : s;
}

/// "" when `path` answered 200 from `service` with a Content-Type starting
/// with `type`; else what was wrong.
std::string expect_page(const ccci::HttpResponse& r, std::string_view path, std::string_view service,
                        std::string_view type) {
  const std::string who = r.header("x-linkshelf-service");
  if (who != service)
    return "GET " + std::string(path) + " was answered by " + served_by(r) + " (status " + std::to_string(r.status) +
           "), expected the " + std::string(service) +
           " service: check the Traefik routers in compose.yml (Host(...) to app, Host(...) && "
           "PathPrefix(`/static`) to static)";
  if (r.status != 200)
    return "GET " + std::string(path) + ": " + std::string(service) + " answered " + std::to_string(r.status) +
           ", expected 200; body: '" + ccci::excerpt(r.body) + "'";
  const std::string got = r.header("content-type");
  if (!ccci::lowercase(got).starts_with(type))
    return "GET " + std::string(path) + ": Content-Type is '" + got + "', expected " + std::string(type);
  return "";
}

std::uint32_t le32(std::string_view b) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

/// The seeded bookmarks found in the table (by title), as "title|url|host"
/// lines ("" host before 1.1.0), or an error message.
struct StoredSeeds {
  std::vector<std::string> rows;
  bool has_host = false;
  std::string error;
};

StoredSeeds stored_seeds(ccci::Context& ctx) {
  StoredSeeds out;
  const auto col = psql(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND "
                             "table_name = 'bookmarks' AND column_name = 'host'");
  if (col.exit_code != 0) return {{}, false, psql_failure(col)};
  out.has_host = lines_of(col.output) == std::vector<std::string>{"1"};
  const auto r = psql(
      ctx, std::string("SELECT title || '|' || url || '|' || ") + (out.has_host ? "coalesce(host, '(null)')" : "''") +
               " FROM bookmarks WHERE title LIKE " + sql_literal("ccci-seed-" + ctx.stack() + "-%") + " ORDER BY id");
  if (r.exit_code != 0) return {{}, false, psql_failure(r)};
  out.rows = lines_of(r.output);
  return out;
}

/// What is wrong with the stored seeds ("" when all are there, and, after
/// 1.1.0's migration, each with the host computed from its URL).
std::string seeds_problem(const ccci::Context& ctx, const StoredSeeds& stored) {
  std::vector<std::string> missing, wrong_host;
  for (const auto& b : seed_bookmarks(ctx)) {
    const std::string want = b.title + "|" + b.url + "|" + (stored.has_host ? b.host : "");
    bool found = false, same_title = false;
    for (const auto& row : stored.rows) {
      found = found || row == want;
      same_title = same_title || row.starts_with(b.title + "|" + b.url + "|");
    }
    if (!found) (same_title ? wrong_host : missing).push_back(b.title);
  }
  std::string out;
  if (!missing.empty())
    out = std::to_string(missing.size()) + " of " + std::to_string(seed_count) +
          " seeded bookmarks missing from the bookmarks table: " + join(missing) +
          " (after a restore: did the restore post-hook load backup.sql.gz? after an upgrade: did the db volume "
          "change?)";
  if (!wrong_host.empty())
    out += std::string(out.empty() ? "" : "; ") + "bookmarks.host is not the URL's lower-cased host for " +
           join(wrong_host) + " (the 1.1.0 migration computes it); stored: " + join(stored.rows, "; ");
  return out;
}

} // namespace

// `/` is the app's page, under the header swarm rendered from the app env's
// LINKSHELF_TITLE (a golang-template config): the env reached the app.
CCCI_CHECK(install, front_page_has_the_title) {
  const std::string title = ctx.env("LINKSHELF_TITLE");
  if (title.empty())
    return ccci::fail("LINKSHELF_TITLE is empty in the app env: set it in .env.sample or the recipe meta's env");
  const ccci::HttpResponse r = ctx.http_get("/");
  if (auto why = expect_page(r, "/", "app", "text/html"); !why.empty()) return ccci::fail(why);
  const std::string h1 = "<h1>" + title + "</h1>";
  if (r.body.find(h1) == std::string::npos)
    return ccci::fail("GET /: the page lacks '" + h1 +
                      "' (the header is header.html.tmpl rendered with {{ env \"LINKSHELF_TITLE\" }}: did the "
                      "app service's environment hold the app env's title?); body: '" +
                      ccci::excerpt(r.body) + "'");
  return ccci::pass("GET /: 200 text/html from app, titled '" + title + "' from the app env");
}

// /links is the app's CGI over the database: nginx, fcgiwrap, the
// db_password secret and PostgreSQL all work.
CCCI_CHECK(install, links_served) {
  const ccci::HttpResponse r = ctx.http_get("/links");
  if (auto why = expect_page(r, "/links", "app", "text/plain"); !why.empty())
    return ccci::fail(why + " (a 503 body says why the CGI could not read the bookmarks table; a 502 means fcgiwrap "
                            "is not running: see the app service's log)");
  return ccci::pass("GET /links: 200 text/plain from app, " + std::to_string(lines_of(r.body).size()) +
                    " bookmark(s) listed");
}

// /static/... reaches the static service (the PathPrefix router), which got
// DOMAIN and LINKSHELF_TITLE through its own bare environment entries.
CCCI_CHECK(install, static_routed_to_static) {
  const ccci::HttpResponse css = ctx.http_get("/static/style.css");
  if (auto why = expect_page(css, "/static/style.css", "static", "text/css"); !why.empty()) return ccci::fail(why);
  const ccci::HttpResponse about = ctx.http_get("/static/about.txt");
  if (auto why = expect_page(about, "/static/about.txt", "static", "text/plain"); !why.empty()) return ccci::fail(why);
  const std::string title = ctx.env("LINKSHELF_TITLE");
  const std::string want = title + "\nbookmarks at https://" + ctx.domain() + "/\n";
  if (about.body != want)
    return ccci::fail("GET /static/about.txt: expected '" + ccci::excerpt(want) +
                      "' (written by the static "
                      "service from its DOMAIN and LINKSHELF_TITLE), got '" +
                      ccci::excerpt(about.body) + "'");
  return ccci::pass("GET /static/style.css (text/css) and /static/about.txt from static; about.txt names '" + title +
                    "' and " + ctx.domain());
}

// Bookmarks named after the stack; inserting only the absent ones, so a seed
// that runs twice (or after a restore) never duplicates them.
CCCI_SEED(bookmarks) {
  const auto seeds = seed_bookmarks(ctx);
  std::string sql;
  for (const auto& b : seeds)
    sql += "INSERT INTO bookmarks(url, title) VALUES (" + sql_literal(b.url) + ", " + sql_literal(b.title) +
           ") ON CONFLICT (url) DO NOTHING; ";
  const auto r = psql(ctx, sql);
  if (r.exit_code != 0) return ccci::fail("seeding " + std::to_string(seeds.size()) + " bookmarks: " + psql_failure(r));
  const auto stored = stored_seeds(ctx);
  if (!stored.error.empty()) return ccci::fail("after seeding: " + stored.error);
  if (auto problem = seeds_problem(ctx, stored); !problem.empty())
    return ccci::fail("the INSERTs succeeded, but: " + problem);
  return ccci::pass("bookmarks table holds the " + std::to_string(seeds.size()) + " seeded bookmarks");
}

// The seeded bookmarks survived (the upgrade, or the wipe and restore): in
// the database (with 1.1.0's host), in /links, and on the front page.
CCCI_VERIFY(bookmarks) {
  const auto stored = stored_seeds(ctx);
  if (!stored.error.empty()) return ccci::fail(stored.error);
  if (auto problem = seeds_problem(ctx, stored); !problem.empty()) return ccci::fail(problem);

  const ccci::HttpResponse links = ctx.http_get("/links");
  if (auto why = expect_page(links, "/links", "app", "text/plain"); !why.empty())
    return ccci::fail("the seeded bookmarks are in the database, but " + why);
  const ccci::HttpResponse page = ctx.http_get("/");
  if (auto why = expect_page(page, "/", "app", "text/html"); !why.empty())
    return ccci::fail("the seeded bookmarks are in the database, but " + why);
  std::vector<std::string> not_listed, not_on_page;
  for (const auto& b : seed_bookmarks(ctx)) {
    if (links.body.find(b.url) == std::string::npos || links.body.find(b.title) == std::string::npos)
      not_listed.push_back(b.title);
    if (page.body.find(">" + b.title_html + "</a>") == std::string::npos) not_on_page.push_back(b.title_html);
  }
  if (!not_listed.empty())
    return ccci::fail("GET /links does not list " + join(not_listed) + "; body: '" + ccci::excerpt(links.body) + "'");
  if (!not_on_page.empty())
    return ccci::fail("GET / does not show (HTML-escaped) " + join(not_on_page) + "; body: '" +
                      ccci::excerpt(page.body) + "'");
  return ccci::pass("all " + std::to_string(seed_count) + " seeded bookmarks are in the table" +
                    (stored.has_host ? " with their hosts" : "") + ", listed by /links and shown on /");
}

// The archive holds the db volume as a gzipped pg_dump with data in it, never
// the live data directory. The dump's contents are proven by the restore
// (the verify hook); here, gzip's own trailer says how much it holds: a
// failed pg_dump into `| gzip` leaves a valid gzip of 0 bytes.
CCCI_ARCHIVE_CHECK(dump_is_a_gzipped_pg_dump) {
  const std::string want = archive.volume_path("db", "backup.sql.gz");
  auto norm = [](std::string_view p) {
    while (p.starts_with("./") || p.starts_with("/"))
      p.remove_prefix(p.starts_with("/") ? 1 : 2);
    return std::string(p);
  };
  const std::string want_n = norm(want);
  const std::string root = want_n.substr(0, want_n.size() - std::string_view("backup.sql.gz").size());
  constexpr std::array<std::string_view, 4> live_markers{"PG_VERSION", "base/", "global/", "pg_wal/"};
  std::vector<std::string> live;
  std::string stored_as;
  for (const auto& e : archive.entries()) {
    const std::string p = norm(e.path);
    if (!p.starts_with(root)) continue;
    if (p == want_n && !e.directory) stored_as = e.path;
    const std::string rel = p.substr(root.size()) + (e.directory ? "/" : "");
    for (auto m : live_markers)
      if (rel.starts_with(m) && live.size() < 5) live.push_back(rel);
  }
  if (!live.empty())
    return ccci::fail("the db volume was archived as PostgreSQL's live data directory (" + join(live) + " under " +
                      root + "): keep only the dump (backupbot.backup.volumes.db.path=backup.sql.gz)");
  if (stored_as.empty())
    return ccci::fail("no " + want_n +
                      " in the archive: did the db service's backup pre-hook (pg_dump | gzip > "
                      "backup.sql.gz) run, and does backupbot.backup.volumes.db.path name it?");
  const std::optional<std::string> gz = archive.read(stored_as);
  if (!gz) return ccci::fail("the archive lists " + stored_as + " but it could not be read as a file");
  if (gz->size() < 18 || static_cast<unsigned char>((*gz)[0]) != 0x1f || static_cast<unsigned char>((*gz)[1]) != 0x8b)
    return ccci::fail(want_n + " (" + std::to_string(gz->size()) + " bytes) is not gzip data; starts: '" +
                      ccci::excerpt(*gz, 40) + "'");
  // RFC 1952: the last 4 bytes are the uncompressed size (mod 2^32). A dump
  // of the bookmarks schema alone is well over 1 KiB.
  const std::uint32_t size = le32(std::string_view(*gz).substr(gz->size() - 4));
  if (size < 1024)
    return ccci::fail(want_n + " decompresses to " + std::to_string(size) +
                      " bytes: pg_dump wrote (almost) nothing into gzip. Did it fail inside the pipe? backupbot runs "
                      "hooks with set -o pipefail, so the pre-hook's exit status says why");
  return ccci::pass(want_n + ": gzip, " + std::to_string(gz->size()) + " bytes holding " + std::to_string(size) +
                    " bytes of dump; no live data-directory files in the db volume");
}

// The newest release's migration: bookmarks.host, a stored generated column,
// set on the rows that were there and on new ones (tried in a transaction
// that is rolled back).
CCCI_CHECK(custom, migration_applied) {
  const auto col = psql(ctx, "SELECT is_generated || '|' || coalesce(generation_expression, '') FROM "
                             "information_schema.columns WHERE table_schema = 'public' AND table_name = 'bookmarks' "
                             "AND column_name = 'host'");
  if (col.exit_code != 0) return ccci::fail(psql_failure(col));
  const auto lines = lines_of(col.output);
  if (lines.empty())
    return ccci::fail("column bookmarks.host does not exist: the 1.1.0 migration (ALTER TABLE bookmarks ADD COLUMN "
                      "host ... GENERATED ALWAYS AS ...) did not run; see the app service's log for its schema step");
  if (!lines.front().starts_with("ALWAYS|"))
    return ccci::fail("bookmarks.host is not a generated column (is_generated|expression: '" + lines.front() + "')");
  const auto probe = psql(ctx, "BEGIN; INSERT INTO bookmarks(url, title) VALUES ('http://Probe.Example.NET/x', "
                               "'ccci-probe') RETURNING host; ROLLBACK;");
  if (probe.exit_code != 0) return ccci::fail("a new bookmark could not be inserted: " + psql_failure(probe));
  if (lines_of(probe.output) != std::vector<std::string>{"probe.example.net"})
    return ccci::fail("a new bookmark for http://Probe.Example.NET/x got host '" + ccci::excerpt(probe.output) +
                      "', expected 'probe.example.net'");
  return ccci::pass("bookmarks.host is generated from the URL (" + ccci::excerpt(lines.front().substr(7), 120) +
                    "); a new bookmark gets 'probe.example.net'");
}

// Each router keeps to its own paths: an unknown path under /static is the
// static service's 404, any other unknown path the app's.
CCCI_CHECK(custom, unknown_paths_stay_with_their_router) {
  const ccci::HttpResponse s = ctx.http_get("/static/no-such-file.txt");
  const ccci::HttpResponse a = ctx.http_get("/no-such-page");
  std::vector<std::string> wrong;
  if (s.status != 404 || s.header("x-linkshelf-service") != "static")
    wrong.push_back("GET /static/no-such-file.txt: " + std::to_string(s.status) + " from " + served_by(s) +
                    ", expected 404 from static");
  if (a.status != 404 || a.header("x-linkshelf-service") != "app")
    wrong.push_back("GET /no-such-page: " + std::to_string(a.status) + " from " + served_by(a) +
                    ", expected 404 from app");
  if (!wrong.empty()) return ccci::fail(join(wrong, "; "));
  return ccci::pass("unknown paths: 404 from static under /static, 404 from app elsewhere");
}

CCCI_PLUGIN("linkshelf")
