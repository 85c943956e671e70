// The managed edge on the real swarm (docs/routes.md, "The edge"): it answers
// on loopback only, a recipe's labels cannot reach into other stacks'
// routes, and concurrent runs share one edge. Each case runs its own edge on
// its own port and directory, so the default edge other runs use is never
// touched; each removes its edge container (by its exact name) at the end.
#define BOOST_TEST_MODULE integration_edge
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "plugin/http.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"
#include "swarm/docker.hpp"
#include "swarm/edge.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <filesystem>
#include <sstream>
#include <utility>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
const fs::path repos = work / "repos";

// An edge of the test's own: port, directory and container name.
struct TestEdge {
  EdgeSettings settings;
  std::string name;

  explicit TestEdge(int port) {
    settings.port = port;
    settings.dir = work / fmt::format("edge-{}", port);
    name = edge_container_name(settings);
    BOOST_TEST_REQUIRE(name == fmt::format("ccci-edge-{}", port));
    remove();
  }
  ~TestEdge() { remove(); }
  TestEdge(const TestEdge&) = delete;
  TestEdge& operator=(const TestEdge&) = delete;

  std::vector<std::string> env() const {
    return {fmt::format("CCCI_EDGE_PORT={}", settings.port), "CCCI_EDGE_DIR=" + settings.dir.string()};
  }
  // This test's container only, by its exact name; its route files go with
  // its directory.
  void remove() const {
    run_process({"docker", "rm", "--force", name});
    std::error_code ec;
    fs::remove_all(settings.dir, ec);
  }
  std::string inspect(const std::string& format) const {
    auto r = run_logged({"docker", "container", "inspect", "--format", format, name});
    BOOST_TEST_REQUIRE(r.ok());
    return r.out.substr(0, r.out.find('\n'));
  }
};

// A stack a test kept running (--keep-running) is the test's to remove, also
// when a REQUIRE stops the test.
struct KeptStack {
  const TestEdge& edge;
  std::string stack;
  bool done = false;
  void operator()() {
    if (std::exchange(done, true)) return;
    remove_edge_routes(edge.settings, stack);
    teardown_stack(stack, /*throwaway=*/true);
  }
  ~KeptStack() { (*this)(); }
};

Outcome run_tiny(const std::string& repo, const std::vector<std::string>& env, std::vector<std::string> extra = {},
                 const std::string& name = "") {
  std::vector<std::string> args{"run",     "--recipe-dir", (repos / repo).string(), "--recipe", "custom-html-tiny",
                                "--tiers", "install"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_ccci(
      {.binary = CCCI_BIN, .args = args, .runs_dir = fresh_dir(work / "runs", name.empty() ? repo : name), .env = env});
}

Outcome run_tiny(const std::string& repo, const TestEdge& edge, std::vector<std::string> extra = {}) {
  return run_tiny(repo, edge.env(), std::move(extra));
}

// The host's IPv4 addresses other than loopback.
std::vector<std::string> non_loopback_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  BOOST_TEST_REQUIRE(getifaddrs(&list) == 0);
  for (auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    if (!std::string_view(text).starts_with("127.")) out.emplace_back(text);
  }
  freeifaddrs(list);
  return out;
}

// An HTTP exchange with the edge on `address`, or what stopped it.
std::string ask(const std::string& address, int port, const std::string& host, const std::string& path = "/") {
  try {
    auto r = http_request({fmt::format("http://{}:{}", address, port), host}, "GET", path, std::chrono::seconds(5));
    return fmt::format("{} {}", r.status, r.body);
  } catch (const ccci::InfraError& e) {
    return std::string("refused: ") + e.what();
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(the_edge_listens_on_loopback_only) {
  TestEdge edge(18481);
  auto o = run_tiny("custom-html-tiny", edge);
  BOOST_TEST_REQUIRE(o.exit_code == 0, o.output);
  BOOST_TEST(o.tier(Tier::install).status == Status::pass);

  // Every socket on the port is bound to 127.0.0.1, and there is one.
  auto ss = run_logged({"ss", "-Hltn", fmt::format("sport = :{}", edge.settings.port)});
  BOOST_TEST_REQUIRE(ss.ok());
  std::istringstream lines(ss.out);
  int listening = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    ++listening;
    BOOST_TEST(line.find(fmt::format(" 127.0.0.1:{} ", edge.settings.port)) != std::string::npos, line);
  }
  BOOST_TEST(listening >= 1);

  BOOST_TEST(ask("127.0.0.1", edge.settings.port, "ccci-edge.invalid").starts_with("421 "));
  auto addresses = non_loopback_addresses();
  BOOST_TEST_REQUIRE(!addresses.empty(), "no non-loopback address to try the edge on");
  for (auto& a : addresses) {
    auto answer = ask(a, edge.settings.port, "ccci-edge.invalid");
    BOOST_TEST(answer.starts_with("refused: "), a << ": " << answer);
  }
  // A plain container on the proxy network that comes back after a reboot.
  BOOST_TEST(edge.inspect("{{.HostConfig.RestartPolicy.Name}}") == "unless-stopped");
  BOOST_TEST(edge.inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}") == "proxy ");
  BOOST_TEST(leftovers_of(o.results->stack).empty());
}

BOOST_AUTO_TEST_CASE(route_injection_labels_are_skipped_by_name_and_other_stacks_routes_still_answer) {
  TestEdge edge(18482);
  // Kept running, so its routes are on the edge while the rest is checked.
  auto hostile = run_tiny("route-injection", edge, {"--keep-running"});
  BOOST_TEST_REQUIRE(hostile.exit_code == 0, hostile.output);
  const auto stack = hostile.results->stack;
  const auto domain = hostile.results->domain;
  KeptStack cleanup{edge, stack};

  auto* routes = hostile.check("install/routes");
  BOOST_TEST_REQUIRE(routes);
  BOOST_TEST(routes->message.find("router 'hostile' (on service 'app', label traefik.http.routers.hostile.rule): host "
                                  "'x;} server {") != std::string::npos,
             routes->message);
  BOOST_TEST(routes->message.find("router 'semi' (on service 'app', label traefik.http.routers.semi.rule): an "
                                  "alternative of its rule is skipped: PathPrefix(`/x;return;location`): a path "
                                  "with ';'") != std::string::npos,
             routes->message);

  // What reached the edge: the recipe's own host, nothing of the labels' text.
  auto site = read(edge.settings.dir / "sites" / (stack + ".conf"));
  BOOST_TEST(site.find("server_name " + domain + ";") != std::string::npos, site);
  for (auto* word : {"pwned", "other.test", "return;", "location`"})
    BOOST_TEST(site.find(word) == std::string::npos, word << " in:\n" << site);
  auto test = run_logged({"docker", "exec", edge.name, "nginx", "-t", "-c", "/etc/ccci-edge/nginx.conf"});
  BOOST_TEST(test.ok(), test.out);
  BOOST_TEST(ask("127.0.0.1", edge.settings.port, "other.test").starts_with("421 "));
  BOOST_TEST(ask("127.0.0.1", edge.settings.port, domain).starts_with("200 "));
  // The skipped router's path goes where any other path goes: to the app.
  auto semi = ask("127.0.0.1", edge.settings.port, domain, "/x;return;location");
  BOOST_TEST((!semi.starts_with("refused") && semi.find("pwned") == std::string::npos), semi);

  // Another stack, deployed and checked through the same edge meanwhile.
  auto started = edge.inspect("{{.State.StartedAt}}");
  auto other = run_tiny("custom-html-tiny", edge);
  BOOST_TEST(other.exit_code == 0, other.output);
  BOOST_TEST_REQUIRE(other.results.has_value());
  BOOST_TEST(other.tier(Tier::install).status == Status::pass);
  BOOST_TEST(edge.inspect("{{.State.StartedAt}}") == started, "the edge was restarted under a kept stack");
  BOOST_TEST(ask("127.0.0.1", edge.settings.port, domain).starts_with("200 "));
  cleanup();
  auto left = leftovers_of(stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(two_concurrent_runs_start_one_edge_and_are_both_green) {
  TestEdge edge(18483);
  auto a = fresh_dir(work / "runs", "a");
  auto b = fresh_dir(work / "runs", "b");
  // Both start before either has an edge: the lock in the edge's dir decides
  // which one creates it.
  std::vector<std::string> argv{"bash",
                                "-c",
                                R"("$0" "$@" --runs-dir "$RUNS_A" & a=$!
"$0" "$@" --runs-dir "$RUNS_B" & b=$!
wait $a; ea=$?; wait $b; eb=$?
echo "exit codes: $ea $eb")",
                                CCCI_BIN,
                                "run",
                                "--recipe-dir",
                                (repos / "custom-html-tiny").string(),
                                "--recipe",
                                "custom-html-tiny",
                                "--tiers",
                                "install"};
  auto env = edge.env();
  env.push_back("RUNS_A=" + a.string());
  env.push_back("RUNS_B=" + b.string());
  auto r = run_logged(argv, std::chrono::minutes(8), env);
  BOOST_TEST(r.out.find("exit codes: 0 0") != std::string::npos, r.out);
  for (auto& dir : {a, b}) {
    std::optional<RunResults> results;
    for (auto& entry : fs::directory_iterator(dir))
      if (fs::exists(entry.path() / "results.json"))
        results = results_from_json(read(entry.path() / "results.json"), entry.path().string());
    BOOST_TEST_REQUIRE(results.has_value(), dir);
    BOOST_TEST(results->tier(Tier::install).status == Status::pass);
    BOOST_TEST(results->clean_teardown);
    BOOST_TEST(leftovers_of(results->stack).empty());
  }
  auto edges = run_logged({"docker", "ps", "--all", "--filter", "label=ccci.edge=true", "--filter",
                           fmt::format("publish={}", edge.settings.port), "--format", "{{.Names}}"});
  BOOST_TEST(edges.out == edge.name + "\n");
  BOOST_TEST(edge.inspect("{{.RestartCount}}") == "0");
}

BOOST_AUTO_TEST_CASE(a_run_that_wants_the_edge_otherwise_leaves_it_to_the_stacks_it_serves) {
  TestEdge edge(18484);
  auto kept = run_tiny("custom-html-tiny", edge, {"--keep-running"});
  BOOST_TEST_REQUIRE(kept.exit_code == 0, kept.output);
  KeptStack cleanup{edge, kept.results->stack};
  auto started = edge.inspect("{{.State.StartedAt}}");

  // The same port (so the same container) with another route directory:
  // the edge as it runs is not as this run wants it, and it serves the kept
  // stack, so the run is unverified and says what to do.
  auto other_dir = work / "edge-18484-elsewhere";
  fs::remove_all(other_dir);
  auto o = run_tiny("custom-html-tiny",
                    {fmt::format("CCCI_EDGE_PORT={}", edge.settings.port), "CCCI_EDGE_DIR=" + other_dir.string()}, {},
                    "elsewhere");
  BOOST_TEST(o.exit_code == 3, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST(o.tier(Tier::install).status == Status::unver);
  const auto& said = o.tier(Tier::install).reason;
  for (auto part :
       {fmt::format("the edge container {} does not mount {}", edge.name, other_dir.string()),
        std::string("and it serves the routes of "), kept.results->stack, fmt::format("`docker rm -f {}`", edge.name)})
    BOOST_TEST(said.find(part) != std::string::npos, "'" << part << "' not in: " << said);
  BOOST_TEST(leftovers_of(o.results->stack).empty());

  BOOST_TEST(edge.inspect("{{.State.StartedAt}}") == started, "the edge was restarted under the kept stack");
  BOOST_TEST(ask("127.0.0.1", edge.settings.port, kept.results->domain).starts_with("200 "));
  cleanup();
  BOOST_TEST(leftovers_of(kept.results->stack).empty());
  fs::remove_all(other_dir);
}
