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
  auto conf = conf_for({routed("app", {{"app", "Host(`a.example`) && PathPrefix(`/a.b/c~d.e`)"}})});
  at(conf, R"x(location ~ "^/a\\.b/c~d\\.e" {)x");
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

// ---- the hostile label: nothing of it reaches nginx ----

BOOST_AUTO_TEST_CASE(a_host_or_path_that_would_add_nginx_directives_is_skipped_and_named) {
  const std::string hostile = "Host(`a.test`) || Host(`x;} server { listen 80; server_name other.test; location / { "
                              "return 200 pwned; } #`)";
  auto app = routed("app", {{"app", hostile}, {"semi", "Host(`a.test`) && PathPrefix(`/x;return;location`)"}});
  app.labels["traefik.http.routers.semi.service"] = "app";
  auto t = read_traefik_routes({app});
  auto conf = edge_site_conf("st_example", t.routes);
  BOOST_TEST_MESSAGE(conf);
  // The good host of the hostile rule is served, the rest is not anywhere.
  BOOST_TEST(count(conf, "server {") == 1u);
  at(conf, "server_name a.test;");
  BOOST_TEST(count(conf, "pwned") == 0u);
  BOOST_TEST(count(conf, "other.test") == 0u);
  BOOST_TEST(count(conf, "return;") == 0u);
  // Braces balance: no label closed a block or opened one.
  BOOST_TEST(count(conf, "{") == count(conf, "}"));
  // Each skip is a note naming the router, its service and the label.
  std::string notes;
  for (auto& n : t.notes)
    notes += n + "\n";
  BOOST_TEST(notes.find("router 'app' (on service 'app', label traefik.http.routers.app.rule): host 'x;}") !=
                 std::string::npos,
             notes);
  BOOST_TEST(notes.find("router 'semi' (on service 'app', label traefik.http.routers.semi.rule): an alternative") !=
                 std::string::npos,
             notes);
  BOOST_TEST(notes.find("a path with ';' at character 3") != std::string::npos, notes);
}

BOOST_AUTO_TEST_CASE(routes_made_elsewhere_are_checked_again_before_they_are_written) {
  Route good{"web", "app", 80, {"a.test"}, {}, PathMatch::any, "", 10};
  Route host = good, path = good, service = good, router = good, port = good, regex = good;
  host.hosts = {"b.test;} server { listen 80;"};
  path.path_match = PathMatch::prefix;
  path.path = "/x\"; return 200 pwned; #";
  service.service = "app:80; return 200 pwned";
  router.router = "web\n  return 200 pwned;";
  port.port = 70000;
  regex.hosts.clear();
  regex.host_regex = "^a\\.test$\"; return 200 pwned; #";
  auto conf = edge_site_conf("st_example", {host, path, service, router, port, regex, good});
  BOOST_TEST_MESSAGE(conf);
  BOOST_TEST(count(conf, "# a route was left out: ") == 6u);
  BOOST_TEST(count(conf, "\n  return 200 pwned") == 0u);
  BOOST_TEST(count(conf, "\nserver {") == 1u);
  BOOST_TEST(count(conf, "proxy_pass") == 1u);
  at(conf, "http://tasks.st_example_app:80;");
  // Every line the left-out routes gave is a comment.
  for (std::size_t pos = conf.find("pwned"); pos != std::string::npos; pos = conf.find("pwned", pos + 1)) {
    auto line_start = conf.rfind('\n', pos) + 1;
    BOOST_TEST(conf.compare(line_start, 2, "# ") == 0, conf.substr(line_start, pos - line_start));
  }
  BOOST_CHECK_THROW(edge_site_conf("st;}", {good}), std::invalid_argument);
}

// ---- the shared edge: when a run may change it ----

namespace {

EdgeSettings wanted_edge() {
  EdgeSettings e;
  e.port = 18480;
  e.dir = "/var/lib/ccci/edge-18480";
  return e;
}

// The container as the wanted settings would make it.
EdgeContainerState as_wanted() {
  return {true,     true, "ccci-local/nginx:bookworm", {"127.0.0.1:18480"}, {"/var/lib/ccci/edge-18480:/etc/ccci-edge"},
          {"proxy"}};
}

} // namespace

BOOST_AUTO_TEST_CASE(an_edge_on_another_port_is_another_container_with_its_own_dir) {
  EdgeSettings def;
  BOOST_TEST(edge_container_name(def) == "ccci-edge");
  BOOST_TEST(def.dir == "/var/lib/ccci/edge");
  BOOST_TEST(edge_container_name(wanted_edge()) == "ccci-edge-18480");
  BOOST_TEST(default_edge_dir(18480) == "/var/lib/ccci/edge-18480");
  BOOST_TEST(default_edge_dir(default_edge_port) == "/var/lib/ccci/edge");
}

BOOST_AUTO_TEST_CASE(a_running_edge_as_wanted_is_reused_whoever_else_it_serves) {
  for (auto others : {std::vector<std::string>{}, std::vector<std::string>{"st_other"}}) {
    auto d = decide_edge(wanted_edge(), {as_wanted(), std::nullopt, others});
    BOOST_TEST(to_string(d.action) == "reuse");
    BOOST_TEST(!d.remove_legacy_stack);
  }
  auto stopped = as_wanted();
  stopped.running = false;
  BOOST_TEST(to_string(decide_edge(wanted_edge(), {stopped, std::nullopt, {"st_other"}}).action) == "start");
  BOOST_TEST(to_string(decide_edge(wanted_edge(), {EdgeContainerState{}, std::nullopt, {}}).action) == "create");
}

BOOST_AUTO_TEST_CASE(an_edge_not_as_wanted_is_recreated_only_while_it_serves_nobody_else) {
  auto on_all = as_wanted();
  on_all.bindings = {"0.0.0.0:18480"};
  auto old_image = as_wanted();
  old_image.image = "ccci-local/nginx:bullseye";
  auto other_dir = as_wanted();
  other_dir.mounts = {"/tmp/elsewhere:/etc/ccci-edge"};
  auto no_proxy = as_wanted();
  no_proxy.networks = {"bridge"};
  struct Case {
    EdgeContainerState c;
    std::string says;
  };
  for (auto& [c, says] : std::vector<Case>{{on_all, "publishes port 80 on 0.0.0.0:18480, not on 127.0.0.1:18480 only"},
                                           {old_image, "runs image ccci-local/nginx:bullseye"},
                                           {other_dir, "does not mount /var/lib/ccci/edge-18480"},
                                           {no_proxy, "is not attached to the proxy network"}}) {
    auto alone = decide_edge(wanted_edge(), {c, std::nullopt, {}});
    BOOST_TEST(to_string(alone.action) == "recreate");
    BOOST_TEST(alone.why.find(says) != std::string::npos, alone.why);
    auto shared = decide_edge(wanted_edge(), {c, std::nullopt, {"st_a", "st_b"}});
    BOOST_TEST(to_string(shared.action) == "refuse");
    BOOST_TEST(shared.why.find(says) != std::string::npos, shared.why);
    BOOST_TEST(shared.why.find("2 other stack(s) (st_a, st_b)") != std::string::npos, shared.why);
    BOOST_TEST(shared.why.find("`docker rm -f ccci-edge-18480`") != std::string::npos, shared.why);
  }
}

BOOST_AUTO_TEST_CASE(the_legacy_stack_on_the_wanted_port_is_migrated_once_nobody_else_is_served) {
  auto d = decide_edge(wanted_edge(), {EdgeContainerState{}, 18480, {}});
  BOOST_TEST(d.remove_legacy_stack);
  BOOST_TEST(to_string(d.action) == "create");
  d = decide_edge(wanted_edge(), {EdgeContainerState{}, 18480, {"st_live"}});
  BOOST_TEST(to_string(d.action) == "refuse");
  BOOST_TEST(!d.remove_legacy_stack);
  BOOST_TEST(d.why.find("`docker stack rm ccci-edge`") != std::string::npos, d.why);
  BOOST_TEST(d.why.find("1 other stack(s) (st_live)") != std::string::npos, d.why);
  // On another port it is in nobody's way and stays.
  d = decide_edge(wanted_edge(), {as_wanted(), 8480, {"st_live"}});
  BOOST_TEST(to_string(d.action) == "reuse");
  BOOST_TEST(!d.remove_legacy_stack);
}
