// A plugin whose install check passes once per marker file: the first
// install (the sweep's cold run) is green, the next (the promotion) fails.
// It lets a test see a green run whose promotion fails, for real.
#include <ccci/plugin.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

CCCI_CHECK(install, first_install_only) {
  const char* marker = std::getenv("CCCI_TEST_ONCE_MARKER");
  if (!marker || !*marker) return ccci::fail("set CCCI_TEST_ONCE_MARKER to a file path for this test plugin");
  if (std::filesystem::exists(marker))
    return ccci::fail(std::string("an install already passed (marker ") + marker + " exists): this one fails");
  auto r = ctx.http_get("/");
  if (r.status != 200) return ccci::fail("GET / answered " + std::to_string(r.status));
  std::ofstream(marker) << ctx.stack() << "\n";
  return ccci::pass("first install: GET / answered 200");
}

CCCI_PLUGIN("custom-html-tiny")
