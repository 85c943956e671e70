#define BOOST_TEST_MODULE registry
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "support/files.hpp"
#include "sweep/registry.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

Canonical record(int i) {
  // Long fields so a write spans more than one page: a torn write would show.
  return Canonical{"r",
                   "1." + std::to_string(i) + ".0+1",
                   std::string(4000, static_cast<char>('a' + i % 26)),
                   "1." + std::to_string(i) + ".0+1",
                   "run-" + std::to_string(i),
                   "2026-11-23T00:00:00Z",
                   "stack-" + std::to_string(i),
                   "d"};
}

} // namespace

BOOST_AUTO_TEST_CASE(round_trip_and_absent) {
  ccci::test::TempTree tmp("unit-registry");
  const auto& state = tmp.dir();
  BOOST_TEST(!read_canonical(state, "r").has_value());
  write_canonical(state, record(7));
  auto back = read_canonical(state, "r");
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->version == "1.7.0+1");
  BOOST_TEST(back->commit == record(7).commit);
}

BOOST_AUTO_TEST_CASE(sigkill_during_writes_never_leaves_a_torn_record) {
  ccci::test::TempTree tmp("unit-registry");
  const auto& state = tmp.dir();
  write_canonical(state, record(0));
  std::mt19937 rng(12345);
  int checked = 0;
  for (int round = 0; round < 150; ++round) {
    pid_t pid = ::fork();
    BOOST_TEST_REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int i = 1;; ++i)
        write_canonical(state, record(i));
    }
    ::usleep(std::uniform_int_distribution<int>(200, 5000)(rng));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_TEST(WIFSIGNALED(status));
    // Whatever instant the writer died at, the record reads whole.
    auto c = read_canonical(state, "r");
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->commit.size() == 4000u);
    BOOST_TEST(c->commit == std::string(4000, c->commit.front()));
    BOOST_TEST(c->run_id == "run-" + c->version.substr(2, c->version.find(".0+") - 2));
    ++checked;
  }
  BOOST_TEST(checked == 150);
}

// One bad record must not abort the sweep: read_canonical says which file,
// what is wrong and the fix, and the sweep makes that recipe UNVER.
BOOST_AUTO_TEST_CASE(an_unusable_record_names_the_file_what_is_wrong_and_the_fix) {
  ccci::test::TempTree tmp("unit-registry");
  const auto& state = tmp.dir();
  auto file = registry_file(state, "r");
  fs::create_directories(file.parent_path());
  auto write = [&](const std::string& text) {
    fs::remove_all(file);
    std::ofstream(file) << text;
  };
  auto message_of = [&] {
    try {
      read_canonical(state, "r");
    } catch (const ccci::host::InfraFailure& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const auto fix = "delete it to let the next sweep promote r afresh";
  struct Case {
    std::string text, says;
  };
  auto good = [](const std::string& recipe, const std::string& version) {
    return "{\"recipe\":\"" + recipe + "\",\"version\":\"" + version +
           "\",\"commit\":\"c\",\"tag\":\"t\",\"run_id\":\"i\",\"promoted_at\":\"p\",\"stack\":\"s\",\"domain\":\"d\"}";
  };
  for (const auto& c : std::vector<Case>{{"garbage{", "not a usable canonical record of r"},
                                         {"", "not a usable canonical record of r"},
                                         {"[1,2]", "not a usable canonical record of r"},
                                         {"{\"recipe\":\"r\"}", "not a usable canonical record of r"},
                                         {good("other", "1.0.0+1"), "it names recipe 'other'"},
                                         {good("r", "main"), "version 'main' is not a release version"}}) {
    write(c.text);
    auto m = message_of();
    BOOST_TEST(m.find(file.string()) != std::string::npos, m);
    BOOST_TEST(m.find(c.says) != std::string::npos, m);
    BOOST_TEST(m.find(fix) != std::string::npos, m);
  }
  fs::remove_all(file);
  fs::create_directories(file);
  BOOST_TEST(message_of().find("not a regular file") != std::string::npos);
  fs::remove_all(file);
  write(good("r", "1.0.0+1"));
  BOOST_TEST(read_canonical(state, "r")->version == "1.0.0+1");
}
