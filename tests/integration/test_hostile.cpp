// Hostile recipes on the real swarm (docs/recipe-meta.md, "host_access"):
// each is a small recipe repository of its own that reaches outside its
// stack, and each is refused before anything is deployed, naming the file
// and line; one access allowed by the meta with a reason deploys.
#define BOOST_TEST_MODULE integration_hostile
#include <boost/test/unit_test.hpp>

#include "os/process.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;

void git(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string(), "-c", "user.name=ccci", "-c", "user.email=ccci@localhost"});
  auto r = run_process(args);
  BOOST_TEST_REQUIRE(r.ok(), "git " << args[7] << ": " << r.err);
}

// compose.yml: the app service (lines 3-4), then `service_extra` from line 5,
// then `top_extra` at the top level.
std::string compose(const std::string& service_extra, const std::string& top_extra = "") {
  return "version: \"3.8\"\nservices:\n  app:\n    image: ccci-local/nginx:bookworm\n" + service_extra + top_extra;
}

// A recipe repository with one release, 1.0.0+1.22.1, in a directory of the
// running test case; `extra` files are written (relative path -> text) and
// `links` made (relative path -> target) before the commit.
fs::path make_recipe(const std::string& name, const std::string& compose_text,
                     const std::vector<std::pair<std::string, std::string>>& links = {}) {
  auto dir = fresh_dir(work / "hostile", name);
  write(dir / ".env.sample", "TYPE=" + name + "\nDOMAIN=" + name + ".example.com\nCOMPOSE_FILE=\"compose.yml\"\n");
  write(dir / "compose.yml", compose_text);
  for (const auto& [link, target] : links)
    fs::create_symlink(target, dir / link);
  git(dir, {"init", "--quiet", "--initial-branch=main"});
  git(dir, {"add", "-A"});
  git(dir, {"commit", "--quiet", "-m", "1.0.0+1.22.1"});
  git(dir, {"tag", "-a", "1.0.0+1.22.1", "-m", "1.0.0+1.22.1"});
  return dir;
}

// The install only: each case is refused (or passes) there, in seconds.
Outcome run_install(const std::string& name, const fs::path& repo, const fs::path& meta_dir = {}) {
  std::vector<std::string> args{"run", "--recipe-dir", repo.string(), "--recipe", name, "--tiers", "install"};
  // An empty recipes dir: the recipe has no meta, so no grant applies.
  const auto no_meta = work / "hostile" / "no-meta";
  fs::create_directories(no_meta);
  args.insert(args.end(), {"--recipes-dir", (meta_dir.empty() ? no_meta : meta_dir).string()});
  return run_ccci({.binary = CCCI_BIN, .args = args, .runs_dir = fresh_dir(work / "runs", name)});
}

// A red at install/<check> naming `where` and `access`, with nothing deployed
// and nothing left.
void expect_refused(const Outcome& o, const std::string& check, const std::string& where, const std::string& access) {
  BOOST_TEST(o.exit_code == 1, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST((o.tier(Tier::install).status == Status::fail));
  auto* red = o.check(check);
  BOOST_TEST_REQUIRE(red, "no check " << check << ": " << o.output);
  BOOST_TEST((red->status == Status::fail));
  BOOST_TEST(red->message.find(where) != std::string::npos, red->message);
  BOOST_TEST(red->message.find(access) != std::string::npos, red->message);
  // Nothing was deployed: no deploy step, no convergence, no secret made.
  BOOST_TEST(o.output.find("docker stack deploy") == std::string::npos, o.output);
  BOOST_TEST(!o.check("install/converged"));
  BOOST_TEST(o.results->clean_teardown);
  BOOST_TEST(o.results->no_secret_leak);
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

void expect_host_access_refused(const Outcome& o, const std::string& where, const std::string& access) {
  expect_refused(o, "install/host-access", where, access);
  auto* red = o.check("install/host-access");
  BOOST_TEST_REQUIRE(red);
  BOOST_TEST(red->message.find("allow it in") != std::string::npos, red->message);
  BOOST_TEST(red->message.find("host_access: [{") != std::string::npos, red->message);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_bind_of_the_hosts_root_is_refused) {
  auto repo = make_recipe("hostile-root", compose("    volumes:\n      - /:/host\n"));
  expect_host_access_refused(run_install("hostile-root", repo),
                             "compose.yml:6: service app bind-mounts the host's root", "access: \"bind:/\"");
}

BOOST_AUTO_TEST_CASE(the_docker_socket_is_refused) {
  auto repo =
      make_recipe("hostile-socket", compose("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"));
  expect_host_access_refused(run_install("hostile-socket", repo),
                             "compose.yml:6: service app bind-mounts "
                             "/var/run/docker.sock, the docker socket",
                             "access: \"bind:/var/run/docker.sock\"");
}

BOOST_AUTO_TEST_CASE(the_host_network_is_refused) {
  auto repo = make_recipe("hostile-hostnet", compose("    network_mode: host\n"));
  expect_host_access_refused(run_install("hostile-hostnet", repo),
                             "compose.yml:5: service app shares the host's network namespace",
                             "access: \"network_mode:host\"");
}

BOOST_AUTO_TEST_CASE(privileged_is_refused) {
  auto repo = make_recipe("hostile-privileged", compose("    privileged: true\n"));
  expect_host_access_refused(run_install("hostile-privileged", repo), "compose.yml:5: service app runs privileged",
                             "access: \"privileged\"");
}

BOOST_AUTO_TEST_CASE(each_added_capability_is_refused) {
  auto repo = make_recipe("hostile-caps", compose("    cap_add:\n      - SYS_ADMIN\n      - NET_ADMIN\n"));
  auto o = run_install("hostile-caps", repo);
  expect_host_access_refused(o, "compose.yml:6: service app adds the capability SYS_ADMIN",
                             "access: \"cap_add:SYS_ADMIN\"");
  int reds = 0;
  for (const auto& c : o.tier(Tier::install).checks)
    reds += c.name == "install/host-access" && c.status == Status::fail;
  BOOST_TEST(reds == 2); // one red per capability, NET_ADMIN on line 7
}

BOOST_AUTO_TEST_CASE(a_config_from_etc_shadow_is_refused) {
  auto repo =
      make_recipe("hostile-shadow", compose("    configs: [shadow]\n", "configs:\n  shadow:\n    file: /etc/shadow\n"));
  expect_host_access_refused(run_install("hostile-shadow", repo),
                             "compose.yml:8: config shadow is made from the file /etc/shadow: an absolute path",
                             "{config: shadow, access: \"file:/etc/shadow\"");
}

BOOST_AUTO_TEST_CASE(a_config_from_outside_the_tree_through_dotdot_is_refused) {
  auto repo = make_recipe("hostile-dotdot", compose("    configs: [x]\n", "configs:\n  x:\n    file: ../../x\n"));
  expect_host_access_refused(run_install("hostile-dotdot", repo),
                             "compose.yml:8: config x is made from the file ../../x: a path that leaves the recipe "
                             "tree through '..'",
                             "access: \"file:../../x\"");
}

BOOST_AUTO_TEST_CASE(a_config_through_a_symlink_out_of_the_tree_is_refused) {
  auto repo = make_recipe("hostile-symlink",
                          compose("    configs: [host_name]\n", "configs:\n  host_name:\n    file: etc/hostname\n"),
                          {{"etc", "/etc"}});
  expect_host_access_refused(run_install("hostile-symlink", repo),
                             "compose.yml:8: config host_name is made from the file etc/hostname: a path through a "
                             "symlink to /etc/hostname",
                             "access: \"file:etc/hostname\"");
}

BOOST_AUTO_TEST_CASE(an_external_secret_of_another_app_is_refused) {
  auto repo =
      make_recipe("hostile-secret", compose("    secrets: [key]\n", "secrets:\n  key:\n    external: true\n"
                                                                    "    name: traefik_example_com_ssl_key_v1\n"));
  expect_host_access_refused(run_install("hostile-secret", repo),
                             "compose.yml:7: secret key is the external secret 'traefik_example_com_ssl_key_v1'",
                             "access: \"external:traefik_example_com_ssl_key_v1\"");
}

BOOST_AUTO_TEST_CASE(an_alias_bomb_is_refused_at_render) {
  std::string bomb = "x-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    bomb += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j)
      bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  auto repo = make_recipe("hostile-bomb", compose("", bomb));
  expect_refused(run_install("hostile-bomb", repo), "install/render", "compose.yml:10:", "alias bomb");
}

BOOST_AUTO_TEST_CASE(the_docker_socket_allowed_by_the_meta_deploys_and_the_grant_is_listed) {
  auto repo =
      make_recipe("allowed-socket", compose("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n"));
  auto meta = fresh_dir(work / "hostile", "allowed-socket-meta");
  write(meta / "allowed-socket" / "ccci.yml",
        "deploy_timeout: 120\nhost_access:\n  - service: app\n"
        "    access: \"bind:/var/run/docker.sock\"\n"
        "    reason: \"routes by the labels of the swarm's services, as Traefik does\"\n");
  auto o = run_install("allowed-socket", repo, meta);
  BOOST_TEST(o.exit_code == 0, o.output);
  BOOST_TEST_REQUIRE(o.results.has_value());
  BOOST_TEST((o.tier(Tier::install).status == Status::pass), o.tier(Tier::install).reason);
  auto* granted = o.check("install/host-access");
  BOOST_TEST_REQUIRE(granted);
  BOOST_TEST((granted->status == Status::pass));
  BOOST_TEST(granted->message.find("1 granted by the recipe meta for 1.0.0+1.22.1: service app bind-mounts "
                                   "/var/run/docker.sock, the docker socket (root on the host) (compose.yml:6)") !=
                 std::string::npos,
             granted->message);
  BOOST_TEST(granted->message.find("ccci.yml:3: routes by the labels of the swarm's services, as Traefik does") !=
                 std::string::npos,
             granted->message);
  auto* converged = o.check("install/converged");
  BOOST_TEST_REQUIRE(converged);
  BOOST_TEST((converged->status == Status::pass));
  BOOST_TEST(o.results->clean_teardown);
  auto left = leftovers_of(o.results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}
