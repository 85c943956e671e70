// The leak scan and the redactor over every form a secret can take
// (docs/architecture.md, "Leaks"): raw, base64 (standard and URL-safe, at
// each alignment), hex, percent-encoded; the chunked stream, symlinks, files
// that cannot be read, archive members; and a parent command's fingerprints.
#define BOOST_TEST_MODULE leak_scan
#include <boost/test/unit_test.hpp>

#include "jobs/child_leaks.hpp"
#include "os/process.hpp"
#include "report/leak_scan.hpp"
#include "report/listener.hpp"
#include "support/files.hpp"
#include "swarm/secrets.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace ccci::host;
using ccci::test::TempTree;

namespace {

// An encoder of the test's own (libcrypto's), so the forms are checked
// against someone else's base64, not against themselves.
std::string base64_of(std::string_view bytes, bool url_safe = false) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  if (url_safe)
    for (auto& c : out)
      c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string hex_of(std::string_view bytes, bool upper) {
  std::string out;
  for (unsigned char c : bytes)
    out += upper ? fmt::format("{:02X}", c) : fmt::format("{:02x}", c);
  return out;
}

std::string url_encoded(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes)
    out += std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ? std::string(1, static_cast<char>(c))
                                                                           : fmt::format("%{:02X}", c);
  return out;
}

// A value with specials, so its percent-encoding differs from it, and with
// "???" and "~~~" (base64 "Pz8/", "fn5+") whole at every alignment, so its
// URL-safe base64 differs from the standard one at each.
GeneratedSecret special_secret() { return {"s_db_password_v1", "pw??????~~~~~~&=" + generate_password(24, true)}; }

std::vector<LeakHit> hits_in(const LeakMatcher& m, std::string_view text) {
  std::vector<LeakHit> out;
  m.find(text, out);
  return out;
}

bool found(const std::vector<LeakHit>& hits, std::string_view form) {
  return std::any_of(hits.begin(), hits.end(), [&](const LeakHit& h) { return h.form == form; });
}

// Each encoding as a program would write it, embedded in surrounding text:
// base64 of the value after 0, 1 and 2 other bytes (the three alignments).
std::vector<std::pair<std::string, std::string>> encodings_of(const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out{{"raw", value}};
  for (std::string prefix : {"", "x", "xy"}) {
    out.emplace_back("base64", base64_of(prefix + value + "tail"));
    out.emplace_back("base64url", base64_of(prefix + value + "tail", true));
  }
  out.emplace_back("hex", hex_of(value, false));
  out.emplace_back("HEX", hex_of(value, true));
  out.emplace_back("url-encoded", url_encoded(value));
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_encoding_is_found_and_redacted_by_value_and_by_fingerprint) {
  auto s = special_secret();
  Redactor red;
  red.add(s);
  ChildLeakGuard parent;
  const std::string key = parent.child_env().substr(parent.child_env().find('=') + 1);
  FingerprintMatcher fps(key);
  fps.add(fingerprints_of({s}, key));
  for (auto& [form, text] : encodings_of(s.value)) {
    const auto line = "before " + text + " after";
    BOOST_TEST_CONTEXT(form << ": " << line) {
      auto by_value = hits_in(red, line);
      BOOST_TEST(found(by_value, form));
      auto by_fingerprint = hits_in(fps, line);
      BOOST_TEST(found(by_fingerprint, form));
      // Redacted, neither matcher finds anything left.
      auto clean = red.redact(line);
      BOOST_TEST(clean.find("[redacted:s_db_password_v1") != std::string::npos);
      BOOST_TEST(hits_in(red, clean).empty());
      BOOST_TEST(hits_in(fps, clean).empty());
      auto clean_fp = fps.redact(line);
      BOOST_TEST(hits_in(red, clean_fp).empty());
      BOOST_TEST(clean_fp.starts_with("before "));
    }
    if (form == "base64url") BOOST_TEST(text.find_first_of("-_") != std::string::npos, text);
  }
  // Text without the value has nothing.
  BOOST_TEST(hits_in(red, "nothing to see " + base64_of("something else entirely")).empty());
  BOOST_TEST(hits_in(fps, "nothing to see " + hex_of("something else", false)).empty());
  // Another key's fingerprints match nothing: the key is what makes them.
  FingerprintMatcher other("another key");
  other.add(fingerprints_of({s}, key));
  BOOST_TEST(hits_in(other, s.value).empty());
}

BOOST_AUTO_TEST_CASE(a_secret_straddling_two_chunks_is_found) {
  GeneratedSecret s{"s_token_v1", generate_password(40, false)};
  Redactor red;
  red.add(s);
  TempTree dir("unit-leak-chunks");
  // 16-byte chunks: the value starts at 10 and ends at 50, across three.
  dir.write("ccci.log", std::string(10, '.') + s.value + std::string(30, '.'));
  dir.write("b64.txt", std::string(13, '.') + base64_of("q" + s.value) + std::string(30, '.'));
  auto report = scan_tree_for_leaks(dir.dir(), red, 16);
  BOOST_TEST(report.leaks.size() == 2u);
  BOOST_TEST(std::count(report.leaks.begin(), report.leaks.end(), "ccci.log: secret s_token_v1 (raw)") == 1);
  BOOST_TEST(std::count(report.leaks.begin(), report.leaks.end(), "b64.txt: secret s_token_v1 (base64)") == 1);
  // Fed one byte at a time, the stream still finds it, holding no more than
  // a chunk and the overlap.
  StreamScan scan(red, 4);
  for (char c : "head " + s.value + " tail")
    scan.feed(std::string_view(&c, 1));
  BOOST_TEST(scan.hits().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_symlink_is_named_and_never_followed) {
  GeneratedSecret s{"s_token_v1", generate_password(30, false)};
  Redactor red;
  red.add(s);
  TempTree outside("unit-leak-outside");
  auto target = outside.write("host-file", "the value is " + s.value + "\n");
  TempTree dir("unit-leak-links");
  dir.write("results.json", "{}\n");
  fs::create_symlink(target, dir / "to-host");
  fs::create_symlink(outside.dir(), dir / "to-dir");
  auto report = scan_tree_for_leaks(dir.dir(), red);
  BOOST_TEST(report.leaks.empty()); // the file it points to was not read
  BOOST_TEST(report.clean());
  BOOST_TEST_REQUIRE(report.notes.size() == 2u);
  for (auto& n : report.notes)
    BOOST_TEST(n.find("a symlink (to ") != std::string::npos, n);
  // A link whose target text holds the value leaks it by its name alone.
  fs::create_symlink("/tmp/" + s.value, dir / "named");
  report = scan_tree_for_leaks(dir.dir(), red);
  BOOST_TEST(report.leaks == (std::vector<std::string>{"named: the target of the symlink: secret s_token_v1 (raw)"}),
             boost::test_tools::per_element());
  for (auto& n : report.notes)
    BOOST_TEST(n.find(s.value) == std::string::npos, n);
}

BOOST_AUTO_TEST_CASE(a_file_the_scan_cannot_read_is_not_clean) {
  GeneratedSecret s{"s_token_v1", generate_password(30, false)};
  Redactor red;
  red.add(s);
  TempTree dir("unit-leak-fifo");
  dir.write("ccci.log", "fine\n");
  // Tests run as root, for whom chmod 000 stops nothing; a FIFO nobody
  // writes to is a file the scan cannot read (opening it would block).
  BOOST_TEST_REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  auto report = scan_tree_for_leaks(dir.dir(), red);
  BOOST_TEST(report.leaks.empty());
  BOOST_TEST(!report.clean());
  BOOST_TEST_REQUIRE(report.unreadable.size() == 1u);
  BOOST_TEST(report.unreadable[0].starts_with("pipe: a FIFO, not read"), report.unreadable[0]);
  BOOST_TEST(report.findings().size() == 1u);
  BOOST_TEST(report.findings()[0].starts_with("not scanned, so not proven clean: pipe"));
}

BOOST_AUTO_TEST_CASE(an_archive_member_holding_a_secret_is_found_by_name_and_content) {
  GeneratedSecret s{"s_db_password_v1", generate_passphrase()};
  Redactor red;
  red.add(s);
  TempTree src("unit-leak-archive-src");
  src.write("var/lib/docker/volumes/st_db/_data/backup.sql",
            "INSERT INTO notes VALUES ('" + base64_of(s.value) + "');\n");
  src.write("var/lib/docker/volumes/st_db/_data/clean.txt", "nothing\n");
  TempTree dir("unit-leak-archive");
  fs::create_directories(dir / "backup");
  auto r = run_process({"tar", "-czf", (dir / "backup" / "st.tar.gz").string(), "-C", src.dir().string(), "var"});
  BOOST_TEST_REQUIRE(r.ok(), r.err);
  auto report = scan_tree_for_leaks(dir.dir(), red);
  // gzip hides it from the raw bytes; only the member's content shows it.
  BOOST_TEST(report.leaks ==
                 (std::vector<std::string>{"archive backup/st.tar.gz: member var/lib/docker/volumes/st_db/_data/"
                                           "backup.sql: secret s_db_password_v1 (base64)"}),
             boost::test_tools::per_element());
  BOOST_TEST(report.unreadable.empty());

  // A member named after the value: found, and the report shows the name redacted.
  TempTree named("unit-leak-archive-named");
  named.write("x/" + s.value + ".txt", "clean\n");
  r = run_process({"tar", "-czf", (dir / "backup" / "st.tar.gz").string(), "-C", named.dir().string(), "x"});
  BOOST_TEST_REQUIRE(r.ok(), r.err);
  report = scan_tree_for_leaks(dir.dir(), red);
  BOOST_TEST_REQUIRE(report.leaks.size() == 1u);
  BOOST_TEST(
      report.leaks[0] ==
      "archive backup/st.tar.gz: the name of member x/[redacted:s_db_password_v1].txt: secret s_db_password_v1 (raw)");

  // An archive cut short cannot be read to the end: not proven clean.
  auto bytes = ccci::test::read(dir / "backup" / "st.tar.gz");
  ccci::test::write(dir / "backup" / "st.tar.gz", bytes.substr(0, bytes.size() / 2));
  report = scan_tree_for_leaks(dir.dir(), red);
  BOOST_TEST(!report.clean());
  BOOST_TEST_REQUIRE(report.unreadable.size() == 1u);
  BOOST_TEST(report.unreadable[0].starts_with("archive backup/st.tar.gz: cannot be read to the end"),
             report.unreadable[0]);
}

BOOST_AUTO_TEST_CASE(a_parent_finds_and_redacts_by_its_childrens_fingerprints_without_the_values) {
  GeneratedSecret s{"st_site_token_v1", generate_passphrase()};
  ChildLeakGuard parent;
  const auto env = parent.child_env();
  BOOST_TEST_REQUIRE(env.starts_with("CCCI_LEAK_FINGERPRINT_KEY="));
  const auto key = env.substr(env.find('=') + 1);
  BOOST_TEST(key.size() == 64u);
  BOOST_TEST(ChildLeakGuard().child_env() != env); // a fresh key per parent

  // What a child run leaves in its run dir (run/steps.cpp remember_secret).
  TempTree runs("unit-leak-parent");
  auto file = runs.write("child-1/secret-fingerprints.json", fingerprints_to_json(fingerprints_of({s}, key)));
  BOOST_TEST(ccci::test::read(file).find(s.value) == std::string::npos);
  BOOST_TEST(fingerprints_from_json(ccci::test::read(file), file.string()) == fingerprints_of({s}, key));
  parent.child_finished(runs / "child-1");
  parent.child_finished(runs / "child-2"); // made no secret: no file, nothing to add

  // The parent's console: whole lines, redacted.
  std::ostringstream console;
  {
    RedactedOutput redacted(console, parent);
    console << "child said " << s.value << "\n"
            << "and " << base64_of(s.value) << std::flush;
  }
  BOOST_TEST(console.str() == "child said [redacted:st_site_token_v1]\nand [redacted:st_site_token_v1:base64]");

  // Its files and reports.
  auto log = runs.write("child-1.log", "a line\nthe token " + hex_of(s.value, false) + "\n");
  auto scan = parent.scan({log, runs / "absent.log"}, {{"summary.json", "{\"notes\": [\"" + s.value + "\"]}"}});
  BOOST_TEST(scan.leaks == (std::vector<std::string>{log.string() + ": secret st_site_token_v1 (hex)",
                                                     "summary.json: secret st_site_token_v1 (raw)"}),
             boost::test_tools::per_element());
  auto flagged = with_leak_flag("{\"recipes\": []}", scan);
  BOOST_TEST(flagged.find("\"no_secret_leak\":false") != std::string::npos, flagged);
  BOOST_TEST(with_leak_flag("{}", LeakScanReport{}).find("\"no_secret_leak\":true") != std::string::npos);

  // A fingerprint file it cannot read leaves it unable to prove anything.
  runs.write("child-3/secret-fingerprints.json", "not json");
  parent.child_finished(runs / "child-3");
  scan = parent.scan({}, {{"summary.json", "{}"}});
  BOOST_TEST(!scan.clean());
  BOOST_TEST(scan.unreadable.size() == 1u);
}

BOOST_AUTO_TEST_CASE(every_string_of_a_run_event_passes_the_redactor) {
  GeneratedSecret s{"st_site_token_v1", generate_passphrase()};
  Redactor red;
  red.add(s);
  struct Capture final : RunListener {
    std::vector<std::string> seen;
    void line(std::string_view t) override { seen.emplace_back(t); }
    void progress(std::string_view, std::string_view t) override { seen.emplace_back(t); }
    void check_done(const CheckRecord& c) override { seen.push_back(c.message); }
    void tier_done(const TierResult& t) override { seen.push_back(t.reason); }
    void run_finished(const RunResults& r, const fs::path&) override { seen.push_back(to_json(r)); }
  } capture;
  RedactingListener events(red, capture);
  const auto b64 = base64_of(s.value);
  events.line("line " + s.value);
  events.progress("install", "progress " + b64);
  events.check_done({"custom/x", Status::fail, "message " + s.value + " and " + b64, 0});
  auto results = empty_results();
  results.tier(ccci::Tier::custom).reason = "reason " + hex_of(s.value, true);
  results.tier(ccci::Tier::custom).checks.push_back({"custom/x", Status::fail, "hook tail " + url_encoded(s.value), 0});
  results.evidence.push_back("evidence/" + s.value + ".log");
  events.tier_done(results.tier(ccci::Tier::custom));
  events.run_finished(results, "results.json");
  BOOST_TEST_REQUIRE(capture.seen.size() == 5u);
  for (auto& text : capture.seen) {
    BOOST_TEST(text.find("[redacted:st_site_token_v1") != std::string::npos, text);
    BOOST_TEST(hits_in(red, text).empty(), text);
  }
}
