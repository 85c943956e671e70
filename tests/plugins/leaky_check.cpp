// A custom check that prints the stack's generated secret (custom-html-tiny's
// site_token), raw and base64, in its log lines, its message and its own
// stdout: a real run shows that the redactor takes it out before anything
// reaches disk or the terminal (tests/integration/test_leaks.cpp). So that
// the test can look for the value afterwards, the check also writes it to
// the file named by CCCI_TEST_LEAK_OUT, which the test keeps outside the
// runs dir.
//
// Built a second time with LEAKY_CHECK_TO_STDOUT (leaky_stdout.so), the
// check also writes the value behind ccci's back, where no redactor sees it:
// into a file beside the log ccci's stdout goes to (found through
// /proc/<ccci>/fd/1) — under a parent command, its directory of child logs,
// where only the parent's fingerprint scan can find it.
#include <ccci/plugin.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

std::string without_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

} // namespace

CCCI_CHECK(custom, prints_its_secret) {
  const auto raw = ctx.exec("app", {"cat", "/run/secrets/site_token"});
  const auto b64 = ctx.exec("app", {"base64", "-w0", "/run/secrets/site_token"});
  if (raw.exit_code != 0 || b64.exit_code != 0)
    return ccci::fail("cannot read /run/secrets/site_token in the app container: '" + ccci::excerpt(raw.output) +
                      "' / '" + ccci::excerpt(b64.output) + "'");
  const std::string value = without_newline(raw.output);
  const std::string encoded = without_newline(b64.output);
  if (const char* out = std::getenv("CCCI_TEST_LEAK_OUT")) std::ofstream(out) << value;
#ifdef LEAKY_CHECK_TO_STDOUT
  const auto log = std::filesystem::read_symlink("/proc/" + std::to_string(::getppid()) + "/fd/1");
  std::ofstream(log.parent_path() / "written-behind-cccis-back.txt") << value << "\n";
#endif
  std::printf("printed to its stdout: %s\n", value.c_str());
  ctx.log("the site token is " + value);
  ctx.log("its base64 is " + encoded);
  return ccci::pass("read the site token " + value + " (base64 " + encoded + ") from the app container");
}

CCCI_PLUGIN("custom-html-tiny")
