// ccci checks for the example recipe custom-html-tiny: a static site served by
// nginx, with index.html and hello.txt shipped as swarm configs.
#include <ccci/plugin.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace {

/// Empty when GET `path` answers 200 with a Content-Type starting with
/// `expected`; otherwise what went wrong.
std::string content_type_problem(ccci::Context& ctx, std::string_view path, std::string_view expected) {
  const ccci::HttpResponse r = ctx.http_get(path);
  const std::string where = "GET " + std::string(path);
  if (r.status != 200)
    return where + ": status " + std::to_string(r.status) + ", expected 200 (body: '" + ccci::excerpt(r.body) + "')";
  const std::string type = r.header("content-type");
  if (type.empty())
    return where + ": no Content-Type header, expected " + std::string(expected) +
           " (is `include mime.types` missing from nginx.conf?)";
  if (!ccci::lowercase(type).starts_with(expected))
    return where + ": Content-Type is '" + type + "', expected " + std::string(expected) +
           " (is `include mime.types` missing from nginx.conf?)";
  ctx.log(where + ": Content-Type '" + type + "'");
  return {};
}

} // namespace

// The site answers on its domain, through the proxy, with the recipe's page.
CCCI_CHECK(install, serving) {
  const ccci::HttpResponse r = ctx.http_get("/");
  constexpr std::string_view marker = "ccci custom-html-tiny";
  if (r.status != 200)
    return ccci::fail("GET /: status " + std::to_string(r.status) + ", expected 200; body starts: '" +
                      ccci::excerpt(r.body) + "'");
  if (r.body.find(marker) == std::string::npos)
    return ccci::fail("GET /: status 200 but the body does not contain '" + std::string(marker) +
                      "' (is index.html mounted at /var/www/html?); body starts: '" + ccci::excerpt(r.body) + "'");
  return ccci::pass("GET /: 200, body contains '" + std::string(marker) + "' (" + std::to_string(r.body.size()) +
                    " bytes)");
}

// nginx labels what it serves: HTML as text/html, plain text as text/plain
// (both need nginx.conf to include mime.types; without it .txt comes back as
// the default_type, application/octet-stream).
CCCI_CHECK(custom, content_type_html_and_txt) {
  std::string problems;
  for (const auto& [path, expected] : {std::pair<std::string_view, std::string_view>{"/index.html", "text/html"},
                                       std::pair<std::string_view, std::string_view>{"/hello.txt", "text/plain"}}) {
    std::string p = content_type_problem(ctx, path, expected);
    if (!p.empty()) problems += (problems.empty() ? "" : "; ") + p;
  }
  if (!problems.empty()) return ccci::fail(problems);
  return ccci::pass("GET /index.html is text/html and GET /hello.txt is text/plain");
}

CCCI_PLUGIN("custom-html-tiny")
