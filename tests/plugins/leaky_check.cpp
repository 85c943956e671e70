// A custom check that prints the stack's generated secret (custom-html-tiny's
// site_token), raw and base64, in its log lines and in its message: a real
// run shows that the redactor takes both out before anything reaches disk or
// the terminal (tests/integration/test_leaks.cpp). So that the test can look
// for the value afterwards, the check also writes it to the file named by
// CCCI_TEST_LEAK_OUT, which the test keeps outside the runs dir.
//
// Built a second time with LEAKY_CHECK_TO_STDOUT (leaky_stdout.so), the
// check also prints the value to its own stdout, which no redactor sees: it
// reaches the child run's log that a parent command keeps, where only the
// parent's fingerprint scan can find it.
#include <ccci/plugin.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

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
  std::cout << "printed behind ccci's back: " << value << std::endl;
#endif
  ctx.log("the site token is " + value);
  ctx.log("its base64 is " + encoded);
  return ccci::pass("read the site token " + value + " (base64 " + encoded + ") from the app container");
}

CCCI_PLUGIN("custom-html-tiny")
