#define BOOST_TEST_MODULE engine
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "swarm/engine.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>

#include <memory>

using namespace ccci::host;
namespace json = boost::json;

namespace {

json::value parse(const char* text) { return json::parse(text); }

std::string unescaped(const std::string& s) {
  int n = 0;
  std::unique_ptr<char, decltype(&curl_free)> p(curl_easy_unescape(nullptr, s.data(), static_cast<int>(s.size()), &n),
                                                curl_free);
  return std::string(p.get(), static_cast<std::size_t>(n));
}

} // namespace

BOOST_AUTO_TEST_CASE(the_engine_is_used_only_where_the_cli_would_reach_the_local_socket) {
  using O = std::optional<std::string>;
  const O none;
  BOOST_TEST(*engine_socket_for(none, none, none) == "/var/run/docker.sock");
  BOOST_TEST(*engine_socket_for(O(""), O(""), O("")) == "/var/run/docker.sock");
  BOOST_TEST(*engine_socket_for(O("unix:///run/user/1000/docker.sock"), none, none) == "/run/user/1000/docker.sock");
  BOOST_TEST(!engine_socket_for(O("tcp://10.0.0.2:2376"), none, none));
  BOOST_TEST(!engine_socket_for(O("ssh://admin@swarm.example"), none, none));
  BOOST_TEST(!engine_socket_for(O("unix://relative.sock"), none, none));
  // A context other than the default one: its daemon is the CLI's to find.
  BOOST_TEST(!engine_socket_for(none, O("remote"), none));
  BOOST_TEST(!engine_socket_for(none, none, O("rootless")));
  BOOST_TEST(*engine_socket_for(none, O("default"), O("rootless")) == "/var/run/docker.sock");
  // DOCKER_CONTEXT is picked before DOCKER_HOST, DOCKER_HOST before the config's context.
  BOOST_TEST(!engine_socket_for(O("unix:///var/run/docker.sock"), O("remote"), none));
  BOOST_TEST(*engine_socket_for(O("unix:///srv/d.sock"), none, O("rootless")) == "/srv/d.sock");
}

BOOST_AUTO_TEST_CASE(a_filter_is_json_percent_encoded) {
  auto f = engine_filters("label", {"com.docker.stack.namespace=a_b", "ccci.run"});
  BOOST_TEST(f.find_first_of("{}\"[]= ") == std::string::npos, f);
  BOOST_TEST(json::parse(unescaped(f)) == parse(R"j({"label": ["com.docker.stack.namespace=a_b", "ccci.run"]})j"));
}

BOOST_AUTO_TEST_CASE(replica_counts_are_the_running_and_desired_tasks) {
  auto got = replicas_from_engine(parse(R"j([
    {"ID": "s1", "Spec": {"Name": "st_app", "Labels": {}}, "ServiceStatus": {"RunningTasks": 1, "DesiredTasks": 1}},
    {"ID": "s2", "Spec": {"Name": "st_db"}, "ServiceStatus": {"RunningTasks": 0, "DesiredTasks": 2, "CompletedTasks": 0}},
    {"ID": "s3", "Spec": {"Name": "st_old"}}
  ])j"));
  BOOST_TEST_REQUIRE(got.size() == 3u);
  BOOST_TEST(got[0].name == "st_app");
  BOOST_TEST(got[0].running == 1);
  BOOST_TEST(got[0].desired == 1);
  BOOST_TEST(got[1].name == "st_db");
  BOOST_TEST(got[1].running == 0);
  BOOST_TEST(got[1].desired == 2);
  BOOST_TEST(got[2].running == 0); // no status: 0/0, as the CLI prints it
  BOOST_TEST(got[2].desired == 0);
}

BOOST_AUTO_TEST_CASE(every_kind_of_listing_gives_names_ids_and_labels) {
  auto services = objects_from_engine("service", parse(R"j([{"ID": "x1", "Spec": {"Name": "st_app",
    "Labels": {"ccci.run": "r1", "com.docker.stack.namespace": "st"}}}])j"));
  BOOST_TEST_REQUIRE(services.size() == 1u);
  BOOST_TEST(services[0].id == "x1");
  BOOST_TEST(services[0].name == "st_app");
  BOOST_TEST(services[0].labels.at("ccci.run") == "r1");

  auto containers = objects_from_engine("container", parse(R"j([{"Id": "c0ffee", "Names": ["/st_app.1.abc"],
    "Labels": {"com.docker.stack.namespace": "st"}, "State": "running", "Status": "Up 2 seconds"}])j"));
  BOOST_TEST_REQUIRE(containers.size() == 1u);
  BOOST_TEST(containers[0].name == "st_app.1.abc");
  BOOST_TEST(containers[0].id == "c0ffee");
  BOOST_TEST(containers[0].labels.at("com.docker.stack.namespace") == "st");

  auto networks = objects_from_engine("network", parse(R"j([{"Id": "n1", "Name": "st_internal", "Labels": null}])j"));
  BOOST_TEST_REQUIRE(networks.size() == 1u);
  BOOST_TEST(networks[0].name == "st_internal");
  BOOST_TEST(networks[0].labels.empty());

  auto volumes = objects_from_engine("volume", parse(R"j({"Volumes": [{"Name": "st_db", "Labels": {"k": "v"}}],
    "Warnings": null})j"));
  BOOST_TEST_REQUIRE(volumes.size() == 1u);
  BOOST_TEST(volumes[0].name == "st_db");
  BOOST_TEST(volumes[0].labels.at("k") == "v");
  BOOST_TEST(objects_from_engine("volume", parse(R"j({"Volumes": null})j")).empty());

  for (const char* kind : {"secret", "config"}) {
    auto got = objects_from_engine(kind, parse(R"j([{"ID": "q", "Spec": {"Name": "st_token_v1",
      "Labels": {"com.docker.stack.namespace": "st"}}}])j"));
    BOOST_TEST_REQUIRE(got.size() == 1u);
    BOOST_TEST(got[0].name == "st_token_v1");
    BOOST_TEST(got[0].labels.at("com.docker.stack.namespace") == "st");
  }
}

BOOST_AUTO_TEST_CASE(an_answer_of_another_shape_is_an_error_not_an_empty_listing) {
  BOOST_CHECK_THROW(replicas_from_engine(parse(R"j({"message": "page not found"})j")), InfraFailure);
  BOOST_CHECK_THROW(objects_from_engine("network", parse(R"j([{"Id": "n1"}])j")), InfraFailure);
  BOOST_CHECK_THROW(objects_from_engine("volume", parse(R"j([])j")), InfraFailure);
  BOOST_CHECK_THROW(objects_from_engine("node", parse(R"j([])j")), InfraFailure);
  BOOST_CHECK_THROW(manager_state_from_engine(parse(R"j({"Swarm": {"LocalNodeState": "active"}})j")), InfraFailure);
}

BOOST_AUTO_TEST_CASE(the_manager_state_reads_as_the_cli_prints_it) {
  BOOST_TEST(manager_state_from_engine(
                 parse(R"j({"Swarm": {"LocalNodeState": "active", "ControlAvailable": true}})j")) == "active true");
  BOOST_TEST(manager_state_from_engine(parse(R"j({"Swarm": {"LocalNodeState": "inactive",
    "ControlAvailable": false}})j")) == "inactive false");
}

BOOST_AUTO_TEST_CASE(a_full_look_reads_updates_task_errors_and_health) {
  auto services = parse(R"j([
    {"ID": "sa", "Spec": {"Name": "st_app"}, "ServiceStatus": {"RunningTasks": 1, "DesiredTasks": 2},
     "UpdateStatus": {"State": "updating", "Message": "update in progress"}},
    {"ID": "sg", "Spec": {"Name": "st_agent"}, "ServiceStatus": {"RunningTasks": 0, "DesiredTasks": 1}}
  ])j");
  auto tasks = parse(R"j([
    {"ID": "t1", "ServiceID": "sa", "Slot": 1, "Status": {"State": "running", "Err": ""}, "DesiredState": "running"},
    {"ID": "t2", "ServiceID": "sa", "Slot": 2, "Status": {"State": "rejected", "Err": "No such image: x:1"}},
    {"ID": "t3", "ServiceID": "sa", "Slot": 2, "Status": {"State": "rejected", "Err": "No such image: x:1"}},
    {"ID": "t4", "ServiceID": "sg", "NodeID": "node7", "Status": {"State": "failed", "Err": "task: non-zero exit (1)"}},
    {"ID": "t5", "ServiceID": "elsewhere", "Slot": 1, "Status": {"State": "failed", "Err": "not this stack's"}}
  ])j");
  auto containers = parse(R"j([
    {"Id": "c1", "Names": ["/st_app.1.x"], "Labels": {"com.docker.swarm.service.name": "st_app"},
     "Status": "Up 9 seconds (healthy)"},
    {"Id": "c2", "Names": ["/st_app.2.y"], "Labels": {"com.docker.swarm.service.name": "st_app"},
     "Status": "Up 1 second (health: starting)"},
    {"Id": "c3", "Names": ["/st_agent.node7.z"], "Labels": {"com.docker.swarm.service.name": "st_agent"},
     "Status": "Up 3 seconds (unhealthy)"}
  ])j");
  auto got = services_from_engine(services, tasks, containers);
  BOOST_TEST_REQUIRE(got.size() == 2u);
  const auto& app = got[0];
  BOOST_TEST(app.name == "st_app");
  BOOST_TEST(app.running == 1);
  BOOST_TEST(app.desired == 2);
  BOOST_TEST(app.update_state == "updating");
  BOOST_TEST(app.update_message == "update in progress");
  BOOST_TEST_REQUIRE(app.task_errors.size() == 1u); // the same error once
  BOOST_TEST(app.task_errors[0] == "task st_app.2: Rejected: \"No such image: x:1\"");
  BOOST_TEST(is_image_error(app.task_errors[0]));
  BOOST_TEST(app.healthy == 1);
  BOOST_TEST(app.starting == 1);
  BOOST_TEST(app.unhealthy == 0);
  const auto& agent = got[1];
  BOOST_TEST(agent.update_state.empty());
  BOOST_TEST_REQUIRE(agent.task_errors.size() == 1u);
  BOOST_TEST(agent.task_errors[0] == "task st_agent.node7: Failed: \"task: non-zero exit (1)\"");
  BOOST_TEST(agent.unhealthy == 1);

  // Counts given (a quick poll just listed them): those are reported.
  std::vector<ServiceState> listed(1);
  listed[0].name = "st_app";
  listed[0].running = listed[0].desired = 2;
  auto given = services_from_engine(services, tasks, containers, listed);
  BOOST_TEST_REQUIRE(given.size() == 1u);
  BOOST_TEST(given[0].running == 2);
  BOOST_TEST(given[0].update_state == "updating");
  BOOST_TEST(given[0].healthy == 1);
}

// teardown_stack waits for these before it lists the stack's containers: a
// task not yet started may still get one after its service is removed.
BOOST_AUTO_TEST_CASE(the_tasks_not_started_are_those_of_the_stacks_services_a_node_has_not_started) {
  auto tasks = parse(R"([
    {"ID": "t-assigned", "ServiceID": "s1", "Status": {"State": "assigned"}},
    {"ID": "t-preparing", "ServiceID": "s1", "Status": {"State": "preparing"}},
    {"ID": "t-starting", "ServiceID": "s2", "Status": {"State": "starting"}},
    {"ID": "t-pending", "ServiceID": "s2", "Status": {"State": "pending"}},
    {"ID": "t-running", "ServiceID": "s1", "Status": {"State": "running"}},
    {"ID": "t-failed", "ServiceID": "s1", "Status": {"State": "failed"}},
    {"ID": "t-shutdown", "ServiceID": "s2", "Status": {"State": "shutdown"}},
    {"ID": "t-other", "ServiceID": "another-stacks", "Status": {"State": "preparing"}}
  ])");
  const std::vector<std::string> expected{"t-assigned", "t-preparing", "t-starting"}; // pending: on no node yet
  BOOST_TEST(tasks_not_started_from_engine(tasks, {"s1", "s2"}) == expected, boost::test_tools::per_element());
  BOOST_TEST(tasks_not_started_from_engine(tasks, {}).empty());
  BOOST_CHECK_THROW(tasks_not_started_from_engine(parse(R"({"message": "x"})"), {"s1"}), InfraFailure);
  BOOST_CHECK_THROW(tasks_not_started_from_engine(parse(R"([{"ID": "t", "ServiceID": "s1"}])"), {"s1"}), InfraFailure);
}
