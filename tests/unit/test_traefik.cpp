#define BOOST_TEST_MODULE traefik
#include <boost/test/unit_test.hpp>

#include "recipe/traefik.hpp"

#include <algorithm>
#include <string>

using namespace ccci::host;

namespace {

ComposeService svc(const std::string& name, std::map<std::string, std::string> labels) {
  ComposeService s;
  s.name = name;
  s.image = "ccci-local/nginx:bookworm";
  s.labels = std::move(labels);
  return s;
}

// A service with traefik enabled, one traefik service of the same name on
// `port`, and the routers given as name -> rule.
ComposeService routed(const std::string& name, const std::map<std::string, std::string>& rules,
                      const std::string& port = "80") {
  std::map<std::string, std::string> labels{{"traefik.enable", "true"},
                                            {"traefik.http.services." + name + ".loadbalancer.server.port", port}};
  for (auto& [router, rule] : rules)
    labels["traefik.http.routers." + router + ".rule"] = rule;
  return svc(name, labels);
}

TraefikRoutes read(const std::vector<ComposeService>& services) { return read_traefik_routes(services); }

bool noted(const TraefikRoutes& t, const std::string& part) {
  return std::any_of(t.notes.begin(), t.notes.end(), [&](const std::string& n) { return n.find(part) != n.npos; });
}

std::string all_notes(const TraefikRoutes& t) {
  std::string out;
  for (auto& n : t.notes)
    out += n + "\n";
  return out;
}

using Hosts = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(host_alternatives_in_every_form_are_one_route_with_every_host) {
  for (std::string rule : {"Host(`a.example`) || Host(`b.example`)", "Host(`a.example`, `b.example`)",
                           "Host(\"a.example\") || (Host(`B.example`))", "HostHeader(`a.example`,`b.example`)"}) {
    auto t = read({routed("app", {{"app", rule}})});
    BOOST_TEST_INFO(rule);
    BOOST_TEST_REQUIRE(t.routes.size() == 1u, all_notes(t));
    BOOST_TEST(t.routes[0].hosts == (Hosts{"a.example", "b.example"}), boost::test_tools::per_element());
    BOOST_TEST((t.routes[0].path_match == PathMatch::any));
    BOOST_TEST(t.routes[0].service == "app");
    BOOST_TEST(t.routes[0].port == 80);
    BOOST_TEST(t.routes[0].priority == static_cast<int>(rule.size()));
    BOOST_TEST(t.notes.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_router_to_api_at_internal_is_skipped_with_a_note) {
  auto app = routed("app", {{"web", "Host(`a.example`)"}, {"dash", "Host(`a.example`) && PathPrefix(`/api`)"}});
  app.labels["traefik.http.routers.dash.service"] = "api@internal";
  auto t = read({app});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u);
  BOOST_TEST(t.routes[0].router == "web");
  BOOST_TEST_REQUIRE(t.notes.size() == 1u);
  BOOST_TEST(t.notes[0].find("router 'dash' (on service 'app') is skipped") != std::string::npos, t.notes[0]);
  BOOST_TEST(t.notes[0].find("traefik.http.routers.dash.service=api@internal") != std::string::npos, t.notes[0]);
  BOOST_TEST(t.notes[0].find("Traefik's own") != std::string::npos, t.notes[0]);
}

BOOST_AUTO_TEST_CASE(a_router_to_another_providers_service_is_skipped_and_docker_or_swarm_are_this_stack) {
  auto app =
      routed("app", {{"file", "Host(`f.example`)"}, {"docker", "Host(`d.example`)"}, {"swarm", "Host(`s.example`)"}});
  app.labels["traefik.http.routers.file.service"] = "app@file";
  app.labels["traefik.http.routers.docker.service"] = "app@docker";
  app.labels["traefik.http.routers.swarm.service"] = "app@swarm";
  auto t = read({app});
  BOOST_TEST_REQUIRE(t.routes.size() == 2u, all_notes(t));
  for (auto& r : t.routes)
    BOOST_TEST((r.router == "docker" || r.router == "swarm"), r.router);
  BOOST_TEST_REQUIRE(t.notes.size() == 1u);
  BOOST_TEST(noted(t, "traefik.http.routers.file.service=app@file is a service of Traefik's 'file' provider"),
             all_notes(t));
}

BOOST_AUTO_TEST_CASE(a_service_whose_port_is_not_a_number_is_skipped_with_its_routers) {
  for (std::string port : {"web", "", "0", "70000", "80x"}) {
    BOOST_TEST_INFO("port=" << port);
    auto t = read({routed("app", {{"app", "Host(`a.example`)"}}, port)});
    BOOST_TEST(t.routes.empty());
    BOOST_TEST(noted(t, "traefik.http.services.app.loadbalancer.server.port=" + port +
                            " (on service 'app') is not a port number"),
               all_notes(t));
    BOOST_TEST(noted(t, "router 'app' (on service 'app') is skipped: its traefik service 'app' has no usable port"),
               all_notes(t));
  }
}

BOOST_AUTO_TEST_CASE(a_service_without_a_port_label_is_noted_as_swarm_needs_it) {
  auto t = read({svc("app", {{"traefik.enable", "true"},
                             {"traefik.http.routers.app.rule", "Host(`a.example`)"},
                             {"traefik.http.services.app.loadbalancer.passhostheader", "true"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "has no traefik.http.services.app.loadbalancer.server.port label"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(a_router_without_service_takes_the_one_its_container_defines_else_is_skipped) {
  // Its own container's only service, even when another container has one.
  auto web = routed("web", {{"web", "Host(`a.example`)"}}, "8080");
  auto t = read({web, routed("api", {{"api", "Host(`api.example`)"}}, "9000")});
  BOOST_TEST_REQUIRE(t.routes.size() == 2u, all_notes(t));
  auto& w = *std::find_if(t.routes.begin(), t.routes.end(), [](const Route& r) { return r.router == "web"; });
  BOOST_TEST(w.service == "web");
  BOOST_TEST(w.port == 8080);

  web.labels["traefik.http.services.admin.loadbalancer.server.port"] = "8081";
  t = read({web});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "defines several traefik services (admin, web)"), all_notes(t));
  BOOST_TEST(noted(t, "add traefik.http.routers.web.service=<one of them>"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(a_router_may_name_a_service_another_container_defines) {
  auto front = svc("front", {{"traefik.enable", "true"},
                             {"traefik.http.routers.front.rule", "Host(`a.example`)"},
                             {"traefik.http.routers.front.service", "back"}});
  auto t = read({front, routed("back", {}, "3000")});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u, all_notes(t));
  BOOST_TEST(t.routes[0].service == "back");
  BOOST_TEST(t.routes[0].port == 3000);
  // back has no router of its own: Traefik would make it a default one.
  BOOST_TEST(noted(t, "service 'back': traefik.enable=true but no traefik.http.routers.<name>.rule"), all_notes(t));

  front.labels["traefik.http.routers.front.service"] = "nowhere";
  t = read({front});
  BOOST_TEST(noted(t, "it names traefik service 'nowhere', which no service of the stack defines"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(unknown_matchers_and_negation_skip_the_router_naming_the_matcher) {
  for (std::string m : {"Headers(`X-A`, `1`)", "Method(`GET`)", "ClientIP(`10.0.0.0/8`)", "Query(`a=b`)",
                        "PathRegexp(`^/x`)", "HeadersRegexp(`X`, `.*`)"}) {
    BOOST_TEST_INFO(m);
    auto t = read({routed("app", {{"app", "Host(`a.example`) && " + m}, {"plain", "Host(`b.example`)"}})});
    BOOST_TEST_REQUIRE(t.routes.size() == 1u);
    BOOST_TEST(t.routes[0].router == "plain");
    BOOST_TEST(noted(t, "its rule uses " + m.substr(0, m.find('(')) + ", which ccci's edge cannot match"),
               all_notes(t));
  }
  auto t = read({routed("app", {{"app", "Host(`a.example`) && !PathPrefix(`/admin`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "negates a matcher"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(a_rule_that_does_not_parse_is_skipped_naming_where) {
  for (std::string rule : {"Host(`a.example`", "Host(`a.example`) &&", "Host(a.example)", "Host(`a.example`) Foo",
                           "(Host(`a.example`)", "Host()"}) {
    BOOST_TEST_INFO(rule);
    auto t = read({routed("app", {{"app", rule}})});
    BOOST_TEST(t.routes.empty());
    BOOST_TEST(noted(t, "its rule '" + rule + "' does not parse"), all_notes(t));
    BOOST_TEST(noted(t, "at character"), all_notes(t));
  }
}

BOOST_AUTO_TEST_CASE(host_regexp_in_traefik_v2_template_and_v3_regex_forms) {
  BOOST_TEST(host_regexp_pattern("{sub:[a-z]+}.example.com") == R"(^(?:[a-z]+)\.example\.com$)");
  BOOST_TEST(host_regexp_pattern("{sub}.example.com") == R"(^[^.]+\.example\.com$)");
  BOOST_TEST(host_regexp_pattern("{sub:[a-z]{2,3}}.example.com") == R"(^(?:[a-z]{2,3})\.example\.com$)");
  // v3: a plain regex, kept as written (a quantifier is not a template).
  BOOST_TEST(host_regexp_pattern(R"(^.+\.example\.com$)") == R"(^.+\.example\.com$)");
  BOOST_TEST(host_regexp_pattern(R"([a-z]{2,3}\.example\.com)") == R"([a-z]{2,3}\.example\.com)");

  auto t = read({routed("app", {{"app", "HostRegexp(`{sub:[a-z]+}.example.com`) && PathPrefix(`/x`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u, all_notes(t));
  BOOST_TEST(t.routes[0].host_regex == R"(^(?:[a-z]+)\.example\.com$)");
  BOOST_TEST(t.routes[0].hosts.empty());
  BOOST_TEST((t.routes[0].path_match == PathMatch::prefix));

  t = read({routed("app", {{"app", "HostRegexp(`.+`) && Host(`a.example`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "joins HostRegexp and another host matcher"), all_notes(t));

  for (std::string bad : {"^(a.example$", "a)b", "[a-z.example", "a\\"}) {
    t = read({routed("app", {{"app", "HostRegexp(`" + bad + "`)"}})});
    BOOST_TEST(t.routes.empty(), bad);
    BOOST_TEST(noted(t, "HostRegexp `" + bad + "` is skipped"), all_notes(t));
  }
  for (std::string ok : {R"(^(?:a|b)\.example$)", R"([]a]\.example)", R"([^)]+\.example)", R"(\(x\))"})
    BOOST_TEST(!route_host_regex_problem(ok).has_value(), ok);

  t = read({routed("app", {{"app", "HostRegexp(`a b`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "HostRegexp `a b` is skipped: it has a space"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(path_routers_to_two_services_come_longest_rule_first) {
  auto t = read({routed("app", {{"root", "Host(`a.example`)"}}),
                 routed("static", {{"static", "Host(`a.example`) && PathPrefix(`/static`)"}}),
                 routed("health", {{"health", "Host(`a.example`) && Path(`/healthz`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 3u, all_notes(t));
  BOOST_TEST(t.routes[0].router == "static"); // 42 characters
  BOOST_TEST((t.routes[0].path_match == PathMatch::prefix));
  BOOST_TEST(t.routes[0].path == "/static");
  BOOST_TEST(t.routes[1].router == "health"); // 37
  BOOST_TEST((t.routes[1].path_match == PathMatch::exact));
  BOOST_TEST(t.routes[1].path == "/healthz");
  BOOST_TEST(t.routes[2].router == "root"); // 17
  BOOST_TEST((t.routes[2].path_match == PathMatch::any));
  for (std::size_t i = 0; i + 1 < t.routes.size(); ++i)
    BOOST_TEST(t.routes[i].priority > t.routes[i + 1].priority);
}

BOOST_AUTO_TEST_CASE(an_explicit_priority_overrides_the_rule_length_and_ties_go_by_router_name) {
  auto root = routed("app", {{"root", "Host(`a.example`)"}});
  root.labels["traefik.http.routers.root.priority"] = "100";
  auto t = read({root, routed("static", {{"static", "Host(`a.example`) && PathPrefix(`/static`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 2u);
  BOOST_TEST(t.routes[0].router == "root");
  BOOST_TEST(t.routes[0].priority == 100);
  BOOST_TEST(t.routes[1].router == "static");

  // Equal lengths: name order, whatever order the services come in.
  t = read({routed("b", {{"b", "Host(`b.example`)"}}), routed("a", {{"a", "Host(`a.example`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 2u);
  BOOST_TEST(t.routes[0].router == "a");
  BOOST_TEST(t.routes[1].router == "b");

  root.labels["traefik.http.routers.root.priority"] = "high";
  t = read({root});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "traefik.http.routers.root.priority=high is not a whole number"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(and_or_and_parentheses_distribute_into_one_route_per_path_test) {
  auto t = read({routed("app", {{"app", "Host(`a.example`) && (Path(`/x`) || PathPrefix(`/y`, `/z`))"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 3u, all_notes(t));
  BOOST_TEST((t.routes[0].path_match == PathMatch::exact));
  BOOST_TEST(t.routes[0].path == "/x");
  BOOST_TEST(t.routes[1].path == "/y");
  BOOST_TEST(t.routes[2].path == "/z");
  for (auto& r : t.routes)
    BOOST_TEST(r.hosts == Hosts{"a.example"}, boost::test_tools::per_element());

  // Two path matchers joined by &&: what both let through.
  t = read({routed("app", {{"app", "Host(`a.example`) && PathPrefix(`/a`) && Path(`/a/b`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u);
  BOOST_TEST((t.routes[0].path_match == PathMatch::exact));
  BOOST_TEST(t.routes[0].path == "/a/b");
  t = read({routed("app", {{"app", "Host(`a.example`) && PathPrefix(`/a`) && PathPrefix(`/b`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "its path matchers joined by && leave no path"), all_notes(t));
  // PathPrefix(`/`) is every path.
  t = read({routed("app", {{"app", "Host(`a.example`) && PathPrefix(`/`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u);
  BOOST_TEST((t.routes[0].path_match == PathMatch::any));
}

BOOST_AUTO_TEST_CASE(an_alternative_without_a_host_is_skipped_and_the_others_are_served) {
  auto t = read({routed("app", {{"app", "Host(`a.example`) || PathPrefix(`/shared`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u);
  BOOST_TEST(t.routes[0].hosts == Hosts{"a.example"}, boost::test_tools::per_element());
  BOOST_TEST(noted(t, "it matches requests for any host"), all_notes(t));

  t = read({routed("app", {{"app", "Host(`a.example`) && Host(`b.example`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "leave no host"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(hosts_that_are_not_host_names_are_skipped_one_by_one) {
  auto t = read({routed("app", {{"app", "Host(`a.example`, `in;valid`, `a_b.example`, `*.example`)"}})});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u);
  BOOST_TEST(t.routes[0].hosts == Hosts{"a.example"}, boost::test_tools::per_element());
  BOOST_TEST(t.notes.size() == 3u, all_notes(t));
  BOOST_TEST(noted(t, "host 'in;valid' is not a host name"), all_notes(t));

  t = read({routed("app", {{"app", "Host(`a.example`) && Path(`no-slash`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "Path(`no-slash`): a path must start with '/'"), all_notes(t));
  t = read({routed("app", {{"app", "Host(`a.example`) && Path(`/items/{id:[0-9]+}`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "path template (Traefik v2)"), all_notes(t));
}

BOOST_AUTO_TEST_CASE(host_name_validation) {
  for (std::string ok : std::vector<std::string>{"a", "app.example.com", "xn--bcher-kva.example", "a-1.b2.c",
                                                 std::string(63, 'a') + ".x"})
    BOOST_TEST(!route_host_problem(ok).has_value(), ok);
  for (std::string bad : std::vector<std::string>{"", "a..b", ".a", "a.", "-a.b", "a-.b", "a b", "a;b", "a{b}", "a_b",
                                                  "*.a", "a:80", std::string(64, 'a') + ".x", std::string(254, 'a')})
    BOOST_TEST(route_host_problem(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(labels_traefik_does_not_read_are_noted_or_ignored) {
  // Without traefik.enable=true (Traefik reads "true", "1", "t" as true).
  auto off = routed("app", {{"app", "Host(`a.example`)"}});
  off.labels["traefik.enable"] = "false";
  auto t = read({off});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "traefik.http.routers.app.rule is ignored"), all_notes(t));
  off.labels["traefik.enable"] = "1";
  BOOST_TEST(read({off}).routes.size() == 1u);

  // Field names are case-insensitive, as Traefik's label parser reads them.
  auto camel = svc("app", {{"traefik.enable", "true"},
                           {"traefik.http.routers.app.Rule", "Host(`a.example`)"},
                           {"traefik.http.services.app.loadBalancer.server.port", "8080"}});
  t = read({camel});
  BOOST_TEST_REQUIRE(t.routes.size() == 1u, all_notes(t));
  BOOST_TEST(t.routes[0].port == 8080);

  auto tcp = routed("app", {{"app", "Host(`a.example`)"}});
  tcp.labels["traefik.tcp.routers.db.rule"] = "HostSNI(`*`)";
  t = read({tcp});
  BOOST_TEST(t.routes.size() == 1u);
  BOOST_TEST(noted(t, "its tcp routers are not served"), all_notes(t));

  auto no_rule = routed("app", {{"app", "Host(`a.example`)"}});
  no_rule.labels["traefik.http.routers.bare.entrypoints"] = "web-secure";
  t = read({no_rule});
  BOOST_TEST(t.routes.size() == 1u);
  BOOST_TEST(noted(t, "router 'bare' (on service 'app') is skipped: it has no traefik.http.routers.bare.rule"),
             all_notes(t));
}

BOOST_AUTO_TEST_CASE(paths_are_plain_and_host_regexps_pass_a_whitelist) {
  for (std::string ok : {"/", "/static", "/a/b-c_d.e~f", "/%2Fx", "/.well-known/x"})
    BOOST_TEST(!route_path_problem(ok).has_value(), ok);
  for (std::string bad : {"/a;b", "/a{b", "/a}b", "/a\"b", "/a'b", "/a b", "/a\nb", "/a$b", "/a/../b", "/..", "/%zz",
                          "/a%2", "/a+b", "/a(b)", "/a\\b"})
    BOOST_TEST(route_path_problem(bad).has_value(), bad);
  for (std::string ok :
       {R"(^(?:[a-z]{2,3})\.example\.com$)", R"(^[^.]+\.example\.com$)", R"(^(a|b)$|^c\.x$)", R"([a-z]{2,}\.x)"})
    BOOST_TEST(!route_host_regex_problem(ok).has_value(), ok);
  for (std::string bad :
       {"a;b", "a}b", "a{b", "a{x}", "a{1,2,3}", "a$b", "(?i)a", "(?=a)", "a\\nb", "a/b", "a#b", "a<b", "a,b", "a=b"})
    BOOST_TEST(route_host_regex_problem(bad).has_value(), bad);
  BOOST_TEST(route_host_regex_problem("a;b")->find("';' at character 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(router_and_service_names_that_are_not_names_are_skipped) {
  auto t = read({routed("app", {{"we;b", "Host(`a.example`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "router 'we;b' (on service 'app') is skipped: its name is not one the edge serves: it has ';'"),
             all_notes(t));
  t = read({routed("ap}p", {{"web", "Host(`a.example`)"}})});
  BOOST_TEST(t.routes.empty());
  BOOST_TEST(noted(t, "its service's name 'ap}p' is not a service name the edge serves"), all_notes(t));
}
