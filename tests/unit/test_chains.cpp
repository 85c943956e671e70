#define BOOST_TEST_MODULE chains
#include <boost/test/unit_test.hpp>

#include "report/reporter.hpp"
#include "run/chains.hpp"
#include "support/files.hpp"

#include <sstream>
#include <string>

using namespace ccci::host;
using ccci::Tier;

namespace {

constexpr const char* stack = "app_ccci_test";

Compose compose_of(const std::string& text) {
  ccci::test::TempTree tree("unit-chains");
  tree.write("compose.yml", text);
  return load_compose(tree.dir(), {"compose.yml"}, {{"STACK_NAME", stack}});
}

const std::string plain = R"(version: "3.8"
services:
  app:
    image: nginx:1.25
    volumes: [data:/data]
    secrets: [db_password]
volumes:
  data:
secrets:
  db_password:
    external: true
    name: app_ccci_test_db_password_v1
)";

ChainFacts parallel_facts() {
  ChainFacts f;
  f.upgrade_deploys = true;
  return f;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(two_stacks_of_a_recipe_that_names_only_its_own_objects_run_at_once) {
  auto d = decide_chains(parallel_facts(), compose_of(plain), stack);
  BOOST_TEST(d.parallel);
  BOOST_TEST(d.why.empty());
}

BOOST_AUTO_TEST_CASE(a_published_host_port_in_any_form_makes_the_chains_sequential_and_says_which) {
  for (auto ports : {"[\"8080:80\"]", "[\"127.0.0.1:8080:80/tcp\"]", "[{target: 80, published: 8080, mode: host}]"}) {
    auto text = plain;
    text.replace(text.find("    volumes: [data:/data]"), 0, std::string("    ports: ") + ports + "\n");
    auto d = decide_chains(parallel_facts(), compose_of(text), stack);
    BOOST_TEST(!d.parallel, ports);
    BOOST_TEST(has(d.why, "service app publishes host port 8080 (its `ports:`)"), d.why);
  }
  // A bare target port is published on a port docker picks: no clash.
  auto text = plain;
  text.replace(text.find("    volumes: [data:/data]"), 0, "    ports: [\"80\"]\n");
  BOOST_TEST(decide_chains(parallel_facts(), compose_of(text), stack).parallel);
}

BOOST_AUTO_TEST_CASE(an_external_object_with_a_fixed_name_is_shared_by_both_stacks) {
  auto text = plain;
  text.replace(text.find("app_ccci_test_db_password_v1"), 28, "shared_db_password");
  auto d = decide_chains(parallel_facts(), compose_of(text), stack);
  BOOST_TEST(!d.parallel);
  BOOST_TEST(has(d.why, "secret db_password"), d.why);
  BOOST_TEST(has(d.why, "shared_db_password"), d.why);
}

BOOST_AUTO_TEST_CASE(the_option_the_meta_and_a_chain_without_a_deployment_each_say_why_or_nothing) {
  auto c = compose_of(plain);
  auto f = parallel_facts();
  f.sequential_option = true;
  BOOST_TEST(decide_chains(f, c, stack).why == "--sequential");
  f = parallel_facts();
  f.meta_sequential = "one licence seat";
  f.meta_file = "recipes/x/ccci.yml";
  auto d = decide_chains(f, c, stack);
  BOOST_TEST(!d.parallel);
  BOOST_TEST(d.why == "the recipe meta asks for it (recipes/x/ccci.yml: sequential: one licence seat)");
  f = parallel_facts();
  f.swarm_shared = false;
  BOOST_TEST(!decide_chains(f, c, stack).parallel);
  // No upgrade deploy: backup and restore need the install's deployment;
  // that is no fallback to explain.
  f = parallel_facts();
  f.upgrade_deploys = false;
  d = decide_chains(f, c, stack);
  BOOST_TEST(!d.parallel);
  BOOST_TEST(d.why.empty());
}

BOOST_AUTO_TEST_CASE(the_chains_results_take_the_upgrade_chains_tiers_and_nothing_else) {
  auto run = empty_results();
  run.tier(Tier::install) = {
      Tier::install, Status::pass, "1 check passed", false, 1, {{"install/x", Status::pass, "", 0}}};
  run.tier(Tier::custom).status = Status::pass;
  run.tier(Tier::lint).status = Status::pass;
  run.evidence = {"evidence/tasks.txt"};
  auto chain = empty_results();
  chain.tier(Tier::install).status = Status::fail; // the chain's own copy: never taken
  chain.tier(Tier::custom).status = Status::fail;
  chain.tier(Tier::upgrade) = {Tier::upgrade,
                               Status::fail,
                               "base did not converge",
                               false,
                               2,
                               {{"upgrade/base_converged", Status::fail, "", 0}}};
  chain.tier(Tier::backup).reason = "upgrade did not pass (fail)";
  chain.tier(Tier::restore).reason = "upgrade did not pass (fail)";
  chain.evidence = {"evidence/upgrade-chain/tasks.txt"};
  merge_chain_tiers(run, chain);
  BOOST_TEST((run.tier(Tier::install).status == Status::pass));
  BOOST_TEST((run.tier(Tier::custom).status == Status::pass));
  BOOST_TEST((run.tier(Tier::upgrade).status == Status::fail));
  BOOST_TEST(run.tier(Tier::upgrade).checks.at(0).name == "upgrade/base_converged");
  BOOST_TEST(run.tier(Tier::backup).reason == "upgrade did not pass (fail)");
  BOOST_TEST(run.evidence.size() == 2u);
  BOOST_TEST(run.evidence.back() == "evidence/upgrade-chain/tasks.txt");
}

BOOST_AUTO_TEST_CASE(teardown_is_clean_only_when_both_stacks_are_gone) {
  auto run = empty_results();
  run.clean_teardown = true;
  auto chain = empty_results();
  chain.clean_teardown = true;
  merge_chain_teardown(run, chain);
  BOOST_TEST(run.clean_teardown);
  chain.clean_teardown = false;
  chain.teardown_leftovers = {"volume up_ccci_test_data"};
  merge_chain_teardown(run, chain);
  BOOST_TEST(!run.clean_teardown);
  BOOST_TEST(run.teardown_leftovers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(every_physical_line_carries_the_chains_prefix_in_one_piece) {
  std::ostringstream terminal;
  ConsoleReporter console(terminal);
  console.line("before");
  console.set_prefix("[upgrade chain] ");
  console.line("table\nrow 1\nrow 2");
  BOOST_TEST(terminal.str() == "before\n[upgrade chain] table\n[upgrade chain] row 1\n[upgrade chain] row 2\n");
}
