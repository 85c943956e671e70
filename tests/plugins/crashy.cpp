// A plugin that misbehaves on purpose, one way per check, to prove the host
// isolates each check: the good ones still pass and teardown still runs.
#include <ccci/plugin.hpp>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

CCCI_CHECK(install, answers) {
  auto r = ctx.http_get("/");
  if (r.status != 200) return ccci::fail("GET / answered " + std::to_string(r.status));
  return ccci::pass("GET / answered 200");
}

CCCI_CHECK(install, segfaults) {
  std::raise(SIGSEGV);
  return ccci::pass("unreachable");
}

CCCI_CHECK(install, aborts) { std::abort(); }

CCCI_CHECK(install, throws) { throw std::runtime_error("deliberate failure from the crashy plugin"); }

CCCI_CHECK(install, hangs) {
  std::this_thread::sleep_for(std::chrono::hours(1));
  return ccci::pass("unreachable");
}

CCCI_CHECK(custom, still_runs) {
  auto r = ctx.exec("app", {"cat", "/etc/hostname"});
  if (r.exit_code != 0) return ccci::fail("exec in app failed: " + r.output);
  return ccci::pass("exec in app works after the crashes");
}

CCCI_PLUGIN("custom-html-tiny")
