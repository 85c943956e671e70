// A plugin written outside ccci's tree, as a recipe author would: one
// install check and one custom check for the custom-html-tiny example.
#include <ccci/plugin.hpp>

#include <string>

CCCI_CHECK(install, consumer_serving) {
  const ccci::HttpResponse r = ctx.http_get("/");
  if (r.status != 200) return ccci::fail("GET / answered " + std::to_string(r.status) + ", expected 200");
  return ccci::pass("GET / answered 200 (" + std::to_string(r.body.size()) + " bytes)");
}

CCCI_CHECK(custom, consumer_hello_is_text) {
  const ccci::HttpResponse r = ctx.http_get("/hello.txt");
  const std::string type = r.header("content-type");
  if (r.status != 200 || !type.starts_with("text/plain"))
    return ccci::fail("GET /hello.txt answered " + std::to_string(r.status) + " with Content-Type '" + type +
                      "', expected 200 text/plain");
  return ccci::pass("GET /hello.txt: 200 " + type);
}

CCCI_PLUGIN("custom-html-tiny")
