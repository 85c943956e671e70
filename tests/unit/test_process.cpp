// The one process layer (os/spawn, os/process), the plugin isolation built
// on it (plugin/plugin_host) and the child runs (jobs/child_runs), against
// real processes: sh, cat, sleep.
#define BOOST_TEST_MODULE process
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <iostream>

#include "jobs/child_runs.hpp"
#include "os/process.hpp"
#include "os/signals.hpp"
#include "os/spawn.hpp"
#include "plugin/plugin_host.hpp"
#include "support/files.hpp"
#include "swarm/docker.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace std::chrono_literals;
using ccci::CheckResult, ccci::Context, ccci::ExecResult, ccci::GitRoundTrip, ccci::HttpResponse, ccci::LfsRoundTrip;

namespace {

// Gone: no such process, or a zombie waiting for whoever inherited it.
bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// Killing is asynchronous; give the kernel a moment.
bool gone_soon(pid_t pid) {
  for (int i = 0; i < 100 && !gone(pid); ++i)
    std::this_thread::sleep_for(20ms);
  return gone(pid);
}

pid_t first_pid_in(const std::string& text) { return static_cast<pid_t>(std::atoi(text.c_str())); }

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads `child.out()` until `text` has been seen (the child is ready).
std::string read_until(Child& child, const std::string& text) {
  std::string got;
  char buf[256];
  while (got.find(text) == std::string::npos) {
    ssize_t n = ::read(child.out().get(), buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("ccci-unit-process-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Boost.Test catches SIGSEGV and SIGABRT in this process, and a forked child
// inherits that; a plugin's child in ccci has the default actions.
void default_crash_actions() {
  std::signal(SIGSEGV, SIG_DFL);
  std::signal(SIGABRT, SIG_DFL);
}

// What a check may use of the run; nothing here reaches an app.
class QuietContext final : public Context {
public:
  std::string stack() const override { return "stack"; }
  std::string domain() const override { return "example.test"; }
  std::string env(std::string_view) const override { return ""; }
  HttpResponse http_get(std::string_view) override { return {}; }
  HttpResponse http_head(std::string_view) override { return {}; }
  ExecResult exec(std::string_view, const std::vector<std::string>&) override { return {}; }
  void log(std::string_view) override {}
  GitRoundTrip git_round_trip(std::string_view) override { return {}; }
  LfsRoundTrip lfs_round_trip(std::string_view, std::size_t, std::string_view) override { return {}; }
  LfsRoundTrip lfs_push_file(std::string_view, std::string_view, std::string_view) override { return {}; }
  LfsRoundTrip lfs_fetch(std::string_view, std::string_view, std::string_view) override { return {}; }
  std::string sha256_hex(std::string_view) override { return ""; }
};

CheckRecord isolated(const CheckBody& body, std::chrono::seconds timeout = 10s,
                     std::vector<std::string>* logged = nullptr) {
  QuietContext ctx;
  return run_isolated("install/probe", body, ctx, timeout, [&](const std::string& line) {
    if (logged) logged->push_back(line);
  });
}

// Until the job's script has written its first line (its trap is set):
// a SIGTERM before that would find the shell's default action.
void wait_for_first_line(const ChildJob& job) {
  for (int i = 0; i < 250 && read(job.log).find('\n') == std::string::npos; ++i)
    std::this_thread::sleep_for(20ms);
}

struct ResetStop {
  ~ResetStop() {
    stop_requested = 0;
    stop_signals = 0;
    last_stop_signal = 0;
  }
};

// The processes of group `pgid` still alive (zombies are dead), from /proc.
std::vector<pid_t> alive_in_group(pid_t pgid) {
  std::vector<pid_t> out;
  for (auto& entry : fs::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!stat || !std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    // After the command: state, ppid, pgrp.
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != "Z") out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

} // namespace

// ---- run_process ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(run_process_reports_exit_codes) {
  auto ok = run_process({"true"});
  BOOST_TEST(ok.ok());
  BOOST_TEST(ok.exit_code == 0);
  auto three = run_process({"sh", "-c", "exit 3"});
  BOOST_TEST(!three.ok());
  BOOST_TEST(three.exit_code == 3);
  BOOST_TEST(three.signal == 0);
  BOOST_TEST(three.describe() == "exit 3");
}

BOOST_AUTO_TEST_CASE(run_process_captures_stdout_and_stderr_apart_or_merged) {
  auto apart = run_process({"sh", "-c", "echo out; echo err >&2"});
  BOOST_TEST(apart.out == "out\n");
  BOOST_TEST(apart.err == "err\n");
  ProcessOptions merged;
  merged.merge_stderr = true;
  auto both = run_process({"sh", "-c", "echo out; echo err >&2"}, merged);
  BOOST_TEST(both.out == "out\nerr\n");
  BOOST_TEST(both.err == "");
  // More than a pipe holds: the reader must keep draining while waiting.
  auto big = run_process({"sh", "-c", "head -c 1000000 /dev/zero"});
  BOOST_TEST(big.out.size() == 1000000u);
}

// run_processes starts them all before finishing any: the first waits for
// a file only the last one makes, so one after the other it would time out.
BOOST_AUTO_TEST_CASE(run_processes_runs_them_at_once_and_answers_in_their_order) {
  auto dir = temp_dir("at-once");
  const auto flag = (dir / "made-by-the-last").string();
  ProcessOptions o;
  o.timeout = std::chrono::seconds(20);
  auto r = run_processes({{"sh", "-c", "while [ ! -e \"$0\" ]; do sleep 0.01; done; echo first", flag},
                          // More than a pipe holds, read only when its turn comes.
                          {"sh", "-c", "head -c 1000000 /dev/zero; echo oops >&2; exit 4"},
                          {"sh", "-c", "touch \"$0\"; echo last", flag}},
                         o);
  fs::remove_all(dir);
  BOOST_TEST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[0].ok());
  BOOST_TEST(!r[0].timed_out);
  BOOST_TEST(r[0].out == "first\n");
  BOOST_TEST(r[1].exit_code == 4);
  BOOST_TEST(r[1].out.size() == 1000000u);
  BOOST_TEST(r[1].err == "oops\n");
  BOOST_TEST(r[2].out == "last\n");
  BOOST_TEST(run_processes({}).empty());
  // One that cannot start throws; those already started are reaped.
  BOOST_CHECK_THROW(run_processes({{"sleep", "5"}, {"ccci-no-such-program"}}), InfraFailure);
}

BOOST_AUTO_TEST_CASE(run_process_feeds_stdin) {
  ProcessOptions o;
  o.input = "hello\nworld\n";
  BOOST_TEST(run_process({"cat"}, o).out == "hello\nworld\n");
  o.input = std::string(1 << 20, 'x'); // bigger than the pipe: written as cat reads
  BOOST_TEST(run_process({"cat"}, o).out.size() == static_cast<size_t>(1 << 20));
  // Without input the child reads EOF at once, never our terminal.
  BOOST_TEST(run_process({"cat"}).out == "");
}

BOOST_AUTO_TEST_CASE(run_process_applies_env_and_cwd) {
  ::setenv("CCCI_UNIT_OVERRIDDEN", "inherited", 1);
  ProcessOptions o;
  o.extra_env = {"CCCI_UNIT_OVERRIDDEN=extra", "CCCI_UNIT_NEW=new"};
  o.cwd = "/";
  auto r = run_process({"sh", "-c",
                        "echo $CCCI_UNIT_OVERRIDDEN $CCCI_UNIT_NEW; pwd; env | grep -c "
                        "'^CCCI_UNIT_OVERRIDDEN='"},
                       o);
  BOOST_TEST(r.out == "extra new\n/\n1\n");
  ::unsetenv("CCCI_UNIT_OVERRIDDEN");
}

BOOST_AUTO_TEST_CASE(run_process_without_inheriting_sees_only_extra_env) {
  ::setenv("CCCI_UNIT_OPERATOR_SHELL", "leaked", 1);
  ProcessOptions o;
  o.inherit_env = false;
  o.extra_env = {"ONLY=this"};
  auto r = run_process({"/usr/bin/env"}, o);
  BOOST_TEST(r.out == "ONLY=this\n");
  ::unsetenv("CCCI_UNIT_OPERATOR_SHELL");
}

BOOST_AUTO_TEST_CASE(the_docker_cli_gets_only_what_it_needs_to_reach_its_daemon) {
  auto kept = docker_cli_environment({"PATH=/bin", "HOME=/root", "DOCKER_HOST=unix:///run/d.sock", "DOCKER_CONFIG=/c",
                                      "DOCKER_CONTEXT=ctx", "DOCKER_CERT_PATH=/certs", "DOCKER_TLS_VERIFY=1",
                                      "DOMAIN=shell.example.org", "SECRET_TOKEN=t", "DOCKER_HOSTX=no", "PATHX=no",
                                      "not-an-assignment"});
  BOOST_TEST(
      kept == (std::vector<std::string>{"PATH=/bin", "HOME=/root", "DOCKER_HOST=unix:///run/d.sock", "DOCKER_CONFIG=/c",
                                        "DOCKER_CONTEXT=ctx", "DOCKER_CERT_PATH=/certs", "DOCKER_TLS_VERIFY=1"}),
      boost::test_tools::per_element());

  // The real call path: a `docker` first on PATH that prints what it got.
  ccci::test::TempTree bin("unit-process-docker");
  bin.write("docker", "#!/bin/sh\n/usr/bin/env\n");
  fs::permissions(bin.dir() / "docker", fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH");
  ::setenv("PATH", (bin.dir().string() + ":" + old_path).c_str(), 1);
  ::setenv("CCCI_UNIT_BARE_VAR", "from-the-operators-shell", 1);
  auto r = docker({"stack", "deploy"});
  ::setenv("PATH", old_path.c_str(), 1);
  ::unsetenv("CCCI_UNIT_BARE_VAR");
  BOOST_TEST_REQUIRE(r.ok(), r.err);
  BOOST_TEST(r.out.find("CCCI_UNIT_BARE_VAR") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("PATH=" + bin.dir().string()) != std::string::npos, r.out);
  if (const char* home = std::getenv("HOME")) BOOST_TEST(r.out.find(std::string("HOME=") + home) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(run_process_reports_the_killing_signal) {
  auto r = run_process({"sh", "-c", "kill -SEGV $$"});
  BOOST_TEST(r.signal == SIGSEGV);
  BOOST_TEST(r.exit_code == -1);
  BOOST_TEST(r.describe() == "killed by SIGSEGV");
}

BOOST_AUTO_TEST_CASE(run_process_refuses_a_program_not_on_path) {
  BOOST_CHECK_EXCEPTION(run_process({"ccci-no-such-program"}), InfraFailure, [](const InfraFailure& e) {
    return std::string(e.what()).find("'ccci-no-such-program' not found on PATH") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(run_process_timeout_kills_the_grandchild_too) {
  ProcessOptions o;
  o.timeout = 500ms;
  auto started = std::chrono::steady_clock::now();
  // sh waits for its background sleep, which also holds our stdout pipe.
  auto r = run_process({"sh", "-c", "sleep 100 & echo $!; wait"}, o);
  BOOST_TEST(r.timed_out);
  BOOST_TEST(r.exit_code == -1);
  BOOST_TEST(r.describe() == "timed out");
  BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
  pid_t grandchild = first_pid_in(r.out);
  BOOST_TEST_REQUIRE(grandchild > 0, r.out);
  BOOST_TEST(gone_soon(grandchild), "the background sleep " << grandchild << " survived the timeout");
}

BOOST_AUTO_TEST_CASE(run_process_timeout_holds_when_the_child_closed_its_output) {
  ProcessOptions o;
  o.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto r = run_process({"sh", "-c", "exec >&- 2>&-; sleep 100"}, o);
  BOOST_TEST(r.timed_out);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
}

// ---- Child ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_forked_function_returns_its_status_and_talks_over_its_channel) {
  auto child = Child::fork([](int channel) {
    const char msg[] = "from the child";
    if (::write(channel, msg, sizeof msg - 1) < 0) return 1;
    return 7;
  });
  std::string got;
  char buf[64];
  for (ssize_t n; (n = ::read(child.channel().get(), buf, sizeof buf)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  auto status = child.wait();
  BOOST_TEST(got == "from the child");
  BOOST_TEST(status.exit_code == 7);
  BOOST_TEST(status.signal == 0);
  BOOST_TEST(!child.running());
}

BOOST_AUTO_TEST_CASE(a_forked_function_that_crashes_ends_by_its_signal) {
  auto segv = Child::fork([](int) {
    default_crash_actions();
    std::raise(SIGSEGV);
    return 0;
  });
  auto s = segv.wait();
  BOOST_TEST(s.signal == SIGSEGV);
  BOOST_TEST(s.exit_code == -1);
  BOOST_TEST(s.describe() == "killed by SIGSEGV");
  auto thrower = Child::fork([](int) -> int { throw std::runtime_error("escaped"); });
  BOOST_TEST(thrower.wait().exit_code == 70);
}

BOOST_AUTO_TEST_CASE(a_child_gets_sigterm_alone_and_is_waited_for) {
  SpawnOptions o;
  auto child = Child::spawn({"sh", "-c",
                             "trap 'echo tearing down; exit 5' TERM; echo ready; "
                             "while :; do sleep 0.05; done"},
                            o);
  BOOST_TEST_REQUIRE(read_until(child, "ready").find("ready") != std::string::npos);
  BOOST_TEST(child.running());
  BOOST_TEST(!child.poll().has_value());
  child.signal(SIGTERM);
  auto status = child.wait();
  BOOST_TEST(status.exit_code == 5); // its handler ran: not killed by the signal
  BOOST_TEST(status.signal == 0);
  BOOST_TEST(read_until(child, "tearing down").find("tearing down") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_running_child_going_out_of_scope_takes_its_group_along) {
  pid_t pid = 0, grandchild = 0;
  {
    auto child = Child::spawn({"sh", "-c", "sleep 100 & echo $!; wait"});
    pid = child.pid();
    grandchild = first_pid_in(read_until(child, "\n"));
  }
  BOOST_TEST_REQUIRE(grandchild > 0);
  BOOST_TEST(gone_soon(grandchild));
  int status = 0;
  BOOST_TEST(::waitpid(pid, &status, WNOHANG) < 0); // already reaped: no zombie left
}

BOOST_AUTO_TEST_CASE(a_program_that_cannot_run_exits_127_and_a_bad_cwd_126) {
  SpawnOptions o;
  o.program = "/proc/self/cwd"; // a directory: execve fails
  BOOST_TEST(Child::spawn({"x"}, o).wait().exit_code == 127);
  SpawnOptions bad_cwd;
  bad_cwd.cwd = "/ccci-no-such-directory";
  BOOST_TEST(Child::spawn({"true"}, bad_cwd).wait().exit_code == 126);
}

// ---- run_isolated: the results the crashy plugin's checks get --------------

BOOST_AUTO_TEST_CASE(an_isolated_check_passes_and_its_log_lines_arrive) {
  std::vector<std::string> logged;
  auto rec = isolated(
      [](Context& ctx) {
        ctx.log("a line from the check");
        return ccci::pass("GET / answered 200");
      },
      10s, &logged);
  BOOST_TEST(rec.name == "install/probe");
  BOOST_TEST((rec.status == Status::pass));
  BOOST_TEST(rec.message == "GET / answered 200");
  BOOST_TEST(logged == std::vector<std::string>{"a line from the check"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_an_isolated_check_prints_itself_arrives_as_log_lines_not_on_the_terminal) {
  std::vector<std::string> logged;
  auto rec = isolated(
      [](Context&) {
        std::cout << "to stdout" << std::endl;
        std::cerr << "to stderr\n";
        std::printf("no newline at the end");
        return ccci::pass("done");
      },
      10s, &logged);
  BOOST_TEST((rec.status == Status::pass));
  BOOST_TEST(logged == (std::vector<std::string>{"(printed by install/probe) to stdout",
                                                 "(printed by install/probe) to stderr",
                                                 "(printed by install/probe) no newline at the end"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_isolated_check_that_segfaults_or_aborts_fails_naming_the_signal) {
  auto segv = isolated([](Context&) -> CheckResult {
    default_crash_actions();
    std::raise(SIGSEGV);
    return ccci::pass("unreachable");
  });
  BOOST_TEST((segv.status == Status::fail));
  BOOST_TEST(segv.message == "the check crashed: killed by SIGSEGV (Segmentation fault)");
  auto abrt = isolated([](Context&) -> CheckResult {
    default_crash_actions();
    std::abort();
  });
  BOOST_TEST((abrt.status == Status::fail));
  BOOST_TEST(abrt.message == "the check crashed: killed by SIGABRT (Aborted)");
}

BOOST_AUTO_TEST_CASE(an_isolated_check_that_throws_fails_with_the_text_or_is_unverified) {
  auto thrown = isolated([](Context&) -> CheckResult { throw std::runtime_error("deliberate failure"); });
  BOOST_TEST((thrown.status == Status::fail));
  BOOST_TEST(thrown.message == "the check threw an exception: deliberate failure");
  auto infra = isolated([](Context&) -> CheckResult { throw ccci::InfraError("docker is down"); });
  BOOST_TEST((infra.status == Status::unver));
  BOOST_TEST(infra.message == "infrastructure error: docker is down");
}

BOOST_AUTO_TEST_CASE(an_isolated_check_that_hangs_is_killed_with_what_it_started) {
  auto dir = temp_dir("hang");
  auto pid_file = dir / "grandchild";
  auto started = std::chrono::steady_clock::now();
  // The check starts a program (as ctx.exec starts `docker exec`) and hangs
  // in it; the program must not outlive the check's timeout.
  auto rec = isolated(
      [&](Context&) {
        ProcessOptions o;
        o.timeout = 1h;
        run_process({"sh", "-c", "sleep 100 & echo $! > '" + pid_file.string() + "'; wait"}, o);
        return ccci::pass("unreachable");
      },
      1s);
  BOOST_TEST((rec.status == Status::fail));
  BOOST_TEST(rec.message == "did not finish within the per-check timeout of 1s and was killed (raise check_timeout "
                            "in the recipe meta if it is legitimately slow)");
  BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
  pid_t grandchild = first_pid_in(read(pid_file));
  BOOST_TEST_REQUIRE(grandchild > 0);
  BOOST_TEST(gone_soon(grandchild), "the check's program " << grandchild << " survived the check's timeout");
  fs::remove_all(dir);
}

// docs/architecture.md, "Stopping": a check's timeout kills its whole
// process group. Here the check starts its grandchildren without ccci's
// spawn: a plain fork that execs `sleep 300`, and a double fork whose
// `sleep 300` is orphaned (reparented away from the check). Neither may
// outlive the timeout, and the check fails as hung.
BOOST_AUTO_TEST_CASE(a_hung_checks_timeout_kills_every_process_of_its_group_however_started) {
  auto dir = temp_dir("group");
  auto pgid_file = dir / "pgid";
  auto rec = isolated(
      [&](Context&) {
        std::ofstream(pgid_file) << ::getpgrp() << "\n";
        if (::fork() == 0) {
          ::execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
          ::_exit(127);
        }
        if (::fork() == 0) {
          if (::fork() == 0) {
            ::execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
            ::_exit(127);
          }
          ::_exit(0); // the orphan's parent goes: it is no child of the check any more
        }
        ::pause();
        return ccci::pass("unreachable");
      },
      1s);
  BOOST_TEST((rec.status == Status::fail));
  BOOST_TEST(rec.message.starts_with("did not finish within the per-check timeout of 1s and was killed"), rec.message);
  pid_t pgid = first_pid_in(read(pgid_file));
  BOOST_TEST_REQUIRE(pgid > 1);
  BOOST_TEST(pgid != ::getpgrp()); // its own group, not ours
  std::vector<pid_t> left;
  for (int i = 0; i < 100; ++i) {
    left = alive_in_group(pgid);
    if (left.empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(left.empty(), "processes of the check's group " << pgid << " survived its timeout: " << left.size());
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_check_cut_short_by_a_stop_is_unverified_naming_the_signal) {
  ResetStop reset;
  auto dir = temp_dir("stopped-check");
  auto ready = dir / "ready";
  // The stop comes while the check hangs, as a SIGTERM to ccci would.
  std::thread stopper([&] {
    for (int i = 0; i < 500 && !fs::exists(ready); ++i)
      std::this_thread::sleep_for(10ms);
    stop_requested = SIGTERM;
  });
  auto rec = isolated(
      [&](Context&) {
        std::ofstream(ready) << "1\n";
        ::pause();
        return ccci::pass("unreachable");
      },
      60s);
  stopper.join();
  BOOST_TEST((rec.status == Status::unver));
  BOOST_TEST(rec.message.starts_with("interrupted by SIGTERM: the check was cut short"), rec.message);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_isolated_check_that_exits_without_a_verdict_fails) {
  auto rec = isolated([](Context&) -> CheckResult { ::_exit(4); });
  BOOST_TEST((rec.status == Status::fail));
  BOOST_TEST(rec.message == "the check ended (exit 4) without reporting a verdict");
}

// ---- CCCI_SECRET makers (docs/plugin-guide.md, "Secrets the recipe leaves to the operator") ----

CCCI_SECRET("unit_ssh_key") { return "unit-key-for-" + ctx.stack(); }
CCCI_SECRET("unit_empty") { return ""; }
CCCI_SECRET("unit_throws") { throw std::runtime_error("no key generator here"); }

BOOST_AUTO_TEST_CASE(secret_makers_register_by_key_and_their_value_never_enters_the_record) {
  auto plugin = std::make_shared<ccci::detail::RegisteredPlugin>("unit", std::vector<std::string>{});
  LoadedPlugin loaded("in-process", plugin);
  BOOST_TEST(!loaded.secret_maker("absent").has_value());
  auto info = loaded.info();
  BOOST_TEST((std::find(info.checks.begin(), info.checks.end(), "secret:unit_ssh_key") != info.checks.end()));

  QuietContext ctx;
  auto maker = loaded.secret_maker("unit_ssh_key");
  BOOST_TEST_REQUIRE(maker.has_value());
  auto made = make_secret_isolated("install/secrets", *maker, ctx, 10s, [](const std::string&) {});
  BOOST_TEST(made.value.value_or("") == "unit-key-for-stack");
  BOOST_TEST((made.record.status == Status::pass));
  BOOST_TEST(made.record.message.find("unit-key-for-") == std::string::npos, made.record.message);
  BOOST_TEST(made.record.message.find("made by the plugin's CCCI_SECRET(\"unit_ssh_key\") (18 characters)") !=
                 std::string::npos,
             made.record.message);

  auto empty =
      make_secret_isolated("install/secrets", *loaded.secret_maker("unit_empty"), ctx, 10s, [](const std::string&) {});
  BOOST_TEST(!empty.value.has_value());
  BOOST_TEST((empty.record.status == Status::fail));
  BOOST_TEST(empty.record.message.find("returned an empty value") != std::string::npos, empty.record.message);

  auto thrown =
      make_secret_isolated("install/secrets", *loaded.secret_maker("unit_throws"), ctx, 10s, [](const std::string&) {});
  BOOST_TEST(!thrown.value.has_value());
  BOOST_TEST((thrown.record.status == Status::fail));
  BOOST_TEST(thrown.record.message.find("no key generator here") != std::string::npos, thrown.record.message);
}

// ---- run_children -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(child_runs_report_exit_codes_and_logs_and_respect_the_bound) {
  auto dir = temp_dir("jobs");
  std::vector<ChildJob> jobs(3);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].args = {"-c", "echo job " + std::to_string(i) + "; sleep 0.3; exit " + std::to_string(i + 1)};
    jobs[i].log = dir / (std::to_string(i) + ".log");
  }
  std::size_t now_running = 0, most = 0;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 2;
  o.on_start = [&](std::size_t) { most = std::max(most, ++now_running); };
  o.on_finish = [&](std::size_t) { --now_running; };
  BOOST_TEST(run_children(jobs, o));
  BOOST_TEST(most == 2u);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    BOOST_TEST(jobs[i].started);
    BOOST_TEST(jobs[i].exit_code == static_cast<int>(i + 1));
    BOOST_TEST(read(jobs[i].log) == "job " + std::to_string(i) + "\n");
  }
  fs::remove_all(dir);
}

// A run that ended and the one that took its place make one line
// (jobs/job_progress.hpp); the last run's end, with nothing left, makes none.
BOOST_AUTO_TEST_CASE(child_runs_say_which_are_going_once_per_start) {
  auto dir = temp_dir("jobs-progress");
  std::vector<ChildJob> jobs(3);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].args = {"-c", "exit 0"};
    jobs[i].log = dir / (std::to_string(i) + ".log");
    jobs[i].label = std::string(1, static_cast<char>('a' + i));
  }
  std::vector<std::string> lines;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.on_progress = [&](const std::string& line) { lines.push_back(line); };
  BOOST_TEST(run_children(jobs, o));
  BOOST_TEST_REQUIRE(lines.size() == 3u, fmt::format("{}", fmt::join(lines, "\n")));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::regex want(fmt::format(R"(running 1 of 3 \({} done, [0-9]+s in\): {} [0-9]+s)", i, jobs[i].label));
    BOOST_TEST(std::regex_match(lines[i], want), lines[i]);
    BOOST_TEST(jobs[i].finished);
  }
  fs::remove_all(dir);
}

// The sweep says itself when its run starts and ends: only the periodic
// line is asked for, and runs quicker than the period make none.
BOOST_AUTO_TEST_CASE(child_runs_that_say_only_periodically_are_silent_on_starts_and_ends) {
  auto dir = temp_dir("jobs-quiet");
  std::vector<ChildJob> jobs(2);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].args = {"-c", "exit 0"};
    jobs[i].log = dir / (std::to_string(i) + ".log");
  }
  std::vector<std::string> lines;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.on_progress = [&](const std::string& line) { lines.push_back(line); };
  o.progress_on_change = false;
  o.progress_every = std::chrono::hours(1);
  BOOST_TEST(run_children(jobs, o));
  BOOST_TEST(lines.empty(), fmt::format("{}", fmt::join(lines, "\n")));
  BOOST_TEST(jobs[0].finished);
  BOOST_TEST(jobs[1].finished);
  fs::remove_all(dir);
}

// The sweep's promotion (docs/architecture.md, "Sweep jobs"): a job that
// on_finish appends follows the one that ended — never beside it — ahead of
// jobs appended later, within the bound, and the line counts it.
BOOST_AUTO_TEST_CASE(a_job_appended_when_one_ends_follows_it_within_the_bound) {
  auto dir = temp_dir("jobs-follow");
  // Each job appends "start <label>" and "end <label>" to one shared file,
  // so the order is the children's own, not the parent's bookkeeping.
  const auto order = dir / "order";
  auto make = [&](const std::string& label, const std::string& pause) {
    ChildJob j;
    j.args = {"-c", "echo start " + label + " >> '" + order.string() + "'; sleep " + pause + "; echo end " + label +
                        " >> '" + order.string() + "'"};
    j.log = dir / (label + ".log");
    j.label = label;
    return j;
  };
  std::vector<ChildJob> jobs{make("a", "0"), make("b", "0"), make("c", "0")};
  // a holds its slot until c's follow-up has started in the other one (or
  // 30 s, and the order below fails): b, c and c-promote pass through it.
  jobs[0].args[1] = "echo start a >> '" + order.string() + "'; for i in $(seq 300); do grep -q 'start c-promote' '" +
                    order.string() + "' && break; sleep 0.1; done; echo end a >> '" + order.string() + "'";
  std::size_t now_running = 0, most = 0;
  std::vector<std::string> lines;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 2;
  o.on_start = [&](std::size_t) { most = std::max(most, ++now_running); };
  o.on_finish = [&](std::size_t i) {
    --now_running;
    // a and c get a follow-up; b does not.
    if (jobs[i].label == "a" || jobs[i].label == "c") jobs.push_back(make(jobs[i].label + "-promote", "0.1"));
  };
  o.on_progress = [&](const std::string& line) { lines.push_back(line); };
  BOOST_TEST(run_children(jobs, o));
  BOOST_TEST(most == 2u);
  BOOST_TEST_REQUIRE(jobs.size() == 5u);
  for (auto& j : jobs) {
    BOOST_TEST(j.finished, j.label);
    BOOST_TEST(j.exit_code == 0, j.label);
  }
  auto text = read(order);
  for (std::string x : {"a", "c"}) {
    auto ended = text.find("end " + x + "\n");
    auto followed = text.find("start " + x + "-promote\n");
    BOOST_TEST_REQUIRE(ended != std::string::npos, text);
    BOOST_TEST_REQUIRE(followed != std::string::npos, text);
    BOOST_TEST(ended < followed, text);
  }
  BOOST_TEST(text.find("b-promote") == std::string::npos, text);
  // c's follow-up was appended first and starts first.
  BOOST_TEST(text.find("start c-promote") < text.find("start a-promote"), text);
  // The count grows with the follow-ups: the last line says "of 5".
  BOOST_TEST_REQUIRE(!lines.empty());
  BOOST_TEST(lines.back().find(" of 5 ") != std::string::npos, fmt::format("{}", fmt::join(lines, "\n")));
  fs::remove_all(dir);
}

// One at a time, a follow-up goes before the jobs not started yet: `ccci
// sweep --jobs 1` promotes a recipe before it tests the next one.
BOOST_AUTO_TEST_CASE(one_at_a_time_a_follow_up_starts_before_the_jobs_still_waiting) {
  auto dir = temp_dir("jobs-follow-first");
  const auto order = dir / "order";
  auto make = [&](const std::string& label) {
    ChildJob j;
    j.args = {"-c", "echo " + label + " >> '" + order.string() + "'"};
    j.log = dir / (label + ".log");
    j.label = label;
    return j;
  };
  std::vector<ChildJob> jobs{make("x"), make("y")};
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 1;
  o.on_finish = [&](std::size_t i) {
    if (jobs[i].label == "x" || jobs[i].label == "y") {
      jobs.push_back(make(jobs[i].label + "-promote"));
      jobs.push_back(make(jobs[i].label + "-after"));
    }
  };
  BOOST_TEST(run_children(jobs, o));
  BOOST_TEST(read(order) == "x\nx-promote\nx-after\ny\ny-promote\ny-after\n");
  fs::remove_all(dir);
}

// After a stop request, a job appended as one ends never starts: the sweep
// promotes nothing once it was asked to stop.
BOOST_AUTO_TEST_CASE(after_a_stop_request_no_appended_job_starts) {
  ResetStop reset;
  auto dir = temp_dir("jobs-follow-stop");
  std::vector<ChildJob> jobs(2);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].args = {"-c", "trap 'sleep 0.2; exit 3' TERM; echo ready; while :; do sleep 0.05; done"};
    jobs[i].log = dir / (std::to_string(i) + ".log");
  }
  std::size_t started = 0;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 2;
  o.on_start = [&](std::size_t i) {
    ++started;
    wait_for_first_line(jobs[i]);
    if (started == 2) stop_requested = SIGTERM;
  };
  o.on_finish = [&](std::size_t i) {
    ChildJob follow;
    follow.args = {"-c", "exit 0"};
    follow.log = dir / ("follow-" + std::to_string(i) + ".log");
    jobs.push_back(follow);
  };
  BOOST_TEST(!run_children(jobs, o));
  BOOST_TEST_REQUIRE(jobs.size() == 4u);
  BOOST_TEST(jobs[0].exit_code == 3);
  BOOST_TEST(jobs[1].exit_code == 3);
  BOOST_TEST(!jobs[2].started);
  BOOST_TEST(!jobs[3].started);
  BOOST_TEST(!fs::exists(dir / "follow-0.log"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_stop_request_sends_sigterm_waits_for_teardown_and_starts_nothing_more) {
  ResetStop reset;
  auto dir = temp_dir("stop");
  std::vector<ChildJob> jobs(2);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    // The trap takes a while, as a teardown does; SIGKILL would skip it.
    jobs[i].args = {"-c", "trap 'sleep 0.5; echo tore down; exit 3' TERM; echo ready; while :; do sleep 0.05; done"};
    jobs[i].log = dir / (std::to_string(i) + ".log");
  }
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 1;
  o.on_start = [&](std::size_t i) {
    wait_for_first_line(jobs[i]);
    stop_requested = SIGINT;
  };
  BOOST_TEST(!run_children(jobs, o));
  BOOST_TEST(jobs[0].started);
  BOOST_TEST(jobs[0].exit_code == 3);
  BOOST_TEST(!jobs[0].killed);
  BOOST_TEST(read(jobs[0].log) == "ready\ntore down\n");
  BOOST_TEST(!jobs[1].started);
  fs::remove_all(dir);
}

// Real signals to this process, as `systemctl stop` (SIGTERM to the main
// process, KillMode=mixed) or a closed terminal (SIGHUP) sends them: the
// handlers install_stop_handlers() sets make each a stop request, and the
// running child run gets SIGTERM and is waited for while it tears down.
BOOST_AUTO_TEST_CASE(sighup_and_sigterm_to_us_are_stop_requests_the_child_runs_get_as_sigterm) {
  const int handled[] = {SIGHUP, SIGTERM, SIGINT, SIGPIPE};
  struct sigaction before[4];
  for (int i = 0; i < 4; ++i)
    ::sigaction(handled[i], nullptr, &before[i]);
  install_stop_handlers();
  auto dir = temp_dir("signals");
  for (int sig : {SIGHUP, SIGTERM}) {
    ResetStop reset;
    std::vector<ChildJob> jobs(1);
    jobs[0].args = {"-c", "trap 'sleep 0.3; echo tore down; exit 3' TERM; echo ready; while :; do sleep 0.05; done"};
    jobs[0].log = dir / (signal_name(sig) + ".log");
    ChildRunOptions o;
    o.program = "/bin/sh";
    o.on_start = [&](std::size_t i) {
      wait_for_first_line(jobs[i]);
      ::kill(::getpid(), sig);
    };
    BOOST_TEST(!run_children(jobs, o), signal_name(sig));
    BOOST_TEST(stop_requested == sig, signal_name(sig));
    BOOST_TEST(jobs[0].exit_code == 3, signal_name(sig));
    BOOST_TEST(!jobs[0].killed, signal_name(sig));
    BOOST_TEST(read(jobs[0].log) == "ready\ntore down\n", signal_name(sig));
  }
  for (int i = 0; i < 4; ++i)
    ::sigaction(handled[i], &before[i], nullptr);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_child_run_still_there_after_the_grace_is_killed_with_its_group) {
  ResetStop reset;
  auto dir = temp_dir("grace");
  std::vector<ChildJob> jobs(1);
  jobs[0].args = {"-c", "trap '' TERM; sleep 100 & echo $!; wait"};
  jobs[0].log = dir / "0.log";
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.stop_grace = 500ms;
  o.on_start = [&](std::size_t i) {
    wait_for_first_line(jobs[i]);
    stop_requested = SIGTERM;
  };
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(!run_children(jobs, o));
  BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
  BOOST_TEST(jobs[0].killed);
  BOOST_TEST(jobs[0].signal == SIGKILL);
  pid_t grandchild = first_pid_in(read(jobs[0].log));
  BOOST_TEST_REQUIRE(grandchild > 0);
  BOOST_TEST(gone_soon(grandchild));
  fs::remove_all(dir);
}

// docs/architecture.md, "Stopping": a second stop request tells each
// running child (a second SIGTERM) and SIGKILLs its group after the
// escalation grace, naming the runs cut short; the (long) stop grace does
// not apply any more.
BOOST_AUTO_TEST_CASE(a_second_stop_request_tells_the_children_then_kills_their_groups_and_names_them) {
  ResetStop reset;
  auto dir = temp_dir("escalate");
  std::vector<ChildJob> jobs(1);
  // A teardown that would take far longer than the test: the first SIGTERM
  // starts it, the second is noted, and only SIGKILL ends it.
  jobs[0].args = {"-c", "n=0; trap 'n=$((n+1)); echo term $n' TERM; sleep 300 & echo $!; "
                        "while :; do sleep 0.05; done"};
  jobs[0].log = dir / "sweep-x-recipe.out";
  std::vector<std::string> notes;
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.stop_grace = 1h;
  o.escalation_grace = 500ms;
  o.on_note = [&](const std::string& line) { notes.push_back(line); };
  o.on_start = [&](std::size_t i) {
    wait_for_first_line(jobs[i]);
    stop_requested = SIGTERM;
    stop_signals = 1;
    last_stop_signal = SIGTERM;
  };
  o.on_still_running = [&](std::size_t, double) {
    // Once the child has taken the first SIGTERM, the second comes.
    if (read(jobs[0].log).find("term 1") != std::string::npos) {
      stop_signals = 2;
      last_stop_signal = SIGHUP;
    }
  };
  o.still_running_every = 50ms;
  BOOST_TEST(!run_children(jobs, o));
  BOOST_TEST(jobs[0].cut_short);
  BOOST_TEST(jobs[0].killed);
  BOOST_TEST(jobs[0].signal == SIGKILL);
  BOOST_TEST(read(jobs[0].log).find("term 2") != std::string::npos, read(jobs[0].log));
  BOOST_TEST_REQUIRE(notes.size() == 1u);
  BOOST_TEST(notes[0].starts_with("second stop signal (SIGHUP): cutting short 1 run(s): sweep-x-recipe;"), notes[0]);
  BOOST_TEST(notes[0].find("`ccci gc` removes what they leave") != std::string::npos, notes[0]);
  pid_t grandchild = first_pid_in(read(jobs[0].log));
  BOOST_TEST_REQUIRE(grandchild > 0);
  BOOST_TEST(gone_soon(grandchild));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_child_run_past_its_timeout_is_stopped_like_on_a_stop_request) {
  auto dir = temp_dir("timeout");
  std::vector<ChildJob> jobs(1);
  jobs[0].args = {"-c", "trap 'echo stopped; exit 3' TERM; while :; do sleep 0.05; done"};
  jobs[0].log = dir / "0.log";
  jobs[0].timeout = 1s;
  ChildRunOptions o;
  o.program = "/bin/sh";
  BOOST_TEST(run_children(jobs, o)); // a timeout is not a stop request
  BOOST_TEST(jobs[0].timed_out);
  BOOST_TEST(jobs[0].exit_code == 3);
  BOOST_TEST(read(jobs[0].log) == "stopped\n");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_job_whose_log_cannot_be_created_stops_the_others_and_is_reported) {
  ResetStop reset;
  auto dir = temp_dir("nolog");
  std::vector<ChildJob> jobs(2);
  jobs[0].args = {"-c", "trap 'echo stopped; exit 3' TERM; echo ready; while :; do sleep 0.05; done"};
  jobs[0].log = dir / "0.log";
  jobs[1].args = {"-c", "true"};
  jobs[1].log = dir / "no-such-dir" / "1.log";
  ChildRunOptions o;
  o.program = "/bin/sh";
  o.parallel = 2;
  // Only once the trap is set may the SIGTERM come.
  o.on_start = [&](std::size_t i) { wait_for_first_line(jobs[i]); };
  BOOST_CHECK_EXCEPTION(run_children(jobs, o), InfraFailure, [](const InfraFailure& e) {
    return std::string(e.what()).find("cannot create the log") != std::string::npos;
  });
  BOOST_TEST(jobs[0].exit_code == 3); // stopped gracefully, not left running or SIGKILLed
  BOOST_TEST(read(jobs[0].log) == "ready\nstopped\n");
  BOOST_TEST(!jobs[1].started);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(teardown_refuses_a_name_that_is_no_stack_and_touches_nothing) {
  // A blank namespace filter matches every stack's secrets: the teardown of
  // "" once removed secrets other runs had just made. PATH without docker
  // proves that nothing is run at all.
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", "/nonexistent", 1);
  for (const std::string name : {"", " ", "_x"}) {
    auto report = teardown_stack(name, true, std::chrono::seconds(1));
    BOOST_TEST(report.leftovers.empty());
    BOOST_TEST_REQUIRE(report.notes.size() == 1u);
    BOOST_TEST(report.notes[0].find("not a stack name") != std::string::npos, report.notes[0]);
    BOOST_TEST(stack_leftovers(name).empty());
  }
  ::setenv("PATH", old_path.c_str(), 1);
}

// ------------------------------------------------------------- bounded output, streams

namespace {

class CountingSource {
public:
  std::size_t bytes = 0, largest_read = 0;
  void drain(ByteSource& source) {
    char buf[65536];
    for (std::size_t n; (n = source.read(buf, sizeof buf)) > 0;) {
      bytes += n;
      largest_read = std::max(largest_read, n);
    }
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(run_process_keeps_the_head_and_tail_of_a_flood_and_counts_the_rest) {
  ProcessOptions o;
  o.max_output = 1 << 20;
  // 64 MiB between two markers: only 1 MiB of it is ever held.
  auto r = run_process({"sh", "-c",
                        "echo START; head -c 67108864 /dev/zero | tr '\\0' x; echo; echo END; "
                        "head -c 3000000 /dev/zero >&2"},
                       o);
  BOOST_TEST(r.ok(), r.describe());
  BOOST_TEST(r.out.starts_with("START\nxxx"));
  BOOST_TEST(r.out.ends_with("xxx\nEND\n"));
  BOOST_TEST(r.out.find("[ccci: ") != std::string::npos);
  BOOST_TEST(r.out.find("bytes dropped here; kept the first 512 KiB and the last 512 KiB]") != std::string::npos);
  BOOST_TEST(r.dropped_out == 6u + 67108864u + 1u + 4u - (1u << 20));
  BOOST_TEST(r.out.size() < (1u << 20) + 200u);
  BOOST_TEST(r.dropped_err == 3000000u - (1u << 20));
  // Under the cap nothing is touched.
  auto small = run_process({"sh", "-c", "printf 'a\\nb\\n'"}, o);
  BOOST_TEST(small.out == "a\nb\n");
  BOOST_TEST(small.dropped_out == 0u);
}

BOOST_AUTO_TEST_CASE(a_streamed_stdout_arrives_whole_in_chunks_and_stderr_is_still_collected) {
  CountingSource counted;
  auto r = run_process_reading_stdout({"sh", "-c", "head -c 100000000 /dev/zero; echo done >&2"}, {},
                                      [&](ByteSource& s) { counted.drain(s); });
  BOOST_TEST(r.ok(), r.describe());
  BOOST_TEST(counted.bytes == 100000000u);
  BOOST_TEST(counted.largest_read <= 65536u);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "done\n");
}

BOOST_AUTO_TEST_CASE(what_a_stream_reader_leaves_unread_is_discarded_not_cut_off) {
  // The reader takes 10 bytes; the writer must still end well (no EPIPE).
  auto r = run_process_reading_stdout({"sh", "-c", "head -c 5000000 /dev/zero"}, {}, [](ByteSource& s) {
    char buf[10];
    BOOST_TEST(s.read(buf, sizeof buf) > 0u);
  });
  BOOST_TEST(r.ok(), r.describe());
}

BOOST_AUTO_TEST_CASE(a_stream_reader_that_throws_gets_the_programs_own_failure_when_it_has_one) {
  // The program failed by itself: its words explain the empty stream.
  auto failed = run_process_reading_stdout({"sh", "-c", "echo 'no such container' >&2; exit 3"}, {}, [](ByteSource& s) {
    char buf[16];
    if (s.read(buf, sizeof buf) == 0) throw InfraFailure("empty stream");
  });
  BOOST_TEST(failed.exit_code == 3);
  BOOST_TEST(failed.err == "no such container\n");
  // The program was fine: the reader's own exception goes on.
  BOOST_CHECK_EXCEPTION(run_process_reading_stdout({"sh", "-c", "head -c 5000000 /dev/zero"}, {},
                                                   [](ByteSource&) { throw InfraFailure("malformed tar"); }),
                        InfraFailure, [](const InfraFailure& e) { return std::string(e.what()) == "malformed tar"; });
}

BOOST_AUTO_TEST_CASE(a_streamed_stdin_is_written_in_chunks_and_read_whole) {
  ::signal(SIGPIPE, SIG_IGN); // as ccci runs (os/signals): a closed pipe is EPIPE, not death
  const std::string chunk(65536, 'z');
  auto r = run_process_feeding_stdin({"wc", "-c"}, {}, [&](ByteSink& sink) {
    for (int i = 0; i < 320; ++i) // 20 MiB
      BOOST_REQUIRE(sink.write(chunk));
  });
  BOOST_TEST(r.ok(), r.describe());
  BOOST_TEST(std::stoul(r.out) == 320u * 65536u);
}

BOOST_AUTO_TEST_CASE(a_program_that_stops_reading_its_stream_cuts_it_and_its_failure_is_the_result) {
  ::signal(SIGPIPE, SIG_IGN);
  const std::string chunk(65536, 'z');
  int refused_at = -1;
  auto r = run_process_feeding_stdin({"sh", "-c", "head -c 10 >/dev/null; echo 'disk full' >&2; exit 4"}, {},
                                     [&](ByteSink& sink) {
                                       for (int i = 0; i < 1000; ++i)
                                         if (!sink.write(chunk)) {
                                           refused_at = i;
                                           BOOST_TEST(!sink.write("more"));
                                           throw InfraFailure("the reader stopped taking the stream");
                                         }
                                     });
  BOOST_TEST(refused_at >= 0);
  BOOST_TEST(r.exit_code == 4);
  BOOST_TEST(r.err == "disk full\n");
  // Our side failing while the program still reads: the program is killed,
  // the exception goes on.
  BOOST_CHECK_THROW(run_process_feeding_stdin({"cat"}, {},
                                              [](ByteSink& sink) {
                                                sink.write("half a tar");
                                                throw InfraFailure("the archive is truncated");
                                              }),
                    InfraFailure);
}

BOOST_AUTO_TEST_CASE(a_stream_past_its_timeout_is_cut_and_says_so) {
  ProcessOptions o;
  o.timeout = 1s;
  CountingSource counted;
  auto r = run_process_reading_stdout({"sh", "-c", "echo begun; exec sleep 30"}, o,
                                      [&](ByteSource& s) { counted.drain(s); });
  BOOST_TEST(r.timed_out);
  BOOST_TEST(counted.bytes == 6u);
}

BOOST_AUTO_TEST_CASE(an_isolated_checks_message_and_log_lines_are_capped) {
  std::vector<std::string> logged;
  auto rec = isolated(
      [](Context& ctx) {
        ctx.log(std::string(100000, 'l'));
        return ccci::pass(std::string(1 << 20, 'm'));
      },
      10s, &logged);
  BOOST_TEST((rec.status == Status::pass));
  BOOST_TEST(rec.message.size() < (64u << 10) + 100u);
  BOOST_TEST(rec.message.ends_with(" [... 983040 bytes cut by ccci]"), rec.message.substr(rec.message.size() - 60));
  BOOST_TEST_REQUIRE(logged.size() == 1u);
  BOOST_TEST(logged[0].ends_with(" [... 95904 bytes cut by ccci]"));
}

// watch_stack's watch (swarm/docker.hpp, watch_lines), on a real process: the
// docker CLI writes an event's text and its newline apart ("start", then
// "\n"), and one event must wake converge's watch once, not twice.
BOOST_AUTO_TEST_CASE(a_line_watch_wakes_once_per_whole_line_and_is_lost_when_the_program_ends) {
  using Woke = StackWatch::Woke;
  using std::chrono::steady_clock;
  auto watch =
      watch_lines({"sh", "-c", "printf start; sleep 2; printf '\\n'; sleep 1; printf 'one\\ntwo\\n'; sleep 1"}, {});
  BOOST_TEST_REQUIRE(watch != nullptr);
  BOOST_TEST((watch->wait(steady_clock::now() + 1s) == Woke::timeout), "woken by part of a line");
  BOOST_TEST((watch->wait(steady_clock::now() + 10s) == Woke::event), "not woken by the line's end");
  std::this_thread::sleep_for(1500ms); // both lines are there by now
  BOOST_TEST((watch->wait(steady_clock::now() + 10s) == Woke::event), "not woken by two lines");
  BOOST_TEST((watch->wait(steady_clock::now() + 10s) == Woke::lost), "woken again by lines already counted");
  BOOST_TEST((watch->wait(steady_clock::now() + 100ms) == Woke::lost));
}
