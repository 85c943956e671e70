// Progress a person can follow, on the real swarm (docs/architecture.md,
// "Reporting"): while install converges, a status with the services' counts,
// the elapsed time and the deploy timeout with its origin. Into a pipe it is
// plain lines, no carriage return or escape in the output or in ccci.log; on
// a terminal (a pseudo-terminal made by script(1)) it is rewritten in place,
// and the line that replaces it starts clean, while ccci.log stays plain.
#define BOOST_TEST_MODULE integration_progress
#include <boost/test/unit_test.hpp>

#include "support/ccci_runs.hpp"
#include "support/files.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// The bound is given, so the status can name it and where it came from.
std::vector<std::string> install_args() {
  return {"run",      "--recipe-dir",     (repos / "custom-html-tiny").string(),
          "--recipe", "custom-html-tiny", "--tiers",
          "install",  "--deploy-timeout", "120"};
}

std::string where_control_bytes_are(const std::string& text) {
  auto at = std::find_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\x1b'; });
  if (at == text.end()) return "";
  auto from = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, at - text.begin() - 40));
  return "a \\r or escape byte near: " + text.substr(from, 80);
}

std::string shell_quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

} // namespace

BOOST_AUTO_TEST_CASE(into_a_pipe_the_converge_status_is_plain_lines_with_counts_elapsed_and_the_bound) {
  auto o = run_ccci({.binary = CCCI_BIN, .args = install_args(), .runs_dir = fresh_dir(work / "runs", "pipe")});
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  // "[   3.1s] install  converging: app 0/1 — 2s of 120s, deploy timeout from --deploy-timeout"
  static const std::regex converging(
      R"(\[ *[0-9]+\.[0-9]s\] install  converging: app [01]/1[^\n]* — [0-9]+s of 120s, deploy timeout from --deploy-timeout\n)");
  BOOST_TEST(std::regex_search(o.output, converging), o.output);
  BOOST_TEST(where_control_bytes_are(o.output) == "");
  auto log = read(o.run_dir() / "ccci.log");
  BOOST_TEST(std::regex_search(log, converging), log);
  BOOST_TEST(where_control_bytes_are(log) == "");
}

BOOST_AUTO_TEST_CASE(on_a_terminal_the_converge_status_is_rewritten_in_place_and_the_log_stays_plain) {
  auto runs = fresh_dir(work / "runs", "tty");
  std::string command = "stty cols 200 && exec " + shell_quoted(CCCI_BIN);
  for (auto& a : install_args())
    command += " " + shell_quoted(a);
  command += " --runs-dir " + shell_quoted(runs.string());
  // script(1) runs the command on a new pseudo-terminal and copies what it
  // printed to our pipe; -e returns its exit code.
  auto r = run_logged({"script", "-qfec", command, "/dev/null"}, std::chrono::minutes(8), {"TERM=xterm"});
  BOOST_TEST(r.exit_code == 0, r.out);
  // A rewrite: carriage return, erase the line, the status.
  static const std::regex rewritten(
      R"(\r\x1b\[K\[ *[0-9]+\.[0-9]s\] install  converging: app [01]/1[^\r\n]* — [0-9]+s of 120s, deploy timeout from --deploy-timeout)");
  BOOST_TEST(std::regex_search(r.out, rewritten), r.out);
  // The check that ends the wait erases the status before it prints.
  static const std::regex replaced(R"(\r\x1b\[K\[ *[0-9]+\.[0-9]s\] install  pass  install/converged)");
  BOOST_TEST(std::regex_search(r.out, replaced), r.out);
  // The run's log is never live.
  fs::path run_dir;
  for (auto& e : fs::directory_iterator(runs))
    if (fs::exists(e.path() / "ccci.log")) run_dir = e.path();
  BOOST_TEST_REQUIRE(!run_dir.empty(), "no run directory with a ccci.log under " << runs);
  auto log = read(run_dir / "ccci.log");
  BOOST_TEST(log.find("install  converging: app") != std::string::npos, log);
  BOOST_TEST(where_control_bytes_are(log) == "");
}
