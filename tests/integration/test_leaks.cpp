// Redaction and the leak scan on the real swarm (docs/architecture.md,
// "Leaks"): a check that prints its secret leaves the value (in any form)
// nowhere under the run dir or on the terminal, and an encoded secret that
// reaches the backup archive through the app's own data is found by the scan
// and named by file, member and form; a parent command (triage) finds, by
// its child's fingerprints, a value the child's plugin wrote behind the
// redactor's back into the parent's directory of child logs, and never
// shows it.
#define BOOST_TEST_MODULE integration_leaks
#include <boost/test/unit_test.hpp>

#include "backup/archive.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <openssl/evp.h>

#include <filesystem>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// The test's own encoder (libcrypto's), not ccci's.
std::string base64_of(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string hex_of(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

// What must appear nowhere: the value, and the characters of its base64
// that do not depend on what surrounds it, at each alignment, and its hex.
std::vector<std::pair<std::string, std::string>> forms_of(const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out{{"raw", value}, {"hex", hex_of(value)}};
  for (std::size_t k = 0; k < 3; ++k) {
    auto rest = value.substr(k);
    out.emplace_back("base64@" + std::to_string(k), base64_of(rest.substr(0, rest.size() / 3 * 3)));
  }
  return out;
}

// Every place under `dir` where a form turns up: files (symlinks not
// followed) and the members of every .tar.gz, read through libarchive.
std::vector<std::string> grep_run_dir(const fs::path& dir, const std::string& value, const std::string& stack) {
  std::vector<std::string> found;
  auto look = [&](const std::string& where, const std::string& text) {
    for (auto& [form, bytes] : forms_of(value))
      if (text.find(bytes) != std::string::npos) found.push_back(where + " (" + form + ")");
  };
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_symlink() || !it->is_regular_file()) continue;
    look(it->path().string(), read(it->path()));
    if (it->path().string().ends_with(".tar.gz")) {
      ArchiveReader archive(it->path(), stack);
      for (auto& e : archive.entries()) {
        look(it->path().string() + " name " + e.path, e.path);
        if (!e.directory)
          if (auto data = archive.read(e.path, std::size_t{1} << 30))
            look(it->path().string() + " member " + e.path, *data);
      }
    }
  }
  return found;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_check_that_prints_its_secret_leaves_it_nowhere_on_disk) {
  const auto values = fresh_dir(work / "leak-values", "printed");
  const auto value_file = values / "site_token";
  auto o = run_ccci(
      {.binary = CCCI_BIN,
       .args = {"run", "--recipe-dir", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny", "--tiers",
                "install,custom", "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/leaky_check.so"},
       .runs_dir = fresh_dir(work / "runs", "printed"),
       .env = {"CCCI_TEST_LEAK_OUT=" + value_file.string()}});
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  auto* check = o.check("custom/prints_its_secret");
  BOOST_TEST_REQUIRE(check);
  BOOST_TEST(check->status == Status::pass, check->message);
  const std::string value = fs::exists(value_file) ? read(value_file) : "";
  BOOST_TEST_REQUIRE(value.size() >= 23u); // a six-word passphrase: the plugin really saw it
  const auto name = o.results->stack + "_site_token_v1";
  BOOST_TEST(check->message.find("[redacted:" + name + "]") != std::string::npos, check->message);
  BOOST_TEST(check->message.find("[redacted:" + name + ":base64]") != std::string::npos, check->message);
  BOOST_TEST(o.results->no_secret_leak);
  BOOST_TEST(o.results->leak_findings.empty());
  auto found = grep_run_dir(o.run_dir(), value, o.results->stack);
  BOOST_TEST(found.empty(), "the value is in " << (found.empty() ? "" : found.front()));
  for (auto& [form, bytes] : forms_of(value))
    BOOST_TEST(o.output.find(bytes) == std::string::npos, "the terminal shows the value (" << form << ")");
  // The log lines were there, masked.
  auto log = read(o.run_dir() / "ccci.log");
  BOOST_TEST(log.find("the site token is [redacted:" + name + "]") != std::string::npos);
  BOOST_TEST(log.find("(printed by custom/prints_its_secret) printed to its stdout: [redacted:" + name + "]") !=
             std::string::npos);
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(an_encoded_secret_in_a_backup_archive_member_is_a_leak_named_by_file_and_form) {
  const auto values = fresh_dir(work / "leak-values", "archived");
  const auto value_file = values / "db_password";
  auto o = run_ccci({.binary = CCCI_BIN,
                     .args = {"run", "--recipe-dir", (repos / "notes-pg").string(), "--recipe", "notes-pg", "--tiers",
                              "install,backup", "--plugin", std::string(CCCI_TEST_PLUGIN_DIR) + "/leaky_backup.so"},
                     .runs_dir = fresh_dir(work / "runs", "archived"),
                     .env = {"CCCI_TEST_LEAK_OUT=" + value_file.string()}});
  BOOST_TEST_REQUIRE(o.results.has_value(), o.output);
  // Every tier it ran passed; the leak alone makes it red.
  BOOST_TEST(o.tier(Tier::install).status == Status::pass, o.tier(Tier::install).reason);
  BOOST_TEST(o.tier(Tier::backup).status == Status::pass, o.tier(Tier::backup).reason);
  BOOST_TEST(o.exit_code == 1, o.output);
  BOOST_TEST(!o.results->no_secret_leak);
  const std::string value = fs::exists(value_file) ? read(value_file) : "";
  BOOST_TEST_REQUIRE(value.size() >= 23u);
  const auto& stack = o.results->stack;
  const auto want = "archive backup/" + stack + ".tar.gz: member var/lib/docker/volumes/" + stack +
                    "_db/_data/backup.sql: secret " + stack + "_db_password_v1 (base64)";
  BOOST_TEST(std::count(o.results->leak_findings.begin(), o.results->leak_findings.end(), want) == 1,
             "leak_findings lack '" << want << "'");
  BOOST_TEST(o.output.find("SECRET LEAK: " + want) != std::string::npos, o.output);
  // The report names it; it never shows it, in any form.
  for (auto& [form, bytes] : forms_of(value)) {
    BOOST_TEST(o.output.find(bytes) == std::string::npos, "the terminal shows the value (" << form << ")");
    BOOST_TEST(read(o.run_dir() / "results.json").find(bytes) == std::string::npos, "results.json (" << form << ")");
    BOOST_TEST(read(o.run_dir() / "ccci.log").find(bytes) == std::string::npos, "ccci.log (" << form << ")");
  }
  // And it is really there, where the scan says (the test's own reading).
  auto found = grep_run_dir(o.run_dir(), value, stack);
  BOOST_TEST_REQUIRE(found.size() >= 1u);
  BOOST_TEST(found.front().find("backup.sql (base64@") != std::string::npos, found.front());
  auto left = leftovers_of(stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(a_parent_finds_by_fingerprint_a_secret_its_child_wrote_behind_the_redactor) {
  const auto values = fresh_dir(work / "leak-values", "parent");
  const auto value_file = values / "site_token";
  const auto runs = fresh_dir(work / "runs", "parent");
  auto o = run_ccci({.binary = CCCI_BIN,
                     .args = {"triage", (repos / "custom-html-tiny").string(), "--recipe", "custom-html-tiny",
                              "--repeat", "1", "--load", "0", "--", "--tiers", "install,custom", "--plugin",
                              std::string(CCCI_TEST_PLUGIN_DIR) + "/leaky_stdout.so"},
                     .runs_dir = runs,
                     .env = {"CCCI_TEST_LEAK_OUT=" + value_file.string()}});
  const std::string value = fs::exists(value_file) ? read(value_file) : "";
  BOOST_TEST_REQUIRE(value.size() >= 23u, o.output);
  // The child's own verdict is green: what its plugin wrote went beside its
  // log, in the parent's directory, outside its run dir.
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.results->exit_code == 0);
  const auto& stack = o.results->stack;
  // The parent's report says where, and the leak makes it red.
  BOOST_TEST(o.exit_code == 1, o.output);
  const auto report = read(runs / "triage-report.json");
  BOOST_TEST(report.find("\"no_secret_leak\":false") != std::string::npos, report);
  const auto finding = ".logs/written-behind-cccis-back.txt: secret " + stack + "_site_token_v1 (raw)";
  BOOST_TEST(report.find(finding) != std::string::npos, report);
  BOOST_TEST(o.output.find("SECRET LEAK: ") != std::string::npos, o.output);
  // It is really there, and nowhere the parent wrote, nor on its terminal.
  bool planted = false;
  for (auto& e : fs::recursive_directory_iterator(runs))
    if (e.path().filename() == "written-behind-cccis-back.txt")
      planted = planted || read(e.path()).find(value) != std::string::npos;
  BOOST_TEST(planted);
  for (auto& [form, bytes] : forms_of(value)) {
    BOOST_TEST(o.output.find(bytes) == std::string::npos, "the terminal shows the value (" << form << ")");
    BOOST_TEST(report.find(bytes) == std::string::npos, "triage-report.json (" << form << ")");
    BOOST_TEST(read(runs / "triage-report.txt").find(bytes) == std::string::npos, "triage-report.txt (" << form << ")");
  }
  auto left = leftovers_of(stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}
