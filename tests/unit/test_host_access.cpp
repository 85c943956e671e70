// The host-access policy (recipe/host_access.hpp) over real compose files,
// the meta's grants, and the bounded YAML loader every reader uses
// (recipe/yaml_load.hpp).
#define BOOST_TEST_MODULE host_access
#include <boost/test/unit_test.hpp>

#include "canary/canary.hpp"
#include "lint/tree.hpp"
#include "recipe/compose.hpp"
#include "recipe/host_access.hpp"
#include "recipe/meta.hpp"
#include "recipe/yaml_load.hpp"
#include "support/files.hpp"

#include <algorithm>
#include <string>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

const Env stack_env{{"STACK_NAME", "app_example_com"}};

class TempRecipe : public ccci::test::TempTree {
public:
  TempRecipe() : TempTree("unit-host-access") {}
  Compose load(const std::string& compose, const Env& env = stack_env) const {
    write("compose.yml", compose);
    return load_compose(dir(), {"compose.yml"}, env);
  }
};

std::vector<std::string> accesses(const Compose& c) {
  std::vector<std::string> out;
  for (const auto& a : c.host_access)
    out.push_back(std::string(to_string(a.owner_kind)) + " " + a.owner + " " + a.access + " @" + a.where);
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += s + "\n";
  return out;
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Nested aliases, each level ten of the one below: 10^levels scalars once
// expanded, in a file a few hundred bytes long.
std::string alias_bomb(int levels, const std::string& indent = "") {
  std::string out = indent + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    out += indent + "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j)
      out += (j ? ", " : "") + prev;
    out += "]\n";
  }
  return out;
}

const char* service_head = "version: \"3.8\"\nservices:\n  app:\n    image: nginx:1.25\n";

} // namespace

BOOST_AUTO_TEST_CASE(host_binds_are_found_with_their_line_and_named_volumes_are_not) {
  TempRecipe r;
  auto c = r.load(std::string(service_head) + R"yaml(    volumes:
      - data:/var/lib/data
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - /:/host
      - ./conf:/etc/conf
      - /anonymous
      - type: bind
        source: /srv/www
        target: /www
      - type: volume
        source: data
        target: /more
volumes:
  data:
)yaml");
  auto got = accesses(c);
  BOOST_TEST(got.size() == 4u, joined(got));
  BOOST_TEST(has(joined(got), "service app bind:/var/run/docker.sock @compose.yml:7"), joined(got));
  BOOST_TEST(has(joined(got), "service app bind:/ @compose.yml:8"), joined(got));
  BOOST_TEST(has(joined(got), "service app bind:./conf @compose.yml:9"), joined(got));
  BOOST_TEST(has(joined(got), "service app bind:/srv/www @compose.yml:11"), joined(got));
  // The rendered document still deploys the relative bind from the checkout.
  BOOST_TEST(c.document["services"]["app"]["volumes"][3].Scalar() == (r.dir() / "conf").string() + ":/etc/conf");

  auto msg = refusal_message(c.host_access[0], "recipes/x/ccci.yml");
  BOOST_TEST(msg == "compose.yml:7: service app bind-mounts /var/run/docker.sock, the docker socket (root on the "
                    "host); if the recipe really needs it, allow it in recipes/x/ccci.yml: host_access: [{service: "
                    "app, access: \"bind:/var/run/docker.sock\", reason: \"...\"}]");
  BOOST_TEST(has(refusal_message(c.host_access[1], "m"), "the host's root directory /"));
}

BOOST_AUTO_TEST_CASE(any_socket_named_docker_sock_is_the_docker_socket) {
  TempRecipe r;
  auto c = r.load(std::string(service_head) + "    volumes: [\"/run/docker.sock:/s\", \"/tmp/x/docker.sock:/t\"]\n");
  BOOST_TEST_REQUIRE(c.host_access.size() == 2u);
  for (const auto& a : c.host_access)
    BOOST_TEST(has(a.what, "the docker socket (root on the host)"), a.what);
}

BOOST_AUTO_TEST_CASE(the_hosts_namespaces_and_containers_outside_the_stack_are_found) {
  TempRecipe r;
  auto c = r.load(R"yaml(services:
  app:
    image: nginx:1.25
    network_mode: host
    pid: host
    ipc: host
    userns_mode: host
  sidecar:
    image: busybox:1.36
    network_mode: "service:app"
    pid: "container:some-other-app"
  probe:
    image: busybox:1.36
    network_mode: "service:db-of-another-stack"
    ipc: shareable
  plain:
    image: busybox:1.36
    network_mode: bridge
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 6u, got);
  BOOST_TEST(has(got, "service app network_mode:host @compose.yml:4"), got);
  BOOST_TEST(has(got, "service app pid:host @compose.yml:5"), got);
  BOOST_TEST(has(got, "service app ipc:host @compose.yml:6"), got);
  BOOST_TEST(has(got, "service app userns_mode:host @compose.yml:7"), got);
  BOOST_TEST(has(got, "service sidecar pid:container:some-other-app @compose.yml:11"), got);
  BOOST_TEST(has(got, "service probe network_mode:service:db-of-another-stack @compose.yml:14"), got);
  BOOST_TEST(!has(got, "service:app"), got); // a service of the same stack is fine
}

BOOST_AUTO_TEST_CASE(the_swarms_host_network_is_found_under_any_key) {
  TempRecipe r;
  auto c = r.load(R"yaml(services:
  app:
    image: nginx:1.25
    networks: [hostnet, proxy]
networks:
  hostnet:
    external: true
    name: host
  proxy:
    external: true
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 1u, got);
  BOOST_TEST(has(got, "service app network:host @compose.yml:4"), got);
}

BOOST_AUTO_TEST_CASE(privileges_capabilities_devices_and_unconfined_security_opts_are_found) {
  TempRecipe r;
  auto c = r.load(std::string(service_head) + R"yaml(    privileged: true
    cap_add:
      - SYS_ADMIN
      - NET_ADMIN
    devices:
      - "/dev/fuse:/dev/fuse:rwm"
    security_opt:
      - seccomp:unconfined
      - apparmor=unconfined
      - no-new-privileges:true
  quiet:
    image: busybox:1.36
    privileged: false
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 6u, got);
  BOOST_TEST(has(got, "service app privileged @compose.yml:5"), got);
  BOOST_TEST(has(got, "service app cap_add:SYS_ADMIN @compose.yml:7"), got);
  BOOST_TEST(has(got, "service app cap_add:NET_ADMIN @compose.yml:8"), got);
  BOOST_TEST(has(got, "service app device:/dev/fuse @compose.yml:10"), got);
  BOOST_TEST(has(got, "service app security_opt:seccomp:unconfined @compose.yml:12"), got);
  BOOST_TEST(has(got, "service app security_opt:apparmor=unconfined @compose.yml:13"), got);
}

BOOST_AUTO_TEST_CASE(files_outside_the_recipe_tree_are_found_and_files_inside_are_not) {
  TempRecipe r;
  r.write("conf/app.conf", "x");
  r.write("conf/inner/file", "y");
  fs::create_directory_symlink("/etc", r / "etc-link");
  fs::create_symlink("inner/file", r / "conf/inside-link");
  fs::create_directory_symlink("..", r / "conf/up");
  auto c = r.load(std::string(service_head) + R"yaml(    env_file:
      - ./conf/app.conf
      - ../../outside.env
configs:
  shadow:
    file: /etc/shadow
  parent:
    file: ../../x
  through_link:
    file: etc-link/passwd
  in_tree:
    file: conf/inside-link
  round_trip:
    file: conf/up/conf/app.conf
  dotdot_inside:
    file: conf/inner/../app.conf
secrets:
  key:
    file: ~/.ssh/id_rsa
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 5u, got);
  BOOST_TEST(has(got, "service app file:../../outside.env @compose.yml:7"), got);
  BOOST_TEST(has(got, "config shadow file:/etc/shadow @compose.yml:10"), got);
  BOOST_TEST(has(got, "config parent file:../../x @compose.yml:12"), got);
  BOOST_TEST(has(got, "config through_link file:etc-link/passwd @compose.yml:14"), got);
  BOOST_TEST(has(got, "secret key file:~/.ssh/id_rsa @compose.yml:23"), got);
  auto link = std::find_if(c.host_access.begin(), c.host_access.end(),
                           [](const HostAccess& a) { return a.owner == "through_link"; });
  BOOST_TEST_REQUIRE((link != c.host_access.end()));
  BOOST_TEST(has(link->what, "through a symlink to /etc/passwd"), link->what);
  // env_file is deployed from the run directory: it is made absolute, as docker reads it from the recipe.
  BOOST_TEST(c.document["services"]["app"]["env_file"][0].Scalar() == (r.dir() / "conf/app.conf").string());
}

BOOST_AUTO_TEST_CASE(a_local_volume_over_a_host_path_is_a_bind) {
  TempRecipe r;
  auto c = r.load(std::string(service_head) + R"yaml(    volumes: [data:/data, nfs:/nfs]
volumes:
  data:
    driver_opts:
      type: none
      o: bind
      device: /home
  nfs:
    driver: some-plugin
    driver_opts:
      device: ":/export"
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 1u, got);
  BOOST_TEST(has(got, "volume data bind:/home @compose.yml:7"), got);
}

BOOST_AUTO_TEST_CASE(external_names_must_be_scoped_to_the_stack_and_abras_are) {
  TempRecipe r;
  r.write(".keep", "");
  auto c = r.load(std::string(service_head) + R"yaml(    secrets: [db_password, other, bare]
    configs: [theirs]
    volumes: [shared:/shared]
secrets:
  db_password:
    external: true
    name: ${STACK_NAME}_db_password_${SECRET_DB_PASSWORD_VERSION:-v1}
  other:
    external: true
    name: traefik_example_com_ssl_key_v1
  bare:
    external: true
configs:
  theirs:
    external:
      name: host_config
volumes:
  shared:
    external: true
    name: other_app_data
)yaml");
  auto got = joined(accesses(c));
  BOOST_TEST(c.host_access.size() == 4u, got);
  BOOST_TEST(has(got, "secret other external:traefik_example_com_ssl_key_v1 @compose.yml:12"), got);
  // docker looks an unnamed external object up by its key, unscoped.
  BOOST_TEST(has(got, "secret bare external:bare @compose.yml:15"), got);
  BOOST_TEST(has(got, "config theirs external:host_config @compose.yml:18"), got);
  BOOST_TEST(has(got, "volume shared external:other_app_data @compose.yml:22"), got);
  BOOST_TEST(!has(got, "db_password"), got);
}

BOOST_AUTO_TEST_CASE(a_grant_allows_exactly_its_owner_and_access) {
  std::vector<HostAccess> found{
      {AccessOwner::service, "app", "bind:/var/run/docker.sock", "bind-mounts the socket", "compose.yml:7"},
      {AccessOwner::service, "worker", "bind:/var/run/docker.sock", "bind-mounts the socket", "compose.yml:12"},
      {AccessOwner::service, "app", "bind:/run/docker.sock", "bind-mounts the socket", "compose.yml:8"},
      {AccessOwner::config, "app", "bind:/var/run/docker.sock", "odd", "compose.yml:20"}};
  std::vector<HostAccessGrant> grants{
      {AccessOwner::service, "app", "bind:/var/run/docker.sock", "routes by container labels", "ccci.yml:3"}};
  auto v = judge_host_access(found, grants);
  BOOST_TEST_REQUIRE(v.granted.size() == 1u);
  BOOST_TEST(v.granted[0].first.where == "compose.yml:7");
  BOOST_TEST(v.refused.size() == 3u);
  BOOST_TEST(grant_message(v.granted[0].first, v.granted[0].second) ==
             "service app bind-mounts the socket (compose.yml:7), allowed by ccci.yml:3: routes by container labels");
}

BOOST_AUTO_TEST_CASE(access_forms) {
  for (const char* ok : {"privileged", "bind:/", "bind:./x", "device:/dev/fuse", "cap_add:SYS_ADMIN",
                         "security_opt:seccomp:unconfined", "file:/etc/shadow", "external:x_y", "network:host",
                         "network_mode:host", "pid:container:x", "ipc:service:db", "uts:host", "userns_mode:host"})
    BOOST_TEST(!access_form_problem(ok), ok);
  for (const char* bad : {"", "docker.sock", "bind:", "bind /x", "privileged:true", "network:proxy", "pid:private",
                          "network_mode:container:", "mount:/x"})
    BOOST_TEST(access_form_problem(bad).has_value(), bad);
  BOOST_TEST(has(*access_form_problem("sock"), "the forms are privileged, bind:<host path>"));
}

// ---- the meta's grants ----------------------------------------------------

namespace {

std::string meta_error(const ccci::test::TempTree& t, const std::string& text) {
  auto file = t.write("ccci.yml", text);
  try {
    load_meta(file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError thrown)";
}

} // namespace

BOOST_AUTO_TEST_CASE(meta_grants_are_read_with_their_line) {
  ccci::test::TempTree t("unit-host-access-meta");
  auto file = t.write("ccci.yml", R"yaml(enroll: false
host_access:
  - service: app
    access: "bind:/var/run/docker.sock"
    reason: "routes by the labels of the swarm's services"
  - {config: nginx_conf, access: "file:../shared/nginx.conf", reason: shared between releases}
)yaml");
  auto meta = load_meta(file);
  BOOST_TEST_REQUIRE(meta.host_access.size() == 2u);
  const auto& g = meta.host_access[0];
  BOOST_TEST((g.owner_kind == AccessOwner::service));
  BOOST_TEST(g.owner == "app");
  BOOST_TEST(g.access == "bind:/var/run/docker.sock");
  BOOST_TEST(g.reason == "routes by the labels of the swarm's services");
  BOOST_TEST(g.where == file.string() + ":3");
  BOOST_TEST((meta.host_access[1].owner_kind == AccessOwner::config));
  BOOST_TEST(meta.host_access[1].where == file.string() + ":6");
}

BOOST_AUTO_TEST_CASE(bad_meta_grants_are_bad_input_naming_the_field) {
  ccci::test::TempTree t("unit-host-access-meta");
  auto e = meta_error(t, "host_access:\n  - service: app\n    access: docker.sock\n    reason: x\n");
  BOOST_TEST(has(e, "ccci.yml:3: host_access.access: 'docker.sock' is no form of host access"), e);
  e = meta_error(t, "host_access:\n  - service: app\n    access: \"bind:/var/run/docker.sock\"\n");
  BOOST_TEST(has(e, "ccci.yml:2: the host_access grant of bind:/var/run/docker.sock to service app needs a reason"), e);
  e = meta_error(t, "host_access:\n  - service: app\n    access: privileged\n    reason: \"  \"\n");
  BOOST_TEST(has(e, "needs a reason"), e);
  e = meta_error(t, "host_access:\n  - {service: app, config: c, access: privileged, reason: r}\n");
  BOOST_TEST(has(e, "ccci.yml:2: a host_access grant names exactly one owner"), e);
  e = meta_error(t, "host_access:\n  - {access: privileged, reason: r}\n");
  BOOST_TEST(has(e, "names 0"), e);
  e = meta_error(t, "host_access:\n  - {service: app, access: privileged, reson: r}\n");
  BOOST_TEST(has(e, "unknown key 'reson' in a host_access grant"), e);
  BOOST_TEST(has(e, "did you mean 'reason'?"), e);
  e = meta_error(t, "host_access: {service: app}\n");
  BOOST_TEST(has(e, "ccci.yml:1: 'host_access' must be a list of grants, got a map"), e);
  e = meta_error(t, "host_access:\n  - {service: app, reason: r}\n");
  BOOST_TEST(has(e, "needs 'access'"), e);
}

// ---- bounded aliases --------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_loader_counts_every_alias_as_the_node_it_names) {
  // map, key a, list and its 2 items, key b, and the alias standing for 3.
  const std::string text = "a: &x [1, 2]\nb: *x\n";
  BOOST_TEST(load_yaml(text, 9)["b"].size() == 2u);
  BOOST_CHECK_THROW(load_yaml(text, 8), YamlAliasBomb);
  BOOST_CHECK_THROW(load_yaml("a: &x [b, *x]\n"), YamlAliasBomb); // a cycle expands forever
  BOOST_CHECK_THROW(load_yaml("a: [b, c\n"), YAML::ParserException);
  BOOST_TEST(load_yaml("").IsNull());
}

BOOST_AUTO_TEST_CASE(an_alias_bomb_in_a_compose_file_is_a_defect_naming_the_file_and_line) {
  TempRecipe r;
  r.write("compose.yml", std::string(service_head) + "x-bomb:\n" + alias_bomb(9, "  "));
  try {
    load_compose(r.dir(), {"compose.yml"}, stack_env);
    BOOST_FAIL("an alias bomb loaded");
  } catch (const RecipeDefect& e) {
    const std::string what = e.what();
    // a4 is the first level past 100000 nodes (each *a3 stands for 11111).
    BOOST_TEST(has(what, "compose.yml:10:"), what);
    BOOST_TEST(has(what, "alias bomb"), what);
    BOOST_TEST(has(what, "*a3, which stands for 11111 nodes"), what);
  }
}

BOOST_AUTO_TEST_CASE(ordinary_merges_and_aliases_still_load) {
  TempRecipe r;
  auto c = r.load(R"yaml(x-defaults: &defaults
  image: nginx:1.25
  deploy: &deploy
    labels: ["a=1"]
    replicas: 1
services:
  app:
    <<: *defaults
  worker:
    <<: *defaults
    deploy: *deploy
  other:
    <<: [*defaults]
    image: busybox:1.36
)yaml");
  BOOST_TEST(c.services.size() == 3u);
  BOOST_TEST(c.host_access.empty());
}

BOOST_AUTO_TEST_CASE(every_other_reader_refuses_an_alias_bomb) {
  ccci::test::TempTree t("unit-host-access-bomb");
  auto e = meta_error(t, "env:\n  X: y\n" + alias_bomb(9));
  BOOST_TEST(has(e, "ccci.yml:7:"), e);
  BOOST_TEST(has(e, "alias bomb"), e);

  auto view = read_compose_file(std::string(service_head) + "x-bomb:\n" + alias_bomb(9, "  "), "compose.extra.yml", {});
  BOOST_TEST(has(view.error, "compose.extra.yml:10:"), view.error);
  BOOST_TEST(has(view.error, "alias bomb"), view.error);

  try {
    parse_canary_specs("x:\n" + alias_bomb(9, "  ") + "canaries: []\n", "canaries.yml");
    BOOST_FAIL("an alias bomb parsed");
  } catch (const InputError& err) {
    BOOST_TEST(has(err.what(), "canaries.yml:6:"), err.what());
    BOOST_TEST(has(err.what(), "alias bomb"), err.what());
  }
}
