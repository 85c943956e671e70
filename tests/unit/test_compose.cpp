#define BOOST_TEST_MODULE compose
#include <boost/test/unit_test.hpp>

#include "recipe/compose.hpp"
#include "support/files.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

/// A recipe directory of its own per test, removed afterwards.
class TempRecipe : public ccci::test::TempTree {
public:
  TempRecipe() : TempTree("unit-compose") {}
  Compose load(const std::vector<std::string>& files = {"compose.yml"}, const Env& env = {}) const {
    return load_compose(dir(), files, env);
  }
};

const ComposeService& service(const Compose& c, const std::string& name) {
  auto it = std::find_if(c.services.begin(), c.services.end(), [&](const auto& s) { return s.name == name; });
  BOOST_TEST_REQUIRE((it != c.services.end()), "no service " << name);
  return *it;
}

const ComposeObject& object(const std::vector<ComposeObject>& objs, const std::string& key) {
  auto it = std::find_if(objs.begin(), objs.end(), [&](const auto& o) { return o.key == key; });
  BOOST_TEST_REQUIRE((it != objs.end()), "no object " << key);
  return *it;
}

bool contains_merge_key(const YAML::Node& n) {
  if (n.IsMap()) {
    for (const auto& kv : n)
      if (kv.first.Scalar() == "<<" || contains_merge_key(kv.second)) return true;
  } else if (n.IsSequence()) {
    for (const auto& item : n)
      if (contains_merge_key(item)) return true;
  }
  return false;
}

std::vector<std::string> strings(const YAML::Node& seq) {
  std::vector<std::string> out;
  for (const auto& item : seq)
    out.push_back(item.Scalar());
  return out;
}

std::string defect(const TempRecipe& r, const std::vector<std::string>& files = {"compose.yml"}, const Env& env = {}) {
  try {
    r.load(files, env);
  } catch (const RecipeDefect& e) {
    return e.what();
  }
  return "(no RecipeDefect thrown)";
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Same shape, same scalars, and quoted scalars still quoted (tag "!").
bool same_tree(const YAML::Node& a, const YAML::Node& b, std::string path = "") {
  if (a.Type() != b.Type()) {
    BOOST_TEST_MESSAGE("type differs at " << path);
    return false;
  }
  switch (a.Type()) {
  case YAML::NodeType::Scalar: {
    bool quoted_a = a.Tag() != "?" && !a.Tag().empty(), quoted_b = b.Tag() != "?" && !b.Tag().empty();
    if (a.Scalar() != b.Scalar() || quoted_a != quoted_b) {
      BOOST_TEST_MESSAGE("scalar differs at " << path << ": '" << a.Scalar() << "' vs '" << b.Scalar() << "'");
      return false;
    }
    return true;
  }
  case YAML::NodeType::Sequence:
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_tree(a[i], b[i], path + "/" + std::to_string(i))) return false;
    return true;
  case YAML::NodeType::Map: {
    if (a.size() != b.size()) return false;
    auto ia = a.begin();
    auto ib = b.begin();
    for (; ia != a.end(); ++ia, ++ib)
      if (ia->first.Scalar() != ib->first.Scalar() ||
          !same_tree(ia->second, ib->second, path + "/" + ia->first.Scalar()))
        return false;
    return true;
  }
  default: return true;
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(anchors_and_merge_keys_are_resolved_on_copies) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
x-deploy: &deploy
  restart_policy:
    condition: on-failure
  replicas: 2
x-env: &env
  TZ: UTC
  LANG: C
x-more: &more
  LANG: en_US.UTF-8
  EXTRA: "1"
services:
  app:
    image: nginx:1.25
    deploy:
      <<: *deploy
      replicas: 3
    environment:
      <<: [*env, *more]
      TZ: Europe/Berlin
  worker:
    image: nginx:1.25
    deploy: *deploy
)yaml");
  auto c = r.load();
  BOOST_TEST(!contains_merge_key(c.document));
  BOOST_TEST(service(c, "app").replicas == 3);    // explicit key wins over the merged one
  BOOST_TEST(service(c, "worker").replicas == 2); // alias copied whole
  auto env = c.document["services"]["app"]["environment"];
  BOOST_TEST(env["TZ"].Scalar() == "Europe/Berlin");
  BOOST_TEST(env["LANG"].Scalar() == "C"); // the first map of the list wins
  BOOST_TEST(env["EXTRA"].Scalar() == "1");
  BOOST_TEST(env.size() == 3u);
  BOOST_TEST(c.document["services"]["app"]["deploy"]["restart_policy"]["condition"].Scalar() == "on-failure");

  // Editing one use of an anchor must not change another.
  c.document["services"]["app"]["deploy"]["restart_policy"]["condition"] = "any";
  BOOST_TEST(c.document["services"]["worker"]["deploy"]["restart_policy"]["condition"].Scalar() == "on-failure");
  BOOST_TEST(c.document["x-deploy"]["restart_policy"]["condition"].Scalar() == "on-failure");
}

BOOST_AUTO_TEST_CASE(labels_routes_version_label_and_networks) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: nginx:1.25
    networks:
      - proxy
      - internal
    deploy:
      labels:
        - "traefik.enable=true"
        - "traefik.http.routers.${STACK_NAME}.rule=Host(`${DOMAIN}`) || Host(`www.${DOMAIN}`)"
        - "traefik.http.routers.${STACK_NAME}-alt.rule=Host(`a.example`, `b.example`)"
        - "traefik.http.services.${STACK_NAME}.loadbalancer.server.port=8080"
        - "coop-cloud.${STACK_NAME}.version=1.0.0+1.22.1"
        - "traefik.http.middlewares.h.headers.customrequestheaders.X-Eq=a=b"
  db:
    image: mariadb:10.11
    networks:
      internal:
        aliases: [database]
    deploy:
      labels:
        backupbot.backup: "true"
        backupbot.backup.pre-hook: "mysqldump -u root app > /var/lib/mysql/dump.sql"
        traefik.enable: "false"
networks:
  proxy:
    external: true
  internal:
)yaml");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "app_example_com"}, {"DOMAIN", "app.example.com"}});

  const auto& app = service(c, "app");
  BOOST_TEST(app.labels.at("traefik.enable") == "true");
  BOOST_TEST(app.labels.at("traefik.http.routers.app_example_com.rule") ==
             "Host(`app.example.com`) || Host(`www.app.example.com`)");
  BOOST_TEST(app.labels.at("traefik.http.middlewares.h.headers.customrequestheaders.X-Eq") == "a=b");
  BOOST_TEST(app.networks == (std::vector<std::string>{"proxy", "internal"}), boost::test_tools::per_element());

  const auto& db = service(c, "db");
  BOOST_TEST(db.labels.at("backupbot.backup") == "true");
  BOOST_TEST(db.labels.at("backupbot.backup.pre-hook") == "mysqldump -u root app > /var/lib/mysql/dump.sql");
  BOOST_TEST(db.networks == std::vector<std::string>{"internal"}, boost::test_tools::per_element());

  // One route per router (both match any path), longest rule first; db's
  // traefik.enable=false gives none.
  BOOST_TEST_REQUIRE(c.routes.size() == 2u);
  BOOST_TEST(c.routes[0].router == "app_example_com");
  BOOST_TEST(c.routes[0].service == "app");
  BOOST_TEST(c.routes[0].port == 8080);
  BOOST_TEST(c.routes[0].hosts == (std::vector<std::string>{"app.example.com", "www.app.example.com"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.routes[1].router == "app_example_com-alt");
  BOOST_TEST(c.routes[1].hosts == (std::vector<std::string>{"a.example", "b.example"}),
             boost::test_tools::per_element());
  // The -alt router has no .service and app defines one traefik service.
  BOOST_TEST(c.routes[1].port == 8080);
  BOOST_TEST(c.route_notes.empty());

  BOOST_TEST_REQUIRE(c.version_label.has_value());
  BOOST_TEST(*c.version_label == "1.0.0+1.22.1");

  BOOST_TEST(c.networks.size() == 2u);
  BOOST_TEST(c.networks.at("proxy") == true);
  BOOST_TEST(c.networks.at("internal") == false);
}

// The labels a real recipe may carry for its Traefik (a dashboard router to
// api@internal whose service port is an entrypoint name) load: the edge skips
// them with a note instead of refusing the recipe.
BOOST_AUTO_TEST_CASE(routes_the_edge_cannot_serve_are_notes_not_defects) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: traefik:v2.11
    deploy:
      labels:
        - "traefik.enable=true"
        - "traefik.http.routers.dash.rule=Host(`${DOMAIN}`) && PathPrefix(`/api`)"
        - "traefik.http.routers.dash.service=api@internal"
        - "traefik.http.routers.web.rule=Host(`${DOMAIN}`)"
        - "traefik.http.routers.web.service=web"
        - "traefik.http.services.web.loadbalancer.server.port=web"
        - "traefik.http.routers.ok.rule=Host(`ok.${DOMAIN}`)"
        - "traefik.http.routers.ok.service=ok"
        - "traefik.http.services.ok.loadbalancer.server.port=8080"
)yaml");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "t_example"}, {"DOMAIN", "t.example"}});
  BOOST_TEST_REQUIRE(c.routes.size() == 1u);
  BOOST_TEST(c.routes[0].router == "ok");
  BOOST_TEST(c.routes[0].hosts == std::vector<std::string>{"ok.t.example"}, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(c.route_notes.size() == 3u);
  auto noted = [&](const std::string& part) {
    return std::any_of(c.route_notes.begin(), c.route_notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
  };
  BOOST_TEST(noted("traefik.http.routers.dash.service=api@internal"));
  BOOST_TEST(noted("traefik.http.services.web.loadbalancer.server.port=web (on service 'app') is not a port number"));
  BOOST_TEST(noted("router 'web' (on service 'app') is skipped"));
}

BOOST_AUTO_TEST_CASE(secrets_and_configs) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: nginx:1.25
    secrets:
      - db_password
      - source: api_key
        target: /run/secrets/key
    configs:
      - source: nginx_conf
        target: /etc/nginx/nginx.conf
secrets:
  db_password:
    external: true
    name: ${STACK_NAME}_db_password_${SECRET_DB_PASSWORD_VERSION:-v1}
  api_key:
    file: ./secrets/api_key
configs:
  nginx_conf:
    name: ${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}
    file: nginx.conf.tmpl
    template_driver: golang
)yaml");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "app_example_com"}, {"NGINX_CONF_VERSION", "v3"}});

  const auto& db = object(c.secrets, "db_password");
  BOOST_TEST(db.external);
  BOOST_TEST(db.name == "app_example_com_db_password_v1");
  BOOST_TEST(c.document["secrets"]["db_password"]["name"].Scalar() == "app_example_com_db_password_v1");

  const auto& key = object(c.secrets, "api_key");
  BOOST_TEST(!key.external);
  BOOST_TEST(key.name == "app_example_com_api_key"); // unnamed: stack-prefixed as docker does
  BOOST_TEST(key.file == (r.dir() / "secrets/api_key").string());
  BOOST_TEST(c.document["secrets"]["api_key"]["file"].Scalar() == key.file);

  const auto& conf = object(c.configs, "nginx_conf");
  BOOST_TEST(conf.name == "app_example_com_nginx_conf_v3");
  BOOST_TEST(conf.file == (r.dir() / "nginx.conf.tmpl").string());
  BOOST_TEST(c.document["configs"]["nginx_conf"]["template_driver"].Scalar() == "golang");
  BOOST_TEST(c.document["configs"]["nginx_conf"]["name"].Scalar() == "app_example_com_nginx_conf_v3");

  const auto& app = service(c, "app");
  BOOST_TEST(app.secrets == (std::vector<std::string>{"db_password", "api_key"}), boost::test_tools::per_element());
  BOOST_TEST(app.configs == std::vector<std::string>{"nginx_conf"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(volumes_named_and_bind_mounts) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(services:
  app:
    image: nginx:1.25
    volumes:
      - content:/usr/share/nginx/html:ro
      - ./entrypoint.sh:/docker-entrypoint.sh
      - /etc/localtime:/etc/localtime:ro
      - /var/cache/nginx
      - type: volume
        source: data
        target: /data
      - type: bind
        source: ./conf
        target: /conf
      - content:/srv/again
volumes:
  content:
  data:
)yaml");
  auto c = r.load();
  BOOST_TEST(c.volumes == (std::vector<std::string>{"content", "data"}), boost::test_tools::per_element());
  BOOST_TEST(service(c, "app").volumes == (std::vector<std::string>{"content", "data"}),
             boost::test_tools::per_element());
  auto vols = c.document["services"]["app"]["volumes"];
  BOOST_TEST(vols[1].Scalar() == (r.dir() / "entrypoint.sh").string() + ":/docker-entrypoint.sh");
  BOOST_TEST(vols[2].Scalar() == "/etc/localtime:/etc/localtime:ro");
  BOOST_TEST(vols[5]["source"].Scalar() == (r.dir() / "conf").string());
  BOOST_TEST(c.files == std::vector<std::string>{(r.dir() / "compose.yml").string()}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(healthchecks_and_replicas) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(services:
  checked:
    image: nginx
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost"]
      interval: 30s
  disabled:
    image: nginx
    healthcheck:
      disable: true
    deploy:
      replicas: 0
  none:
    image: nginx
    healthcheck:
      test: ["NONE"]
    deploy:
      replicas: ${REPLICAS:-4}
  plain:
    image: nginx
)yaml");
  auto c = r.load();
  BOOST_TEST(service(c, "checked").has_healthcheck);
  BOOST_TEST(!service(c, "disabled").has_healthcheck);
  BOOST_TEST(!service(c, "none").has_healthcheck);
  BOOST_TEST(!service(c, "plain").has_healthcheck);
  BOOST_TEST(service(c, "checked").replicas == 1);
  BOOST_TEST(service(c, "disabled").replicas == 0);
  BOOST_TEST(service(c, "none").replicas == 4);
  BOOST_TEST(c.services.size() == 4u);
  BOOST_TEST(c.services.front().name == "checked"); // document order kept
}

BOOST_AUTO_TEST_CASE(overlay_files_merge_as_docker_does) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: nginx:1.25
    environment:
      - TZ=UTC
      - MODE=base
    ports:
      - "8080:80"
    deploy:
      replicas: 1
      labels:
        - "traefik.enable=true"
        - "a=1"
    secrets: [db_password]
  db:
    image: mariadb:10.11
    environment:
      MYSQL_DATABASE: app
      MYSQL_USER: app
secrets:
  db_password:
    external: true
    name: ${STACK_NAME}_db_password_v1
)yaml");
  r.write("compose.x.yml", R"yaml(version: "3.8"
services:
  app:
    environment:
      - MODE=x
      - SMTP_HOST=mail
    ports:
      - "8080:80"
      - "8443:443"
    deploy:
      labels:
        - "a=2"
        - "b=3"
    secrets: [smtp_password]
  db:
    environment:
      - MYSQL_USER=other
      - MYSQL_ROOT_HOST=%
  extra:
    image: busybox
secrets:
  smtp_password:
    external: true
    name: ${STACK_NAME}_smtp_password_v1
)yaml");
  auto c = r.load({"compose.yml", "compose.x.yml"}, {{"STACK_NAME", "s"}});
  auto app = c.document["services"]["app"];
  BOOST_TEST(app["image"].Scalar() == "nginx:1.25");
  // STACK_NAME: the app env reaches the `app` service, as abra does.
  BOOST_TEST(strings(app["environment"]) ==
                 (std::vector<std::string>{"TZ=UTC", "MODE=x", "SMTP_HOST=mail", "STACK_NAME=s"}),
             boost::test_tools::per_element());
  BOOST_TEST(strings(app["ports"]) == (std::vector<std::string>{"8080:80", "8443:443"}),
             boost::test_tools::per_element());
  BOOST_TEST(app["deploy"]["replicas"].Scalar() == "1");

  const auto& svc = service(c, "app");
  BOOST_TEST(svc.labels.size() == 3u);
  BOOST_TEST(svc.labels.at("a") == "2");
  BOOST_TEST(svc.labels.at("b") == "3");
  BOOST_TEST(svc.labels.at("traefik.enable") == "true");
  BOOST_TEST(svc.secrets == (std::vector<std::string>{"db_password", "smtp_password"}),
             boost::test_tools::per_element());

  // Map form in one file, list form in the other: merged by name.
  auto db_env = c.document["services"]["db"]["environment"];
  BOOST_TEST_REQUIRE(db_env.IsMap());
  BOOST_TEST(db_env["MYSQL_DATABASE"].Scalar() == "app");
  BOOST_TEST(db_env["MYSQL_USER"].Scalar() == "other");
  BOOST_TEST(db_env["MYSQL_ROOT_HOST"].Scalar() == "%");

  BOOST_TEST(c.services.size() == 3u);
  BOOST_TEST(object(c.secrets, "smtp_password").name == "s_smtp_password_v1");
  BOOST_TEST(c.files ==
                 (std::vector<std::string>{(r.dir() / "compose.yml").string(), (r.dir() / "compose.x.yml").string()}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(render_escapes_dollars_and_reparses_to_the_same_document) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: "nginx:${VERSION:-1.25}"
    command: ["sh", "-c", "echo $$HOME and $${NOT_EXPANDED}"]
    environment:
      PASSWORD_HINT: 'pa$$word'
      NUMBER_AS_STRING: "8080"
      PLAIN_NUMBER: 8080
    deploy:
      replicas: 2
      labels:
        - "coop-cloud.${STACK_NAME}.version=1.0.0+1.22.1"
    volumes:
      - ./data:/data
    healthcheck:
      test: |
        curl -f http://localhost/ || exit 1
)yaml");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "s"}});
  BOOST_TEST(c.document["services"]["app"]["command"][2].Scalar() == "echo $HOME and ${NOT_EXPANDED}");

  auto text = render_compose(c);
  BOOST_TEST(has(text, "echo $$HOME and $${NOT_EXPANDED}"), text);
  BOOST_TEST(has(text, "pa$$word"), text);

  // Docker interpolates again: loading the rendered file gives back the same document.
  TempRecipe again;
  again.write("compose.yml", text);
  auto reloaded = again.load();
  BOOST_TEST(same_tree(c.document, reloaded.document), text);
  BOOST_TEST(render_compose(reloaded) == text);

  // Types survive: quoted stays a string, plain stays plain.
  auto raw = YAML::Load(text);
  BOOST_TEST(raw["version"].Tag() == "!");
  BOOST_TEST(raw["services"]["app"]["environment"]["NUMBER_AS_STRING"].Tag() == "!");
  BOOST_TEST(raw["services"]["app"]["environment"]["PLAIN_NUMBER"].Tag() == "?");
  BOOST_TEST(raw["services"]["app"]["deploy"]["replicas"].as<int>() == 2);
  BOOST_TEST(raw["services"]["app"]["volumes"][0].Scalar() == (r.dir() / "data").string() + ":/data");
}

BOOST_AUTO_TEST_CASE(unparsable_yaml_names_file_and_line) {
  TempRecipe r;
  r.write("compose.yml", "services:\n  app:\n    image: nginx\n    environment: [A=1, B=2\n  db:\n    image: x\n");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:"), msg);
  BOOST_TEST(has(msg, "invalid YAML"), msg);
  // yaml-cpp reports where it gave up: somewhere after the unclosed '['.
  BOOST_TEST((has(msg, "compose.yml:4:") || has(msg, "compose.yml:5:") || has(msg, "compose.yml:6:")), msg);

  r.write("compose.yml", "services:\n  app:\n    image: nginx\n  bad: : :\n\t- x\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:"), msg);
}

BOOST_AUTO_TEST_CASE(empty_file_and_missing_services_are_defects) {
  TempRecipe r;
  r.write("compose.yml", "");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:1"), msg);
  BOOST_TEST(has(msg, "empty"), msg);

  r.write("compose.yml", "# only a comment\n");
  BOOST_TEST(has(defect(r), "empty"));

  r.write("compose.yml", "version: \"3.8\"\nvolumes:\n  data:\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml"), msg);
  BOOST_TEST(has(msg, "services"), msg);

  r.write("compose.yml", "- just\n- a list\n");
  BOOST_TEST(has(defect(r), "compose.yml"));

  msg = defect(r, {"compose.yml", "compose.missing.yml"});
  BOOST_TEST(has(msg, "compose.yml"), msg);
  r.write("compose.yml", "services:\n  app:\n    image: nginx\n");
  msg = defect(r, {"compose.yml", "compose.missing.yml"});
  BOOST_TEST(has(msg, "compose.missing.yml"), msg);
}

BOOST_AUTO_TEST_CASE(service_without_image_is_located) {
  TempRecipe r;
  r.write("compose.yml", "version: \"3.8\"\nservices:\n  app:\n    image: nginx\n  worker:\n    command: run\n");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:5"), msg);
  BOOST_TEST(has(msg, "'worker'"), msg);
  BOOST_TEST(has(msg, "image"), msg);

  // An image that interpolates to nothing is just as missing.
  r.write("compose.yml", "services:\n  app:\n    image: ${IMAGE}\n");
  BOOST_TEST(has(defect(r), "'app'"));

  // The image may come from the base file; a service only in the overlay needs its own.
  r.write("compose.yml", "services:\n  app:\n    image: nginx\n");
  r.write("compose.x.yml", "services:\n  app:\n    environment: [A=1]\n  sidecar:\n    command: x\n");
  msg = defect(r, {"compose.yml", "compose.x.yml"});
  BOOST_TEST(has(msg, "compose.x.yml:4"), msg);
  BOOST_TEST(has(msg, "'sidecar'"), msg);
}

BOOST_AUTO_TEST_CASE(undeclared_references_name_the_object_and_service) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(services:
  app:
    image: nginx
    secrets:
      - db_password
      - source: admin_password
        target: admin
secrets:
  db_password:
    external: true
)yaml");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:6"), msg);
  BOOST_TEST(has(msg, "'admin_password'"), msg);
  BOOST_TEST(has(msg, "'app'"), msg);
  BOOST_TEST(has(msg, "secret"), msg);

  r.write("compose.yml",
          "services:\n  app:\n    image: nginx\n    configs:\n      - source: conf\n        target: /c\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:5"), msg);
  BOOST_TEST(has(msg, "config 'conf'"), msg);

  r.write("compose.yml", "services:\n  app:\n    image: nginx\n    volumes:\n      - data:/data\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "volume 'data'"), msg);
  BOOST_TEST(has(msg, "compose.yml:5"), msg);

  r.write("compose.yml", "services:\n  app:\n    image: nginx\n    networks: [proxy]\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "network 'proxy'"), msg);
  BOOST_TEST(has(msg, "compose.yml:4"), msg);
}

BOOST_AUTO_TEST_CASE(interpolation_and_merge_defects_are_located) {
  TempRecipe r;
  r.write("compose.yml",
          "services:\n  app:\n    image: nginx\n    environment:\n      DOMAIN: ${DOMAIN:?set DOMAIN}\n");
  auto msg = defect(r);
  BOOST_TEST(msg.starts_with("compose.yml:5"), msg);
  BOOST_TEST(has(msg, "set DOMAIN"), msg);
  BOOST_CHECK_NO_THROW(r.load({"compose.yml"}, {{"DOMAIN", "x.example"}}));

  r.write("compose.yml", "services:\n  app:\n    image: nginx\n    command: \"echo ${unterminated\"\n");
  msg = defect(r);
  BOOST_TEST(msg.starts_with("compose.yml:4"), msg);

  r.write("compose.yml", "services:\n  app:\n    <<: just-a-string\n    image: nginx\n");
  msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:3"), msg);
  BOOST_TEST(has(msg, "<<"), msg);
}

// ---- the app env, as abra deploys it (docs/architecture.md, "The app env") ----

BOOST_AUTO_TEST_CASE(bare_environment_entries_take_the_app_env_and_never_the_process_env) {
  // In ccci's own environment, as an operator's shell variable would be.
  ::setenv("CCCI_UNIT_SHELL_ONLY", "from-the-operators-shell", 1);
  ::setenv("DOMAIN", "shell.example.org", 1);
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  db:
    image: postgres:16
    environment:
      - DOMAIN
      - CCCI_UNIT_SHELL_ONLY
      - FIXED=1
      - PORT
  worker:
    image: busybox
    environment:
      DOMAIN:
      CCCI_UNIT_SHELL_ONLY:
      EMPTY: ""
      PORT:
)yaml");
  Env env{{"DOMAIN", "app.ccci.test"}, {"STACK_NAME", "app_ccci_test"}, {"PORT", "08"}};
  auto c = r.load({"compose.yml"}, env);
  auto db = c.document["services"]["db"]["environment"];
  BOOST_TEST(strings(db) == (std::vector<std::string>{"DOMAIN=app.ccci.test", "FIXED=1", "PORT=08"}),
             boost::test_tools::per_element());
  auto worker = c.document["services"]["worker"]["environment"];
  BOOST_TEST(worker.size() == 3u);
  BOOST_TEST(worker["DOMAIN"].Scalar() == "app.ccci.test");
  BOOST_TEST(worker["EMPTY"].Scalar() == "");
  BOOST_TEST(!worker["CCCI_UNIT_SHELL_ONLY"].IsDefined());
  // Only `app` gets the whole app env.
  BOOST_TEST(!worker["STACK_NAME"].IsDefined());

  auto rendered = render_compose(c);
  BOOST_TEST(!has(rendered, "CCCI_UNIT_SHELL_ONLY"), rendered);
  BOOST_TEST(!has(rendered, "from-the-operators-shell"));
  BOOST_TEST(!has(rendered, "shell.example.org"));
  // A value that looks like a number stays the string the app env holds.
  auto again = YAML::Load(rendered);
  BOOST_TEST(again["services"]["worker"]["environment"]["PORT"].Scalar() == "08");
  BOOST_TEST(has(rendered, "PORT: \"08\""), rendered);
  ::unsetenv("CCCI_UNIT_SHELL_ONLY");
  ::unsetenv("DOMAIN");
}

BOOST_AUTO_TEST_CASE(the_app_service_gets_every_app_env_variable_it_does_not_set) {
  TempRecipe r;
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: nginx:1.25
    environment:
      DOMAIN: set-by-the-recipe
      LOG: debug
  db:
    image: postgres:16
)yaml");
  Env env{{"DOMAIN", "app.ccci.test"},
          {"STACK_NAME", "app_ccci_test"},
          {"SECRET_DB_PASSWORD_VERSION", "v1"},
          {"PRICE", "cost $5"}};
  auto c = r.load({"compose.yml"}, env);
  auto app = c.document["services"]["app"]["environment"];
  BOOST_TEST(app.size() == 5u);
  BOOST_TEST(app["DOMAIN"].Scalar() == "set-by-the-recipe"); // the service's own value wins
  BOOST_TEST(app["LOG"].Scalar() == "debug");
  BOOST_TEST(app["STACK_NAME"].Scalar() == "app_ccci_test");
  BOOST_TEST(app["SECRET_DB_PASSWORD_VERSION"].Scalar() == "v1");
  BOOST_TEST(app["PRICE"].Scalar() == "cost $5");
  BOOST_TEST(!c.document["services"]["db"]["environment"].IsDefined());
  // docker interpolates the rendered file again: the dollar is escaped.
  auto rendered = render_compose(c);
  BOOST_TEST(has(rendered, "PRICE: \"cost $$5\""), rendered);

  // Without an environment of its own, and in the list form.
  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n");
  auto bare = r.load({"compose.yml"}, {{"A", "1"}, {"B", "2"}});
  auto made = bare.document["services"]["app"]["environment"];
  BOOST_TEST(made.IsMap());
  BOOST_TEST(made.size() == 2u);
  BOOST_TEST(made["B"].Scalar() == "2");
  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n    environment: [A=mine, C]\n");
  auto listed = r.load({"compose.yml"}, {{"A", "1"}, {"B", "2"}});
  BOOST_TEST(strings(listed.document["services"]["app"]["environment"]) == (std::vector<std::string>{"A=mine", "B=2"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(golang_template_configs_are_rendered_unchanged) {
  TempRecipe r;
  r.write("entrypoint.conf.tmpl", "greeting={{ env \"GREETING\" }}\n");
  r.write("compose.yml", R"yaml(version: "3.8"
services:
  app:
    image: nginx:1.25
    configs:
      - source: app_conf
        target: /etc/app.conf
configs:
  app_conf:
    name: ${STACK_NAME}_app_conf_${APP_CONF_VERSION}
    file: entrypoint.conf.tmpl
    template_driver: golang
)yaml");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "s"}, {"APP_CONF_VERSION", "v1"}, {"GREETING", "hello"}});
  auto conf = c.document["configs"]["app_conf"];
  BOOST_TEST(conf["template_driver"].Scalar() == "golang");
  BOOST_TEST(conf["name"].Scalar() == "s_app_conf_v1");
  // The variable the template reads is in the service's environment, where
  // docker's template engine looks.
  BOOST_TEST(c.document["services"]["app"]["environment"]["GREETING"].Scalar() == "hello");
  BOOST_TEST(ccci::test::read(r.dir() / "entrypoint.conf.tmpl") == "greeting={{ env \"GREETING\" }}\n");
}

BOOST_AUTO_TEST_CASE(dash_default_and_required_variables_in_compose) {
  TempRecipe r;
  r.write("compose.yml", "services:\n  app:\n    image: nginx:${TAG-1.25}\n    hostname: ${HN-}x\n");
  BOOST_TEST(service(r.load({"compose.yml"}, {}), "app").image == "nginx:1.25");
  // `-` without `:`: set but empty is kept.
  BOOST_TEST(service(r.load({"compose.yml"}, {{"TAG", ""}}), "app").image == "nginx:");

  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n"
                         "    environment:\n      - KEY=${SECRET_KEY:?set SECRET_KEY in .env.sample}\n");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml:5"), msg);
  BOOST_TEST(has(msg, "SECRET_KEY is not set: set SECRET_KEY in .env.sample"), msg);
  BOOST_TEST(has(defect(r, {"compose.yml"}, {{"SECRET_KEY", ""}}), "SECRET_KEY is empty"));
}

BOOST_AUTO_TEST_CASE(a_compose_without_services_is_a_defect_naming_the_file) {
  TempRecipe r;
  r.write("compose.yml", "version: \"3.8\"\nservices: {}\n");
  auto msg = defect(r);
  BOOST_TEST(has(msg, "compose.yml: 'services:' is empty after merging compose.yml"), msg);
  r.write("compose.x.yml", "services: {}\n");
  msg = defect(r, {"compose.yml", "compose.x.yml"});
  BOOST_TEST(has(msg, "after merging compose.yml, compose.x.yml"), msg);
}

// The longest stack name abra makes (model/naming: 45 characters).
const std::string stack45(45, 's');

std::string with_secret(const std::string& key, const std::string& version_var) {
  return "services:\n  app:\n    image: nginx:1.25\n    secrets: [" + key + "]\nsecrets:\n  " + key +
         ":\n    external: true\n    name: ${STACK_NAME}_" + key + "_${" + version_var + "}\n";
}

BOOST_AUTO_TEST_CASE(secret_names_fit_docker_with_a_45_character_stack_or_are_named_defects) {
  BOOST_TEST_REQUIRE(stack45.size() == 45u);
  TempRecipe r;
  // 45 + "_db_password_v1" = 60 characters: fits.
  r.write("compose.yml", with_secret("db_password", "SECRET_DB_PASSWORD_VERSION"));
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", stack45}, {"SECRET_DB_PASSWORD_VERSION", "v1"}});
  BOOST_TEST(object(c.secrets, "db_password").name.size() == 60u);

  // 45 + "_secret_key_base_v1" = 64: still fits, exactly.
  r.write("compose.yml", with_secret("secret_key_base", "SECRET_SECRET_KEY_BASE_VERSION"));
  BOOST_TEST(
      object(r.load({"compose.yml"}, {{"STACK_NAME", stack45}, {"SECRET_SECRET_KEY_BASE_VERSION", "v1"}}).secrets,
             "secret_key_base")
          .name.size() == 64u);

  // 45 + "_oauth_client_secret_v1" = 68: red, naming the secret and its variable.
  r.write("compose.yml", with_secret("oauth_client_secret", "SECRET_OAUTH_CLIENT_SECRET_VERSION"));
  auto msg = defect(r, {"compose.yml"}, {{"STACK_NAME", stack45}, {"SECRET_OAUTH_CLIENT_SECRET_VERSION", "v1"}});
  BOOST_TEST(has(msg, "compose.yml:6: secret 'oauth_client_secret'"), msg);
  BOOST_TEST(has(msg, "(68 characters; docker allows 64)"), msg);
  BOOST_TEST(has(msg, "SECRET_OAUTH_CLIENT_SECRET_VERSION"), msg);
  // The same recipe with a short stack is fine.
  BOOST_TEST(
      object(r.load({"compose.yml"}, {{"STACK_NAME", "short"}, {"SECRET_OAUTH_CLIENT_SECRET_VERSION", "v1"}}).secrets,
             "oauth_client_secret")
          .name == "short_oauth_client_secret_v1");
}

BOOST_AUTO_TEST_CASE(a_missing_version_variable_is_a_defect_naming_it) {
  TempRecipe r;
  r.write("compose.yml", with_secret("db_password", "SECRET_DB_PASSWORD_VERSION"));
  auto msg = defect(r, {"compose.yml"}, {{"STACK_NAME", "s"}});
  BOOST_TEST(has(msg, "secret 'db_password' has the swarm name 's_db_password_', which ends in '_'"), msg);
  BOOST_TEST(has(msg, "SECRET_DB_PASSWORD_VERSION is missing from .env.sample; add `SECRET_DB_PASSWORD_VERSION=v1`"),
             msg);

  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n    configs: [nginx_conf]\n"
                         "configs:\n  nginx_conf:\n    name: ${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}\n"
                         "    file: nginx.conf\n");
  msg = defect(r, {"compose.yml"}, {{"STACK_NAME", "s"}});
  BOOST_TEST(has(msg, "compose.yml:6: config 'nginx_conf'"), msg);
  BOOST_TEST(has(msg, "NGINX_CONF_VERSION is missing"), msg);
}

BOOST_AUTO_TEST_CASE(the_timeout_label_of_the_app_service) {
  TempRecipe r;
  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n    deploy:\n      labels:\n"
                         "        - coop-cloud.${STACK_NAME}.timeout=${TIMEOUT:-120}\n"
                         "  db:\n    image: postgres:16\n    deploy:\n      labels: [coop-cloud.x.timeout=9]\n");
  auto c = r.load({"compose.yml"}, {{"STACK_NAME", "s"}});
  BOOST_TEST_REQUIRE(c.timeout_label.has_value());
  BOOST_TEST(c.timeout_label->first == "coop-cloud.s.timeout");
  BOOST_TEST(c.timeout_label->second == 120);
  auto msg = defect(r, {"compose.yml"}, {{"STACK_NAME", "s"}, {"TIMEOUT", "5m"}});
  BOOST_TEST(has(msg, "label 'coop-cloud.s.timeout' of service 'app' must be the deploy timeout in whole seconds"),
             msg);
  BOOST_TEST(has(msg, "got '5m'"), msg);
  r.write("compose.yml", "services:\n  app:\n    image: nginx:1.25\n");
  BOOST_TEST(!r.load().timeout_label.has_value());
}
