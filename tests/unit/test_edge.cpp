#define BOOST_TEST_MODULE edge
#include <boost/test/unit_test.hpp>

#include "recipe/traefik.hpp"
#include "support/files.hpp"
#include "swarm/edge.hpp"

#include <string>

using namespace ccci::host;

namespace {

ComposeService routed(const std::string& name, const std::map<std::string, std::string>& rules,
                      const std::string& port = "80") {
  ComposeService s;
  s.name = name;
  s.labels = {{"traefik.enable", "true"}, {"traefik.http.services." + name + ".loadbalancer.server.port", port}};
  for (auto& [router, rule] : rules)
    s.labels["traefik.http.routers." + router + ".rule"] = rule;
  return s;
}

std::string conf_for(const std::vector<ComposeService>& services) {
  return edge_site_conf("st_example", read_traefik_routes(services).routes);
}

std::size_t at(const std::string& conf, const std::string& part) {
  auto pos = conf.find(part);
  BOOST_TEST_REQUIRE(pos != std::string::npos, "no '" << part << "' in:\n" << conf);
  return pos;
}

std::size_t count(const std::string& conf, const std::string& part) {
  std::size_t n = 0;
  for (auto pos = conf.find(part); pos != std::string::npos; pos = conf.find(part, pos + 1))
    ++n;
  return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(two_services_by_path_are_locations_in_traefiks_order_under_one_server) {
  auto conf = conf_for({routed("app", {{"root", "Host(`a.example`)"}}),
                        routed("static", {{"static", "Host(`a.example`) && PathPrefix(`/static`)"}}, "8080"),
                        routed("health", {{"health", "Host(`a.example`) && Path(`/healthz`)"}}, "9000")});
  BOOST_TEST_MESSAGE(conf);
  BOOST_TEST(count(conf, "server {") == 1u);
  BOOST_TEST(count(conf, "server_name a.example;") == 1u);
  auto static_loc = at(conf, "location ~ \"^/static\" {");
  auto health_loc = at(conf, "location ~ \"^/healthz$\" {");
  auto root_loc = at(conf, "location / {");
  BOOST_TEST(static_loc < health_loc);
  BOOST_TEST(health_loc < root_loc);
  BOOST_TEST(at(conf, "http://tasks.st_example_static:8080;") > static_loc);
  BOOST_TEST(at(conf, "http://tasks.st_example_static:8080;") < health_loc);
  BOOST_TEST(at(conf, "http://tasks.st_example_health:9000;") < root_loc);
  BOOST_TEST(at(conf, "http://tasks.st_example_app:80;") > root_loc);
  // The catch-all is a router's: no 404 fallback.
  BOOST_TEST(count(conf, "return 404") == 0u);
}

BOOST_AUTO_TEST_CASE(without_a_router_for_every_path_other_paths_get_404) {
  auto conf = conf_for({routed("static", {{"static", "Host(`a.example`) && PathPrefix(`/static`)"}})});
  BOOST_TEST(at(conf, "location ~ \"^/static\"") < at(conf, "location / {\n    return 404;"));
}

BOOST_AUTO_TEST_CASE(a_higher_priority_catch_all_makes_the_routers_below_it_unreachable) {
  auto root = routed("app", {{"root", "Host(`a.example`)"}});
  root.labels["traefik.http.routers.root.priority"] = "100";
  auto conf = conf_for({root, routed("static", {{"static", "Host(`a.example`) && PathPrefix(`/static`)"}})});
  BOOST_TEST_MESSAGE(conf);
  // nginx would try a regex location before `location /` wherever it stood,
  // so the shadowed router is left out, with a comment saying why.
  BOOST_TEST(count(conf, "location ~") == 0u);
  BOOST_TEST(count(conf, "tasks.st_example_static") == 0u);
  at(conf, "# router static (priority 42): PathPrefix /static, unreachable");
}

BOOST_AUTO_TEST_CASE(a_server_per_host_and_the_regex_of_a_host_regexp_quoted_for_nginx) {
  auto conf = conf_for({routed("app", {{"app", "Host(`a.example`) || Host(`b.example`)"}}),
                        routed("wild", {{"wild", "HostRegexp(`{sub:[a-z]+}.example.com`)"}})});
  BOOST_TEST_MESSAGE(conf);
  BOOST_TEST(count(conf, "server {") == 3u);
  at(conf, "server_name a.example;");
  at(conf, "server_name b.example;");
  // nginx reads `\\` in a quoted string as one backslash.
  at(conf, R"(server_name "~^(?:[a-z]+)\\.example\\.com$";)");
}

BOOST_AUTO_TEST_CASE(paths_are_regex_literals) {
  auto conf = conf_for({routed("app", {{"app", "Host(`a.example`) && PathPrefix(`/a.b+(c)`)"}})});
  at(conf, R"x(location ~ "^/a\\.b\\+\\(c\\)" {)x");
}

BOOST_AUTO_TEST_CASE(the_same_path_twice_for_one_host_is_written_once) {
  auto conf = conf_for({routed("app", {{"one", "Host(`a.example`) && PathPrefix(`/x`)"}}),
                        routed("other", {{"two", "Host(`a.example`) && PathPrefix(`/x`)"}})});
  BOOST_TEST(count(conf, "location ~ \"^/x\"") == 1u);
  BOOST_TEST(count(conf, "tasks.st_example_app") == 1u); // "one" comes first by name
  at(conf, "# router two (priority 37): PathPrefix /x, unreachable");
}

BOOST_AUTO_TEST_CASE(leftovers_are_the_stacks_file_and_files_of_earlier_versions_only) {
  ccci::test::TempTree tree("unit-edge");
  EdgeSettings edge;
  edge.dir = tree.dir();
  tree.write("sites/st_example.conf", "");
  tree.write("sites/st_example--app.conf", "");
  tree.write("sites/st_example_other.conf", "");
  tree.write("sites/other--app.conf", "");
  auto left = edge_route_leftovers(edge, "st_example");
  std::sort(left.begin(), left.end());
  BOOST_TEST(left == (std::vector<std::string>{"edge-route " + (tree.dir() / "sites/st_example--app.conf").string(),
                                               "edge-route " + (tree.dir() / "sites/st_example.conf").string()}),
             boost::test_tools::per_element());
}
