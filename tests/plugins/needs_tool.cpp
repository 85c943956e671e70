// A plugin that declares a tool no machine has, with one custom check: the
// custom tier is unver (never fail) while ccci's own install and lint run.
#include <ccci/plugin.hpp>

CCCI_CHECK(custom, uses_the_missing_tool) { return ccci::fail("unreachable: the tool is missing, this never runs"); }

CCCI_PLUGIN("custom-html-tiny", "ccci-no-such-tool")
