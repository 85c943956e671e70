// Makes the value of a `generate=false` secret with CCCI_SECRET, so a real
// run can show the value reaching the app's container (the app checks it
// against its own STACK_NAME, which only the app env gives it).
#include <ccci/plugin.hpp>

CCCI_SECRET("handmade") { return "handmade-for-" + ctx.stack(); }

CCCI_CHECK(install, handmade_secret_in_place) {
  auto r = ctx.exec("app", {"sh", "-c", "test \"$(cat /run/secrets/handmade)\" = \"handmade-for-$STACK_NAME\""});
  return r.exit_code == 0
             ? ccci::pass("/run/secrets/handmade holds the plugin's value for this stack")
             : ccci::fail("/run/secrets/handmade does not hold handmade-for-$STACK_NAME: " + ccci::excerpt(r.output));
}

CCCI_PLUGIN("custom-html-tiny")
